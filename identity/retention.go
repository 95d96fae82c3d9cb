package identity

import (
	"context"

	"minimall/lifecycle"
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
	return lifecycle.SweepTables(ctx, w.DB, r, "identity", verifications)
}
