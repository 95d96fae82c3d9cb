package recommend

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"minimall"
	"minimall/activity"
	"minimall/catalog"
	"minimall/engage"
	"minimall/outbox"
	"minimall/partner"
	"minimall/privacy"
	"minimall/sqldb"
)

// Service ranks recommendations, keeps profiles, blocks and hot lists, and
// fills ad slots. Its methods are safe for concurrent use.
type Service struct {
	db      *sqldb.DB
	k       *privacy.Kernel
	catalog *catalog.Service
	ads     *partner.Gateway
	feed    *outbox.Feed
	cfg     Config
	actor   minimall.Actor // the follower and ranking, acting for ForRecommendation

	mu   sync.Mutex // serialises feed polling
	fl   *outbox.Follower
	stop context.CancelFunc
	done chan struct{}

	cache candidateCache
}

// NewService returns the service; call Follow to keep profiles and hot
// lists current from the change feed.
func NewService(ctx context.Context, db *sqldb.DB, k *privacy.Kernel, cat *catalog.Service, ads *partner.Gateway, cfg Config) (*Service, error) {
	if cfg.Interval <= 0 {
		cfg.Interval = 100 * time.Millisecond
	}
	if cfg.HalfLife <= 0 {
		cfg.HalfLife = 7 * 24 * time.Hour
	}
	s := &Service{db: db, k: k, catalog: cat, ads: ads, feed: outbox.NewFeed(db), cfg: cfg, actor: minimall.SystemActor("recommend")}
	if cfg.Grace > 0 {
		s.feed.Grace = cfg.Grace
	}
	s.fl = &outbox.Follower{Feed: s.feed, Name: "recommend", Durable: true, Batch: 500, Interval: cfg.Interval, Handle: s.onChange}
	if err := s.fl.Start(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Follow applies the change feed until Close.
func (s *Service) Follow() {
	ctx, stop := context.WithCancel(context.Background())
	s.stop, s.done = stop, make(chan struct{})
	go func() {
		defer close(s.done)
		s.fl.PollEvery(ctx, &s.mu)
	}()
}

// Sync applies every committed change now; tests use it instead of
// waiting for a poll.
func (s *Service) Sync(ctx context.Context) error {
	if err := s.db.Flush(ctx); err != nil {
		return err
	}
	for {
		last, err := s.feed.Last(ctx)
		if err != nil {
			return err
		}
		s.mu.Lock()
		n, err := s.fl.Poll(ctx)
		off, _ := s.feed.Offset(ctx, s.fl.Name)
		s.mu.Unlock()
		if err != nil || off >= last {
			return err
		}
		if n == 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
}

// Close stops following.
func (s *Service) Close() error {
	if s.stop != nil {
		s.stop()
		<-s.done
		s.stop = nil
	}
	return nil
}

// consented reports whether a's personalised recommendation is on. A
// visitor has no profile: never.
func (s *Service) consented(ctx context.Context, a minimall.Actor, f privacy.FeatureID) (bool, error) {
	if a.Kind != minimall.Shopper {
		return false, nil
	}
	st, _, err := s.k.Consents.State(ctx, a.Subject, privacy.FeatureScope(f))
	return st == privacy.Granted, err
}

// Observe records a person's feedback on what they were recommended (a view
// or a click): the hot list counts it from an event that names no one and,
// only with their recommendation consent, their profile takes it at once.
// Behaviour elsewhere (views, searches, cart adds, orders) reaches the
// profile from the change feed written by the area where it happened.
// Returns Invalid for an unknown kind or an empty signal.
func (s *Service) Observe(ctx context.Context, a minimall.Actor, sig Signal) error {
	const op = "recommend.Observe"
	if _, ok := weights[sig.Kind]; !ok || (sig.Item == "" && sig.Category == "") || len(sig.Item) > 64 || len(sig.Category) > 64 {
		return minimall.Errorf(minimall.Invalid, op, "Give a kind (view, click, search, cart, order) and an item. 请提供行为类型及商品。")
	}
	personal, err := s.consented(ctx, a, privacy.FeatRecommendation)
	if err != nil {
		return err
	}
	if personal {
		s.mu.Lock()
		err = s.applySignals(ctx, a.Subject, []Signal{sig})
		s.mu.Unlock()
		if err != nil {
			return err
		}
	}
	if sig.Item == "" {
		return nil
	}
	// No subject: the hot list is counted from everyone, linked to no one.
	return s.db.WriteBehind(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		activity.Emit(tx, string(sig.Kind), sig.Item)
		return nil
	})
}

// onChange applies a batch: activity to the aggregates, the acts other
// areas announce to profiles (read back through those areas, so through
// the guard and the person's consent), and a withdrawn recommendation
// consent deletes the profile (PIPL art. 47: consent withdrawn, the data
// goes).
func (s *Service) onChange(ctx context.Context, evs []outbox.Event) error {
	hot := map[string]float64{}
	direct := map[minimall.SubjectID][]Signal{}
	var order []minimall.SubjectID
	for _, e := range evs {
		switch e.Topic {
		case activity.Topic:
			var act activity.Act
			if json.Unmarshal(e.Payload, &act) == nil {
				for _, item := range act.Items() {
					hot[item] += weights[Kind(act.Kind)]
				}
			}
		case outbox.TopicConsentChanged:
			var c struct{ Scope, Action string }
			if json.Unmarshal(e.Payload, &c) == nil && c.Scope == string(privacy.FeatureScope(privacy.FeatRecommendation)) && c.Action == string(privacy.Withdraw) {
				if err := s.Forget(ctx, e.Subject); err != nil {
					return err
				}
			}
		default:
			sigs, err := s.behaviour(ctx, e)
			if err != nil {
				return err
			}
			if len(sigs) == 0 {
				continue
			}
			if direct[e.Subject] == nil {
				order = append(order, e.Subject)
			}
			direct[e.Subject] = append(direct[e.Subject], sigs...)
			if e.Topic != engage.TopicAdded {
				continue // cart adds and orders count for the hot list from activity events
			}
			for _, sg := range sigs {
				if sg.Item != "" {
					hot[sg.Item] += weights[sg.Kind]
				}
			}
		}
	}
	if err := s.addHot(ctx, hot); err != nil {
		return err
	}
	for _, subj := range order {
		if err := s.applySignals(ctx, subj, direct[subj]); err != nil {
			return err
		}
	}
	return nil
}
