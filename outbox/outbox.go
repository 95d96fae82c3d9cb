// Package outbox is the change feed: every committed change writes an event
// in the same transaction, and derived stores (search index, recommendation
// state, caches on other nodes, partner notifications) follow the feed.
// Payloads carry identifiers and codes, never personal information.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"minimall"
	"minimall/sqldb"
)

// Event is one committed change.
type Event struct {
	ID      int64
	At      time.Time
	Topic   string
	Subject minimall.SubjectID
	Payload json.RawMessage
}

// Topics written by the kernel; areas add their own as "area.event".
const (
	TopicConsentChanged = "consent.changed"
	TopicSubjectErased  = "subject.erased"
	TopicKeysChanged    = "keys.changed"
	// TopicRetentionExpired says retention keys up to a completion period
	// (payload "up_to": YYYY-MM) were destroyed: every node drops its copies.
	TopicRetentionExpired = "retention.expired"
)

// Emit writes an event in tx, so it exists if and only if the change commits.
// payload is encoded as JSON; it must hold no personal information.
func Emit(ctx context.Context, tx *sqldb.Tx, topic string, subject minimall.SubjectID, payload any) error {
	body := []byte("{}")
	if payload != nil {
		var err error
		if body, err = json.Marshal(payload); err != nil {
			return fmt.Errorf("outbox: encode %s: %w", topic, err)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (at, topic, subject, payload) VALUES (?, ?, ?, ?)`,
		sqldb.Micros(tx.Now()), topic, string(subject), string(body))
	if err != nil {
		return fmt.Errorf("outbox: emit %s: %w", topic, err)
	}
	return nil
}

// Entries is the payload of a gathered event: the rows of one kind that
// one person's acts added in one transaction. An area's own payload type
// may read it if it has the same two fields (engage.Changed does).
type Entries struct {
	Kind    string   `json:"kind"`
	Entries []string `json:"entries"`
}

// Gather is Emit for acts that come in crowds, such as a footprint per
// item page: the entries one transaction gathers for the same topic,
// person and kind go out as one Entries event just before it commits. A
// group commit of many views then writes one event per person, not one
// per view.
func Gather(tx *sqldb.Tx, topic string, subject minimall.SubjectID, kind, entry string) {
	tx.Gather(gatherKey{topic, subject, kind}, entry, emitGathered)
}

type gatherKey struct {
	topic   string
	subject minimall.SubjectID
	kind    string
}

func emitGathered(ctx context.Context, tx *sqldb.Tx, key any, values []any) error {
	k := key.(gatherKey)
	ev := Entries{Kind: k.kind, Entries: make([]string, len(values))}
	for i, v := range values {
		ev.Entries[i] = v.(string)
	}
	return Emit(ctx, tx, k.topic, k.subject, ev)
}

// Feed reads the change feed.
type Feed struct {
	db *sqldb.DB
	// Grace is how long a gap in event ids is waited for before a follower
	// moves past it. On PostgreSQL ids are taken at insert but become
	// visible at commit, so a lower id can appear after a higher one; a
	// rolled-back transaction leaves a gap that never fills. A transaction
	// that stays open longer than Grace after writing its event may be
	// missed by followers: keep transactions short.
	Grace time.Duration
}

// NewFeed returns a feed over db.
func NewFeed(db *sqldb.DB) *Feed { return &Feed{db: db, Grace: 5 * time.Second} }

// Read returns up to limit events with id > after, in id order.
func (f *Feed) Read(ctx context.Context, after int64, limit int) ([]Event, error) {
	rows, err := f.db.QueryContext(ctx, `SELECT id, at, topic, subject, payload FROM outbox WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: read: %w", err)
	}
	defer rows.Close()
	var evs []Event
	for rows.Next() {
		var e Event
		var at int64
		var subject, payload string
		if err := rows.Scan(&e.ID, &at, &e.Topic, &subject, &payload); err != nil {
			return nil, fmt.Errorf("outbox: read: %w", err)
		}
		e.At, e.Subject, e.Payload = sqldb.FromMicros(at), minimall.SubjectID(subject), json.RawMessage(payload)
		evs = append(evs, e)
	}
	return evs, rows.Err()
}

// Last returns the id of the newest event, or 0.
func (f *Feed) Last(ctx context.Context) (int64, error) {
	var id int64
	err := f.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM outbox`).Scan(&id)
	return id, err
}

// Offset returns the last event id a consumer has handled.
func (f *Feed) Offset(ctx context.Context, consumer string) (int64, error) {
	var id int64
	err := f.db.QueryRowContext(ctx, `SELECT last_id FROM outbox_offsets WHERE consumer = ?`, consumer).Scan(&id)
	if err != nil {
		if minimall.IsCode(sqldb.FormatError("", err), minimall.NotFound) {
			return 0, nil
		}
		return 0, fmt.Errorf("outbox: offset: %w", err)
	}
	return id, nil
}

// SetOffset records that consumer has handled every event up to id.
func (f *Feed) SetOffset(ctx context.Context, consumer string, id int64) error {
	return f.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox_offsets SET last_id = ?, at = ? WHERE consumer = ?`, id, sqldb.Micros(tx.Now()), consumer)
		if err != nil {
			return fmt.Errorf("outbox: set offset: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_offsets (consumer, last_id, at) VALUES (?, ?, ?)`, consumer, id, sqldb.Micros(tx.Now())); err != nil {
				return fmt.Errorf("outbox: set offset: %w", err)
			}
		}
		return nil
	})
}

