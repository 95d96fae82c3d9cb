package audit

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"minimall/sqldb"
)

// batch is one transaction's worth of entries: numbered, chained and laid
// out as INSERT arguments.
type batch struct {
	items []item  // in queue order: entries and flush markers
	rows  []row   // the entries, in queue order
	order []int32 // indexes into rows, in insert order
	args  []any   // rowParams a row, in insert order
	end   head    // the head after the last row
	err   error   // why the writer could not take it
}

// prepare numbers and chains b's entries from base and lays out their
// INSERT arguments. It does not move the writer's head: only a stored
// batch does that.
func (b *batch) prepare(m *chainMAC, chain string, base head) {
	b.chainRows(m, chain, base)
	b.layout()
}

func (b *batch) chainRows(m *chainMAC, chain string, base head) {
	clear(b.rows)
	b.rows = b.rows[:0]
	// A fresh slab each batch: the last mac becomes the writer's head and
	// must not be overwritten when the buffers are reused.
	macs := make([]byte, 0, macLen*len(b.items))
	end := base
	for i := range b.items {
		if b.items[i].flush {
			continue
		}
		e := &b.items[i].e
		end.seq++
		r := row{chain: chain, seq: end.seq, at: sqldb.Micros(e.At), actor: clean(e.Actor), subject: clean(e.Subject),
			field: clean(e.Field), purpose: clean(e.Purpose), decision: clean(e.Decision), reason: clean(e.Reason), ref: clean(e.Ref)}
		n := len(macs)
		macs = m.sum(macs, end.mac, &r)
		r.mac = macs[n:len(macs):len(macs)]
		end.mac = r.mac
		b.rows = append(b.rows, r)
	}
	b.end = end
}

// layout puts the rows in (subject, at) order: the subject index is the one
// insert that lands on random pages, and taking them in order touches each
// page once a batch instead of thrashing the page cache (on SQLite,
// spilling dirty pages to the WAL mid-transaction, over and over).
func (b *batch) layout() {
	b.order = b.order[:0]
	for i := range b.rows {
		b.order = append(b.order, int32(i))
	}
	slices.SortFunc(b.order, func(i, j int32) int {
		x, y := &b.rows[i], &b.rows[j]
		if c := strings.Compare(x.subject, y.subject); c != 0 {
			return c
		}
		return cmp.Compare(x.at, y.at)
	})
	clear(b.args)
	b.args = b.args[:0]
	for _, i := range b.order {
		r := &b.rows[i]
		b.args = append(b.args, r.chain, r.seq, r.at, r.actor, r.subject, r.field,
			r.purpose, r.decision, r.reason, r.ref, r.mac)
	}
}

// release drops the batch's references once it is written, keeping the
// buffers for the next one.
func (b *batch) release() {
	clear(b.items)
	clear(b.rows)
	clear(b.args)
	b.items, b.rows, b.args = b.items[:0], b.rows[:0], b.args[:0]
	b.end, b.err = head{}, nil
}

// collect returns the next batch of queued items, up to MaxBatch. When
// entries are waiting it takes them at once: they queued while the last
// batch was written, which is what makes the commit a group commit. When
// the queue was empty it lingers up to MaxDelay for more Record entries,
// but never while someone waits on Append or Flush. It reports false once
// the queue is closed.
func (l *Log) collect(items []item, t *time.Timer) ([]item, bool) {
	items, open := l.drain(items, l.opt.MaxBatch)
	if !open || len(items) > 0 {
		if open && len(items) < l.opt.MaxBatch && !waited(items) {
			return l.pace(items, t)
		}
		return items, open
	}
	it, ok := <-l.queue
	if !ok {
		return items, false
	}
	items, open = l.drain(append(items, it), l.opt.MaxBatch)
	if open && len(items) < l.opt.MaxBatch && !waited(items) {
		return l.linger(items, t)
	}
	return items, open
}

// drain takes what is queued now, up to limit items, without waiting.
func (l *Log) drain(items []item, limit int) ([]item, bool) {
	for len(items) < limit {
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

// linger waits up to MaxDelay for the batch to fill: when entries trickle
// in, one transaction for several costs less than one each. It does not
// receive entry by entry, which would wake the writer for every Record and
// make each caller pay for the hand-off; Records wait in the queue, and only
// an Append or Flush (through l.urgent) cuts the wait short.
func (l *Log) linger(items []item, t *time.Timer) ([]item, bool) {
	t.Reset(l.opt.MaxDelay)
	defer t.Stop()
	select {
	case <-l.urgent:
	case <-t.C:
	}
	return l.drain(items, l.opt.MaxBatch)
}

// pace holds a batch of Record entries, which nobody waits for, until
// MaxDelay has passed since the last batch began: under a steady stream
// the log then writes at most one batch per MaxDelay, and each of its
// writes, a turn of the data store's single writer, no longer cuts the
// store's group commit short (sqldb.DB.Write does not linger once someone
// waits). Every entry is still durable within MaxDelay and one batch.
func (l *Log) pace(items []item, t *time.Timer) ([]item, bool) {
	wait := l.opt.MaxDelay - time.Since(l.w.began)
	if wait <= 0 {
		return items, true
	}
	t.Reset(wait)
	defer t.Stop()
	select {
	case <-l.urgent:
	case <-t.C:
	}
	return l.drain(items, l.opt.MaxBatch)
}

func waited(items []item) bool {
	for i := range items {
		if items[i].ack != nil {
			return true
		}
	}
	return false
}
