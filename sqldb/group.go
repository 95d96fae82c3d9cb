package sqldb

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// group is the writer behind DB.Write and DB.WriteBehind on SQLite: it
// runs the writes queued while the single writer is busy in one shared
// transaction, each under a savepoint of its own, and commits them once.
// One commit for many writes costs little more than one for one: a commit
// is a turn of the single writer and an append to the WAL.
type group struct {
	db     *DB
	max    int
	linger time.Duration
	// onError hears a write behind that failed; it must not block.
	onError func(error)
	// gather is how long a group someone waits for may wait for company
	// while writes keep coming (the last group had more than one): a
	// little latency for fewer commits. Zero: never.
	gather   time.Duration
	lastSize int
	// normal: the writer runs synchronous=NORMAL now, for a group nobody
	// waits on (syncFor); it opens with FULL.
	normal bool

	// commits and writes count the transactions committed and the writes
	// they carried, for the writes-per-commit an operator watches.
	commits, writes atomic.Int64

	queue  chan groupItem
	quit   chan struct{}
	exited chan struct{} // closed when run returns
	stop   sync.Once
	done   sync.WaitGroup
}

type groupItem struct {
	fn   func(context.Context, *Tx) error // nil for a flush marker
	done chan error                       // nil when nobody waits
	// unhurried marks a waited write that does not end the group's
	// linger (WriteUnhurried).
	unhurried bool
	// ctx is the caller's: a write whose caller is gone before its turn
	// is skipped; fn runs under it without its cancellation.
	ctx context.Context
}

// sharedMax bounds how many writes behind share a savepoint: while one is
// open, every statement's end truncates SQLite's sub-journal, at a cost
// that grows with what the savepoint holds.
const sharedMax = 16

// gatherEnough is the group size at which gathering stops.
const gatherEnough = 16

// errCareful asks for a group to be written again with savepoints: a
// write behind run without one failed.
var errCareful = errors.New("sqldb: write the group again with savepoints")

// ErrClosed is returned for writes queued after Close.
var ErrClosed = errors.New("sqldb: database closed")

// startGroup starts g's writer. It starts here, not on first use: a write
// racing Close must not start the writer while Close waits for it.
func startGroup(g *group) *group {
	g.queue, g.quit, g.exited = make(chan groupItem, g.max), make(chan struct{}), make(chan struct{})
	g.done.Add(1)
	go g.run()
	return g
}

// goBehind queues fn without waiting for its commit; it blocks only while
// the queue is full. ctx's values reach fn; its cancellation does not
// (nobody waits, so nobody is gone).
func (g *group) goBehind(ctx context.Context, fn func(context.Context, *Tx) error) error {
	return g.put(context.Background(), groupItem{fn: fn, ctx: context.WithoutCancel(ctx)})
}

// do queues fn and waits for its commit. The answer says exactly whether
// fn committed: a caller gone before its turn is skipped and told
// ctx.Err(); once its turn came, fn runs and commits with the group even
// if the caller leaves meanwhile, and the answer is waited for.
func (g *group) do(ctx context.Context, fn func(context.Context, *Tx) error, unhurried bool) error {
	it := groupItem{fn: fn, done: make(chan error, 1), ctx: ctx, unhurried: unhurried}
	if err := g.put(ctx, it); err != nil {
		return err
	}
	select {
	case err := <-it.done:
		return err
	case <-g.exited:
		select {
		case err := <-it.done:
			return err
		default:
			return ErrClosed // queued as it closed: never run
		}
	}
}

// close writes what is queued and stops.
func (g *group) close() {
	g.stop.Do(func() { close(g.quit) })
	g.done.Wait()
}

