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

type historyPart struct{ s *Service }

func (historyPart) Name() string { return "search" }

func (historyPart) Holds() []privacy.Field {
	return []privacy.Field{privacy.SearchQuery, privacy.SearchImage, privacy.SearchActivity}
}

func (p historyPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	if err := p.s.db.Flush(ctx); err != nil {
		return rights.Section{}, err
	}
	rows, err := p.s.db.QueryContext(ctx, `SELECT id, query_sealed, image_sealed, activity_sealed FROM search_history WHERE subject = ? ORDER BY searched_at, id`, string(subject))
	if err != nil {
		return rights.Section{}, sqldb.FormatError("search.RightsExport", err)
	}
	defer rows.Close()
	var items []privacy.Sealed
	for rows.Next() {
		var id string
		var q, img, act []byte
		if err := rows.Scan(&id, &q, &img, &act); err != nil {
			return rights.Section{}, err
		}
		items = rights.AppendSealed(items, id, privacy.SearchQuery, q, privacy.SearchImage, img, privacy.SearchActivity, act)
	}
	if err := rows.Err(); err != nil {
		return rights.Section{}, err
	}
	return rights.Section{Part: "search", Values: rights.OpenValues(ctx, p.s.k.Guard(), a, subject, items)}, nil
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
	res, err := p.s.db.ExecContext(ctx, `DELETE FROM search_history WHERE subject = ?`, string(subject))
	if err != nil {
		return d, sqldb.FormatError("search.RightsDelete", err)
	}
	n, _ := res.RowsAffected()
	d.Removed[privacy.SearchQuery] = int(n)
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
