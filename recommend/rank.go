package recommend

import (
	"context"
	"sort"
	"sync"
	"time"

	"minimall"
	"minimall/catalog"
	"minimall/internal/fresh"
	"minimall/privacy"
	"minimall/sqldb"
)

// cand is an item that may be recommended: catalogue facts and the share of
// everyone's attention it drew, never anything about one person.
type cand struct {
	ID, Category, Shop string
	Hot                float64 // 0..1
	score              float64
}

// candidateCache holds the aggregate candidate lists for a moment, so a
// page costs one profile read and one catalogue query. What it holds is
// the same for everyone.
// candidateCache keeps the hot list and each category's newest items for
// cacheTTL; past it, one caller reloads while the others are served what
// was there (fresh.Value).
type candidateCache struct {
	hot  fresh.Value[[]cand]
	mu   sync.Mutex
	cats map[string]*fresh.Value[[]cand]
}

// category returns the entry of cat, made on first use.
func (c *candidateCache) category(cat string) *fresh.Value[[]cand] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cats == nil || len(c.cats) > 1000 {
		c.cats = map[string]*fresh.Value[[]cand]{}
	}
	f := c.cats[cat]
	if f == nil {
		f = &fresh.Value[[]cand]{}
		c.cats[cat] = f
	}
	return f
}

const (
	cacheTTL  = time.Second
	hotLimit  = 200
	topCats   = 4
	catWeight = 10 // a category the person likes outweighs the hot list
)

// Recommend returns a page of recommendations for a. With recommendation
// consent granted it reads a's profile and blocks (through the guard,
// audited); otherwise it never touches them and returns the hot list,
// identical for everyone. Returns Invalid for a page out of range.
func (s *Service) Recommend(ctx context.Context, a minimall.Actor, page int) (*List, error) {
	if page < 1 || page > MaxPage {
		return nil, minimall.Errorf(minimall.Invalid, "recommend.Recommend", "page is from 1 to 5. 页码须为1至5。")
	}
	hot, err := s.hotCands(ctx)
	if err != nil {
		return nil, err
	}
	personal, err := s.consented(ctx, a, privacy.FeatRecommendation)
	if err != nil {
		return nil, err
	}
	if !personal {
		return s.pageOf(ctx, hot, nil, page, false)
	}
	ranked, liked, err := s.personalRank(ctx, a.Subject, hot)
	if err != nil {
		return nil, err
	}
	return s.pageOf(ctx, ranked, liked, page, true)
}

// RecommendOnDevice returns a page for a visitor whose own device keeps
// their recently viewed items and their recommendation switch on (the
// optional cookie): ranked by the categories of those items, most recent
// first, for this answer only. Nothing about the visitor is stored, so
// nothing is audited. Returns Invalid for a page out of range.
func (s *Service) RecommendOnDevice(ctx context.Context, recentCategories []string, page int) (*List, error) {
	if page < 1 || page > MaxPage {
		return nil, minimall.Errorf(minimall.Invalid, "recommend.RecommendOnDevice", "page is from 1 to 5. 页码须为1至5。")
	}
	hot, err := s.hotCands(ctx)
	if err != nil {
		return nil, err
	}
	weights := map[string]float64{}
	for i, c := range recentCategories {
		weights[c] += 1 / float64(i+1) // the latest view counts most
	}
	ranked, liked, err := s.rankByInterests(ctx, hot, weights, &Blocks{})
	if err != nil {
		return nil, err
	}
	return s.pageOf(ctx, ranked, liked, page, len(liked) > 0)
}

// pageOf cuts page out of ranked, diversified, with the items' current
// facts and, for a personalised list, why each liked item is there.
func (s *Service) pageOf(ctx context.Context, ranked []cand, liked map[string]bool, page int, personalised bool) (*List, error) {
	list := &List{Page: page, MaxPerCategory: MaxPerCategory, Items: []*catalog.Item{}, Personalised: personalised}
	var err error
	pages := diversify(ranked, PageSize, MaxPerCategory)
	if page > len(pages) {
		return list, nil
	}
	if page < len(pages) && page < MaxPage {
		list.NextPage = page + 1
	}
	if list.Items, err = s.fresh(ctx, pages[page-1]); err != nil || len(liked) == 0 {
		return list, err
	}
	return list, s.explain(ctx, list, liked)
}

