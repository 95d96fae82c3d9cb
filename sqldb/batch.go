package sqldb

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Batcher runs small writes in shared transactions: each group of queued
// writes commits once. It is for writes a request need not wait for (a
// search remembered in the person's history): on SQLite every commit is a
// turn of the single writer, and one commit for many rows costs little more
// than one for one row. Writes queued with Go are answered to nobody; Do
// waits for its own; Flush waits for everything queued before it.
type Batcher struct {
	db     *DB
	max    int
	linger time.Duration
	// OnError hears a write queued with Go that failed even when tried
	// alone; it must not block. Nil drops the error.
	OnError func(error)
	// isolate runs each write under a savepoint: one that fails is undone
	// alone while the group goes on (DB.Write).
	isolate bool
	// gather is how long a group someone waits for may wait for company
	// while writes keep coming (the last group had more than one): a
	// little latency for fewer commits. Zero: never.
	gather   time.Duration
	lastSize int

	// commits and writes count the transactions committed and the writes
	// they carried, for the writes-per-commit an operator watches.
	commits, writes atomic.Int64

	queue  chan batchItem
	quit   chan struct{}
	exited chan struct{} // closed when run returns
	stop   sync.Once
	done   sync.WaitGroup
}

type batchItem struct {
	fn   func(context.Context, *Tx) error // nil for a flush marker
	done chan error                       // nil when nobody waits
	ctx  context.Context                  // the caller's, for isolated writes
}

// gatherEnough is the group size at which gathering stops.
const gatherEnough = 16

// ErrBatcherClosed is returned for writes queued after Close.
var ErrBatcherClosed = errors.New("sqldb: batcher closed")

// NewBatcher returns a batcher committing up to max writes at a time, and
// waiting up to linger for a group nobody waits on to grow.
func NewBatcher(db *DB, max int, linger time.Duration) *Batcher {
	return startBatcher(&Batcher{db: db, max: max, linger: linger})
}

// startBatcher starts b's writer. It starts here, not on first use: a write
// racing Close must not start the writer while Close waits for it.
func startBatcher(b *Batcher) *Batcher {
	b.queue, b.quit, b.exited = make(chan batchItem, b.max), make(chan struct{}), make(chan struct{})
	b.done.Add(1)
	go b.run()
	return b
}

// Go queues fn without waiting for its commit; it blocks only while the
// queue is full.
func (b *Batcher) Go(fn func(context.Context, *Tx) error) error {
	return b.put(context.Background(), batchItem{fn: fn, ctx: context.Background()})
}

// Do queues fn and waits for its commit.
func (b *Batcher) Do(ctx context.Context, fn func(context.Context, *Tx) error) error {
	it := batchItem{fn: fn, done: make(chan error, 1), ctx: ctx}
	if err := b.put(ctx, it); err != nil {
		return err
	}
	if b.isolate {
		// The answer says exactly whether fn committed: a caller gone
		// before its turn is skipped, and one whose turn came is told.
		select {
		case err := <-it.done:
			return err
		case <-b.exited:
			select {
			case err := <-it.done:
				return err
			default:
				return ErrBatcherClosed // queued as it closed: never run
			}
		}
	}
	select {
	case err := <-it.done:
		return err
	case <-ctx.Done():
		return ctx.Err() // the write may still happen
	}
}

// Flush returns once every write queued before it has committed or failed.
func (b *Batcher) Flush(ctx context.Context) error {
	err := b.Do(ctx, nil)
	if errors.Is(err, ErrBatcherClosed) {
		return nil // Close wrote what was queued
	}
	return err
}

// Close writes what is queued and stops.
func (b *Batcher) Close() error {
	b.stop.Do(func() { close(b.quit) })
	b.done.Wait()
	return nil
}

