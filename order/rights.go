package order

import (
	"context"

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

func (p orderPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	return rights.ExportTables(ctx, p.s.db, p.s.k.Guard(), a, subject, "order", transactionTables...)
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
