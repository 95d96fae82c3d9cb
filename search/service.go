package search

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"

	"minimall"
	"minimall/catalog"
	"minimall/decision"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// Config says where the index lives and how it follows the change feed.
type Config struct {
	// Dir is the index folder: outside the data folder (it is derived, and
	// holds no personal information), one per node.
	Dir string
	// Node names this node's follower; each node keeps its own index.
	Node string
	// Interval is how often the index polls the change feed: the bound on
	// how stale search results are. Default 200 ms.
	Interval time.Duration
	// Grace overrides the change feed's wait for a gap in event ids.
	Grace time.Duration
	// Decisions records personalised ranking as an automated decision
	// (decisions.go); nil records none.
	Decisions decision.Recorder
}

// DefaultDir returns the index folder beside a data folder.
func DefaultDir(dataDir string) string { return dataDir + ".search" }

// Service answers searches and keeps the index and the search history.
type Service struct {
	db      *sqldb.DB
	k       *privacy.Kernel
	catalog *catalog.Service
	ix      *Index
	feed    *outbox.Feed
	cfg     Config

	results   resultCache      // non-personalised result pages, for a moment
	decisions rankingDecisions // personalised ranking, recorded once a day (decisions.go)

	closeOnce sync.Once
	closeErr  error

	mu     sync.Mutex // serialises feed polling and rebuilds
	fl     *outbox.Follower
	offset int64
	stop   context.CancelFunc
	done   chan struct{}
}

// Open opens (or creates and builds) the index and readies the follower;
// call Follow to keep it current.
func Open(ctx context.Context, db *sqldb.DB, k *privacy.Kernel, cat *catalog.Service, cfg Config) (*Service, error) {
	if cfg.Node == "" {
		cfg.Node = "main"
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 200 * time.Millisecond
	}
	ix, created, err := OpenIndex(cfg.Dir)
	if err != nil {
		return nil, err
	}
	s := &Service{db: db, k: k, catalog: cat, ix: ix, feed: outbox.NewFeed(db), cfg: cfg, decisions: rankingDecisions{rec: cfg.Decisions}}
	if cfg.Grace > 0 {
		s.feed.Grace = cfg.Grace
	}
	s.fl = &outbox.Follower{Feed: s.feed, Name: "search-index:" + cfg.Node, Durable: true, Batch: 500, Interval: cfg.Interval, Handle: s.onChange}
	if created {
		_, err = s.Rebuild(ctx)
	} else {
		err = s.resume(ctx)
	}
	if err != nil {
		ix.Close()
		return nil, err
	}
	return s, nil
}

// resume starts the follower where the index left off: the index's own
// offset wins over the database's, so an older copy of the folder catches
// up instead of skipping what it never saw.
func (s *Service) resume(ctx context.Context) error {
	off, err := s.ix.Offset()
	if err != nil {
		return err
	}
	if err := s.feed.SetOffset(ctx, s.fl.Name, off); err != nil {
		return err
	}
	s.offset = off
	return s.fl.Start(ctx)
}

// Follow keeps the index current from the change feed until Close.
func (s *Service) Follow() {
	ctx, stop := context.WithCancel(context.Background())
	s.stop, s.done = stop, make(chan struct{})
	go func() {
		defer close(s.done)
		s.fl.PollEvery(ctx, &s.mu)
	}()
}

// Sync brings the index up to the newest committed change now; tests and
// the seed use it instead of waiting for a poll.
func (s *Service) Sync(ctx context.Context) error {
	for {
		last, err := s.feed.Last(ctx)
		if err != nil {
			return err
		}
		s.mu.Lock()
		n, err := s.fl.Poll(ctx)
		caughtUp := s.offset >= last
		s.mu.Unlock()
		if err != nil || caughtUp {
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

// Close stops following and closes the index. It may be called more than
// once; later calls return the first one's answer.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		if s.stop != nil {
			s.stop()
			<-s.done
			s.stop = nil
		}
		s.closeErr = s.ix.Close()
	})
	return s.closeErr
}

// Index returns the index (for measurements).
func (s *Service) Index() *Index { return s.ix }

// onChange applies a batch of change-feed events: item changes reload the
// items from the catalogue (so replaying an event is harmless), and an
// erased person's search history and settings are deleted.
func (s *Service) onChange(ctx context.Context, evs []outbox.Event) error {
	var ids []string
	for _, e := range evs {
		switch e.Topic {
		case catalog.TopicItemsChanged:
			var p catalog.ItemsChanged
			if err := json.Unmarshal(e.Payload, &p); err == nil {
				ids = append(ids, p.Items...)
			}
		case outbox.TopicSubjectErased:
			if err := s.forget(ctx, e.Subject); err != nil {
				return err
			}
		}
	}
	items, err := s.catalog.Items(ctx, ids)
	if err != nil {
		return err
	}
	parents, err := s.parents(ctx)
	if err != nil {
		return err
	}
	last := evs[len(evs)-1].ID
	if err := s.ix.apply(ids, items, parents, last); err != nil {
		return fmt.Errorf("search: index: %w", err)
	}
	s.results.clear()
	s.offset = last
	return nil
}

