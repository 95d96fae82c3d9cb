package search

import (
	"context"
	"encoding/json"
	"time"

	"minimall"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// HistoryEntry is one query in a person's search history.
type HistoryEntry struct {
	ID         string    `json:"id"`
	Query      string    `json:"query"`
	SearchedAt time.Time `json:"searched_at"`
}

// Settings are a person's search settings.
type Settings struct {
	// NonPersonalised is the 去个性化排序 switch (policy 二(二)4 措施2): with
	// it on, results are ranked without anything about the person, and
	// their history is not read for ranking.
	NonPersonalised bool `json:"non_personalised"`
}

// activity is what a search leaves beside its query: the category its
// results fell in most (the field "search activity" of the registry).
type activity struct {
	TopCategory string `json:"top_category,omitempty"`
}

// TopicSearched is the change-feed topic of a remembered search, written
// with its history row; its payload (Searched) names the row only, never
// the query or what it found.
const TopicSearched = "search.searched"

// Searched is the payload of TopicSearched.
type Searched struct {
	Row string `json:"row"`
}

// historyLimit bounds the history a person is shown, and personalRecent how
// many recent searches personalised ranking looks at.
const (
	historyLimit   = 100
	personalRecent = 5
)

// remember keeps a signed-in person's query in their history, sealed (二(二)2).
// A repeated query moves its entry to the top instead of adding one; the
// keyed hash that finds it reveals nothing without the lookup key.
func (s *Service) remember(ctx context.Context, subject minimall.SubjectID, q, topCategory string) error {
	const op = "search.remember"
	idx := queryIndex(s.k, subject, q)
	act, _ := json.Marshal(activity{TopCategory: topCategory})
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT id FROM search_history WHERE subject = ? AND query_index = ?`, string(subject), idx).Scan(&id)
	if err = sqldb.FormatError(op, err); err != nil && !minimall.IsCode(err, minimall.NotFound) {
		return err
	}
	fresh := err != nil
	if fresh {
		id = minimall.NewRowID("sq_")
	}
	// Sealing is on the request's path: the guard's consent and collection
	// checks answer now. The row is written with the next group.
	g, now := s.k.Guard(), sqldb.Micros(s.db.Now())
	sealedAct, err := g.Seal(ctx, subject, privacy.SearchActivity, id, act)
	if err != nil {
		return err
	}
	var sealedQ []byte
	if fresh {
		if sealedQ, err = g.Seal(ctx, subject, privacy.SearchQuery, id, []byte(q)); err != nil {
			return err
		}
	}
	return s.db.WriteBehind(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if fresh {
			// The same query may have been written since the look-up; then
			// only its time moves (this row's seals name another row id).
			_, err := tx.ExecContext(ctx, `INSERT INTO search_history (id, subject, query_index, query_sealed, activity_sealed, searched_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (subject, query_index) DO UPDATE SET searched_at = excluded.searched_at`,
				id, string(subject), idx, sealedQ, sealedAct, now)
			if err != nil {
				return sqldb.FormatError(op, err)
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE search_history SET activity_sealed = ?, searched_at = ? WHERE id = ?`, sealedAct, now, id); err != nil {
			return sqldb.FormatError(op, err)
		}
		return outbox.Emit(ctx, tx, TopicSearched, subject, Searched{Row: id})
	})
}

// personalBoost returns the categories of a person's recent searches, to
// rank a little higher — only if the switch is off and they consented to
// personalised recommendation (二(二)4), whose algorithms include the
// ranking of search results. Otherwise nothing of theirs is read.
func (s *Service) personalBoost(ctx context.Context, a minimall.Actor) ([]string, error) {
	set, err := s.Settings(ctx, a)
	if err != nil || set.NonPersonalised {
		return nil, err
	}
	state, _, err := s.k.Consents.State(ctx, a.Subject, privacy.FeatureScope(privacy.FeatRecommendation))
	if err != nil || state != privacy.Granted {
		return nil, err
	}
	// Their latest searches may still be queued: rank by all of them.
	if err := s.db.Flush(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, activity_sealed FROM search_history WHERE subject = ? AND activity_sealed IS NOT NULL
		ORDER BY searched_at DESC, id LIMIT ?`, string(a.Subject), personalRecent)
	if err != nil {
		return nil, sqldb.FormatError("search.personalBoost", err)
	}
	var sealed []privacy.Sealed
	for rows.Next() {
		var it privacy.Sealed
		if err := rows.Scan(&it.Row, &it.Value); err != nil {
			rows.Close()
			return nil, err
		}
		it.Field = privacy.SearchActivity
		sealed = append(sealed, it)
	}
	rows.Close()
	var cats []string
	seen := map[string]bool{}
	for _, o := range s.k.Guard().OpenAll(ctx, a, a.Subject, privacy.ForRecommendation, sealed) {
		var act activity
		if o.Err != nil || json.Unmarshal(o.Value, &act) != nil || act.TopCategory == "" || seen[act.TopCategory] {
			continue // a denial is audited by the guard; ranking goes on without it
		}
		seen[act.TopCategory] = true
		cats = append(cats, act.TopCategory)
	}
	return cats, nil
}

// History lists the person's own search history, newest first. Returns
// Unauthorized for a visitor.
func (s *Service) History(ctx context.Context, a minimall.Actor) ([]HistoryEntry, error) {
	const op = "search.History"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	if err := s.db.Flush(ctx); err != nil { // searches still queued count too
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, query_sealed, searched_at FROM search_history WHERE subject = ? ORDER BY searched_at DESC, id LIMIT ?`,
		string(a.Subject), historyLimit)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	var sealed []privacy.Sealed
	var at []int64
	for rows.Next() {
		var it privacy.Sealed
		var t int64
		if err := rows.Scan(&it.Row, &it.Value, &t); err != nil {
			rows.Close()
			return nil, err
		}
		it.Field = privacy.SearchQuery
		sealed, at = append(sealed, it), append(at, t)
	}
	rows.Close()
	out := []HistoryEntry{}
	for i, o := range s.k.Guard().OpenAll(ctx, a, a.Subject, privacy.ForSearch, sealed) {
		if o.Err != nil {
			return nil, o.Err
		}
		out = append(out, HistoryEntry{ID: o.Row, Query: string(o.Value), SearchedAt: sqldb.FromMicros(at[i])})
	}
	return out, nil
}

