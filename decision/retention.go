package decision

import (
	"context"

	"minimall/lifecycle"
	"minimall/privacy"
	"minimall/sqldb"
)

// Sweeper removes decisions past their retention (three years, like rights
// requests), counted from the last thing that happened to them: the
// decision, its appeal or the answer. The lifecycle sweeper calls it.
type Sweeper struct{ DB *sqldb.DB }

// Area names the area in sweep reports.
func (Sweeper) Area() string { return "decision" }

// Sweep deletes expired decisions.
func (w Sweeper) Sweep(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
	rep := lifecycle.NewReport("decision")
	cutoff, ok := r.Cutoff(privacy.DecisionFactors)
	if !ok {
		return rep, nil
	}
	c := sqldb.Micros(cutoff)
	n, err := lifecycle.DeleteWhere(ctx, w.DB, r, "decisions", "id", "made_at < ? AND appealed_at < ? AND answered_at < ?", c, c, c)
	rep.Removed["decisions"] = n
	return rep, err
}
