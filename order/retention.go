package order

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"minimall"
	"minimall/lifecycle"
	"minimall/privacy"
	"minimall/sqldb"
)

// retainedTables are the tables of one order's transaction record and the
// column that names the order in each. The sealed columns and the row
// they are bound to come from privacy/tables.go and the registry, so a new
// transaction field is retained without touching this list.
var retainedTables = []struct {
	t        *privacy.Table
	orderCol string
}{
	{ordersTable, "id"},
	{invoicesTable, "order_id"},
	{paymentsTable, "order_id"},
	{shipmentsTable, "order_id"},
}

// retention is an order's transaction record moved from the buyer's data
// key to the buyer's retention key for the period it completed in
// (E-commerce Law art. 31: kept three years from completion). From then on
// it outlives a deregistration, readable only for the legal duty, and goes
// when the lifecycle sweeper destroys that period's key. It is prepared
// before the write that finishes the order (sqldb: seal outside the write)
// and stored inside it over the values it was prepared from.
type retention []retainedRow

// retainedRow is one row of the record: its sealed values as read and as
// re-sealed under the retention key, by column.
type retainedRow struct {
	table    *privacy.Table
	row      string
	cols     []string
	was, now [][]byte
}

// prepareRetention reads the order's transaction record and re-seals each
// value under the retention key of the period completed falls in. stores
// names values the finishing write itself stores before the retention
// (a refunded payment's status, a delivered parcel's tracking), by column:
// those are re-sealed instead of the stored ones. An order of a person
// erased meanwhile gives nothing: its key is gone already.
func (s *Service) prepareRetention(ctx context.Context, orderID string, subject minimall.SubjectID, completed time.Time, stores map[string][]byte) (retention, error) {
	var out retention
	for _, t := range retainedTables {
		r, err := s.prepareRow(ctx, t.t, t.orderCol, orderID, subject, completed, stores)
		var d *privacy.Denied
		if errors.As(err, &d) && d.Reason == privacy.SubjectErased {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if r != nil {
			out = append(out, *r)
		}
	}
	return out, nil
}

func (s *Service) prepareRow(ctx context.Context, t *privacy.Table, orderCol, orderID string, subject minimall.SubjectID, completed time.Time, stores map[string][]byte) (*retainedRow, error) {
	op := "order.retain " + t.Name
	specs := t.Sealed()
	r := &retainedRow{table: t}
	dest, collect := privacy.ScanInto(specs)
	err := s.db.QueryRowContext(ctx, `SELECT `+t.Row+`, `+privacy.Columns(specs)+` FROM `+t.Name+` WHERE `+orderCol+` = ?`, orderID).Scan(append([]any{&r.row}, dest...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil // no invoice, payment or shipment for this order
	}
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	vals := collect()
	for _, sp := range specs {
		v, ok := vals[sp.Field]
		if fresh, stored := stores[t.Name+"."+sp.Column]; stored {
			v, ok = fresh, true
		}
		if !ok || sp.Retention.Rule != privacy.AfterCompletion {
			continue
		}
		out, err := s.k.Guard().Retain(ctx, subject, sp.Field, r.row, completed, v)
		if err != nil {
			return nil, err
		}
		r.cols, r.was, r.now = append(r.cols, sp.Column), append(r.was, v), append(r.now, out)
	}
	if len(r.cols) == 0 {
		return nil, nil
	}
	return r, nil
}

// store writes the retained record in tx, each row only over the values
// it was prepared from. Returns Conflict, and the write is undone, if a
// row changed meanwhile: the record would not be what was retained.
func (rs retention) store(ctx context.Context, tx *sqldb.Tx) error {
	for _, r := range rs {
		op := "order.retain " + r.table.Name
		sets, where := make([]string, len(r.cols)), make([]string, len(r.cols))
		args := make([]any, 0, 2*len(r.cols)+1)
		for i, c := range r.cols {
			sets[i], where[i] = c+" = ?", c+" = ?"
			args = append(args, r.now[i])
		}
		args = append(args, r.row)
		for _, v := range r.was {
			args = append(args, v)
		}
		res, err := tx.ExecContext(ctx, `UPDATE `+r.table.Name+` SET `+strings.Join(sets, ", ")+` WHERE `+r.table.Row+` = ? AND `+strings.Join(where, " AND "), args...)
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return minimall.Errorf(minimall.Conflict, op, "The order changed as it was finished; try again. 订单已变动，请重试。")
		}
	}
	return nil
}

// Sweeper removes orders whose transaction record has outlived its
// retention: completed in a period whose retention key the lifecycle
// sweeper destroyed (it does that first), so the rows are unreadable
// already and deleting them only reclaims the space. The lifecycle
// sweeper calls it.
type Sweeper struct{ DB *sqldb.DB }

// Area names the area in sweep reports.
func (Sweeper) Area() string { return "order" }

// Sweep deletes finished orders (delivered, cancelled, refunded) completed before the expired periods
// end, with their invoices, payments and shipments, unless a legal hold keeps them.
func (w Sweeper) Sweep(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
	rep := lifecycle.NewReport("order")
	end, err := time.Parse("2006-01", privacy.ExpiredRetentionPeriod(r.Now))
	if err != nil {
		return rep, fmt.Errorf("order.Sweep: %w", err)
	}
	before := sqldb.Micros(end.AddDate(0, 1, 0)) // the first instant after the last expired month
	// A legal hold (五(一)) keeps its orders until it is released.
	finished := `status IN ('` + string(Delivered) + `', '` + string(Cancelled) + `', '` + string(Refunded) + `') AND ` + privacy.NotHeldOrder("orders.subject", "orders.id")
	done := `(SELECT id FROM orders WHERE ` + finished + ` AND updated_at < ?)`
	for _, t := range []string{"invoices", "payments", "shipments"} {
		n, err := lifecycle.DeleteWhere(ctx, w.DB, r, t, "order_id", "order_id IN "+done, before)
		rep.Removed[t] = n
		if err != nil {
			return rep, err
		}
	}
	n, err := lifecycle.DeleteWhere(ctx, w.DB, r, "orders", "id", finished+" AND updated_at < ?", before)
	rep.Removed["orders"] = n
	return rep, err
}
