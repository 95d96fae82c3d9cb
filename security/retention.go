package security

import (
	"context"

	"minimall/lifecycle"
	"minimall/sqldb"
)

// Sweeper removes security logs past their period: device and network
// signals six months after the device was last seen, fraud reports after
// theirs (Cybersecurity Law art. 21 sets the floor: at least six months,
// kept even when the platform shuts down). The lifecycle sweeper calls it.
type Sweeper struct{ DB *sqldb.DB }

// Area names the area in sweep reports.
func (Sweeper) Area() string { return "security" }

// Sweep deletes expired devices and fraud reports.
func (w Sweeper) Sweep(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
	return lifecycle.SweepTables(ctx, w.DB, r, "security", devices, fraudReports)
}
