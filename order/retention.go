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

// retainedTables are the tables of one order's transaction record: where
// the order's id is found and which column names the row its values are
// sealed for. The sealed columns come from the registry (every field of
// the table kept AfterCompletion), so a new transaction field is retained
// without touching this list.
var retainedTables = []struct{ table, orderCol, rowCol string }{
	{"orders", "id", "id"},
	{"invoices", "order_id", "order_id"},
	{"payments", "order_id", "id"},
	{"shipments", "order_id", "id"},
}

// retainedColumns maps a table to its transaction-record fields.
var retainedColumns = func() map[string][]*privacy.FieldSpec {
	m := map[string][]*privacy.FieldSpec{}
	for _, spec := range privacy.Fields() {
		if spec.Retention.Rule == privacy.AfterCompletion && spec.Table != "" {
			m[spec.Table] = append(m[spec.Table], spec)
		}
	}
	return m
}()

// retain moves the order's transaction record, inside tx, from the buyer's
// data key to the buyer's retention key for the period it completed in
// (E-commerce Law art. 31: kept three years from completion). From then on
// it outlives a deregistration, readable only for the legal duty, and goes
// when the lifecycle sweeper destroys that period's key. An order of a
// person erased meanwhile is left as it is: its key is gone already.
func (s *Service) retain(ctx context.Context, tx *sqldb.Tx, orderID string, subject minimall.SubjectID, completed time.Time) error {
	for _, t := range retainedTables {
		if err := s.retainTable(ctx, tx, t.table, t.orderCol, t.rowCol, orderID, subject, completed); err != nil {
			var d *privacy.Denied
			if errors.As(err, &d) && d.Reason == privacy.SubjectErased {
				return nil
			}
			return err
		}
	}
	return nil
}

func (s *Service) retainTable(ctx context.Context, tx *sqldb.Tx, table, orderCol, rowCol, orderID string, subject minimall.SubjectID, completed time.Time) error {
	op := "order.retain " + table
	specs := retainedColumns[table]
	if len(specs) == 0 {
		return nil
	}
	cols := make([]string, len(specs))
	for i, sp := range specs {
		cols[i] = sp.Column
	}
	vals := make([][]byte, len(specs))
	var row string
	dest := []any{&row}
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	err := tx.QueryRowContext(ctx, `SELECT `+rowCol+`, `+strings.Join(cols, ", ")+` FROM `+table+` WHERE `+orderCol+` = ?`, orderID).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // no invoice, payment or shipment for this order
	}
	if err != nil {
		return sqldb.FormatError(op, err)
	}
	var sets []string
	var args []any
	for i, sp := range specs {
		if vals[i] == nil {
			continue
		}
		out, err := s.k.Guard().Retain(ctx, subject, sp.Field, row, completed, vals[i])
		if err != nil {
			return err
		}
		sets, args = append(sets, sp.Column+" = ?"), append(args, out)
	}
	if len(sets) == 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE `+table+` SET `+strings.Join(sets, ", ")+` WHERE `+rowCol+` = ?`, append(args, row)...)
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
