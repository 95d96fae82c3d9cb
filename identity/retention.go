package identity

import (
	"context"

	"minimall/lifecycle"
	"minimall/privacy"
	"minimall/sqldb"
)

// Sweeper removes verification evidence the registry no longer lets
// minimall keep (privacy.RealName and its siblings: only to complete the
// verification, until erased or the platform shuts down). The lifecycle
// sweeper calls it.
type Sweeper struct{ DB *sqldb.DB }

// Area names the area in sweep reports.
func (Sweeper) Area() string { return "identity" }

// Sweep deletes expired verification records.
func (w Sweeper) Sweep(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
	rep := lifecycle.NewReport("identity")
	cutoff, ok := r.Cutoff(privacy.RealName)
	if !ok {
		return rep, nil
	}
	n, err := lifecycle.DeleteWhere(ctx, w.DB, r, "verifications", "subject", "updated_at < ?", sqldb.Micros(cutoff))
	rep.Removed["verifications"] = n
	return rep, err
}
