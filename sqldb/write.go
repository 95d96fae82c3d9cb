package sqldb

import (
	"context"
	"log/slog"
	"time"
)

// groupMax bounds how many writes share one commit.
const groupMax = 128

// Write runs fn in a read-write transaction and commits it; fn's error
// rolls back fn's writes and is returned.
//
// On SQLite, Writes that arrive while the single writer is busy share one
// transaction (group commit): each fn runs under a savepoint of its own, so
// a failing fn is undone alone, and one commit — one turn of the writer,
// one append to the WAL — serves them all. The shared transaction takes
// its Now when it begins, so rows written by one group share a time. fn
// must only touch the database through tx, must not wait for another
// write (that would wait for itself), and may run again only if it is
// safe to: it never does.
//
// On PostgreSQL each fn gets a transaction of its own: the server
// group-commits, and separate transactions run in parallel.
func (db *DB) Write(ctx context.Context, fn func(context.Context, *Tx) error) error {
	if db.group == nil {
		return db.writeAlone(ctx, fn)
	}
	return db.group.Do(ctx, fn)
}

// WriteBehind runs fn like Write but does not wait for its commit on
// SQLite: fn joins the next group, and a failure is only logged. It is for
// writes whose loss a later write repairs (a partner's reference that its
// signed notice carries again). Writes keep their order: a Write queued
// after a WriteBehind commits after it, or in the same group. On
// PostgreSQL it is Write.
func (db *DB) WriteBehind(ctx context.Context, fn func(context.Context, *Tx) error) error {
	if db.group == nil {
		return db.writeAlone(ctx, fn)
	}
	return db.group.Go(fn)
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

// newGroup returns the batcher behind Write and WriteBehind on SQLite. A
// Write is waited for, so a group holding one never lingers; a group of
// writes behind alone waits up to a millisecond for company.
func newGroup(db *DB) *Batcher {
	return startBatcher(&Batcher{db: db, max: groupMax, linger: time.Millisecond, isolate: true, gather: 200 * time.Microsecond,
		OnError: func(err error) { slog.Error("sqldb: a write behind failed", "err", err) }})
}
