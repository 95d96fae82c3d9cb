package search

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
	"minimall/sqldb"
)

// RightsPart returns the search area's part of rights requests: the
// search history kept on the server (policy 二(二)2).
func (s *Service) RightsPart() rights.Part { return historyPart{s} }

// searchHistory is the table of searches kept on the server; its sealed
// columns come from the registry.
var searchHistory = privacy.TableOf("search_history")

type historyPart struct{ s *Service }

func (historyPart) Name() string { return "search" }

func (historyPart) Holds() []privacy.Field { return rights.Holds(searchHistory) }

func (p historyPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	if err := p.s.db.Flush(ctx); err != nil {
		return rights.Section{}, err
	}
	return rights.ExportTables(ctx, p.s.db, p.s.k.Guard(), a, subject, "search", searchHistory)
}

func (historyPart) Correct(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f privacy.Field, value, requestID string) error {
	return rights.NotHere("search.RightsCorrect", f)
}

// Delete deletes the whole history when any of its fields is chosen: a
// query, its image and its activity live in one entry. With no fields
// (deregistration) the settings go too.
func (p historyPart) Delete(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, fields []privacy.Field, requestID string) (rights.Deleted, error) {
	d := rights.Deleted{Removed: map[privacy.Field]int{}}
	if err := p.s.db.Flush(ctx); err != nil { // searches still queued go too
		return d, err
	}
	n, err := rights.DeleteRows(ctx, p.s.db, p.s.k, subject, searchHistory)
	if err != nil {
		return d, err
	}
	d.Removed[privacy.SearchQuery] = n
	if len(fields) == 0 {
		if _, err := p.s.db.ExecContext(ctx, `DELETE FROM search_settings WHERE subject = ?`, string(subject)); err != nil {
			return d, sqldb.FormatError("search.RightsDelete", err)
		}
	}
	return d, nil
}

func (historyPart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}
