package rights

import (
	"context"
	"encoding/hex"
	"encoding/json"

	"minimall"
	"minimall/mobile"
	"minimall/privacy"
	"minimall/sqldb"
)

// A recipient named in someone else's order has the rights of policy 四
// over what minimall holds about them (PIPL art. 44-47) without having an
// account: they prove control of the phone the order names with an SMS
// code (purpose "recipient"), and one request covers every order naming
// it. What they learn of the buyer is what the policy lets a recipient
// know anyway: the order's date, shop and state; never the buyer's name,
// phone or what was paid.

// Recipient is the request kind of a recipient without an account; its
// Details.Action says access, correct or delete.
const Recipient Kind = "recipient" // 收货人（非用户）的查阅、更正、删除

// ByRecipient marks a request filed by an order's recipient. The request
// makes the recipient a subject of their own, so its record is sealed
// under their keys, not any buyer's.
const ByRecipient = "recipient"

// Recipient actions.
const (
	RecipientAccess  = "access"
	RecipientCorrect = "correct"
	RecipientDelete  = "delete"
)

// Outcomes of a recipient's correction or deletion, per order.
const (
	OutcomeCorrected     = "corrected"
	OutcomeNotCorrected  = "not_correctable" // shipped or completed: the record stays as it was
	OutcomeRestricted    = "restricted"      // completed: kept under retention, no longer shown
	OutcomeKeptOpenOrder = "kept_open_order" // not finished: needed to deliver it
)

// RecipientOrder is one order naming the recipient, as they see it: their
// own data, and of the order only its date, shop and state.
type RecipientOrder struct {
	Order      string `json:"order"`
	Shop       string `json:"shop"`
	OrderedOn  string `json:"ordered_on"` // the date only
	Status     string `json:"status"`
	Name       string `json:"recipient_name,omitempty"`
	Address    string `json:"recipient_address,omitempty"`
	Phone      string `json:"recipient_phone,omitempty"`
	Unreadable string `json:"unreadable,omitempty"` // why the guard refused (the buyer was erased: retention_only)
	Restricted bool   `json:"restricted,omitempty"`
	Retention  string `json:"retention"` // how long it is kept and why, Chinese first
}

// OrderOutcome is what a correction or deletion did to one order: codes,
// ids and minimall's own texts, never values.
type OrderOutcome struct {
	Order   string `json:"order"`
	Outcome string `json:"outcome"`
	Message string `json:"message"`
}

// Recipients is what the rights area needs from the order area to serve a
// recipient (order.Service implements it; cmd wires it). phone is
// normalised; a is the platform acting for the request.
type Recipients interface {
	OrdersNaming(ctx context.Context, a minimall.Actor, phone string) ([]RecipientOrder, error)
	// CorrectRecipient corrects the recipient of one order naming phone.
	// Returns NotFound for an order that does not name phone.
	CorrectRecipient(ctx context.Context, a minimall.Actor, phone, order string, c map[privacy.Field]string) (OrderOutcome, error)
	RestrictRecipient(ctx context.Context, a minimall.Actor, phone string) ([]OrderOutcome, error)
}

// RecipientRequest is a recipient's request: the phone an order names,
// the code sent to it, the action, and for a correction the order and the
// new values (order.recipient_name, order.recipient_address,
// order.recipient_phone).
type RecipientRequest struct {
	Phone       string                   `json:"phone"`
	Code        string                   `json:"code"`
	Action      string                   `json:"action"`
	Order       string                   `json:"order,omitempty"`
	Corrections map[privacy.Field]string `json:"corrections,omitempty"`
}

// RecipientAnswer is the request as the queue holds it, its token to
// follow it, and for access the orders naming the recipient (opened now,
// never stored in the answer).
type RecipientAnswer struct {
	*Request
	Orders []RecipientOrder `json:"orders,omitempty"`
}

// recipientFields are what a recipient may correct.
var recipientFields = map[privacy.Field]bool{privacy.RecipientName: true, privacy.RecipientAddress: true, privacy.RecipientPhone: true}

func checkRecipientRequest(req RecipientRequest) (string, error) {
	const op = "rights.FileRecipient"
	phone, err := mobile.Normalize(req.Phone)
	if err != nil {
		return "", minimall.AtField(err, "phone")
	}
	switch req.Action {
	case RecipientAccess, RecipientDelete:
		if req.Order != "" || len(req.Corrections) > 0 {
			return "", minimall.InvalidField(op, "corrections", minimall.RuleCombination, "order and corrections are for action correct. 仅更正时需提供订单与更正内容。")
		}
	case RecipientCorrect:
		if req.Order == "" {
			return "", minimall.InvalidField(op, "order", minimall.RuleRequired, "Name the order to correct. 请指明要更正的订单。")
		}
		if len(req.Corrections) == 0 {
			return "", minimall.InvalidField(op, "corrections", minimall.RuleRequired, "Give the new name, address or phone. 请给出新的收货人姓名、地址或电话。")
		}
		for f := range req.Corrections {
			if !recipientFields[f] {
				return "", minimall.InvalidField(op, "corrections", minimall.RuleChoice, "A recipient corrects order.recipient_name, order.recipient_address or order.recipient_phone. 收货人可更正姓名、地址或电话。")
			}
		}
	default:
		return "", minimall.InvalidField(op, "action", minimall.RuleChoice, "action is access, correct or delete. 请求类型须为 access、correct 或 delete。")
	}
	if req.Code == "" {
		return "", minimall.InvalidField(op, "code", minimall.RuleRequired, "Give the SMS code sent to the phone (purpose recipient). 请提供发送到该手机号的验证码。")
	}
	return phone, nil
}

