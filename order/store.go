package order

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// orderRow is an orders row as stored.
type orderRow struct {
	id, shop    string
	subject     minimall.SubjectID
	status      Status
	crossBorder bool
	sealed      privacy.Values
	created     int64
	// restricted is when the recipient asked to delete their data from
	// this completed order: kept for its retention, no longer shown.
	restricted int64
}

// The order area's tables; their sealed columns come from the registry.
var (
	ordersTable    = privacy.TableOf("orders")
	invoicesTable  = privacy.TableOf("invoices")
	paymentsTable  = privacy.TableOf("payments")
	shipmentsTable = privacy.TableOf("shipments")
)

// orderSelect is what a read of orders selects: the plain columns and the
// sealed ones named.
type orderSelect struct {
	sealed  []*privacy.FieldSpec
	columns string
}

func selecting(sealed []*privacy.FieldSpec) orderSelect {
	return orderSelect{sealed: sealed, columns: "id, subject, shop, status, cross_border, created_at, recipient_restricted_at, " + privacy.Columns(sealed)}
}

var (
	wholeOrder = selecting(ordersTable.Sealed())
	// orderToPay is what a payment reads of its order: the number and the
	// amount, nothing of the recipient.
	orderToPay = selecting(ordersTable.Sealed(privacy.OrderNumber, privacy.OrderAmount))
)

// scanOrder scans a row selected with sel.columns.
func scanOrder(sc interface{ Scan(...any) error }, sel orderSelect) (*orderRow, error) {
	r := &orderRow{}
	var subject, status string
	var cross int
	dest, collect := privacy.ScanInto(sel.sealed)
	if err := sc.Scan(append([]any{&r.id, &subject, &r.shop, &status, &cross, &r.created, &r.restricted}, dest...)...); err != nil {
		return nil, err
	}
	r.subject, r.status, r.crossBorder, r.sealed = minimall.SubjectID(subject), Status(status), cross == 1, collect()
	return r, nil
}

func noOrder(op string) error {
	return minimall.Errorf(minimall.NotFound, op, "No such order. 订单不存在。")
}

// loadOrder reads an order; subject "" reads anyone's (for sellers and
// partner callbacks, which check on their own).
func loadOrder(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string, subject minimall.SubjectID) (*orderRow, error) {
	return loadSelected(ctx, q, id, subject, wholeOrder)
}

// loadSelected reads an order with only the columns sel names.
func loadSelected(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string, subject minimall.SubjectID, sel orderSelect) (*orderRow, error) {
	const op = "order.load"
	query, args := `SELECT `+sel.columns+` FROM orders WHERE id = ?`, []any{id}
	if subject != "" {
		query, args = query+` AND subject = ?`, append(args, string(subject))
	}
	r, err := scanOrder(q.QueryRowContext(ctx, query, args...), sel)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, noOrder(op)
	}
	return r, sqldb.FormatError(op, err)
}

// open opens the given fields of r for purpose p on behalf of a; fields
// not stored come back empty.
func (s *Service) open(ctx context.Context, a minimall.Actor, r *orderRow, p privacy.Purpose, fields ...privacy.Field) (map[privacy.Field]string, error) {
	items := make([]privacy.Sealed, 0, len(fields))
	for _, f := range fields {
		if v, ok := r.sealed[f]; ok {
			items = append(items, privacy.Sealed{Field: f, Row: r.id, Value: v})
		}
	}
	out := make(map[privacy.Field]string, len(items))
	for _, o := range s.k.Guard().OpenAll(ctx, a, r.subject, p, items) {
		if o.Err != nil {
			return nil, o.Err
		}
		out[o.Field] = string(o.Value)
	}
	return out, nil
}

func parseLines(v string) ([]Line, error) {
	var lines []Line
	if err := json.Unmarshal([]byte(v), &lines); err != nil {
		return nil, fmt.Errorf("order: decode lines: %w", err)
	}
	return lines, nil
}

