package recommend

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"minimall"
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
	engage  Engagements
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
	s := &Service{db: db, k: k, catalog: cat, ads: ads, engage: cfg.Engage, feed: outbox.NewFeed(db), cfg: cfg, actor: minimall.SystemActor("recommend")}
	if cfg.Grace > 0 {
		s.feed.Grace = cfg.Grace
	}
	s.fl = &outbox.Follower{Feed: s.feed, Name: "recommend", Durable: true, Batch: 500, Interval: cfg.Interval, Handle: s.onChange}
	if err := s.fl.Start(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Engagements reads a person's engagement records through their own area
// (engage.Service), and so through the guard and its consent check.
type Engagements interface {
	Target(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, k engage.Kind, id string, p privacy.Purpose) (*engage.Entry, error)
}

// engageKinds are the engagement records that say something about taste.
var engageKinds = map[engage.Kind]Kind{engage.Footprint: View, engage.Favourite: Cart, engage.Like: Search}

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

type activity struct {
	Kind Kind   `json:"kind"`
	Item string `json:"item"`
}

type sealedSignal struct {
	Row    string `json:"row"`
	Sealed []byte `json:"sealed"`
}

// Observe records what a person (or a visitor) did, for the hot list and,
// only with their recommendation consent, for their profile. Other areas
// call it where the behaviour happens (the hook for footprints, searches,
// carts and orders); the write joins the next group commit.
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
	var sealed *sealedSignal
	if personal {
		row := minimall.NewRowID("sig_")
		v, _ := json.Marshal(sig)
		b, err := s.k.Guard().Seal(ctx, a.Subject, privacy.PreferenceFeatures, row, v)
		if err != nil {
			return err
		}
		sealed = &sealedSignal{Row: row, Sealed: b}
	}
	if sig.Item == "" && sealed == nil {
		return nil // nothing for the hot list, and nothing of theirs to keep
	}
	return s.db.WriteBehind(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if sig.Item != "" {
			// No subject: the hot list is counted from everyone, linked to no one.
			if err := outbox.Emit(ctx, tx, TopicActivity, "", activity{Kind: sig.Kind, Item: sig.Item}); err != nil {
				return err
			}
		}
		if sealed != nil {
			return outbox.Emit(ctx, tx, TopicSignal, a.Subject, sealed)
		}
		return nil
	})
}

// onChange applies a batch: activity to the aggregates, signals to
// profiles, and a withdrawn recommendation consent deletes the profile
// (PIPL art. 47: consent withdrawn, the data goes).
func (s *Service) onChange(ctx context.Context, evs []outbox.Event) error {
	hot := map[string]float64{}
	signals := map[minimall.SubjectID][]sealedSignal{}
	direct := map[minimall.SubjectID][]Signal{} // read from engage, already opened
	var order []minimall.SubjectID
	for _, e := range evs {
		switch e.Topic {
		case TopicActivity:
			var act activity
			if json.Unmarshal(e.Payload, &act) == nil && act.Item != "" {
				hot[act.Item] += weights[act.Kind]
			}
		case TopicSignal:
			var sg sealedSignal
			if json.Unmarshal(e.Payload, &sg) == nil {
				if _, ok := signals[e.Subject]; !ok && direct[e.Subject] == nil {
					order = append(order, e.Subject)
				}
				signals[e.Subject] = append(signals[e.Subject], sg)
			}
		case engage.TopicAdded:
			sigs, err := s.engaged(ctx, e)
			if err != nil {
				return err
			}
			if len(sigs) > 0 {
				if _, ok := signals[e.Subject]; !ok && direct[e.Subject] == nil {
					order = append(order, e.Subject)
				}
				direct[e.Subject] = append(direct[e.Subject], sigs...)
				for _, sg := range sigs {
					hot[sg.Item] += weights[sg.Kind]
				}
			}
		case outbox.TopicConsentChanged:
			var c struct{ Scope, Action string }
			if json.Unmarshal(e.Payload, &c) == nil && c.Scope == string(privacy.FeatureScope(privacy.FeatRecommendation)) && c.Action == string(privacy.Withdraw) {
				if err := s.Forget(ctx, e.Subject); err != nil {
					return err
				}
			}
		}
	}
	if err := s.addHot(ctx, hot); err != nil {
		return err
	}
	for _, subj := range order {
		if err := s.applySignals(ctx, subj, signals[subj], direct[subj]); err != nil {
			return err
		}
	}
	return nil
}

// engaged reads the items of an engage.added event, only for a person whose
// recommendation consent is on: otherwise nothing of theirs is read.
func (s *Service) engaged(ctx context.Context, e outbox.Event) ([]Signal, error) {
	var ch engage.Changed
	kind, ok := Kind(""), false
	if s.engage == nil || json.Unmarshal(e.Payload, &ch) != nil {
		return nil, nil
	}
	if kind, ok = engageKinds[ch.Kind]; !ok {
		return nil, nil
	}
	if on, err := s.consented(ctx, minimall.ShopperActor(e.Subject), privacy.FeatRecommendation); err != nil || !on {
		return nil, err
	}
	var out []Signal
	for _, id := range ch.Entries {
		en, err := s.engage.Target(ctx, s.actor, e.Subject, ch.Kind, id, privacy.ForRecommendation)
		if err != nil {
			continue // removed since, or consent withdrawn: skipped (denials are audited)
		}
		if en.Type == engage.Item {
			out = append(out, Signal{Kind: kind, Item: en.Target})
		}
	}
	return out, nil
}
