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

func (orderPart) Holds() []privacy.Field {
	return append(append([]privacy.Field{}, rightsOrderFields...), privacy.InvoiceTitle, privacy.InvoiceTaxpayerID, privacy.InvoiceEmail,
		privacy.PaymentTime, privacy.PaymentAmount, privacy.PaymentChannel, privacy.PayerAlipayAccount, privacy.PayerPhone, privacy.PaymentStatus,
		privacy.DeliveryTracking)
}

// rightsOrderFields are the sealed columns of orders, in column order.
var rightsOrderFields = []privacy.Field{privacy.OrderNumber, privacy.OrderItems, privacy.OrderTime, privacy.OrderDiscounts, privacy.OrderAmount,
	privacy.RecipientName, privacy.RecipientAddress, privacy.RecipientPhone, privacy.ExtraPhone, privacy.DeliveryTime, privacy.OrderRemark,
	privacy.RecipientConsent, privacy.CustomsIDName, privacy.CustomsIDNumber}

var rightsQueries = []struct {
	q      string
	fields []privacy.Field
}{
	{`SELECT id, number_sealed, items_sealed, created_at_sealed, discounts_sealed, amount_sealed, recipient_name_sealed, recipient_address_sealed,
		recipient_phone_sealed, extra_phone_sealed, delivery_time_sealed, remark_sealed, recipient_consent_sealed, customs_id_name_sealed,
		customs_id_number_sealed FROM orders WHERE subject = ? ORDER BY created_at, id`, rightsOrderFields},
	{`SELECT order_id, title_sealed, taxpayer_id_sealed, email_sealed FROM invoices WHERE subject = ? ORDER BY created_at, order_id`,
		[]privacy.Field{privacy.InvoiceTitle, privacy.InvoiceTaxpayerID, privacy.InvoiceEmail}},
	{`SELECT id, time_sealed, amount_sealed, channel_sealed, payer_account_sealed, payer_phone_sealed, status_sealed FROM payments WHERE subject = ? ORDER BY created_at, id`,
		[]privacy.Field{privacy.PaymentTime, privacy.PaymentAmount, privacy.PaymentChannel, privacy.PayerAlipayAccount, privacy.PayerPhone, privacy.PaymentStatus}},
	{`SELECT id, tracking_sealed FROM shipments WHERE subject = ? ORDER BY created_at, id`, []privacy.Field{privacy.DeliveryTracking}},
}

func (p orderPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	var items []privacy.Sealed
	for _, rq := range rightsQueries {
		var err error
		if items, err = p.collect(ctx, items, rq.q, rq.fields, subject); err != nil {
			return rights.Section{}, err
		}
	}
	return rights.Section{Part: "order", Values: rights.OpenValues(ctx, p.s.k.Guard(), a, subject, items)}, nil
}

// collect scans rows of an id followed by one sealed column per field.
func (p orderPart) collect(ctx context.Context, items []privacy.Sealed, q string, fields []privacy.Field, subject minimall.SubjectID) ([]privacy.Sealed, error) {
	rows, err := p.s.db.QueryContext(ctx, q, string(subject))
	if err != nil {
		return nil, sqldb.FormatError("order.RightsExport", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		vals := make([][]byte, len(fields))
		dest := []any{&id}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		for i, f := range fields {
			items = rights.AppendSealed(items, id, f, vals[i])
		}
	}
	return items, rows.Err()
}

func (orderPart) Correct(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f privacy.Field, value, requestID string) error {
	return rights.NotHere("order.RightsCorrect", f)
}

// Delete keeps every transaction record: the E-commerce Law (art. 31)
// requires them for three years after completion. On deregistration they
// stay under retention keys, readable for the legal duty only.
func (p orderPart) Delete(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, fields []privacy.Field, requestID string) (rights.Deleted, error) {
	d := rights.Deleted{Kept: map[privacy.Field]string{}}
	for _, f := range p.Holds() {
		if rights.Wants(fields, f) {
			d.Kept[f] = rights.KeepReason(f)
		}
	}
	return d, nil
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
