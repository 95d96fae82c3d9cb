package transfer

import (
	"context"
	"fmt"
	"strings"

	"minimall"
	"minimall/order"
	"minimall/partner"
	"minimall/privacy"
	"minimall/sqldb"
)

// Orders finds a person's own order; the order area implements it.
type Orders interface {
	FindByID(ctx context.Context, a minimall.Actor, id string) (*order.Order, error)
}

// Service serves cross-border notices, consents and transfers.
type Service struct {
	db     *sqldb.DB
	k      *privacy.Kernel
	orders Orders
	gw     *partner.Gateway
}

// NewService returns the cross-border transfer service.
func NewService(db *sqldb.DB, k *privacy.Kernel, orders Orders, gw *partner.Gateway) *Service {
	return &Service{db: db, k: k, orders: orders, gw: gw}
}

var scope = privacy.FeatureScope(privacy.FeatCrossBorder)

// crossBorderOrder returns a's own order id, which must be of cross-border
// goods. Returns NotFound for someone else's order, Invalid for a domestic one.
func (s *Service) crossBorderOrder(ctx context.Context, a minimall.Actor, id, op string) (*order.Order, error) {
	if strings.TrimSpace(id) == "" {
		return nil, minimall.Errorf(minimall.Invalid, op, "An order id is needed. 请提供订单号。")
	}
	o, err := s.orders.FindByID(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !o.CrossBorder {
		return nil, minimall.Errorf(minimall.Invalid, op, "That order has no cross-border goods: nothing goes abroad. 该订单不含跨境商品，不向境外提供。")
	}
	return o, nil
}

// Notice returns what a is told before consenting to the transfer of
// order orderID abroad, with the state of their consent. Returns
// Unauthorized unless a is a signed-in shopper, NotFound or Invalid as
// crossBorderOrder.
func (s *Service) Notice(ctx context.Context, a minimall.Actor, orderID string) (*Notice, error) {
	const op = "transfer.Notice"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	if _, err := s.crossBorderOrder(ctx, a, orderID, op); err != nil {
		return nil, err
	}
	n := notice
	n.Order = orderID
	state, _, err := s.consentState(ctx, a.Subject)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	n.Consent = state
	return &n, nil
}

// consentState names the state of a's separate consent to transfers: it
// counts only if its last grant named the current notice version. When
// granted, it returns the grant's consent id too.
func (s *Service) consentState(ctx context.Context, sub minimall.SubjectID) (string, string, error) {
	st, rec, err := s.k.Consents.State(ctx, sub, scope)
	if err != nil {
		return "", "", err
	}
	switch {
	case st == privacy.Withdrawn:
		return "withdrawn", "", nil
	case st == privacy.Outdated:
		return "outdated", "", nil
	case st != privacy.Granted || rec.Kind != privacy.Separate:
		return "never_asked", "", nil
	}
	var version string
	err = s.db.QueryRowContext(ctx, `SELECT notice_version FROM cross_border_consents WHERE consent_id = ?`, rec.ID).Scan(&version)
	if err != nil || version != notice.Version {
		return "outdated", "", nil // granted elsewhere or under an older notice: ask again
	}
	return "granted", rec.ID, nil
}

// Consent records a's separate consent (or its withdrawal) to transfers
// abroad, naming the notice version they were shown. Returns Unauthorized
// unless a is a signed-in shopper; Invalid for an unknown action; Conflict
// when a grant names a notice version other than the current one.
func (s *Service) Consent(ctx context.Context, a minimall.Actor, req ConsentRequest, requestID string) (*ConsentResult, error) {
	const op = "transfer.Consent"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	if req.Action == "" {
		req.Action = privacy.Grant
	}
	switch req.Action {
	case privacy.Grant:
		if req.NoticeVersion != notice.Version {
			return nil, minimall.Errorf(minimall.Conflict, op, "Read the current notice (version %s) before consenting. 请先阅读最新的告知内容后再同意。", notice.Version)
		}
	case privacy.Withdraw:
		req.NoticeVersion = notice.Version
	default:
		return nil, minimall.Errorf(minimall.Invalid, op, "action must be grant or withdraw. action 须为 grant 或 withdraw。")
	}
	var out *ConsentResult
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		var err error
		rec, err := s.k.Consents.RecordTx(ctx, tx, privacy.ConsentChange{Subject: a.Subject, Scope: scope, Kind: privacy.Separate,
			Action: req.Action, Channel: "api", Evidence: "cross_border_notice:" + req.NoticeVersion})
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO cross_border_consents (id, subject, consent_id, notice_version, action, at) VALUES (?, ?, ?, ?, ?, ?)`,
			"cbc_"+minimall.RandomToken(8), string(a.Subject), rec.ID, req.NoticeVersion, string(req.Action), sqldb.Micros(tx.Now()))
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		out = &ConsentResult{ConsentID: rec.ID, Action: req.Action, NoticeVersion: req.NoticeVersion, At: rec.At}
		return nil
	})
	return out, err
}

// Send hands the de-identified waybill of a's order orderID to the
// overseas recipient through the partner gateway, which logs it as a
// disclosure, and logs the transfer here. Returns Denied without the
// separate consent under the current notice; Unauthorized, NotFound or
// Invalid as Notice; Unavailable when the recipient cannot be reached.
func (s *Service) Send(ctx context.Context, a minimall.Actor, orderID, requestID string) (*Transfer, error) {
	const op = "transfer.Send"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	o, err := s.crossBorderOrder(ctx, a, orderID, op)
	if err != nil {
		return nil, err
	}
	state, consentID, err := s.consentState(ctx, a.Subject)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if state != "granted" {
		// PIPL art. 39: no transfer abroad without separate consent.
		return nil, minimall.Errorf(minimall.Denied, op, "Sending your order abroad needs your separate consent after reading the notice. 向境外提供您的订单信息须先阅读告知并单独同意。")
	}
	t := &Transfer{ID: "cbt_" + minimall.RandomToken(8), Order: o.ID, Recipient: Recipient, Fields: Fields, Rule: Rule, Status: partner.StatusSent}
	_, sendErr := s.gw.Send(ctx, partner.Disclosure{Partner: Recipient, Purpose: privacy.ForCrossBorder, Subject: a.Subject,
		Operation: Operation, Fields: waybill(o), Params: map[string]any{"transfer_id": t.ID}, RequestID: requestID})
	if sendErr != nil {
		t.Status = partner.StatusFailed
	}
	if err := s.log(ctx, a.Subject, t, consentID); err != nil {
		return nil, err
	}
	if sendErr != nil {
		return nil, sendErr
	}
	return t, nil
}

// waybill is what the recipient gets, de-identified as Rule says.
//
// NB: holds personal information; never log it.
func waybill(o *order.Order) map[privacy.Field]string {
	items := make([]string, len(o.Lines))
	for i, l := range o.Lines {
		items[i] = fmt.Sprintf("%s x%d", l.Title, l.Quantity)
	}
	return map[privacy.Field]string{
		privacy.RecipientName:    maskName(o.Recipient.Name),
		privacy.RecipientPhone:   maskPhone(o.Recipient.Phone),
		privacy.RecipientAddress: o.Recipient.Address,
		privacy.OrderNumber:      o.Number,
		privacy.OrderItems:       strings.Join(items, "; "),
	}
}

// log records the transfer with the consent it rested on (the person's
// export names it).
func (s *Service) log(ctx context.Context, sub minimall.SubjectID, t *Transfer, consentID string) error {
	t.At = s.db.Now()
	fields := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		fields[i] = string(f)
	}
	_, err := s.db.ExecContext(context.WithoutCancel(ctx), `INSERT INTO cross_border_transfers (id, subject, order_id, recipient, fields, rule, status, at, consent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, string(sub), t.Order, string(t.Recipient), strings.Join(fields, ","), "mask-name-phone-v1", t.Status, sqldb.Micros(t.At), consentID)
	return sqldb.FormatError("transfer.log", err)
}

// List returns a's transfers abroad, newest first. Returns Unauthorized
// unless a is a signed-in shopper.
func (s *Service) List(ctx context.Context, a minimall.Actor) ([]Transfer, error) {
	const op = "transfer.List"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, order_id, recipient, fields, status, at FROM cross_border_transfers WHERE subject = ? ORDER BY at DESC, id LIMIT 200`, string(a.Subject))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	out := []Transfer{}
	for rows.Next() {
		var t Transfer
		var recipient, fields string
		var at int64
		if err := rows.Scan(&t.ID, &t.Order, &recipient, &fields, &t.Status, &at); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		t.Recipient, t.At, t.Rule = privacy.PartnerID(recipient), sqldb.FromMicros(at), Rule
		for _, f := range strings.Split(fields, ",") {
			t.Fields = append(t.Fields, privacy.Field(f))
		}
		out = append(out, t)
	}
	return out, sqldb.FormatError(op, rows.Err())
}