// explain says why each item an interest brought in is there.
func (s *Service) explain(ctx context.Context, list *List, liked map[string]bool) error {
	names, err := s.categoryNames(ctx)
	if err != nil {
		return err
	}
	list.Why = map[string]string{}
	for _, it := range list.Items {
		if liked[it.Category] {
			list.Why[it.ID] = because(names[it.Category])
		}
	}
	return nil
}

// fresh loads the page's items from the catalogue's cache, so the price
// shown is the catalogue's, at most catalog.CacheTTL old and the same for
// every person, as on a search results page.
func (s *Service) fresh(ctx context.Context, page []cand) ([]*catalog.Item, error) {
	ids := make([]string, len(page))
	for i, c := range page {
		ids[i] = c.ID
	}
	items, err := s.catalog.CachedItems(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*catalog.Item, 0, len(ids))
	for _, id := range ids {
		if it, ok := items[id]; ok && it.Status == catalog.OnSale {
			out = append(out, it)
		}
	}
	return out, nil
}

// personalRank scores candidates from the person's liked categories and
// the hot list, and drops what they blocked.
func (s *Service) personalRank(ctx context.Context, subject minimall.SubjectID, hot []cand) ([]cand, map[string]bool, error) {
	pseud, err := s.pseudonym(ctx, subject)
	if err != nil {
		return nil, nil, err
	}
	pref, blocked, err := s.row(ctx, pseud)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.openProfile(ctx, subject, pseud, pref)
	if err != nil {
		return nil, nil, err
	}
	bl, err := s.openBlocks(ctx, subject, pseud, blocked)
	if err != nil {
		return nil, nil, err
	}
	return s.rankByInterests(ctx, hot, p.Cats, bl)
}

// rankByInterests ranks the hot list and the newest items of the strongest
// categories in cats, leaving out what bl blocks; it returns the
// categories that shaped the ranking.
func (s *Service) rankByInterests(ctx context.Context, hot []cand, weights map[string]float64, bl *Blocks) ([]cand, map[string]bool, error) {
	pool := map[string]cand{}
	for _, c := range hot {
		pool[c.ID] = c
	}
	cats, maxW := strongest(weights, topCats)
	liked := map[string]bool{}
	for _, cat := range cats {
		liked[cat] = true
		list, err := s.categoryCands(ctx, cat)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range list {
			if old, ok := pool[c.ID]; ok {
				c.Hot = old.Hot
			}
			pool[c.ID] = c
		}
	}
	out := make([]cand, 0, len(pool))
	for _, c := range pool {
		if isBlocked(bl, c) {
			continue
		}
		c.score = c.Hot
		if maxW > 0 {
			c.score += catWeight * weights[c.Category] / maxW
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].score > out[j].score || (out[i].score == out[j].score && out[i].ID < out[j].ID)
	})
	return out, liked, nil
}

// strongest returns the n categories with the highest weights, and the top weight.
func strongest(m map[string]float64, n int) ([]string, float64) {
	cats := make([]string, 0, len(m))
	for c, w := range m {
		if w > 0 {
			cats = append(cats, c)
		}
	}
	sort.Slice(cats, func(i, j int) bool { return m[cats[i]] > m[cats[j]] || (m[cats[i]] == m[cats[j]] && cats[i] < cats[j]) })
	if len(cats) > n {
		cats = cats[:n]
	}
	if len(cats) == 0 {
		return nil, 0
	}
	return cats, m[cats[0]]
}

func isBlocked(bl *Blocks, c cand) bool {
	for _, cat := range bl.Categories {
		if c.Category == cat {
			return true
		}
	}
	for _, sim := range bl.Similar {
		if c.ID == sim.Item || (c.Category == sim.Category && c.Shop == sim.Shop) {
			return true
		}
	}
	return false
}

// diversify cuts ranked into pages, taking items in rank order but at most
// perCat of one category per page; what a page cannot take waits for the
// next (policy 二(二)4: 避免同类型内容过度集中).
func diversify(ranked []cand, size, perCat int) [][]cand {
	var pages [][]cand
	rest := ranked
	for len(rest) > 0 && len(pages) < MaxPage {
		var page, later []cand
		count := map[string]int{}
		for _, c := range rest {
			if len(page) < size && count[c.Category] < perCat {
				page = append(page, c)
				count[c.Category]++
			} else {
				later = append(later, c)
			}
		}
		if len(page) == 0 {
			break
		}
		pages, rest = append(pages, page), later
	}
	return pages
}

