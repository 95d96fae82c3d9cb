package search

import (
	"context"

	"minimall/lifecycle"
	"minimall/sqldb"
)

// Sweeper removes search history the registry no longer lets minimall keep
// (privacy.SearchQuery's retention: until the person clears it, erases it,
// or the platform shuts down). The lifecycle sweeper calls it.
// Service, when set, has its queued searches written first, so a sweep
// sees every entry.
type Sweeper struct {
	DB      *sqldb.DB
	Service *Service
}

// Area names the area in sweep reports.
func (Sweeper) Area() string { return "search" }

// Sweep deletes expired search history rows.
func (w Sweeper) Sweep(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
	if w.Service != nil {
		if err := w.Service.db.Flush(ctx); err != nil {
			return lifecycle.NewReport("search"), err
		}
	}
	return lifecycle.SweepTables(ctx, w.DB, r, "search", searchHistory)
}
