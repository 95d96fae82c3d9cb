package recommend

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"sort"
	"time"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// profile is a person's predicted interests: decayed weights per category
// and the items they last acted on. Sealed as privacy.PreferenceFeatures.
type profile struct {
	Cats  map[string]float64 `json:"c"`
	Items []string           `json:"i"`
	At    int64              `json:"t"` // unix seconds of the last decay
	// Dropped are interests the person deleted (DeleteTag): behaviour in
	// them is not learnt again.
	Dropped []string `json:"d,omitempty"`
}

const (
	maxProfileCats  = 30
	maxProfileItems = 50
)

// pseudonym is the key of a person's profile row. Derived from their data
// key: after erasure it cannot be computed, and the row means nothing.
func (s *Service) pseudonym(ctx context.Context, subject minimall.SubjectID) (string, error) {
	return s.k.Pseudonym(ctx, subject, "recommend")
}

// row reads a person's sealed profile and blocks (nil when absent).
func (s *Service) row(ctx context.Context, pseud string) (pref, blocked []byte, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT preference_sealed, blocked_sealed FROM recommend_profiles WHERE pseudonym = ?`, pseud).Scan(&pref, &blocked)
	if err = sqldb.FormatError("recommend.row", err); minimall.IsCode(err, minimall.NotFound) {
		return nil, nil, nil
	}
	return pref, blocked, err
}

// openProfile opens a sealed profile through the guard, which checks the
// recommendation consent and audits the read.
func (s *Service) openProfile(ctx context.Context, subject minimall.SubjectID, pseud string, sealed []byte) (*profile, error) {
	p := &profile{Cats: map[string]float64{}}
	if sealed == nil {
		return p, nil
	}
	b, err := s.k.Guard().Open(ctx, s.actor, subject, privacy.PreferenceFeatures, privacy.ForRecommendation, pseud, sealed)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, p); err != nil {
		return nil, err
	}
	if p.Cats == nil {
		p.Cats = map[string]float64{}
	}
	return p, nil
}

func (s *Service) openBlocks(ctx context.Context, subject minimall.SubjectID, pseud string, sealed []byte) (*Blocks, error) {
	bl := &Blocks{Categories: []string{}, Similar: []Similar{}}
	if sealed == nil {
		return bl, nil
	}
	b, err := s.k.Guard().Open(ctx, s.actor, subject, privacy.RecommendationBlocks, privacy.ForRecommendation, pseud, sealed)
	if err != nil {
		return nil, err
	}
	return bl, json.Unmarshal(b, bl)
}

// save seals v as field f under subject and writes it to column, leaving
// the other column as it is.
func (s *Service) save(ctx context.Context, subject minimall.SubjectID, pseud string, f privacy.Field, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sealed, err := s.k.Guard().Seal(ctx, subject, f, pseud, b)
	if err != nil {
		return err
	}
	col := "preference_sealed"
	if f == privacy.RecommendationBlocks {
		col = "blocked_sealed"
	}
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		var err error
		// One statement on both engines; col is one of two constants.
		_, err = tx.ExecContext(ctx, `INSERT INTO recommend_profiles (pseudonym, `+col+`, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (pseudonym) DO UPDATE SET `+col+` = excluded.`+col+`, updated_at = excluded.updated_at`,
			pseud, sealed, sqldb.Micros(tx.Now()))
		if err != nil {
			return sqldb.FormatError("recommend.save", err)
		}
		return nil
	})
}

// applySignals folds a person's new signals into their profile. Without
// their consent (withdrawn since) the guard refuses to open the profile,
// and nothing is kept.
func (s *Service) applySignals(ctx context.Context, subject minimall.SubjectID, got []Signal) error {
	if len(got) == 0 {
		return nil
	}
	pseud, err := s.pseudonym(ctx, subject)
	if err != nil {
		return nil // erased meanwhile
	}
	pref, _, err := s.row(ctx, pseud)
	if err != nil {
		return err
	}
	p, err := s.openProfile(ctx, subject, pseud, pref)
	if err != nil {
		return nil // consent withdrawn meanwhile: nothing to update
	}
	if err := s.fold(ctx, p, got); err != nil {
		return err
	}
	err = s.save(ctx, subject, pseud, privacy.PreferenceFeatures, p)
	var denied *privacy.Denied
	if errors.As(err, &denied) {
		return nil
	}
	return err
}

// fold decays p to now and adds the signals, finding each item's category
// in the catalogue.
func (s *Service) fold(ctx context.Context, p *profile, sigs []Signal) error {
	var ids []string
	for _, sg := range sigs {
		if sg.Item != "" {
			ids = append(ids, sg.Item)
		}
	}
	items, err := s.catalog.Items(ctx, ids)
	if err != nil {
		return err
	}
	now := time.Now().Unix()
	if p.At > 0 && now > p.At {
		f := math.Pow(0.5, float64(now-p.At)/s.cfg.HalfLife.Seconds())
		for c := range p.Cats {
			p.Cats[c] *= f
		}
	}
	p.At = now
	for _, sg := range sigs {
		cat := sg.Category
		if it, ok := items[sg.Item]; ok {
			cat = it.Category
			p.Items = append([]string{sg.Item}, without(p.Items, sg.Item)...)
		}
		if cat != "" && !slices.Contains(p.Dropped, cat) {
			p.Cats[cat] += weights[sg.Kind]
		}
	}
	if len(p.Items) > maxProfileItems {
		p.Items = p.Items[:maxProfileItems]
	}
	trimCats(p.Cats)
	return nil
}

func without(list []string, v string) []string {
	out := list[:0:0]
	for _, x := range list {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// trimCats keeps the strongest interests only.
func trimCats(m map[string]float64) {
	if len(m) <= maxProfileCats {
		return
	}
	type kv struct {
		k string
		v float64
	}
	all := make([]kv, 0, len(m))
	for k, v := range m {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v || (all[i].v == all[j].v && all[i].k < all[j].k) })
	for _, e := range all[maxProfileCats:] {
		delete(m, e.k)
	}
}

// Forget deletes a person's profile and blocks: when they withdraw their
// recommendation consent, and for the rights area before an erasure
// destroys their keys (afterwards the row is unreadable and unlinkable,
// and Sweep removes it). Returns nil if there is nothing to forget.
func (s *Service) Forget(ctx context.Context, subject minimall.SubjectID) error {
	pseud, err := s.pseudonym(ctx, subject)
	var denied *privacy.Denied
	if errors.As(err, &denied) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `DELETE FROM recommend_profiles WHERE pseudonym = ?`, pseud)
	return sqldb.FormatError("recommend.Forget", err)
}

// Sweep deletes profiles untouched since before: orphans of erased people
// (already unreadable) and profiles of people long gone quiet.
func (s *Service) Sweep(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM recommend_profiles WHERE updated_at < ?`, sqldb.Micros(before))
	if err != nil {
		return 0, sqldb.FormatError("recommend.Sweep", err)
	}
	return res.RowsAffected()
}
