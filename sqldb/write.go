package sqldb

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// groupMax bounds how many writes share one commit: the more, the fewer
// commits a busy writer makes (each appends the group's pages to the WAL).
const groupMax = 512

// Write runs fn in a read-write transaction and commits it; fn's error
// rolls back fn's writes and is returned. It is the way areas write.
//
// The caller's cancellation counts until the write starts: a caller gone
// before its turn is skipped and told ctx.Err(). Once started, fn runs
// under context.WithoutCancel(ctx) — ctx's values reach it, its
// cancellation does not — and the answer says exactly whether fn
// committed: on SQLite one caller leaving never rolls back the writes it
// shares a commit with, and on both engines a write that began finishes.
//
// On SQLite, Writes that arrive while the single writer is busy share one
// transaction (group commit): each fn runs under a savepoint of its own, so
// a failing fn is undone alone, and one commit — one turn of the writer,
// one append to the WAL — serves them all. The shared transaction takes
// its Now when it begins, so rows written by one group share a time. fn
// must only touch the database through tx and run SQL only: no sealing,
// no partner call, and never a wait for another write (that would wait
// for itself). fn runs once.
//
// On PostgreSQL each fn gets a transaction of its own: the server
// group-commits, and separate transactions run in parallel.
func (db *DB) Write(ctx context.Context, fn func(context.Context, *Tx) error) error {
	if db.group == nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		return db.storageError(db.writeAlone(context.WithoutCancel(ctx), fn))
	}
	return db.group.do(ctx, fn, false)
}

// WriteUnhurried is Write for a caller that waits but is in no hurry: its
// write joins a group of writes behind without ending their linger
// (behindLinger), so it may wait that much longer. The audit log's paced
// batches use it: they are bounded by audit.Options.MaxDelay already, and
// a batch that cut every group short would make the writes behind commit
// in smaller groups, at more pages each.
func (db *DB) WriteUnhurried(ctx context.Context, fn func(context.Context, *Tx) error) error {
	if db.group == nil {
		return db.Write(ctx, fn)
	}
	return db.group.do(ctx, fn, true)
}

// WriteBehind runs fn like Write but nobody waits for its commit on
// SQLite: fn joins the next group, and a failure is only logged. It is for
// writes whose loss costs nothing a person was promised (a footprint, a
// search kept in the history) or that a later write repairs (a partner's
// reference that its signed notice carries again). ctx's values reach fn,
// its cancellation never does: the request that queued it may end first.
// Writes keep their order: a Write queued after a WriteBehind commits
// after it, or in the same group. Writes behind queued together share one
// savepoint; if one of them fails, the others run again, each alone, so
// fn must be safe to run twice in a row after its first run was undone
// (writing rows is; changing something outside the transaction is not).
// On PostgreSQL it is a Write that waits.
func (db *DB) WriteBehind(ctx context.Context, fn func(context.Context, *Tx) error) error {
	if db.group == nil {
		return db.storageError(db.writeAlone(context.WithoutCancel(ctx), fn))
	}
	return db.group.goBehind(ctx, fn)
}

// Flush returns once every write behind queued before it has committed
// or failed, so a read that follows sees them: a person's own list
// (their searches, their footprints) shows what they just did. It writes
// nothing. On PostgreSQL writes behind are waited for: it returns at once.
func (db *DB) Flush(ctx context.Context) error {
	if db.group == nil {
		return nil
	}
	err := db.group.do(ctx, nil, false)
	if errors.Is(err, ErrClosed) {
		return nil // close wrote what was queued
	}
	return err
}

func (db *DB) writeAlone(ctx context.Context, fn func(context.Context, *Tx) error) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := runOne(ctx, tx, fn); err != nil {
		return err
	}
	return tx.Commit()
}

// behindLinger is how long a group of writes behind (and unhurried
// writes) waits for company. Nobody waits for them, and a larger group
// commits fewer pages per write: one person's views in a row share their
// index pages and their change-feed event (outbox.Gather). A Write or
// Flush arriving meanwhile ends the wait. 20 ms halves the item page's
// change-feed events against 10 ms (one per 3.5 footprints, not 1.8).
const behindLinger = 20 * time.Millisecond

// newGroup returns the group behind Write and WriteBehind on SQLite. A
// Write is waited for, so a group holding one never lingers.
func newGroup(db *DB) *group {
	return startGroup(&group{db: db, max: groupMax, linger: behindLinger, gather: 200 * time.Microsecond,
		onError: func(err error) {
			db.health.behindLost.Add(1)
			slog.Error("sqldb: a write behind failed and was dropped", "err", err)
		}})
}
