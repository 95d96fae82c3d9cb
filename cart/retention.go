package cart

import (
	"context"

	"minimall/lifecycle"
	"minimall/sqldb"
)

// Sweeper removes cart lines the registry no longer lets minimall keep
// (privacy.CartItem: until the person removes them, erases them, or the
// platform shuts down). The lifecycle sweeper calls it.
type Sweeper struct{ DB *sqldb.DB }

// Area names the area in sweep reports.
func (Sweeper) Area() string { return "cart" }

// Sweep deletes expired cart lines.
func (w Sweeper) Sweep(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
	return lifecycle.SweepTables(ctx, w.DB, r, "cart", cartItems)
}
