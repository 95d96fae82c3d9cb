package search

import (
	"context"

	"minimall/lifecycle"
	"minimall/privacy"
	"minimall/sqldb"
)

// Sweeper removes search history the registry no longer lets minimall keep
// (privacy.SearchQuery's retention: until the person clears it, erases it,
// or the platform shuts down). The lifecycle sweeper calls it.
type Sweeper struct{ DB *sqldb.DB }

// Area names the area in sweep reports.
func (Sweeper) Area() string { return "search" }

// Sweep deletes expired search history rows.
func (w Sweeper) Sweep(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
	rep := lifecycle.NewReport("search")
	cutoff, ok := r.Cutoff(privacy.SearchQuery)
	if !ok {
		return rep, nil
	}
	n, err := lifecycle.DeleteWhere(ctx, w.DB, r, "search_history", "id", "searched_at < ?", sqldb.Micros(cutoff))
	rep.Removed["search_history"] = n
	return rep, err
}
