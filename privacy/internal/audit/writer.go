package audit

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"time"

	"minimall/sqldb"
)

const (
	// writeTimeout bounds one batch: a database that hangs makes the batch
	// fail (and retry) rather than stall every waiter for ever.
	writeTimeout = 30 * time.Second
	// Failed batches of Record entries are retried after a growing pause.
	minBackoff = 10 * time.Millisecond
	maxBackoff = time.Second
	// closeRetries is how often Close retries a failing batch before it
	// gives up and reports the entries lost.
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
	rows         []row // reused between batches
	lost         error // why the writer stopped with entries unwritten
}

// run is the writer goroutine: it collects batches until the queue is
// closed and drained, and retries the Record entries of a failed batch.
func (l *Log) run() {
	defer close(l.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var buf, carry []item
	backoff, closing := time.Duration(0), 0
	for {
		items, open := l.collect(buf[:0], carry, timer)
		if len(items) == 0 {
			return // closed and drained
		}
		var err error
		carry, err = l.w.commit(items, len(carry))
		clear(items) // let the batch's strings go
		buf = items
		if len(carry) == 0 {
			backoff = 0
			continue
		}
		if !open {
			if closing++; closing > closeRetries {
				l.w.lost = fmt.Errorf("audit: %d recorded entries could not be written: %w", len(carry), err)
				return
			}
		}
		backoff = min(max(2*backoff, minBackoff), maxBackoff)
		time.Sleep(backoff)
	}
}

// collect returns the next batch: the carried entries of a failed batch,
// then whatever is queued, up to MaxBatch. A writer that was idle lingers
// up to MaxDelay for more Record entries, but never when someone waits.
// It reports false once the queue is closed and empty.
func (l *Log) collect(buf, carry []item, t *time.Timer) ([]item, bool) {
	items := append(buf, carry...)
	idle := len(items) == 0
	if idle {
		it, ok := <-l.queue
		if !ok {
			return items, false
		}
		items = append(items, it)
	}
	items, open := l.drain(items)
	if open && idle && len(items) < l.opt.MaxBatch && !waited(items) {
		items, open = l.linger(items, t)
	}
	return items, open
}

// drain takes what is queued now, without waiting.
func (l *Log) drain(items []item) ([]item, bool) {
	for len(items) < l.opt.MaxBatch {
		select {
		case it, ok := <-l.queue:
			if !ok {
				return items, false
			}
			items = append(items, it)
		default:
			return items, true
		}
	}
	return items, true
}

// linger waits up to MaxDelay for the batch to fill. Fewer, larger
// transactions cost less than one per entry when entries trickle in.
func (l *Log) linger(items []item, t *time.Timer) ([]item, bool) {
	t.Reset(l.opt.MaxDelay)
	defer t.Stop()
	for len(items) < l.opt.MaxBatch {
		select {
		case it, ok := <-l.queue:
			if !ok {
				return items, false
			}
			items = append(items, it)
			if it.ack != nil {
				return l.drain(items)
			}
		case <-t.C:
			return items, true
		}
	}
	return items, true
}

func waited(items []item) bool {
	for i := range items {
		if items[i].ack != nil {
			return true
		}
	}
	return false
}

// commit writes one batch and answers its waiters. The first carried items
// are Record entries of an earlier batch that failed. It returns the
// Record entries to retry and the error that made them fail.
func (w *writer) commit(items []item, carried int) ([]item, error) {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	stored, err := w.settle(ctx)
	if err != nil {
		return w.fail(items, err), err
	}
	if stored {
		items = items[carried:] // the carried entries were written after all
	}
	rows, end := w.chainRows(items)
	defer clear(rows)
	ok, err := w.write(ctx, rows, end)
	if !ok {
		return w.fail(items, err), err
	}
	w.acknowledge(items, rows, err)
	return nil, nil
}

// chainRows numbers and chains the batch's entries from the current head,
// without moving the head: only a stored batch does that.
func (w *writer) chainRows(items []item) ([]row, head) {
	rows := w.rows[:0]
	macs := make([]byte, 0, macLen*len(items)) // one slab; never grows
	end := w.head
	for i := range items {
		if items[i].flush {
			continue
		}
		e := &items[i].e
		end.seq++
		r := row{chain: w.chain, seq: end.seq, at: sqldb.Micros(e.At), actor: e.Actor, subject: e.Subject,
			field: e.Field, purpose: e.Purpose, decision: e.Decision, reason: e.Reason, ref: e.Ref}
		n := len(macs)
		macs = w.mac.sum(macs, end.mac, &r)
		r.mac = macs[n:len(macs):len(macs)]
		end.mac = r.mac
		rows = append(rows, r)
	}
	w.rows = rows
	return rows, end
}

// write stores the rows and then the checkpoint. It reports whether the
// rows are stored; err may still say the checkpoint failed.
func (w *writer) write(ctx context.Context, rows []row, end head) (bool, error) {
	if len(rows) > 0 {
		if err := w.insert(ctx, rows, end); err != nil {
			return false, fmt.Errorf("audit: write chain %q: %w", w.chain, err)
		}
		w.head = end
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

// insert writes the rows in one transaction.
func (w *writer) insert(ctx context.Context, rows []row, end head) error {
	tx, err := w.data.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := w.ins.insertRows(ctx, tx, rows); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		// A commit can fail after the database applied it (the connection
		// lost on the way back). Find out before chaining on, or the next
		// batch would reuse these seqs, or the retry write them twice.
		w.doubt = &end
		if stored, serr := w.settle(ctx); serr == nil && stored {
			return nil
		}
		return fmt.Errorf("commit: %w", err)
	}
	return nil
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

// fail answers the batch's waiters with err and returns its Record entries
// to retry: the audit log never drops an entry it accepted.
func (w *writer) fail(items []item, err error) []item {
	var carry []item
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
func (w *writer) acknowledge(items []item, rows []row, err error) {
	k := 0
	for _, it := range items {
		var seq int64
		if !it.flush {
			seq = rows[k].seq
			k++
		}
		if it.ack != nil {
			it.ack <- ack{seq: seq, err: err}
		}
	}
}
