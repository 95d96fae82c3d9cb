package http

// Texts of legal holds and authority requests in the privacy centre.
func init() {
	for k, v := range map[string][2]string{
		"mydata.holds":               {"法律保全", "Legal holds"},
		"mydata.holds.note":          {"依据法院、侦查或监管机关的要求，以下记录在保全解除前不会按期删除。", "At the request of a court, an investigation or a regulator, these records are kept past their period until the hold is released."},
		"mydata.holds.scope":         {"范围", "Covers"},
		"mydata.holds.person":        {"你的全部交易记录", "all your transaction records"},
		"mydata.holds.order":         {"订单", "order"},
		"mydata.holds.placed":        {"设置于", "Placed"},
		"mydata.holds.released":      {"解除于", "Released"},
		"mydata.holds.standing":      {"仍有效", "standing"},
		"hold.kind.court_order":      {"法院裁定或协助执行通知", "court order"},
		"hold.kind.investigation":    {"侦查机关依法调取、保全", "criminal investigation"},
		"hold.kind.regulator":        {"监管机关依法要求", "regulator's request"},
		"hold.kind.litigation":       {"诉讼、仲裁中的证据保全", "litigation or arbitration"},
		"mydata.authority":           {"有权机关的调取", "Requests from authorities"},
		"mydata.authority.note":      {"依据法律向法院、公安或监管机关提供的信息（只列出字段）。", "What went to a court, the police or a regulator under the law (the fields, never the values)."},
		"mydata.authority.authority": {"机关", "Authority"},
		"mydata.authority.basis":     {"法律依据", "Legal basis"},
	} {
		messages[k] = v
	}
}