// hotCands is the hot list: items ranked by everyone's attention
// (recommend_stats, aggregates only), then the newest items of each
// top-level category so a young shop still has a list.
func (s *Service) hotCands(ctx context.Context) ([]cand, error) {
	return s.cache.hot.Get(cacheTTL, func() ([]cand, error) { return s.loadHot(ctx) })
}

func (s *Service) loadHot(ctx context.Context) ([]cand, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT item, score FROM recommend_stats ORDER BY score DESC, item LIMIT ?`, hotLimit)
	if err != nil {
		return nil, sqldb.FormatError("recommend.hot", err)
	}
	var ids []string
	scores := map[string]float64{}
	var top float64
	for rows.Next() {
		var id string
		var sc int64
		if err := rows.Scan(&id, &sc); err != nil {
			rows.Close()
			return nil, err
		}
		ids, scores[id] = append(ids, id), float64(sc)
		top = max(top, float64(sc))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	items, err := s.catalog.Items(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []cand
	seen := map[string]bool{}
	for _, id := range ids {
		if it, ok := items[id]; ok && it.Status == catalog.OnSale {
			out, seen[id] = append(out, cand{ID: id, Category: it.Category, Shop: it.Shop, Hot: scores[id] / top}), true
		}
	}
	if len(out) >= hotLimit/2 {
		return out, nil
	}
	return s.fillNewest(ctx, out, seen)
}

// fillNewest adds the newest items of each top-level category, after the
// hot ones, in a fixed order.
func (s *Service) fillNewest(ctx context.Context, out []cand, seen map[string]bool) ([]cand, error) {
	roots, err := s.catalog.Categories(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range roots {
		list, err := s.categoryCands(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			if !seen[c.ID] {
				out, seen[c.ID] = append(out, c), true
			}
		}
	}
	if out == nil {
		out = []cand{}
	}
	return out, nil
}

// categoryCands returns the newest items of a category (with its
// subcategories), cached for a moment.
func (s *Service) categoryCands(ctx context.Context, cat string) ([]cand, error) {
	return s.cache.category(cat).Get(cacheTTL, func() ([]cand, error) {
		page, err := s.catalog.CategoryPage(ctx, cat, 1)
		if minimall.IsCode(err, minimall.NotFound) {
			page, err = &catalog.Page{}, nil
		}
		if err != nil {
			return nil, err
		}
		list := make([]cand, 0, len(page.Items))
		for _, it := range page.Items {
			list = append(list, cand{ID: it.ID, Category: it.Category, Shop: it.Shop})
		}
		return list, nil
	})
}

// Hot returns the hot list's first page: aggregate statistics only, the
// same for everyone.
func (s *Service) Hot(ctx context.Context) ([]*catalog.Item, error) {
	hot, err := s.hotCands(ctx)
	if err != nil {
		return nil, err
	}
	pages := diversify(hot, PageSize, MaxPerCategory)
	if len(pages) == 0 {
		return []*catalog.Item{}, nil
	}
	return s.fresh(ctx, pages[0])
}

// addHot adds attention to the aggregates; no person is in them. It
// shares a group commit with the writes of the moment (sqldb.DB.Write).
func (s *Service) addHot(ctx context.Context, hot map[string]float64) error {
	if len(hot) == 0 {
		return nil
	}
	ids := make([]string, 0, len(hot))
	for id := range hot {
		ids = append(ids, id)
	}
	sort.Strings(ids) // a fixed lock order between nodes
	cats, err := s.catalog.CategoryOf(ctx, ids)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		for _, id := range ids {
			cat, ok := cats[id]
			if !ok {
				continue // an unknown item counts for nothing
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO recommend_stats (item, category, score, updated_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (item) DO UPDATE SET score = recommend_stats.score + excluded.score, category = excluded.category, updated_at = excluded.updated_at`,
				id, cat, int64(hot[id]), sqldb.Micros(tx.Now())); err != nil {
				return sqldb.FormatError("recommend.addHot", err)
			}
		}
		return nil
	})
}
