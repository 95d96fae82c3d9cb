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

// retain moves the order's transaction record, inside tx, from the buyer's
// data key to the buyer's retention key for the period it completed in
// (E-commerce Law art. 31: kept three years from completion). From then on
// it outlives a deregistration, readable only for the legal duty, and goes
// when the lifecycle sweeper destroys that period's key. An order of a
// person erased meanwhile is left as it is: its key is gone already.
func (s *Service) retain(ctx context.Context, tx *sqldb.Tx, orderID string, subject minimall.SubjectID, completed time.Time) error {
	for _, t := range retainedTables {
		if err := s.retainTable(ctx, tx, t.t, t.orderCol, orderID, subject, completed); err != nil {
			var d *privacy.Denied
			if errors.As(err, &d) && d.Reason == privacy.SubjectErased {
				return nil
			}
			return err
		}
	}
	return nil
}

func (s *Service) retainTable(ctx context.Context, tx *sqldb.Tx, t *privacy.Table, orderCol, orderID string, subject minimall.SubjectID, completed time.Time) error {
	op := "order.retain " + t.Name
	specs := t.Sealed()
	var row string
	dest, collect := privacy.ScanInto(specs)
	err := tx.QueryRowContext(ctx, `SELECT `+t.Row+`, `+privacy.Columns(specs)+` FROM `+t.Name+` WHERE `+orderCol+` = ?`, orderID).Scan(append([]any{&row}, dest...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // no invoice, payment or shipment for this order
	}
	if err != nil {
		return sqldb.FormatError(op, err)
	}
	vals := collect()
	var sets []string
	var args []any
	for _, sp := range specs {
		v, ok := vals[sp.Field]
		if !ok || sp.Retention.Rule != privacy.AfterCompletion {
			continue
		}
		out, err := s.k.Guard().Retain(ctx, subject, sp.Field, row, completed, v)
		if err != nil {
			return err
		}
		sets, args = append(sets, sp.Column+" = ?"), append(args, out)
	}
	if len(sets) == 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE `+t.Name+` SET `+strings.Join(sets, ", ")+` WHERE `+t.Row+` = ?`, append(args, row)...)
	return sqldb.FormatError(op, err)
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
// end, with their invoices, payments and shipments.
func (w Sweeper) Sweep(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
	rep := lifecycle.NewReport("order")
	end, err := time.Parse("2006-01", privacy.ExpiredRetentionPeriod(r.Now))
	if err != nil {
		return rep, fmt.Errorf("order.Sweep: %w", err)
	}
	before := sqldb.Micros(end.AddDate(0, 1, 0)) // the first instant after the last expired month
	finished := `status IN ('` + string(Delivered) + `', '` + string(Cancelled) + `', '` + string(Refunded) + `')`
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
