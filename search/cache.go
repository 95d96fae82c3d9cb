package search

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ResultTTL bounds how long a result page is shared; the index itself
// follows the catalogue by a poll, so results are never fresher than that.
const ResultTTL = time.Second

// resultCache shares result pages (ids and total) of queries that read no
// one's history, so a popular query runs once a moment, not once a
// request. A personalised query never reaches it.
type resultCache struct {
	gen  atomic.Uint64 // bumped when the index changes; older entries are ignored
	m    sync.Map      // key → *cachedResult
	size atomic.Int64
}

type cachedResult struct {
	ids   []string
	total uint64
	gen   uint64
	at    time.Time
}

const maxCachedResults = 50_000

func (c *resultCache) generation() uint64 { return c.gen.Load() }

func (c *resultCache) get(key string) ([]string, uint64, bool) {
	v, ok := c.m.Load(key)
	if !ok {
		return nil, 0, false
	}
	e := v.(*cachedResult)
	if e.gen != c.gen.Load() || time.Since(e.at) > ResultTTL {
		return nil, 0, false
	}
	return e.ids, e.total, true
}

// put keeps a result computed at generation gen, unless the index changed
// since.
func (c *resultCache) put(key string, ids []string, total, gen uint64) {
	if gen != c.gen.Load() {
		return
	}
	if c.size.Add(1) > maxCachedResults {
		c.clear()
		return
	}
	c.m.Store(key, &cachedResult{ids: ids, total: total, gen: gen, at: time.Now()})
}

// clear forgets every page: the index changed.
func (c *resultCache) clear() {
	c.gen.Add(1)
	c.m.Clear()
	c.size.Store(0)
}

// cacheKey names a request's result page: every field that shapes it.
func (r *Request) cacheKey() string {
	var b strings.Builder
	for _, f := range []string{r.Query, r.Category, r.Shop, r.Sort} {
		b.WriteString(f)
		b.WriteByte(0)
	}
	b.WriteString(strconv.FormatInt(r.MinPriceFen, 10))
	b.WriteByte(0)
	b.WriteString(strconv.FormatInt(r.MaxPriceFen, 10))
	b.WriteByte(0)
	b.WriteString(strconv.Itoa(r.Page))
	return b.String()
}