// FindByID returns one of the caller's orders. Returns NotFound for an
// order that is not the caller's: another's order is not revealed to exist.
func (s *Service) FindByID(ctx context.Context, a minimall.Actor, id string) (*Order, error) {
	const op = "order.FindByID"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	r, err := loadOrder(ctx, s.db, id, a.Subject)
	if err != nil {
		return nil, err
	}
	fields := []privacy.Field{privacy.OrderNumber, privacy.OrderItems, privacy.OrderTime, privacy.OrderDiscounts,
		privacy.OrderAmount, privacy.OrderRemark, privacy.RecipientConsent}
	if r.restricted == 0 { // a restricted recipient is kept, not shown (recipient.go)
		fields = append(fields, recipientFields...)
	}
	v, err := s.open(ctx, a, r, privacy.ForOrder, fields...)
	if err != nil {
		return nil, err
	}
	o := &Order{ID: r.id, Number: v[privacy.OrderNumber], Status: r.status, Shop: r.shop, Remark: v[privacy.OrderRemark],
		ForSomeoneElse: v[privacy.RecipientConsent] != "", CrossBorder: r.crossBorder, RecipientRestricted: r.restricted != 0, CustomsDeclared: r.sealed[privacy.CustomsIDNumber] != nil,
		Recipient: Recipient{Name: v[privacy.RecipientName], Address: v[privacy.RecipientAddress], Phone: v[privacy.RecipientPhone],
			ExtraPhone: v[privacy.ExtraPhone], DeliveryTime: v[privacy.DeliveryTime]}}
	o.CreatedAt, _ = time.Parse(time.RFC3339Nano, v[privacy.OrderTime])
	if o.Lines, err = parseLines(v[privacy.OrderItems]); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(v[privacy.OrderDiscounts]), &o.Discounts); err != nil {
		return nil, fmt.Errorf("%s: decode discounts: %w", op, err)
	}
	o.AmountFen, _ = strconv.ParseInt(v[privacy.OrderAmount], 10, 64)
	for _, l := range o.Lines {
		o.TotalFen += l.PriceFen * l.Quantity
	}
	if o.Invoice, err = s.invoice(ctx, a, r); err != nil {
		return nil, err
	}
	if o.Payment, err = s.paymentOf(ctx, a, r); err != nil {
		return nil, err
	}
	if o.Shipment, err = s.shipmentOf(ctx, a, r); err != nil {
		return nil, err
	}
	return o, nil
}

func (s *Service) invoice(ctx context.Context, a minimall.Actor, r *orderRow) (*Invoice, error) {
	const op = "order.invoice"
	var title, tax, email []byte
	err := s.db.QueryRowContext(ctx, `SELECT title_sealed, taxpayer_id_sealed, email_sealed FROM invoices WHERE order_id = ?`, r.id).Scan(&title, &tax, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	opened := s.k.Guard().OpenAll(ctx, a, r.subject, privacy.ForInvoice, []privacy.Sealed{
		{Field: privacy.InvoiceTitle, Row: r.id, Value: title}, {Field: privacy.InvoiceTaxpayerID, Row: r.id, Value: tax},
		{Field: privacy.InvoiceEmail, Row: r.id, Value: email}})
	for _, o := range opened {
		if o.Err != nil {
			return nil, o.Err
		}
	}
	return &Invoice{Title: string(opened[0].Value), TaxpayerID: string(opened[1].Value), Email: string(opened[2].Value)}, nil
}

// PageSize is the number of orders on a page of "my orders".
const PageSize = 20

// Find returns a page of the caller's orders ("my orders"), newest first.
func (s *Service) Find(ctx context.Context, a minimall.Actor, page int) ([]*Summary, error) {
	const op = "order.Find"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	if page < 1 || page > 10_000 {
		return nil, invalid(op, "page is from 1 to 10000. 页码须为1至10000。")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+wholeOrder.columns+` FROM orders WHERE subject = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?`,
		string(a.Subject), PageSize, (page-1)*PageSize)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	var rs []*orderRow
	for rows.Next() {
		r, err := scanOrder(rows, wholeOrder)
		if err != nil {
			rows.Close()
			return nil, sqldb.FormatError(op, err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	// One bulk open for the page: one audit entry per field, not per order.
	var sealed []privacy.Sealed
	for _, r := range rs {
		for _, f := range []privacy.Field{privacy.OrderNumber, privacy.OrderItems, privacy.OrderAmount} {
			sealed = append(sealed, privacy.Sealed{Field: f, Row: r.id, Value: r.sealed[f]})
		}
	}
	opened := s.k.Guard().OpenAll(ctx, a, a.Subject, privacy.ForOrder, sealed)
	out := make([]*Summary, 0, len(rs))
	for i, r := range rs {
		o := opened[3*i : 3*i+3]
		for _, x := range o {
			if x.Err != nil {
				return nil, x.Err
			}
		}
		sum := &Summary{ID: r.id, Number: string(o[0].Value), Status: r.status, Shop: r.shop, CreatedAt: sqldb.FromMicros(r.created)}
		sum.AmountFen, _ = strconv.ParseInt(string(o[2].Value), 10, 64)
		lines, err := parseLines(string(o[1].Value))
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			sum.Items += l.Quantity
		}
		out = append(out, sum)
	}
	return out, nil
}

// setStatus moves an order from one status to another inside tx; it
// returns Conflict when the order is no longer in from.
func setStatus(ctx context.Context, tx *sqldb.Tx, id string, from, to Status) error {
	res, err := tx.ExecContext(ctx, `UPDATE orders SET status = ?, updated_at = ? WHERE id = ? AND status = ?`,
		string(to), sqldb.Micros(tx.Now()), id, string(from))
	if err != nil {
		return sqldb.FormatError("order.setStatus", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return minimall.Errorf(minimall.Conflict, "order.setStatus", "The order's status has changed; reload it. 订单状态已变化，请刷新。")
	}
	return nil
}
