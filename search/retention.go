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
	rep := lifecycle.NewReport("search")
	if w.Service != nil {
		if err := w.Service.db.Flush(ctx); err != nil {
			return rep, err
		}
	}
	cutoff, ok := r.Cutoff(privacy.SearchQuery)
	if !ok {
		return rep, nil
	}
	n, err := lifecycle.DeleteWhere(ctx, w.DB, r, "search_history", "id", "searched_at < ?", sqldb.Micros(cutoff))
	rep.Removed["search_history"] = n
	return rep, err
}
