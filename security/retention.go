package security

import (
	"context"

	"minimall/lifecycle"
	"minimall/privacy"
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
	rep := lifecycle.NewReport("security")
	if cutoff, ok := r.Cutoff(privacy.DeviceID); ok {
		n, err := lifecycle.DeleteWhere(ctx, w.DB, r, "devices", "id", "last_seen_at < ?", sqldb.Micros(cutoff))
		rep.Removed["devices"] = n
		if err != nil {
			return rep, err
		}
	}
	if cutoff, ok := r.Cutoff(privacy.FraudReport); ok {
		n, err := lifecycle.DeleteWhere(ctx, w.DB, r, "fraud_reports", "id", "created_at < ?", sqldb.Micros(cutoff))
		rep.Removed["fraud_reports"] = n
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}
