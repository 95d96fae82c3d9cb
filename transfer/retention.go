package transfer

import (
	"context"

	"minimall/lifecycle"
	"minimall/privacy"
	"minimall/sqldb"
)

// Sweeper removes the log of transfers abroad three years after each
// transfer, as the partner gateway does with its disclosure log: the
// record of processing PIPL art. 55-56 asks to keep for at least three
// years, then no longer than its purpose needs (art. 19). The lifecycle
// sweeper calls it.
type Sweeper struct{ DB *sqldb.DB }

// Area names the area in sweep reports.
func (Sweeper) Area() string { return "transfer" }

// Sweep deletes transfer records past their period.
func (w Sweeper) Sweep(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
	rep := lifecycle.NewReport("transfer")
	cutoff, _ := r.CutoffFor(privacy.Retention{Rule: privacy.SinceCollection, Period: privacy.ThreeYears})
	n, err := lifecycle.DeleteWhere(ctx, w.DB, r, "cross_border_transfers", "id", "at < ?", sqldb.Micros(cutoff))
	rep.Removed["cross_border_transfers"] = n
	return rep, err
}
