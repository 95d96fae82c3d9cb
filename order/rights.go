package order

import (
	"context"
	"slices"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
	"minimall/sqldb"
)

// RightsPart returns the order area's part of rights requests: orders,
// invoices, payments and shipments, which are transaction records.
func (s *Service) RightsPart() rights.Part { return orderPart{s} }

type orderPart struct{ s *Service }

func (orderPart) Name() string { return "order" }

func (orderPart) Holds() []privacy.Field { return rights.Holds(transactionTables...) }

// transactionTables are the tables of an order's transaction record.
var transactionTables = []*privacy.Table{ordersTable, invoicesTable, paymentsTable, shipmentsTable}

// Export opens the buyer's transaction records, but not the recipient of
// an order whose recipient asked to delete it (recipient.go): that stays
// restricted, kept for the legal duty only.
func (p orderPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	var items []privacy.Sealed
	for _, t := range transactionTables {
		var err error
		if items, err = rights.CollectSealed(ctx, p.s.db, items, subject, t); err != nil {
			return rights.Section{}, err
		}
	}
	restricted, err := p.s.restrictedOrders(ctx, subject)
	if err != nil {
		return rights.Section{}, err
	}
	open, held := items[:0:0], []rights.Value{}
	for _, it := range items {
		if restricted[it.Row] && slices.Contains(recipientFields, it.Field) {
			held = append(held, rights.Value{Field: it.Field, Row: it.Row, Unreadable: "restricted"})
			continue
		}
		open = append(open, it)
	}
	sec := rights.Section{Part: "order", Values: append(rights.OpenValues(ctx, p.s.k.Guard(), a, subject, open), held...)}
	if len(held) > 0 {
		sec.Notes = []string{"部分订单的收货人已要求删除其信息：作为交易记录依法保存，不再显示 / some orders' recipients asked to delete their data: kept as transaction records by law, no longer shown"}
	}
	return sec, nil
}

// restrictedOrders returns the ids of subject's orders whose recipient is
// restricted.
func (s *Service) restrictedOrders(ctx context.Context, subject minimall.SubjectID) (map[string]bool, error) {
	const op = "order.RightsExport"
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM orders WHERE subject = ? AND recipient_restricted_at <> 0`, string(subject))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		out[id] = true
	}
	return out, sqldb.FormatError(op, rows.Err())
}

func (orderPart) Correct(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f privacy.Field, value, requestID string) error {
	return rights.NotHere("order.RightsCorrect", f)
}

// Delete keeps every transaction record: the E-commerce Law (art. 31)
// requires them for three years after completion. On deregistration they
// stay under retention keys, readable for the legal duty only.
func (p orderPart) Delete(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, fields []privacy.Field, requestID string) (rights.Deleted, error) {
	return rights.KeepAll(p.Holds(), fields), nil
}

// Pending lists unfinished orders: awaiting payment, paid and not yet
// shipped, or on their way. Refunds and disputes are not modelled yet;
// their states join this list when they are.
func (p orderPart) Pending(ctx context.Context, subject minimall.SubjectID) ([]rights.Pending, error) {
	rows, err := p.s.db.QueryContext(ctx, `SELECT id, status FROM orders WHERE subject = ? AND status IN (?, ?, ?) ORDER BY created_at, id`,
		string(subject), string(PendingPayment), string(Paid), string(Shipped))
	if err != nil {
		return nil, sqldb.FormatError("order.RightsPending", err)
	}
	defer rows.Close()
	var out []rights.Pending
	for rows.Next() {
		var id, st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, err
		}
		out = append(out, rights.Pending{Part: "order", Kind: "unfinished_order", Ref: id, Message: pendingMessage[Status(st)]})
	}
	return out, rows.Err()
}

var pendingMessage = map[Status]string{
	PendingPayment: "订单待付款：请付款或取消订单 / awaiting payment: pay or cancel it",
	Paid:           "订单已付款待发货：请等待发货并确认收货，或申请退款 / paid, not shipped: wait for delivery or ask for a refund",
	Shipped:        "订单配送中：请确认收货 / on its way: confirm receipt when it arrives",
}