// Handler handles a batch of events in id order. If it returns an error the
// batch is offered again.
type Handler func(ctx context.Context, evs []Event) error

// Follower delivers the feed to one named consumer, at least once, in id
// order, remembering its offset in the database.
type Follower struct {
	Feed     *Feed
	Name     string
	Handle   Handler
	Interval time.Duration // poll interval; the bound on how stale a follower is
	Batch    int
	// Durable: store the offset in outbox_offsets. A node-local cache starts
	// from the newest event instead and keeps its offset in memory.
	Durable bool

	offset   int64
	gapSince map[int64]time.Time
}

// Run polls until ctx ends.
func (fl *Follower) Run(ctx context.Context) error {
	if err := fl.start(ctx); err != nil {
		return err
	}
	t := time.NewTicker(fl.interval())
	defer t.Stop()
	for {
		if _, err := fl.Poll(ctx); err != nil && ctx.Err() == nil {
			// Keep going: a derived store that falls behind catches up on
			// the next poll; the error is the caller's to log via Handle.
			_ = err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// PollEvery polls every Interval until ctx ends, holding lock around each
// poll, for a follower whose owner also polls or rebuilds on demand (Sync)
// and has already called Start. A failed poll is retried on the next tick.
func (fl *Follower) PollEvery(ctx context.Context, lock sync.Locker) {
	t := time.NewTicker(fl.interval())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			lock.Lock()
			fl.Poll(ctx)
			lock.Unlock()
		}
	}
}

func (fl *Follower) interval() time.Duration {
	if fl.Interval <= 0 {
		return 500 * time.Millisecond
	}
	return fl.Interval
}

func (fl *Follower) start(ctx context.Context) error {
	var err error
	if fl.Durable {
		fl.offset, err = fl.Feed.Offset(ctx, fl.Name)
	} else {
		fl.offset, err = fl.Feed.Last(ctx)
	}
	return err
}

// Start sets the follower's starting offset; Run calls it.
func (fl *Follower) Start(ctx context.Context) error { return fl.start(ctx) }

// Poll reads and handles what is new, returning how many events it handled.
func (fl *Follower) Poll(ctx context.Context) (int, error) {
	batch := fl.Batch
	if batch <= 0 {
		batch = 1000
	}
	evs, err := fl.Feed.Read(ctx, fl.offset, batch)
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	evs = fl.untilGap(evs)
	if len(evs) == 0 {
		return 0, nil
	}
	if err := fl.Handle(ctx, evs); err != nil {
		return 0, err
	}
	fl.offset = evs[len(evs)-1].ID
	if fl.Durable {
		if err := fl.Feed.SetOffset(ctx, fl.Name, fl.offset); err != nil {
			return len(evs), err
		}
	}
	return len(evs), nil
}

// untilGap cuts evs at the first missing id that is younger than Grace, so
// an event committed late by a concurrent transaction is not skipped.
func (fl *Follower) untilGap(evs []Event) []Event {
	if fl.gapSince == nil {
		fl.gapSince = map[int64]time.Time{}
	}
	next := fl.offset + 1
	for i, e := range evs {
		if e.ID != next {
			first, ok := fl.gapSince[next]
			if !ok {
				first = time.Now()
				fl.gapSince[next] = first
			}
			if time.Since(first) < fl.Feed.Grace {
				return evs[:i]
			}
			delete(fl.gapSince, next)
		}
		next = e.ID + 1
	}
	return evs
}
