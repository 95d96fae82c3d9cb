package order

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"minimall"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/rights"
	"minimall/sqldb"
)

// An order's recipient may be someone without an account (二(三)2). Their
// requests (policy 四) reach the orders naming their phone through a blind
// index of it (orders.recipient_phone_index, a keyed hash: the number is
// never stored in clear), and see of each order only the date, the shop
// and the state besides their own data. The order area implements
// rights.Recipients.

// recipientFields are the recipient's own values on an order.
var recipientFields = []privacy.Field{privacy.RecipientName, privacy.RecipientAddress, privacy.RecipientPhone,
	privacy.ExtraPhone, privacy.DeliveryTime}

// recipientIndex is the blind index of a normalised recipient phone.
func (s *Service) recipientIndex(phone string) []byte {
	return s.k.BlindIndex(privacy.RecipientPhone, []byte(phone))
}

// maxOrdersNaming bounds one answer; a phone named in more orders than
// this is served by the DPO.
const maxOrdersNaming = 500

// Retention said to the recipient, by where the order is.
const (
	keptAsRecord  = "交易记录，依《电子商务法》第31条自完成起保存3年，期满删除 / a transaction record, kept 3 years from completion (E-commerce Law art. 31), then deleted"
	keptToShip    = "订单未发货：收货信息用于配送，可更正 / not shipped: kept to deliver the order; the recipient can be corrected"
	keptInTransit = "配送中：收货信息用于配送，完成后作为交易记录保存3年 / on its way: kept to deliver it, then 3 years as a transaction record"
)

func retentionOf(st Status) string {
	switch {
	case closedForSeller(st):
		return keptAsRecord
	case st == Shipped:
		return keptInTransit
	}
	return keptToShip
}

// unshipped reports whether an order's recipient may still be corrected.
func unshipped(st Status) bool { return st == PendingPayment || st == Paid }

// ordersNaming reads the orders whose recipient phone is phone.
func (s *Service) ordersNaming(ctx context.Context, phone string) ([]*orderRow, error) {
	const op = "order.OrdersNaming"
	rows, err := s.db.QueryContext(ctx, `SELECT `+wholeOrder.columns+` FROM orders WHERE recipient_phone_index = ? ORDER BY created_at, id LIMIT ?`,
		s.recipientIndex(phone), maxOrdersNaming)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	var out []*orderRow
	for rows.Next() {
		r, err := scanOrder(rows, wholeOrder)
		if err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		out = append(out, r)
	}
	return out, sqldb.FormatError(op, rows.Err())
}

// OrdersNaming lists every order naming phone as its recipient's, with
// the recipient's own values opened for the request (each audited under
// it, in the buyer's log too) and nothing of the buyer but the order's
// date, shop and state. An order whose buyer was erased holds its
// recipient for the legal duty only: it is listed, its values unreadable.
func (s *Service) OrdersNaming(ctx context.Context, a minimall.Actor, phone string) ([]rights.RecipientOrder, error) {
	rs, err := s.ordersNaming(ctx, phone)
	if err != nil {
		return nil, err
	}
	out := make([]rights.RecipientOrder, 0, len(rs))
	for _, r := range rs {
		ro := rights.RecipientOrder{Order: r.id, Shop: r.shop, Status: string(r.status), Restricted: r.restricted != 0,
			OrderedOn: sqldb.FromMicros(r.created).Format(time.DateOnly), Retention: retentionOf(r.status)}
		v, err := s.open(ctx, a, r, privacy.ForRightsRequest, privacy.RecipientName, privacy.RecipientAddress, privacy.RecipientPhone)
		var d *privacy.Denied
		switch {
		case errors.As(err, &d):
			ro.Unreadable = string(d.Reason)
		case err != nil:
			return nil, err
		default:
			ro.Name, ro.Address, ro.Phone = v[privacy.RecipientName], v[privacy.RecipientAddress], v[privacy.RecipientPhone]
		}
		out = append(out, ro)
	}
	return out, nil
}

