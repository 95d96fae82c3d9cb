package audit

import (
	"crypto/hmac"
	"fmt"
)

const (
	// maxProblems bounds the problems listed per chain: a log rewritten
	// wholesale is reported, not described row by row.
	maxProblems = 1000
	// movedWindow is how far ahead Verify looks for a row that belongs
	// where the chain broke (a reorder).
	movedWindow = 1024
)

// walker follows one chain row by row. It keeps the mac of the last row
// it accepted and, where the chain breaks, tells apart the ways it can
// break by which row chains from which: that is what the kinds mean.
type walker struct {
	m        *chainMAC
	chain    string
	src      *rowSource
	prev     []byte // mac the next row must chain from
	next     int64  // seq the next genuine row was written with
	shift    int64  // stored seq minus written seq, once rows were renumbered
	cp       head   // checkpoint; seq 0 if none
	rows     int64
	last     int64 // stored seq of the last row read
	stopped  bool
	problems []Problem
}

func newWalker(m *chainMAC, chain string, src *rowSource, from, cp head) *walker {
	return &walker{m: m, chain: chain, src: src, prev: from.mac, next: from.seq + 1, cp: cp}
}

// walk reads the chain to its end.
func (w *walker) walk() error {
	for r := w.src.peek(0); r != nil; r = w.src.peek(0) {
		if len(w.problems) >= maxProblems {
			w.stopped = true
			break
		}
		w.step(r)
	}
	return w.src.err
}

func (w *walker) step(r *row) {
	if want := w.next + w.shift; r.seq > want {
		w.gap(r, want)
		return
	}
	if w.m.linksAt(w.prev, r, w.next) {
		w.accept(r)
		return
	}
	w.classify(r)
}

// gap handles a row stored past the seq expected.
func (w *walker) gap(r *row, want int64) {
	if w.m.linksAt(w.prev, r, w.next) {
		w.report(r.seq, Reordered, fmt.Sprintf("stored at seq %d but written as seq %d: rows were renumbered", r.seq, w.next))
		w.shift = r.seq - w.next
		w.accept(r)
		return
	}
	if want == r.seq-1 {
		w.report(want, Deleted, fmt.Sprintf("seq %d is missing", want))
	} else {
		w.report(want, Deleted, fmt.Sprintf("seqs %d to %d are missing", want, r.seq-1))
	}
	// Its predecessor is gone, so r cannot be checked; chain on from its mac.
	w.next = r.seq - w.shift
	w.anchor(r, r.mac)
}

// classify names why r, stored where expected, does not chain.
func (w *walker) classify(r *row) {
	n := w.src.peek(1)
	mac := w.macOf(r) // what r's mac would be had only the mac been changed
	switch {
	case n != nil && w.m.linksAt(r.mac, n, w.next+1):
		w.report(r.seq, Edited, "content does not match its mac; the next row chains from that mac")
		w.anchor(r, r.mac)
	case n != nil && w.m.linksAt(mac, n, w.next+1):
		w.report(r.seq, Edited, "its mac was replaced; the next row chains from its content")
		w.anchor(r, mac)
	case n == nil && w.next == w.cp.seq && hmac.Equal(r.mac, w.cp.mac):
		w.report(r.seq, Edited, "content does not match its mac; the checkpoint holds that mac")
		w.anchor(r, r.mac)
	case n == nil && w.next == w.cp.seq && hmac.Equal(mac, w.cp.mac):
		w.report(r.seq, Edited, "its mac was replaced; the checkpoint holds the mac of its content")
		w.anchor(r, mac)
	case n != nil && w.m.linksAt(w.prev, n, w.next) && !w.m.linksAt(n.mac, r, w.next+1):
		w.report(r.seq, Inserted, "does not chain; the next row chains from the row before it")
		w.drop(r)
		w.shift++
	case n == nil && w.next > w.cp.seq:
		w.report(r.seq, Inserted, "past the checkpoint and does not chain")
		w.drop(r)
	default:
		w.misplaced(r, n)
	}
}

// misplaced handles a row that breaks the chain in the middle: either the
// row that belongs here was moved further on, or a row before r was
// deleted and the rest renumbered, or r was rewritten with its mac.
func (w *walker) misplaced(r, n *row) {
	if j := w.findMoved(); j > 0 {
		w.report(r.seq, Reordered, fmt.Sprintf("the row stored at seq %d chains here", w.src.peek(j).seq))
		w.src.swap(0, j) // put it back; the next step accepts it
		return
	}
	if n != nil && w.m.linksAt(r.mac, n, w.next+2) {
		w.report(r.seq, Deleted, "a row before this one is missing and later rows were renumbered")
		w.shift--
		w.next++
		w.anchor(r, r.mac)
		return
	}
	w.report(r.seq, Edited, "does not chain from the row before it")
	w.anchor(r, r.mac)
}

// findMoved returns how far ahead the row that chains at w.next is, or 0.
func (w *walker) findMoved() int {
	for j := 1; j <= movedWindow; j++ {
		q := w.src.peek(j)
		if q == nil {
			return 0
		}
		if w.m.linksAt(w.prev, q, w.next) {
			return j
		}
	}
	return 0
}

// accept takes a row that chains, checking it against the checkpoint.
func (w *walker) accept(r *row) {
	if w.next == w.cp.seq && !hmac.Equal(r.mac, w.cp.mac) {
		w.report(r.seq, Edited, "chains, but does not match the checkpoint")
	}
	w.anchor(r, r.mac)
}

// anchor takes r as the row written at w.next and chains on from mac.
func (w *walker) anchor(r *row, mac []byte) {
	w.prev = mac
	w.next++
	w.drop(r)
}

// macOf returns the mac r would have, written at w.next after w.prev.
func (w *walker) macOf(r *row) []byte {
	cp := *r
	cp.seq = w.next
	return w.m.sum(make([]byte, 0, macLen), w.prev, &cp)
}

// drop consumes r without chaining from it.
func (w *walker) drop(r *row) {
	w.rows++
	w.last = r.seq
	w.src.pop()
}

// checkEnd compares the end of the chain with the checkpoint.
func (w *walker) checkEnd() {
	end := w.next - 1
	switch {
	case w.stopped || w.cp.seq <= end:
	case w.rows == 0:
		w.report(end+1, Truncated, fmt.Sprintf("the chain has no rows after seq %d; its checkpoint is at seq %d", end, w.cp.seq))
	default:
		w.report(end+1, Truncated, fmt.Sprintf("seqs %d to %d are missing; the checkpoint is at seq %d", end+1, w.cp.seq, w.cp.seq))
	}
}

func (w *walker) report(seq int64, k Kind, detail string) {
	w.problems = append(w.problems, Problem{Chain: w.chain, Seq: seq, Kind: k, Detail: detail})
}
