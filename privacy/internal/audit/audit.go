// Package audit holds the audit log every privacy decision goes to: an
// append-only table of entries, hash-chained per writer with a key kept in
// the keys folder and checkpointed in the key store, so that editing,
// deleting, inserting, reordering or truncating rows in the data database
// is found by Verify, which also holds the index by person to the chain.
// Open checks the rows since the last background verification (Recheck),
// a bounded number; Recheck, run beside the requests, checks the rest.
// Writes are group-committed by one writer goroutine per Log, so recording
// a decision costs a queue send, not a transaction. Entries past their
// retention are archived or dropped by a sweep (prune.go), each chain then
// verified from the base it records in the key store; chain heads are
// signed for a witness outside the platform (anchor.go).
//
// The rule it keeps: an entry acknowledged as durable (Append, Flush) is
// in the data database and covered by the checkpoint, and nothing in the
// data database alone can rewrite it without Verify noticing.
package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"minimall"
	"minimall/sqldb"
)

// Entry is one audited event. Its strings hold identifiers and codes,
// never personal information in clear.
type Entry struct {
	// At is when the decision was made. Zero means when the writer takes
	// the entry into a batch, at most the durability bound of Record after
	// it was recorded: the guard's hot path leaves the clock to the writer.
	At    time.Time
	Actor string // who acted, e.g. "operator:op_1/cs"; empty means Who
	// Who is the actor, named by the writer when Actor is empty, so the
	// caller does not pay for building the name.
	Who      minimall.Actor
	Subject  string // whose information, a pseudonymous subject id
	Field    string // which field, e.g. "recipient.phone"
	Purpose  string // for what purpose
	Decision string // allow, deny, seal, erase, ...
	Reason   string // why: a denial reason or an operator's stated reason
	Ref      string // ticket, request or row the decision is about
}

// Record is an entry as stored: the entry and its place in its chain.
type Record struct {
	Entry
	Chain string
	Seq   int64
}

// Options tune a Log. Zero values take the defaults.
type Options struct {
	// Chain names this writer's chain; each node writing the same data
	// database needs a chain of its own. Default "main".
	Chain string
	// MaxBatch is the most entries written in one transaction. Default 4096.
	MaxBatch int
	// MaxDelay is how long the writer, when idle, waits for more entries to
	// join a batch of Record calls before writing it, and, under a steady
	// stream of them, the least time between two batches. Default 10ms.
	MaxDelay time.Duration
	// QueueSize is how many entries may wait for the writer before Record
	// blocks. Default 65536.
	QueueSize int
	// StartCheck is how many rows before the checkpoint Open checks at
	// most: those after the last row the background verification (Recheck)
	// found intact. Default 50,000.
	StartCheck int
}

func (o Options) withDefaults() Options {
	if o.Chain == "" {
		o.Chain = "main"
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 4096
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 10 * time.Millisecond
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 65536
	}
	if o.StartCheck <= 0 {
		o.StartCheck = 50_000
	}
	return o
}

// Filter selects records for Find.
type Filter struct {
	Subject string    // only this subject; empty means every subject
	Since   time.Time // at or after; zero means from the start
	Until   time.Time // before; zero means up to now
	Limit   int       // at most this many; 0 means all
	// ByOthers keeps only what someone other than the subject did with
	// their information: not the subject's own acts, not the platform's
	// components at work, but every disclosure to a partner.
	ByOthers bool
	Newest   bool // newest first (Limit then keeps the newest)
}

// ErrTruncated is returned by Open when the data database holds fewer rows
// of the chain than its checkpoint says were written.
var ErrTruncated = errors.New("audit log truncated")

// ErrTampered is returned by Open when the end of the chain in the data
// database does not match its checkpoint or does not verify.
var ErrTampered = errors.New("audit log tampered")

// Log is an open audit log writing one chain. Its methods are safe for
// concurrent use.
type Log struct {
	data *sqldb.DB
	opt  Options

	mu     sync.RWMutex // read-held while enqueueing, so Close never strands an entry
	closed bool
	queue  chan item
	urgent chan struct{} // an Append or Flush is waiting: stop lingering
	// The indexer by person (subjects.go): closing indexQuit stops it,
	// indexed is closed when it has.
	indexQuit, indexed chan struct{}
	done               chan struct{} // closed when the writer has stopped
	acks               sync.Pool     // of chan ack

	w      writer     // owned by the writer goroutine, then by late writes under lateMu
	lateMu sync.Mutex // serialises writes made after Close
}

// item is one queued request: an entry to write, or a flush marker.
type item struct {
	e     Entry
	flush bool
	ack   chan ack // nil for Record: nobody waits
}

type ack struct {
	seq int64
	err error
}

