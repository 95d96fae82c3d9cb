package search

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"minimall/catalog"
)

// offsetKey is where the index keeps the last change-feed event it holds,
// written in the same batch as the documents, so the index and its place in
// the feed never disagree, whatever copy of the folder is opened.
var offsetKey = []byte("feed_offset")

// doc is what the index holds of an item: catalogue data only, never
// anything about a person.
type doc struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Categories  []string `json:"categories"` // the leaf and its parent
	Shop        string   `json:"shop"`
	Price       float64  `json:"price"`   // fen
	Created     float64  `json:"created"` // Unix microseconds
}

// Index is the on-disk full-text index of items on sale: a derived store,
// kept in a folder of its own outside the database and rebuildable from it.
type Index struct {
	dir string
	mu  sync.RWMutex // held for reading by queries, for writing by a swap
	idx bleve.Index
}

func newMapping() mapping.IndexMapping {
	text := bleve.NewTextFieldMapping()
	text.Analyzer = cjk.AnalyzerName // CJK bigrams: 连衣裙 → 连衣 衣裙; 耳机 stays one term
	text.Store, text.IncludeTermVectors, text.IncludeInAll = false, false, false
	kw := bleve.NewKeywordFieldMapping()
	kw.Store, kw.IncludeInAll = false, false
	num := bleve.NewNumericFieldMapping()
	num.Store, num.IncludeInAll = false, false
	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt("title", text)
	dm.AddFieldMappingsAt("description", text)
	dm.AddFieldMappingsAt("categories", kw)
	dm.AddFieldMappingsAt("shop", kw)
	dm.AddFieldMappingsAt("price", num)
	dm.AddFieldMappingsAt("created", num)
	im := bleve.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = cjk.AnalyzerName
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false
	return im
}

// OpenIndex opens the index in dir, creating an empty one if dir holds
// none; created reports that, so the caller rebuilds it from the database.
func OpenIndex(dir string) (ix *Index, created bool, err error) {
	b, err := bleve.Open(dir)
	if err == bleve.ErrorIndexPathDoesNotExist {
		b, err = bleve.New(dir, newMapping())
		created = true
	}
	if err != nil {
		return nil, false, fmt.Errorf("search: open index %s: %w", dir, err)
	}
	return &Index{dir: dir, idx: b}, created, nil
}

// Close closes the index.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.idx.Close()
}

// Offset returns the last change-feed event the index holds.
func (ix *Index) Offset() (int64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	v, err := ix.idx.GetInternal(offsetKey)
	if err != nil || len(v) == 0 {
		return 0, err
	}
	return strconv.ParseInt(string(v), 10, 64)
}

// DocCount returns the number of items in the index.
func (ix *Index) DocCount() (uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.idx.DocCount()
}

func toDoc(it *catalog.Item, parents map[string]string) doc {
	cats := []string{it.Category}
	if p := parents[it.Category]; p != "" {
		cats = append(cats, p)
	}
	return doc{Title: it.Title, Description: it.Description, Categories: cats, Shop: it.Shop,
		Price: float64(it.PriceFen), Created: float64(it.CreatedAt.UnixMicro())}
}

// apply indexes the items on sale, deletes the rest and ids that no longer
// exist, and records offset, in one batch.
func apply(b bleve.Index, ids []string, items map[string]*catalog.Item, parents map[string]string, offset int64) error {
	batch := b.NewBatch()
	for _, id := range ids {
		it, ok := items[id]
		if !ok || it.Status != catalog.OnSale {
			batch.Delete(id)
			continue
		}
		if err := batch.Index(id, toDoc(it, parents)); err != nil {
			return err
		}
	}
	if offset > 0 {
		batch.SetInternal(offsetKey, []byte(strconv.FormatInt(offset, 10)))
	}
	return b.Batch(batch)
}

// apply is apply on the current index.
func (ix *Index) apply(ids []string, items map[string]*catalog.Item, parents map[string]string, offset int64) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return apply(ix.idx, ids, items, parents, offset)
}

// compiled is a search ready to run.
type compiled struct {
	q     query.Query
	sort  []string
	from  int
	size  int
	empty bool
	terms int
}

// run executes a compiled search, returning item ids in order and the total.
func (ix *Index) run(ctx context.Context, c compiled) ([]string, uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	req := bleve.NewSearchRequestOptions(c.q, c.size, c.from, false)
	req.SortBy(c.sort)
	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, 0, fmt.Errorf("search: query: %w", err)
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, res.Total, nil
}

// terms analyses text the way titles are analysed: width-folded,
// lower-cased CJK bigrams and words, without repeats.
func (ix *Index) terms(text string) []string {
	ix.mu.RLock()
	a := ix.idx.Mapping().AnalyzerNamed(cjk.AnalyzerName)
	ix.mu.RUnlock()
	seen := map[string]bool{}
	var out []string
	for _, tok := range a.Analyze([]byte(text)) {
		t := string(tok.Term)
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// textQuery matches the terms in title (weighted 3) or description, and
// asks for two thirds of them: "无线蓝牙耳机" finds "蓝牙耳机 无线降噪"
// although one bigram (线蓝) spans the words. Relaxed, one term is enough;
// the rarer terms still rank first.
func textQuery(terms []string, relaxed bool) query.Query {
	per := make([]query.Query, len(terms))
	for i, t := range terms {
		title := bleve.NewTermQuery(t)
		title.SetField("title")
		title.SetBoost(3)
		desc := bleve.NewTermQuery(t)
		desc.SetField("description")
		per[i] = bleve.NewDisjunctionQuery(title, desc)
	}
	d := bleve.NewDisjunctionQuery(per...)
	if !relaxed {
		d.SetMin(math.Ceil(float64(len(terms)) * 2 / 3))
	}
	return d
}

// swap replaces the index's content with the one built in dir.
func (ix *Index) swap(built bleve.Index, dir string) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if err := built.Close(); err != nil {
		return err
	}
	if err := ix.idx.Close(); err != nil {
		return err
	}
	old := ix.dir + ".old"
	os.RemoveAll(old)
	if err := os.Rename(ix.dir, old); err != nil {
		return err
	}
	if err := os.Rename(dir, ix.dir); err != nil {
		return err
	}
	os.RemoveAll(old)
	b, err := bleve.Open(ix.dir)
	if err != nil {
		return err
	}
	ix.idx = b
	return nil
}
