package audit

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"minimall/sqldb"
)

const (
	// writeTimeout bounds one batch: a database that hangs makes the batch
	// fail (and retry) rather than stall every waiter for ever.
	writeTimeout = 30 * time.Second
	// Failed Record entries are retried after a growing pause.
	minBackoff = 10 * time.Millisecond
	maxBackoff = time.Second
	// closeRetries is how often Close retries failing entries before it
	// gives up and reports them lost.
	closeRetries = 3
)

// writer is the state of the goroutine that writes a chain. Only it
// touches these fields (and, after it stops, writes made after Close).
type writer struct {
	data, keys   *sqldb.DB
	chain        string
	mac          *chainMAC
	head         head  // the last row stored in the data db; never ahead of it
	checkpointed int64 // seq of the last head stored in the key store
	doubt        *head // end of a batch whose commit failed but may have happened
	fatal        error // the chain changed under the writer; nothing more is written
	ins          insertSQL
	carry        []item    // Record entries of a failed batch, to write first
	lost         error     // why the writer stopped with entries unwritten
	stats        *Stats    // counts what is durable, off the callers' path
	began        time.Time // when the last batch began to be written
}

// run is the writer goroutine. It collects the queue into batches, writes
// each with its checkpoint and answers its waiters, until the queue is
// closed and drained. The Record entries of a failed batch go first into
// the next one, after a growing pause: the log never drops an entry it
// accepted, and while it retries the queue fills and Record blocks.
func (l *Log) run() {
	defer close(l.done)
	w := &l.w
	var b batch // its buffers are reused from batch to batch
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var backoff time.Duration
	var err error
	for closing := 0; ; {
		items, open := l.next(b.items[:0], backoff, timer)
		if len(items) == 0 && len(w.carry) == 0 {
			return // closed and drained
		}
		if !open && len(w.carry) > 0 {
			if closing++; closing > closeRetries {
				w.lost = fmt.Errorf("audit: %d recorded entries could not be written: %w", len(w.carry), err)
				return
			}
		}
		b.items = items
		err = w.writeBatch(&b)
		if len(w.carry) == 0 {
			backoff = 0
		} else {
			backoff = min(max(2*backoff, minBackoff), maxBackoff)
		}
	}
}

// next collects the next batch's new items. While entries are carried it
// pauses for backoff first and takes only what is queued, up to a batch in
// all, so the retry happens even if nothing new comes.
func (l *Log) next(items []item, backoff time.Duration, t *time.Timer) ([]item, bool) {
	if len(l.w.carry) == 0 {
		return l.collect(items, t)
	}
	time.Sleep(backoff)
	return l.drain(items, max(l.opt.MaxBatch-len(l.w.carry), 0))
}

// writeBatch writes b and leaves it empty for reuse.
func (w *writer) writeBatch(b *batch) error {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	defer b.release()
	w.began = time.Now()
	w.take(ctx, b)
	return w.store(ctx, b)
}

// take readies b to chain from the stored head: it settles a batch in
// doubt, puts the carried entries first and numbers and chains the lot.
func (w *writer) take(ctx context.Context, b *batch) {
	stored, err := w.settle(ctx)
	if stored {
		w.carry = nil // the batch in doubt, carried entries and all, was written
	}
	if err != nil {
		b.err = err
		return
	}
	if len(w.carry) > 0 {
		b.items = append(w.carry, b.items...)
		w.carry = nil
	}
	stamp(b.items, w.data.Now())
	b.prepare(w.mac, w.chain, w.head)
}

// store writes b, then answers its waiters; a batch that was not stored
// leaves its Record entries carried. It returns the error, if any.
func (w *writer) store(ctx context.Context, b *batch) error {
	err := b.err
	stored := false
	if err == nil {
		stored, err = w.write(ctx, b)
	}
	if !stored {
		w.carry = w.fail(b.items, err, w.carry)
		return err
	}
	w.acknowledge(b, err)
	return err
}