// parents maps each subcategory to its parent, so a search filtered by a
// top-level category finds the items of its subcategories.
func (s *Service) parents(ctx context.Context) (map[string]string, error) {
	tree, err := s.catalog.Categories(ctx)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, c := range tree {
		for _, ch := range c.Children {
			m[ch.ID] = c.ID
		}
	}
	return m, nil
}

// RebuildStats says what a rebuild did.
type RebuildStats struct {
	Items    int           `json:"items"`
	Duration time.Duration `json:"duration"`
}

// Rebuild builds the index afresh from the catalogue in a folder beside
// it and swaps it in; searches keep being answered from the old one
// meanwhile. Changes committed during the build are replayed from the feed
// afterwards (replay is harmless: events reload items).
func (s *Service) Rebuild(ctx context.Context) (*RebuildStats, error) {
	start := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	last, err := s.feed.Last(ctx)
	if err != nil {
		return nil, err
	}
	parents, err := s.parents(ctx)
	if err != nil {
		return nil, err
	}
	tmp := s.cfg.Dir + ".rebuild"
	os.RemoveAll(tmp)
	b, err := bleve.New(tmp, newMapping())
	if err != nil {
		return nil, fmt.Errorf("search: rebuild: %w", err)
	}
	n, err := s.fill(ctx, b, parents, last)
	if err != nil {
		b.Close()
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := s.ix.swap(b, tmp); err != nil {
		return nil, fmt.Errorf("search: rebuild: %w", err)
	}
	if err := s.feed.SetOffset(ctx, s.fl.Name, last); err != nil {
		return nil, err
	}
	s.offset = last
	if err := s.fl.Start(ctx); err != nil {
		return nil, err
	}
	return &RebuildStats{Items: n, Duration: time.Since(start)}, nil
}

// fill indexes every item on sale into b, 1,000 at a time.
func (s *Service) fill(ctx context.Context, b bleve.Index, parents map[string]string, last int64) (int, error) {
	after, n := "", 0
	for {
		page, err := s.catalog.ScanItems(ctx, after, 1000)
		if err != nil {
			return n, err
		}
		if len(page) == 0 {
			break
		}
		ids := make([]string, len(page))
		items := make(map[string]*catalog.Item, len(page))
		for i, it := range page {
			ids[i], items[it.ID] = it.ID, it
			if it.Status == catalog.OnSale {
				n++
			}
		}
		if err := apply(b, ids, items, parents, 0); err != nil {
			return n, fmt.Errorf("search: rebuild: %w", err)
		}
		after = page[len(page)-1].ID
	}
	return n, apply(b, nil, nil, nil, max(last, 1))
}

// Search answers one search for actor a (a visitor, or a signed-in person
// whose query is kept in their history). Returns Invalid for a bad request.
func (s *Service) Search(ctx context.Context, a minimall.Actor, r Request) (*Result, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	var boost []string
	if a.Kind == minimall.Shopper && r.Sort == ByRelevance {
		var err error
		if boost, err = s.personalBoost(ctx, a); err != nil {
			return nil, err
		}
		if err := s.recordRanking(ctx, a, boost); err != nil {
			return nil, err
		}
	}
	res := &Result{Query: r.Query, Sort: r.Sort, Page: r.Page, Items: []*catalog.Item{}, Personalised: len(boost) > 0}
	c := s.ix.compile(&r, boost, false)
	if !c.empty {
		ids, total, err := s.find(ctx, &r, boost, c)
		if err != nil {
			return nil, err
		}
		items, err := s.catalog.CachedItems(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			// The index may lag the catalogue by a poll: never show an
			// item that left sale in the meantime.
			if it, ok := items[id]; ok && it.Status == catalog.OnSale {
				res.Items = append(res.Items, it)
			}
		}
		res.Total = total
		if uint64(r.Page*catalog.PageSize) < total && r.Page < MaxPage {
			res.NextPage = r.Page + 1
		}
	}
	if a.Kind == minimall.Shopper && r.Query != "" {
		if err := s.remember(ctx, a.Subject, r.Query, topCategory(res.Items)); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// find runs the compiled query, widening it when nothing matches.
// Results that depend on nobody's history are shared for a moment: the
// same query from everyone gets the same page, so it is computed once.
func (s *Service) find(ctx context.Context, r *Request, boost []string, c compiled) ([]string, uint64, error) {
	key := ""
	if len(boost) == 0 {
		key = r.cacheKey()
		if ids, total, ok := s.results.get(key); ok {
			return ids, total, nil
		}
	}
	gen := s.results.generation()
	ids, total, err := s.ix.run(ctx, c)
	if err == nil && total == 0 && c.terms > 1 {
		// Nothing has two thirds of the words ("男士衬衫" where titles
		// say "衬衫男"): show what has any of them, best first.
		ids, total, err = s.ix.run(ctx, s.ix.compile(r, boost, true))
	}
	if err == nil && key != "" {
		s.results.put(key, ids, total, gen)
	}
	return ids, total, err
}

// topCategory is the most frequent category among the first results.
func topCategory(items []*catalog.Item) string {
	count := map[string]int{}
	best := ""
	for i, it := range items {
		if i == 10 {
			break
		}
		count[it.Category]++
		if count[it.Category] > count[best] {
			best = it.Category
		}
	}
	return best
}
