package lifecycle

import (
	"context"
	"strings"

	"minimall/privacy"
	"minimall/sqldb"
)

// SweepTables deletes the rows of each table past the retention of its
// fields, counted from its Since columns (privacy.Table), and reports them
// per table for area. A table without Since is left to its area's rules.
func SweepTables(ctx context.Context, db *sqldb.DB, r Rules, area string, tables ...*privacy.Table) (SweepReport, error) {
	rep := NewReport(area)
	for _, t := range tables {
		cutoff, ok := r.CutoffFor(t.Retention())
		if !ok || len(t.Since) == 0 {
			continue
		}
		where := make([]string, len(t.Since))
		args := make([]any, len(t.Since))
		for i, c := range t.Since {
			where[i], args[i] = c+" < ?", sqldb.Micros(cutoff)
		}
		n, err := DeleteWhere(ctx, db, r, t.Name, t.Row, strings.Join(where, " AND "), args...)
		rep.Removed[t.Name] = n
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}