// ClearHistory deletes the person's whole search history up to now,
// journalled first in the kernel's deletion ledger so a restored backup
// never brings it back, returning how many entries went. Returns
// Unauthorized for a visitor.
func (s *Service) ClearHistory(ctx context.Context, a minimall.Actor) (int64, error) {
	const op = "search.ClearHistory"
	if err := minimall.SignedIn(a, op); err != nil {
		return 0, err
	}
	if err := s.db.Flush(ctx); err != nil { // searches still queued count too
		return 0, err
	}
	upTo, found, err := s.k.RecordClear(ctx, a.Subject, "search_history")
	if err != nil || !found {
		return 0, err
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM search_history WHERE subject = ? AND searched_at <= ?`, string(a.Subject), sqldb.Micros(upTo))
	if err != nil {
		return 0, sqldb.FormatError(op, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// DeleteHistoryEntry deletes one entry of the person's history, journalled
// first in the kernel's deletion ledger. Returns NotFound for an unknown
// entry or someone else's.
func (s *Service) DeleteHistoryEntry(ctx context.Context, a minimall.Actor, id string) error {
	const op = "search.DeleteHistoryEntry"
	if err := minimall.SignedIn(a, op); err != nil {
		return err
	}
	if err := s.db.Flush(ctx); err != nil { // searches still queued count too
		return err
	}
	notFound := minimall.Errorf(minimall.NotFound, op, "No such history entry. 搜索记录不存在。")
	found, err := s.k.RecordDeletion(ctx, a.Subject, "search_history", id)
	if err != nil {
		return err
	}
	if !found {
		return notFound
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM search_history WHERE id = ? AND subject = ?`, id, string(a.Subject))
	if err != nil {
		return sqldb.FormatError(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound
	}
	return nil
}

// SearchCategory returns the category subject's remembered search id fell
// in, opened through the guard for purpose p on behalf of a: how a follower
// of TopicSearched (the recommendation area) learns what was searched. It
// is "" for a person who switched search personalisation off (去个性化排序):
// their searches stay out of recommendations too.
func (s *Service) SearchCategory(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, id string, p privacy.Purpose) (string, error) {
	const op = "search.SearchCategory"
	set, err := s.Settings(ctx, minimall.ShopperActor(subject))
	if err != nil || set.NonPersonalised {
		return "", err
	}
	var sealed []byte
	err = s.db.QueryRowContext(ctx, `SELECT activity_sealed FROM search_history WHERE id = ? AND subject = ?`, id, string(subject)).Scan(&sealed)
	if err != nil {
		return "", sqldb.FormatError(op, err)
	}
	b, err := s.k.Guard().Open(ctx, a, subject, privacy.SearchActivity, p, id, sealed)
	if err != nil {
		return "", err
	}
	var act activity
	return act.TopCategory, json.Unmarshal(b, &act)
}

// Settings returns the person's search settings (the defaults if never
// set). Returns Unauthorized for a visitor.
func (s *Service) Settings(ctx context.Context, a minimall.Actor) (*Settings, error) {
	const op = "search.Settings"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	var off int
	err := s.db.QueryRowContext(ctx, `SELECT non_personalised FROM search_settings WHERE subject = ?`, string(a.Subject)).Scan(&off)
	if err = sqldb.FormatError(op, err); err != nil && !minimall.IsCode(err, minimall.NotFound) {
		return nil, err
	}
	return &Settings{NonPersonalised: off == 1}, nil
}

// SetSettings stores the person's search settings; they apply to the
// next search at once. Returns Unauthorized for a visitor.
func (s *Service) SetSettings(ctx context.Context, a minimall.Actor, set Settings) (*Settings, error) {
	const op = "search.SetSettings"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	v := 0
	if set.NonPersonalised {
		v = 1
	}
	var out *Settings
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		now := sqldb.Micros(tx.Now())
		res, err := tx.ExecContext(ctx, `UPDATE search_settings SET non_personalised = ?, updated_at = ? WHERE subject = ?`, v, now, string(a.Subject))
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO search_settings (subject, non_personalised, updated_at) VALUES (?, ?, ?)`, string(a.Subject), v, now); err != nil {
				return sqldb.FormatError(op, err)
			}
		}
		out = &set
		return nil
	})
	return out, err
}

// forget deletes an erased person's history and settings; their sealed
// values were unreadable already (crypto-shredding), this drops the rows.
func (s *Service) forget(ctx context.Context, subject minimall.SubjectID) error {
	if err := s.db.Flush(ctx); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM search_history WHERE subject = ?`, string(subject)); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `DELETE FROM search_settings WHERE subject = ?`, string(subject))
	return err
}
