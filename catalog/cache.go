package catalog

import (
	"sync"
	"sync/atomic"
	"time"
)

// CacheTTL bounds how stale a cached item or category page may be: what
// another node changed, or stock taken by orders, shows within it. This
// node's own catalogue writes clear the cache at once, and orders always
// check stock in the database, so a stale page never oversells.
const CacheTTL = time.Second

// cache holds items and category pages read from the database for a
// moment; the catalogue is read far more than it is written, and the same
// for everyone (prices never depend on the person).
type cache struct {
	gen    atomic.Uint64 // bumped by every catalogue write; older entries are ignored
	items  sync.Map      // id → cached[*Item]
	pages  sync.Map      // category "\x00" page → cached[*Page]
	tree   sync.Map      // "" → cached[[]*Category], the category tree
	images sync.Map      // item → cached[*Image], nil for none
	size   atomic.Int64  // entries stored since the last clear, to bound memory
}

type cached[T any] struct {
	v   T
	gen uint64
	at  time.Time
}

// maxCached bounds the entries kept; past it the cache is cleared.
const maxCached = 200_000

func lookup[T any](c *cache, m *sync.Map, key string) (T, bool) {
	var zero T
	if c == nil {
		return zero, false
	}
	v, ok := m.Load(key)
	if !ok {
		return zero, false
	}
	e := v.(*cached[T])
	if e.gen != c.gen.Load() || time.Since(e.at) > CacheTTL {
		return zero, false
	}
	return e.v, true
}

// store keeps v under key if no write happened since gen was read.
func store[T any](c *cache, m *sync.Map, key string, v T, gen uint64) {
	if c == nil || gen != c.gen.Load() {
		return
	}
	if c.size.Add(1) > maxCached {
		c.clear()
		return
	}
	m.Store(key, &cached[T]{v: v, gen: gen, at: time.Now()})
}

// clear forgets everything: after any catalogue write, so a renamed shop
// or a moved item never shows in a page cached before.
func (c *cache) clear() {
	if c == nil {
		return
	}
	c.gen.Add(1)
	c.items.Clear()
	c.pages.Clear()
	c.tree.Clear()
	c.images.Clear()
	c.size.Store(0)
}

// forgetItems drops items whose stock changed; pages keep them for at most
// CacheTTL.
func (c *cache) forgetItems(ids []string) {
	if c == nil {
		return
	}
	for _, id := range ids {
		c.items.Delete(id)
	}
}