// write stores the rows and then the checkpoint. It reports whether the
// rows are stored; err may still say the checkpoint failed.
func (w *writer) write(ctx context.Context, b *batch) (bool, error) {
	if len(b.rows) > 0 {
		if err := w.insert(ctx, b); err != nil {
			return false, fmt.Errorf("audit: write chain %q: %w", w.chain, err)
		}
		w.head = b.end
	}
	if w.checkpointed < w.head.seq {
		// A failed checkpoint is retried with the next batch, even an empty
		// one (a Flush), since the rows it covers are stored.
		if err := writeCheckpoint(ctx, w.keys, w.chain, w.head); err != nil {
			if errors.Is(err, errCheckpointAhead) {
				w.fatal = fmt.Errorf("audit: chain %q: %w", w.chain, err)
			}
			return true, fmt.Errorf("audit: chain %q: %w", w.chain, err)
		}
		w.checkpointed = w.head.seq
	}
	return true, nil
}

// insert writes b's rows in one transaction. When that fails it reads the
// chain's end before chaining on: a commit can fail after the database
// applied it (the connection lost on the way back), and an insert can fail
// because another writer took these seqs.
func (w *writer) insert(ctx context.Context, b *batch) error {
	err := w.insertTx(ctx, b)
	if err == nil {
		return nil
	}
	end := b.end
	w.doubt = &end
	if stored, serr := w.settle(ctx); serr == nil && stored {
		return nil
	}
	return err
}

// insertTx writes b's rows in one transaction; on SQLite it shares the
// commit of the request writes waiting at the time (sqldb.DB.Write), so
// a guard decision and the write it allowed cost one turn of the writer.
// A batch nobody waits for is written unhurried: it does not cut the
// store's lingering group of writes behind short.
func (w *writer) insertTx(ctx context.Context, b *batch) error {
	fn := func(ctx context.Context, tx *sqldb.Tx) error {
		return w.ins.insertRows(ctx, tx, b.args, len(b.rows))
	}
	if waited(b.items) {
		return w.data.Write(ctx, fn)
	}
	return w.data.WriteUnhurried(ctx, fn)
}

// settle resolves a batch whose commit outcome is unknown by reading the
// chain's last row: it reports true if that batch was stored after all.
func (w *writer) settle(ctx context.Context) (bool, error) {
	if w.fatal != nil {
		return false, w.fatal
	}
	if w.doubt == nil {
		return false, nil
	}
	tail, err := readTail(ctx, w.data, w.chain)
	if err != nil {
		return false, fmt.Errorf("audit: chain %q: %w", w.chain, err)
	}
	switch {
	case sameHead(tail, *w.doubt):
		w.head, w.doubt = *w.doubt, nil
		return true, nil
	case sameHead(tail, w.head):
		w.doubt = nil
		return false, nil
	}
	w.fatal = fmt.Errorf("audit: chain %q changed under its writer; is another node using the same chain?", w.chain)
	return false, w.fatal
}

func sameHead(a, b head) bool {
	return a.seq == b.seq && (a.seq == 0 || hmac.Equal(a.mac, b.mac))
}

// fail answers the batch's waiters with err and appends its Record
// entries to carry.
func (w *writer) fail(items []item, err error, carry []item) []item {
	for _, it := range items {
		switch {
		case it.ack != nil:
			it.ack <- ack{err: err}
		case !it.flush:
			carry = append(carry, it)
		}
	}
	return carry
}

// acknowledge answers the batch's waiters once it is stored.
func (w *writer) acknowledge(b *batch, err error) {
	k := 0
	for _, it := range b.items {
		var seq int64
		if !it.flush {
			seq = b.rows[k].seq
			k++
			w.stats.count(it.e.Decision)
		}
		if it.ack != nil {
			it.ack <- ack{seq: seq, err: err}
		}
	}
}

// stamp fills what Record left to the writer: the time of entries that
// came without one, and the actor's name. A carried entry keeps the time
// it got on its first try.
func stamp(items []item, now time.Time) {
	for i := range items {
		e := &items[i].e
		if items[i].flush {
			continue
		}
		if e.At.IsZero() {
			e.At = now
		}
		if e.Actor == "" {
			e.Actor = e.Who.String()
		}
	}
}

// Stats counts the entries the writer made durable, for metrics. The
// counts are read while the writer runs, hence atomic.
type Stats struct {
	Durable, Allowed, Denied atomic.Int64
}

func (s *Stats) count(decision string) {
	s.Durable.Add(1)
	switch decision {
	case "allow":
		s.Allowed.Add(1)
	case "deny":
		s.Denied.Add(1)
	}
}