// CorrectRecipient corrects the recipient of an unshipped order naming
// phone (PIPL art. 46). A shipped or completed order keeps its recipient
// as it was: it is what was delivered, kept as a transaction record. The
// new values are sealed under the buyer's keys, like the old; a new phone
// moves the order's blind index with it. Returns NotFound for an order
// not naming phone (whether it exists is not told), Invalid for a bad
// value, Conflict if the order changed meanwhile.
func (s *Service) CorrectRecipient(ctx context.Context, a minimall.Actor, phone, id string, c map[privacy.Field]string) (rights.OrderOutcome, error) {
	const op = "order.CorrectRecipient"
	r, err := scanOrder(s.db.QueryRowContext(ctx, `SELECT `+wholeOrder.columns+` FROM orders WHERE id = ? AND recipient_phone_index = ?`,
		id, s.recipientIndex(phone)), wholeOrder)
	if errors.Is(err, sql.ErrNoRows) {
		return rights.OrderOutcome{}, noOrder(op)
	}
	if err != nil {
		return rights.OrderOutcome{}, sqldb.FormatError(op, err)
	}
	if !unshipped(r.status) {
		return rights.OrderOutcome{Order: id, Outcome: rights.OutcomeNotCorrected,
			Message: "已发货或已完成：收货信息按实际配送保存，不能更改 / shipped or completed: the recipient stays as delivered, a transaction record"}, nil
	}
	rc, err := checkCorrection(c)
	if err != nil {
		return rights.OrderOutcome{}, err
	}
	set, args := "", []any{}
	for f, v := range rc {
		sealed, err := s.k.Guard().Seal(ctx, r.subject, f, r.id, []byte(v))
		if err != nil {
			return rights.OrderOutcome{}, err
		}
		spec, _ := privacy.Spec(f)
		set, args = set+spec.Column+" = ?, ", append(args, sealed) // columns from the registry, never from input
	}
	newIndex := s.recipientIndex(phone)
	if p, ok := rc[privacy.RecipientPhone]; ok {
		newIndex = s.recipientIndex(p)
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE orders SET `+set+`recipient_phone_index = ?, updated_at = ? WHERE id = ? AND status IN (?, ?) AND recipient_phone_index = ?`,
			append(args, newIndex, sqldb.Micros(tx.Now()), r.id, string(PendingPayment), string(Paid), s.recipientIndex(phone))...)
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return minimall.Errorf(minimall.Conflict, op, "The order changed meanwhile; ask again. 订单状态已变化，请重新提交。")
		}
		return outbox.Emit(ctx, tx, TopicChanged, r.subject, map[string]string{"order": r.id, "status": string(r.status)})
	})
	if err != nil {
		return rights.OrderOutcome{}, err
	}
	return rights.OrderOutcome{Order: id, Outcome: rights.OutcomeCorrected, Message: "收货信息已更正 / the recipient is corrected"}, nil
}

// checkCorrection checks new recipient values by the rules an order's
// recipient follows when placed.
func checkCorrection(c map[privacy.Field]string) (map[privacy.Field]string, error) {
	const op = "order.CorrectRecipient"
	out := map[privacy.Field]string{}
	for f, v := range c {
		switch f {
		case privacy.RecipientName:
			if !text(v, 1, 30) {
				return nil, invalidAt(op, "corrections", textRule(v), "The recipient's name has 1 to 30 characters. 收货人姓名须为1至30个字符。")
			}
		case privacy.RecipientAddress:
			if !text(v, 5, 200) {
				return nil, invalidAt(op, "corrections", textRule(v), "The address has 5 to 200 characters. 收货地址须为5至200个字符。")
			}
		case privacy.RecipientPhone:
			if !normalized(&v) {
				return nil, invalidAt(op, "corrections", shapeRule(v), "The recipient's phone is an 11-digit mobile number. 收货人电话须为11位手机号。")
			}
		default:
			return nil, invalidAt(op, "corrections", minimall.RuleChoice, "A recipient corrects their name, address or phone. 收货人可更正姓名、地址或电话。")
		}
		out[f] = v
	}
	return out, nil
}

// RestrictRecipient answers a recipient's deletion (PIPL art. 47): a
// completed order is a transaction record the law keeps 3 years
// (E-commerce Law art. 31), so its recipient is restricted, not deleted:
// kept under retention, no longer shown to the buyer or the seller, and
// deleted with the record when its period ends. An order not yet finished
// keeps its recipient to be delivered, and the answer says so.
func (s *Service) RestrictRecipient(ctx context.Context, a minimall.Actor, phone string) ([]rights.OrderOutcome, error) {
	const op = "order.RestrictRecipient"
	rs, err := s.ordersNaming(ctx, phone)
	if err != nil {
		return nil, err
	}
	out := make([]rights.OrderOutcome, 0, len(rs))
	for _, r := range rs {
		if !closedForSeller(r.status) {
			out = append(out, rights.OrderOutcome{Order: r.id, Outcome: rights.OutcomeKeptOpenOrder,
				Message: "订单尚未完成：收货信息用于配送，未发货的可更正；完成后按交易记录保存3年 / not finished: kept to deliver it (correctable until shipped); then kept 3 years as a transaction record"})
			continue
		}
		if r.restricted == 0 {
			if _, err := s.db.ExecContext(ctx, `UPDATE orders SET recipient_restricted_at = ? WHERE id = ? AND recipient_restricted_at = 0`,
				sqldb.Micros(s.db.Now()), r.id); err != nil {
				return nil, sqldb.FormatError(op, err)
			}
			if err := s.k.AuditAppend(ctx, a, r.subject, "recipient_restricted", r.id); err != nil {
				return nil, err
			}
		}
		out = append(out, rights.OrderOutcome{Order: r.id, Outcome: rights.OutcomeRestricted,
			Message: "交易记录依《电子商务法》第31条自完成起保存3年，期间仅为法定义务保存，不再向买家或商家显示收货信息，期满删除 / a transaction record the law keeps 3 years from completion (E-commerce Law art. 31): kept for that duty only, the recipient no longer shown to the buyer or the seller, deleted when the period ends"})
	}
	return out, nil
}