// FileRecipient files and serves a recipient's request. The code proves
// control of the phone; the request joins the queue with the 15-day
// deadline (the DPO sees it as kind recipient), is identity-checked and
// served at once: access lists every order naming the phone, a
// correction changes an unshipped order's recipient, a deletion restricts
// every completed order's recipient (kept as a transaction record for its
// retention, no longer shown) and says why open orders keep theirs.
// Returns Invalid for a malformed request or a wrong code, TooMany past
// the limits or the repeat rule, NotFound for a correction of an order
// that does not name the phone.
func (s *Service) FileRecipient(ctx context.Context, req RecipientRequest, client, requestID string) (*RecipientAnswer, error) {
	const op = "rights.FileRecipient"
	phone, err := checkRecipientRequest(req)
	if err != nil {
		return nil, err
	}
	if s.recipients == nil {
		return nil, minimall.Errorf(minimall.Unavailable, op, "Recipients' requests are not served here. 暂不受理收货人请求。")
	}
	codeID, err := s.accounts.CheckRecipientCode(ctx, phone, req.Code, client)
	if err != nil {
		return nil, err
	}
	// The recipient's requests are counted by a keyed hash of the phone.
	ref := "rp:" + hex.EncodeToString(s.k.BlindIndex(privacy.RecipientPhone, []byte("request\x00"+phone)))[:32]
	if err := s.checkRecipientRepeat(ctx, ref); err != nil {
		return nil, err
	}
	d := Details{Action: req.Action, Order: req.Order, Corrections: req.Corrections}
	token := "mmr_" + minimall.RandomToken(20)
	r, err := s.insertWith(ctx, newRequestID(), minimall.NewSubjectID(), Recipient, ByRecipient, Received, ref, d, tokenHash(token), nil)
	if err != nil {
		return nil, err
	}
	row, err := s.load(ctx, op, r.ID)
	if err != nil {
		return nil, err
	}
	proof, _ := json.Marshal(map[string]string{"method": "sms_code", "code": codeID})
	if err := s.check(ctx, op, row, proof, func(tx *sqldb.Tx) error { return s.accounts.SpendCode(ctx, tx, codeID) }); err != nil {
		return nil, err
	}
	out := &RecipientAnswer{}
	ans, err := s.serveRecipient(ctx, row, phone, d, out)
	if minimall.IsCode(err, minimall.NotFound) {
		// An order that does not name the phone: nothing of it is theirs.
		return nil, s.refuseWith(ctx, row, ReasonNotTheirs, err)
	}
	if err := s.finish(ctx, row, ans, err); err != nil {
		return nil, err
	}
	if out.Request, err = s.Get(ctx, minimall.Actor{}, row.id, token); err != nil {
		return nil, err
	}
	out.Token = token
	return out, nil
}

// serveRecipient does what the request asks, as the platform acting for
// it (audited under the request id); access puts the orders in out.
func (s *Service) serveRecipient(ctx context.Context, row *requestRow, phone string, d Details, out *RecipientAnswer) (*Answer, error) {
	a := minimall.Actor{Kind: minimall.System, ID: "rights:recipient", Reason: row.id}
	switch d.Action {
	case RecipientAccess:
		orders, err := s.recipients.OrdersNaming(ctx, a, phone)
		if err != nil {
			return nil, err
		}
		out.Orders = orders
		return &Answer{Message: "已列出载明该手机号的全部订单 / every order naming this phone is listed", Orders: outcomesOf(orders)}, nil
	case RecipientCorrect:
		o, err := s.recipients.CorrectRecipient(ctx, a, phone, d.Order, d.Corrections)
		if err != nil {
			return nil, err
		}
		return &Answer{Orders: []OrderOutcome{o}}, nil
	}
	outcomes, err := s.recipients.RestrictRecipient(ctx, a, phone)
	if err != nil {
		return nil, err
	}
	return &Answer{Orders: outcomes, Message: "已完成的订单为交易记录，依《电子商务法》第31条保存3年，期间受限处理 / completed orders are transaction records kept 3 years (E-commerce Law art. 31), restricted meanwhile"}, nil
}

// refuseWith closes row as refused for reason and returns cause.
func (s *Service) refuseWith(ctx context.Context, row *requestRow, reason string, cause error) error {
	_, err := s.db.ExecContext(ctx, `UPDATE rights_requests SET state = ?, refused_reason = ?, closed_at = ? WHERE id = ? AND state = ?`,
		string(Refused), reason, sqldb.Micros(s.db.Now()), row.id, string(IdentityChecked))
	if err != nil {
		return sqldb.FormatError("rights.FileRecipient", err)
	}
	return cause
}

// outcomesOf names the orders an access listed, without their values.
func outcomesOf(orders []RecipientOrder) []OrderOutcome {
	out := make([]OrderOutcome, 0, len(orders))
	for _, o := range orders {
		out = append(out, OrderOutcome{Order: o.Order, Outcome: "listed", Message: o.Retention})
	}
	return out
}

// checkRecipientRepeat applies the repeat rule to a recipient's requests,
// counted by ref (a keyed hash of the phone) since they have no subject.
func (s *Service) checkRecipientRepeat(ctx context.Context, ref string) error {
	const op = "rights.FileRecipient"
	var n int
	since := sqldb.Micros(s.db.Now().Add(-RepeatWindow))
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM rights_requests WHERE kind = ? AND ref = ? AND received_at > ?`, string(Recipient), ref, since).Scan(&n)
	if err != nil {
		return sqldb.FormatError(op, err)
	}
	if n >= RepeatMax*3 { // access, correct and delete each
		return minimall.Errorf(minimall.TooMany, op, "Request refused (%s): %s. 请求不予受理。", ReasonRepeatLimit, RepeatRuleText)
	}
	return nil
}
