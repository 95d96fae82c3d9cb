package sqldb

import (
	"database/sql"
	"sync"
	"sync/atomic"
)

// stmtCache keeps prepared statements of one SQLite pool by query text.
// modernc's driver prepares every statement anew otherwise, and parsing
// was ~40% of an item lookup's time; a *sql.Stmt is prepared once per
// connection and reused. (pgx caches prepared statements on its own, so
// PostgreSQL pools have no stmtCache.)
//
// A query seen for the first time runs unprepared while a goroutine
// prepares it for next time: preparing needs a free connection, and the
// caller may hold the write pool's only one in a transaction.
type stmtCache struct {
	db *sql.DB
	m  sync.Map // query → *sql.Stmt, or preparing{} while it is being prepared
	n  atomic.Int32

	mu       sync.Mutex // guards closed and inflight; taken on a miss only
	idle     sync.Cond  // signalled when inflight drops
	closed   bool
	inflight int // preparations running; close waits for them
}

type preparing struct{}

// maxCachedStmts bounds the cache: queries built with a varying number of
// placeholders would otherwise grow it without end. Past the bound,
// queries run unprepared, as before.
const maxCachedStmts = 2048

func newStmtCache(db *sql.DB) *stmtCache {
	c := &stmtCache{db: db}
	c.idle.L = &c.mu
	return c
}

// get returns the prepared statement for query, or nil when there is
// none yet (or the cache is full); the caller then runs the query as is.
func (c *stmtCache) get(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	if v, ok := c.m.Load(query); ok {
		st, _ := v.(*sql.Stmt)
		return st
	}
	if c.n.Load() >= maxCachedStmts {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	if _, loaded := c.m.LoadOrStore(query, preparing{}); !loaded {
		c.n.Add(1)
		c.inflight++
		go c.prepare(query)
	}
	return nil
}

// prepare prepares query once a connection is free. A query that fails to
// prepare (a table a migration has yet to create) is forgotten, so a later
// use tries again.
func (c *stmtCache) prepare(query string) {
	defer func() {
		c.mu.Lock()
		c.inflight--
		c.idle.Broadcast()
		c.mu.Unlock()
	}()
	st, err := c.db.Prepare(query)
	if err != nil {
		c.m.Delete(query)
		c.n.Add(-1)
		return
	}
	c.m.Store(query, st)
}

// close waits for preparations in flight, then closes every cached
// statement, so the pool's connections are all idle when it closes.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.closed = true
	for c.inflight > 0 {
		c.idle.Wait()
	}
	c.mu.Unlock()
	c.m.Range(func(_, v any) bool {
		if st, ok := v.(*sql.Stmt); ok {
			st.Close()
		}
		return true
	})
}