func (b *Batcher) put(ctx context.Context, it batchItem) error {
	select {
	case <-b.quit:
		return ErrBatcherClosed
	default:
	}
	select {
	case b.queue <- it:
		return nil
	case <-b.quit:
		return ErrBatcherClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *Batcher) run() {
	defer b.done.Done()
	defer close(b.exited)
	for {
		select {
		case it := <-b.queue:
			b.commit(b.fill([]batchItem{it}))
		case <-b.quit:
			for {
				select {
				case it := <-b.queue:
					b.commit([]batchItem{it})
				default:
					return
				}
			}
		}
	}
}

// fill adds what is queued; while nobody waits on the group it lingers for
// more, up to max.
func (b *Batcher) fill(group []batchItem) []batchItem {
	waited := group[0].done != nil
	var deadline <-chan time.Time
	for len(group) < b.max {
		select {
		case it := <-b.queue:
			group = append(group, it)
			waited = waited || it.done != nil
			continue
		default:
		}
		if waited && (b.gather == 0 || b.lastSize < 2 || len(group) >= gatherEnough) {
			return group
		}
		if deadline == nil {
			if waited {
				deadline = time.After(b.gather)
			} else {
				deadline = time.After(b.linger)
			}
		}
		select {
		case it := <-b.queue:
			group = append(group, it)
			waited = waited || it.done != nil
		case <-deadline:
			return group
		case <-b.quit:
			return group
		}
	}
	return group
}

// commit writes a group in one transaction; if it fails, each write is
// tried alone, so one bad write never loses the others.
func (b *Batcher) commit(group []batchItem) {
	b.lastSize = len(group)
	if b.isolate {
		b.commitIsolated(group)
		return
	}
	err := b.write(group)
	if err != nil && len(group) > 1 {
		for _, it := range group {
			b.answer(it, b.write([]batchItem{it}))
		}
		return
	}
	for _, it := range group {
		b.answer(it, err)
	}
}

func (b *Batcher) answer(it batchItem, err error) {
	switch {
	case it.done != nil:
		it.done <- err
	case err != nil && it.fn != nil && b.OnError != nil:
		b.OnError(err)
	}
}

func (b *Batcher) write(group []batchItem) error {
	ctx := context.Background() // the group belongs to no one request
	n := 0
	for _, it := range group {
		if it.fn != nil {
			n++
		}
	}
	if n == 0 {
		return nil // flush markers only
	}
	tx, err := b.db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, it := range group {
		if it.fn == nil {
			continue
		}
		if err := it.fn(ctx, tx); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	b.count(n)
	return nil
}

func (b *Batcher) count(writes int) {
	b.commits.Add(1)
	b.writes.Add(int64(writes))
}

// Stats returns the transactions committed so far and the writes they
// carried.
func (b *Batcher) Stats() (commits, writes int64) {
	return b.commits.Load(), b.writes.Load()
}

// commitIsolated writes a group in one transaction, each write under its
// own (nested) savepoint: a write that fails is rolled back to its
// savepoint (its AfterCommit functions dropped) and answered its error;
// the others commit together.
func (b *Batcher) commitIsolated(group []batchItem) {
	ctx := context.Background() // the group belongs to no one request
	errs := make([]error, len(group))
	err := func() error {
		tx, err := b.db.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for i, it := range group {
			if it.fn == nil {
				continue
			}
			if errs[i] = it.ctx.Err(); errs[i] != nil {
				continue
			}
			// Savepoints are not released: each write's nests in the one
			// before, ROLLBACK TO undoes to the newest of the name (this
			// write's), and COMMIT releases them all, sparing the single
			// writer a RELEASE statement a write.
			if _, err := tx.ExecContext(ctx, `SAVEPOINT write_one`); err != nil {
				return err
			}
			hooks := len(tx.after)
			if errs[i] = runOne(ctx, tx, it.fn); errs[i] != nil {
				tx.after = tx.after[:hooks]
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT write_one`); err != nil {
					return err
				}
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		n := 0
		for i, it := range group {
			if it.fn != nil && errs[i] == nil {
				n++
			}
		}
		if n > 0 {
			b.count(n)
		}
		return nil
	}()
	for i, it := range group {
		if errs[i] == nil {
			errs[i] = err
		}
		b.answer(it, errs[i])
	}
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
