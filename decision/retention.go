package decision

import (
	"context"

	"minimall/lifecycle"
	"minimall/sqldb"
)

// Sweeper removes decisions past their retention (three years, like rights
// requests), counted from the last thing that happened to them: the
// decision, its appeal or the answer (privacy/tables.go). The lifecycle
// sweeper calls it.
type Sweeper struct{ DB *sqldb.DB }

// Area names the area in sweep reports.
func (Sweeper) Area() string { return "decision" }

// Sweep deletes expired decisions.
func (w Sweeper) Sweep(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
	return lifecycle.SweepTables(ctx, w.DB, r, "decision", decisions)
}