func (g *group) put(ctx context.Context, it groupItem) error {
	select {
	case <-g.quit:
		return ErrClosed
	default:
	}
	select {
	case g.queue <- it:
		return nil
	case <-g.quit:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *group) run() {
	defer g.done.Done()
	defer close(g.exited)
	for {
		select {
		case it := <-g.queue:
			g.commit(g.fill([]groupItem{it}))
		case <-g.quit:
			for {
				select {
				case it := <-g.queue:
					g.commit([]groupItem{it})
				default:
					return
				}
			}
		}
	}
}

// fill adds what is queued; while nobody waits on the group it lingers for
// more, up to max.
func (g *group) fill(items []groupItem) []groupItem {
	waited := items[0].hurries()
	var deadline <-chan time.Time
	for len(items) < g.max {
		select {
		case it := <-g.queue:
			items = append(items, it)
			waited = waited || it.hurries()
			continue
		default:
		}
		if waited && (g.gather == 0 || g.lastSize < 2 || len(items) >= gatherEnough) {
			return items
		}
		if deadline == nil {
			if waited {
				deadline = time.After(g.gather)
			} else {
				deadline = time.After(g.linger)
			}
		}
		select {
		case it := <-g.queue:
			items = append(items, it)
			if it.hurries() && !waited {
				// Someone waits now: the group stops lingering.
				waited, deadline = true, nil
			}
		case <-deadline:
			return items
		case <-g.quit:
			return items
		}
	}
	return items
}

// syncFor sets how the group's commit reaches the disk. When someone
// waits on one of its writes, FULL: what minimall acknowledges is synced
// before the answer, power loss included. A group of writes nobody waits
// on (footprints, searches kept, the audit log's paced batches) commits
// with NORMAL, unsynced: WAL frames are written in order, so the next
// synced commit (or checkpoint) makes them durable too, and a power loss
// can lose only writes that were never acknowledged.
func (g *group) syncFor(ctx context.Context, items []groupItem) error {
	normal := true
	for _, it := range items {
		if it.fn != nil && it.hurries() {
			normal = false
			break
		}
	}
	if normal == g.normal || g.db.write == nil {
		return nil
	}
	mode := "FULL"
	if normal {
		mode = "NORMAL"
	}
	if _, err := g.db.write.ExecContext(ctx, `PRAGMA synchronous = `+mode); err != nil {
		return err
	}
	g.normal = normal
	return nil
}

// hurries reports whether someone waits on it who should not wait for the
// linger.
func (it groupItem) hurries() bool { return it.done != nil && !it.unhurried }

func (g *group) answer(it groupItem, err error) {
	switch {
	case it.done != nil:
		it.done <- err
	case err != nil && g.onError != nil:
		g.onError(err)
	}
}

// stats returns the transactions committed so far and the writes they
// carried.
func (g *group) stats() (commits, writes int64) {
	return g.commits.Load(), g.writes.Load()
}

// commit writes a group in one transaction, each write under its own
// (nested) savepoint: a write that fails is rolled back to its savepoint
// (its AfterCommit functions dropped) and answered its error; the others
// commit together.
func (g *group) commit(items []groupItem) {
	g.lastSize = len(items)
	errs := make([]error, len(items))
	err := g.write(items, errs, false)
	if err == errCareful {
		err = g.write(items, errs, true)
	}
	for i, it := range items {
		if errs[i] == nil {
			errs[i] = err
		}
		if it.fn != nil {
			// Each write counts: one refused by a full or read-only store
			// is answered StorageUnavailable, one that went through ends
			// an episode of them.
			errs[i] = g.db.storageError(errs[i])
		} else {
			errs[i] = wrapStorage(errs[i]) // a Flush: no write of its own
		}
		g.answer(it, errs[i])
	}
}

func (g *group) write(items []groupItem, errs []error, careful bool) error {
	// The transaction belongs to no one caller: none of them can end it.
	ctx := context.Background()
	if onlyMarkers(items) {
		return nil
	}
	if err := g.syncFor(ctx, items); err != nil {
		return err
	}
	tx, err := g.db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	n, i := 0, 0
	if !careful {
		// Writes behind that open the group need no savepoint: nothing
		// ran before them, so if one fails the whole transaction is
		// undone and the group written again with savepoints (a write
		// behind may run twice; see DB.WriteBehind). A group of views
		// alone then pays for no sub-journal at all.
		for ; i < len(items) && items[i].behind(); i++ {
			if runOne(context.WithoutCancel(items[i].ctx), tx, items[i].fn) != nil {
				return errCareful
			}
			n++
		}
	}
	for i < len(items) {
		// Writes behind next to each other share one savepoint: each
		// savepoint makes SQLite copy every page a write first touches
		// into its sub-journal, the largest cost of a footprint or a
		// search kept. If one of them fails, their savepoint is undone
		// and each runs again under a savepoint of its own.
		j := i + 1
		for items[i].behind() && j < len(items) && j-i < sharedMax && items[j].behind() {
			j++
		}
		if j-i > 1 {
			ok, err := g.runShared(tx, items[i:j], errs[i:j])
			if err != nil {
				return err
			}
			if ok {
				n, i = n+j-i, j
				continue
			}
		}
		for ; i < j; i++ {
			ok, err := g.runAlone(tx, items[i], &errs[i])
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if n > 0 {
		g.commits.Add(1)
		g.writes.Add(int64(n))
	}
	return nil
}

// behind reports whether it is a write nobody waits for.
func (it groupItem) behind() bool { return it.fn != nil && it.done == nil }

// runAlone runs one write under a savepoint of its own and reports whether
// it stands; its error, if it failed, goes to *werr and its savepoint is
// undone. The savepoint is released at once: while savepoints stay open,
// SQLite's sub-journal keeps every page they touched and each statement's
// end truncates it, a cost that grows with the group (measured: a group of
// 500 footprints under open savepoints spent 42% of the server's CPU
// there). The error returned is the transaction's own.
func (g *group) runAlone(tx *Tx, it groupItem, werr *error) (bool, error) {
	ctx := context.Background()
	if it.fn == nil {
		return false, nil // a flush marker: answered once the group commits
	}
	if *werr = it.ctx.Err(); *werr != nil {
		return false, nil // the caller left before its turn: skipped
	}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT write_one`); err != nil {
		return false, err
	}
	mark := tx.mark()
	if *werr = runOne(context.WithoutCancel(it.ctx), tx, it.fn); *werr != nil {
		tx.undo(mark)
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT write_one`); err != nil {
			return false, err
		}
	}
	_, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT write_one`)
	return *werr == nil, err
}

// runShared runs writes behind under one savepoint and reports whether
// all of them stand; if one fails, the savepoint is undone (and errs
// cleared) for runAlone to run each again.
func (g *group) runShared(tx *Tx, items []groupItem, errs []error) (bool, error) {
	ctx := context.Background()
	if _, err := tx.ExecContext(ctx, `SAVEPOINT write_one`); err != nil {
		return false, err
	}
	mark := tx.mark()
	for _, it := range items {
		if runOne(context.WithoutCancel(it.ctx), tx, it.fn) != nil {
			tx.undo(mark)
			clear(errs)
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT write_one`); err != nil {
				return false, err
			}
			_, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT write_one`)
			return false, err
		}
	}
	_, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT write_one`)
	return true, err
}

func onlyMarkers(items []groupItem) bool {
	for _, it := range items {
		if it.fn != nil {
			return false
		}
	}
	return true
}

// ErrWritePanicked answers a write whose function panicked; the group it
// shared a transaction with goes on.
var ErrWritePanicked = errors.New("sqldb: a write panicked")

func runOne(ctx context.Context, tx *Tx, fn func(context.Context, *Tx) error) (err error) {
	defer func() {
		if recover() != nil {
			err = ErrWritePanicked
		}
	}()
	return fn(ctx, tx)
}
