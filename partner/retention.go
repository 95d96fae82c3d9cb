package partner

import (
	"context"

	"minimall/lifecycle"
	"minimall/privacy"
	"minimall/sqldb"
)

// Sweeper removes disclosure records three years after the hand-over.
// They are the record of processing PIPL art. 55-56 asks to keep for at
// least three years (and what the person's export lists), so they stay
// through a shutdown until then. The lifecycle sweeper calls it.
type Sweeper struct{ DB *sqldb.DB }

// Area names the area in sweep reports.
func (Sweeper) Area() string { return "partner" }

// Sweep deletes disclosure records past their period.
func (w Sweeper) Sweep(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
	rep := lifecycle.NewReport("partner")
	cutoff, _ := r.CutoffFor(privacy.Retention{Rule: privacy.SinceCollection, Period: privacy.ThreeYears})
	n, err := lifecycle.DeleteWhere(ctx, w.DB, r, "partner_disclosures", "id", "at < ?", sqldb.Micros(cutoff))
	rep.Removed["partner_disclosures"] = n
	return rep, err
}
