package search

import (
	"context"
	"sync"

	"minimall"
	"minimall/decision"
)

// Personalised ranking is an automated decision about what the person is
// shown (PIPL art. 24; policy 四(六)). Recording every search would flood
// the record with near-identical entries, and recording only when the
// settings change would miss what actually boosted the results; so the
// first personalised search of each day is recorded with the categories
// that boosted it. The decision service keeps it to one per person per
// day across nodes; this node remembers whom it recorded today, so later
// searches cost no query.

// rankingDecisions records personalised-ranking decisions.
type rankingDecisions struct {
	rec  decision.Recorder // nil: none recorded
	mu   sync.Mutex
	day  string
	done map[minimall.SubjectID]bool
}

// recordRanking records that boost ranked a's results, once a day.
func (s *Service) recordRanking(ctx context.Context, a minimall.Actor, boost []string) error {
	d := &s.decisions
	if d.rec == nil || len(boost) == 0 {
		return nil
	}
	day := s.db.Now().UTC().Format("2006-01-02")
	d.mu.Lock()
	if d.day != day {
		d.day, d.done = day, map[minimall.SubjectID]bool{}
	}
	seen := d.done[a.Subject]
	d.done[a.Subject] = true
	d.mu.Unlock()
	if seen {
		return nil
	}
	factors := make([]decision.Factor, len(boost))
	for i, c := range boost {
		factors[i] = decision.Factor{Code: decision.FactorSearchCategory, Value: c}
	}
	err := d.rec.Record(ctx, decision.Made{Subject: a.Subject, Kind: decision.SearchRanking, Factors: factors, Daily: true})
	if err != nil {
		d.mu.Lock()
		delete(d.done, a.Subject) // try again on the next search
		d.mu.Unlock()
	}
	return err
}
