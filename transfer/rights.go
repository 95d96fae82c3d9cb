package transfer

import (
	"context"
	"strings"
	"time"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
	"minimall/sqldb"
)

// RightsPart returns the cross-border area's part of rights requests. It
// stores no value of a registry field (the waybill's values are the
// order's); what it holds is the record of each transfer abroad, which the
// person's export lists (PIPL art. 39, 45): recipient, where, contact,
// purpose, method, kinds of data, when, and the consent it rested on.
func (s *Service) RightsPart() rights.Part { return rightsPart{s} }

type rightsPart struct{ s *Service }

// Record kinds this part lists and keeps.
const (
	RecordTransfer = "cross_border_transfer"
	RecordConsent  = "cross_border_consent"
)

// keepReason is why the transfer log outlives a deletion or deregistration.
const keepReason = "向境外提供个人信息的记录保存三年，用于证明依法处理（《个人信息保护法》第55、56条），期满删除；单独同意记录随同意记录保存；记录仅含编号、类别和时间，不含您的信息内容 / " +
	"records of transfers abroad are kept three years to show they were lawful (PIPL art. 55-56), then deleted; the separate consents stay with the consent records; they hold ids, kinds and times, none of your values"

func (rightsPart) Name() string { return "transfer" }

func (rightsPart) Holds() []privacy.Field { return nil }

func (p rightsPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	const op = "transfer.RightsExport"
	rows, err := p.s.db.QueryContext(ctx, `SELECT t.id, t.order_id, t.recipient, t.fields, t.status, t.at, t.consent_id, COALESCE(c.notice_version, '')
		FROM cross_border_transfers t LEFT JOIN cross_border_consents c ON c.consent_id = t.consent_id AND t.consent_id <> ''
		WHERE t.subject = ? ORDER BY t.at, t.id`, string(subject))
	if err != nil {
		return rights.Section{}, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	sec := rights.Section{Part: "transfer", Values: []rights.Value{}}
	for rows.Next() {
		var id, orderID, recipient, fields, status, consentID, version string
		var at int64
		if err := rows.Scan(&id, &orderID, &recipient, &fields, &status, &at, &consentID, &version); err != nil {
			return rights.Section{}, sqldb.FormatError(op, err)
		}
		sec.Records = append(sec.Records, transferRecord(id, orderID, privacy.PartnerID(recipient), fields, status, consentID, version, sqldb.FromMicros(at)))
	}
	return sec, sqldb.FormatError(op, rows.Err())
}

// transferRecord states one transfer as the notice told it.
func transferRecord(id, orderID string, to privacy.PartnerID, fields, status, consentID, version string, at time.Time) rights.Record {
	fact := func(key, label, value string) rights.Fact { return rights.Fact{Key: key, Label: label, Value: value} }
	name, contact, where, role := string(to), "", "", ""
	if ps, ok := privacy.Partner(to); ok {
		name, contact, role = ps.Name+" / "+ps.NameEN, ps.Contact, ps.Role.String()
		where = "中华人民共和国境内 / in the People's Republic of China"
		if ps.Abroad {
			where = "中华人民共和国境外 / outside the People's Republic of China"
		}
	}
	var kinds []string
	for _, f := range strings.Split(fields, ",") {
		if spec, ok := privacy.Spec(privacy.Field(f)); ok {
			kinds = append(kinds, spec.Name+" / "+spec.NameEN)
		} else if f != "" {
			kinds = append(kinds, f)
		}
	}
	consent := "未记录（该功能上线前的传输）/ not recorded (a transfer logged before consents were named)"
	if consentID != "" {
		consent = consentID
		if version != "" {
			consent += "（告知版本 / notice version " + version + "）"
		}
	}
	return rights.Record{Part: "transfer", Kind: RecordTransfer, ID: id, At: at,
		Title: "向境外提供您的订单信息 / your order data sent abroad",
		Facts: []rights.Fact{
			fact("when", "时间 / When", at.UTC().Format("2006-01-02 15:04:05 UTC")),
			fact("recipient", "接收方 / Recipient", name),
			fact("recipient_location", "接收方所在地 / Where the recipient is", where),
			fact("recipient_role", "接收方身份 / Recipient's role", role),
			fact("recipient_contact", "接收方联系方式 / Recipient's contact", contact),
			fact("purpose", "目的 / Purpose", notice.Purpose),
			fact("method", "方式 / Method", notice.Method),
			fact("data", "信息种类 / Kinds of data", strings.Join(kinds, "；")),
			fact("deidentification", "去标识化 / De-identification", Rule),
			fact("order", "订单 / Order", orderID),
			fact("status", "状态 / Status", status),
			fact("consent", "单独同意 / Separate consent", consent),
			fact("rights", "如何行使权利 / Your rights with the recipient", notice.Rights),
		}}
}

func (rightsPart) Correct(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f privacy.Field, value, requestID string) error {
	return rights.NotHere("transfer.RightsCorrect", f)
}

// Delete keeps the transfer log and the consent records: they are the
// legal record of each disclosure abroad (like the gateway's disclosure
// log), hold no personal values, and are reported as kept.
func (rightsPart) Delete(ctx context.Context, a minimall.Actor, s minimall.SubjectID, fields []privacy.Field, requestID string) (rights.Deleted, error) {
	if len(fields) > 0 {
		return rights.Deleted{}, nil
	}
	return rights.Deleted{KeptRecords: map[string]string{RecordTransfer: keepReason, RecordConsent: keepReason}}, nil
}

func (rightsPart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}