// Open opens the audit log for writing chain opt.Chain. It creates the
// key file keysDir/audit.key if it is missing, and resumes the chain from
// its last row. It refuses (ErrTruncated) a data database that holds fewer
// rows than the checkpoint in the key store, and (ErrTampered) one whose
// last row does not match it, or whose rows since the last background
// verification (at most opt.StartCheck of them) do not verify; run
// `minimall audit verify` to see what changed. Rows written after the
// checkpoint (a crash between the two commits) are verified and the
// checkpoint is advanced over them.
func Open(ctx context.Context, data, keys *sqldb.DB, keysDir string, opt Options) (*Log, error) {
	opt = opt.withDefaults()
	key, err := loadOrCreateKey(keysDir)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	m := newChainMAC(key)
	h, err := resume(ctx, data, keys, m, opt.Chain, opt.StartCheck)
	if err != nil {
		return nil, err
	}
	l := &Log{data: data, opt: opt, queue: make(chan item, opt.QueueSize), urgent: make(chan struct{}, 1), done: make(chan struct{})}
	l.acks.New = func() any { return make(chan ack, 1) }
	l.w = writer{data: data, keys: keys, chain: opt.Chain, mac: m, head: h,
		checkpointed: h.seq, ins: insertSQL{db: data}, stats: &Stats{}}
	if err := trimIndex(ctx, data, opt.Chain, h.seq); err != nil {
		return nil, err
	}
	l.indexQuit, l.indexed = make(chan struct{}), make(chan struct{})
	go l.indexLoop()
	go l.run()
	return l, nil
}

// Record queues e and returns at once; it blocks only while the queue is
// full, and never drops an entry. Unless the process dies, the entry is
// durable at most MaxDelay, or the rest of the batch write in progress if
// that is longer, plus one batch write after Record returns (on SQLite the
// batch joins the store's group of writes behind and may wait out its
// linger, sqldb's behindLinger, 20 ms), as long as
// fewer than MaxBatch entries are queued ahead of it (each MaxBatch more
// adds a batch write): a guard decision may return before its audit row is
// durable only within this bound. If the database fails, the entry is
// retried until it is written or the log is closed. After Close, Record
// writes e synchronously (and an error then goes unreported).
func (l *Log) Record(e Entry) {
	l.enqueue(context.Background(), item{e: l.prepare(e)})
}

// Stats returns the counts of durable entries; safe to read at any time.
func (l *Log) Stats() *Stats { return l.w.stats }

// Append writes e and returns its seq once the entry and the checkpoint
// covering it are durable. It returns the write error if the batch
// failed, or ctx's error if ctx ends first (the entry may be written
// even so). After Close, Append writes e synchronously.
func (l *Log) Append(ctx context.Context, e Entry) (int64, error) {
	a, err := l.wait(ctx, item{e: l.prepare(e)})
	return a.seq, err
}

// Flush returns once every entry recorded before it is durable, or with
// the write error of the batch it was in.
func (l *Log) Flush(ctx context.Context) error {
	_, err := l.wait(ctx, item{flush: true})
	return err
}

// Close writes what is queued and stops the writer. It returns an error
// if recorded entries could not be written.
func (l *Log) Close() error {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.indexQuit)
		close(l.queue)
	}
	l.mu.Unlock()
	<-l.indexed
	<-l.done
	return l.w.lost
}

// Find returns the durable records matching f, from every chain, oldest
// first. Entries still queued are not included; Flush first to see them.
func (l *Log) Find(ctx context.Context, f Filter) ([]Record, error) {
	if f.Subject != "" {
		if err := indexAll(ctx, l.data); err != nil {
			return nil, err
		}
	}
	rows, err := findRows(ctx, l.data, f)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	out := make([]Record, len(rows))
	for i := range rows {
		out[i] = rows[i].record()
	}
	return out, nil
}

// prepare fills in the time and makes the strings storable.
func (l *Log) prepare(e Entry) Entry {
	// The time, the actor's name and clean text are filled in by the
	// writer (writer.take, batch.chainRows), off the caller's path.
	return e
}

// wait queues it with an ack channel and waits for the writer's answer.
func (l *Log) wait(ctx context.Context, it item) (ack, error) {
	it.ack = l.acks.Get().(chan ack)
	if err := l.enqueue(ctx, it); err != nil {
		return ack{}, err
	}
	select {
	case l.urgent <- struct{}{}:
	default: // a signal is already pending
	}
	select {
	case a := <-it.ack:
		l.acks.Put(it.ack)
		return a, a.err
	case <-ctx.Done():
		// The writer will still answer on it.ack, so it is not reused.
		return ack{}, ctx.Err()
	}
}

// enqueue hands it to the writer, or writes it at once after Close.
func (l *Log) enqueue(ctx context.Context, it item) error {
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		l.writeLate(it)
		return nil
	}
	defer l.mu.RUnlock()
	if ctx.Done() == nil {
		// Record's path: a plain send is cheaper than a select.
		l.queue <- it
		return nil
	}
	select {
	case l.queue <- it:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writeLate writes one item synchronously after Close, so a decision made
// while the process shuts down is still audited.
func (l *Log) writeLate(it item) {
	<-l.done
	l.lateMu.Lock()
	defer l.lateMu.Unlock()
	l.w.writeBatch(&batch{items: []item{it}})
}
