package sqldb

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"minimall"
)

// A storage fault is the store refusing to write: the disk is full, the
// data folder or the database went read-only, the disk fails. It is not
// the write's fault and not the platform's either; it passes when space
// returns. Such errors are answered as minimall.StorageUnavailable (503
// with Retry-After), counted, and logged once when the store starts and
// once when it stops refusing, so an operator can alert on either.

// storageRetryAfter is when a client refused for a storage fault may try
// again: long enough for an operator's alert, short enough for a person.
const storageRetryAfter = 30 * time.Second

// storageMessage is what a person is told; nothing of the cause.
const storageMessage = "Storage is unavailable; nothing was saved, please try again later. 存储暂不可用，未保存任何内容，请稍后再试。"

// storageHealth follows the store's writes: how many a storage fault
// refused, how many writes behind were lost, and whether the last write
// was refused (failing), so the log says so once per episode.
type storageHealth struct {
	refused, behindLost atomic.Int64
	failing             atomic.Bool
}

// StorageHealth is what an operator alerts on: Failing while the store
// refuses writes (its last write was refused and none went through
// since), Refused the writes a storage fault refused since start, and
// BehindLost the writes behind (DB.WriteBehind) that failed and were
// dropped, as their contract allows.
type StorageHealth struct {
	Refused, BehindLost int64
	Failing             bool
}

// StorageHealth returns the store's StorageHealth.
func (db *DB) StorageHealth() StorageHealth {
	return StorageHealth{Refused: db.health.refused.Load(), BehindLost: db.health.behindLost.Load(), Failing: db.health.failing.Load()}
}

// storageError classifies err: a storage fault comes back as a
// minimall.StorageUnavailable error wrapping it, and is counted; any
// other error comes back as it is. A nil err marks a write that went
// through.
func (db *DB) storageError(err error) error {
	if err == nil {
		if db.health.failing.CompareAndSwap(true, false) {
			slog.Info("sqldb: the store accepts writes again", "engine", db.dialect.String())
		}
		return nil
	}
	if !isStorageFault(err) {
		return err
	}
	db.health.refused.Add(1)
	if db.health.failing.CompareAndSwap(false, true) {
		// The cause names no value: it is the engine's own message.
		slog.Error("sqldb: the store refuses writes (disk full, read-only or failing)", "engine", db.dialect.String(), "err", err)
	}
	return wrapStorage(err)
}

// wrapStorage returns a storage fault as a StorageUnavailable error, and
// any other error as it is.
func wrapStorage(err error) error {
	if !isStorageFault(err) || minimall.IsCode(err, minimall.StorageUnavailable) {
		return err
	}
	return &minimall.Error{Code: minimall.StorageUnavailable, Op: "sqldb.Write", Message: storageMessage, Err: err, RetryAfter: storageRetryAfter}
}

// isStorageFault reports whether err is the engine refusing to store:
// SQLite's READONLY, IOERR, FULL and CANTOPEN; PostgreSQL's
// insufficient resources (53: disk full, out of memory), system errors
// (58: I/O) and a read-only transaction (25006).
func isStorageFault(err error) bool {
	if errors.Is(err, errInjectedFull) {
		return true
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		switch lite.Code() & 0xff {
		case 8, 10, 13, 14: // SQLITE_READONLY, IOERR, FULL, CANTOPEN
			return true
		}
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		s := pg.SQLState()
		return strings.HasPrefix(s, "53") || strings.HasPrefix(s, "58") || s == "25006"
	}
	return false
}

// Fault is a storage fault a test or a drill switches on (InjectFault).
type Fault int32

const (
	// NoFault: the store works.
	NoFault Fault = iota
	// ReadOnly makes the engine itself refuse every write, as a data
	// folder remounted read-only would: SQLite's writer runs with
	// query_only (SQLITE_READONLY), PostgreSQL's write transactions are
	// READ ONLY (SQLSTATE 25006).
	ReadOnly
	// DiskFull makes every write transaction fail at its commit, after
	// its statements ran, as a full disk fails the append of the WAL (or
	// PostgreSQL's WAL): the transaction is rolled back and the error
	// reads like the engine's.
	DiskFull
)

// errInjectedFull is the commit error of the DiskFull fault.
var errInjectedFull = errors.New("database or disk is full (injected fault)")

// InjectFault switches a storage fault on (or off, with NoFault) for the
// writes that begin from now on. It is for tests and drills: it proves
// that a refused write answers clearly, loses nothing acknowledged and
// that writes succeed again once the fault clears, without a restart.
func (db *DB) InjectFault(f Fault) { db.fault.Store(int32(f)) }

// applyFault readies the write connection for the fault in force before a
// write transaction begins (SQLite: query_only follows ReadOnly).
func (db *DB) applyFault(ctx context.Context) error {
	if db.dialect != SQLite {
		return nil
	}
	readOnly := Fault(db.fault.Load()) == ReadOnly
	if !readOnly && !db.queryOnly.Load() {
		return nil
	}
	mode := "0"
	if readOnly {
		mode = "1"
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA query_only = `+mode); err != nil {
		return err
	}
	db.queryOnly.Store(readOnly)
	return nil
}

// faultTx readies a PostgreSQL write transaction for the ReadOnly fault.
func (db *DB) faultTx(ctx context.Context, tx *Tx) error {
	if db.dialect != Postgres || Fault(db.fault.Load()) != ReadOnly {
		return nil
	}
	_, err := tx.Tx.ExecContext(ctx, `SET TRANSACTION READ ONLY`)
	return err
}

// commitFault is the DiskFull fault's refusal of a write transaction's
// commit, nil when no such fault is in force.
func (tx *Tx) commitFault() error {
	if !tx.write || Fault(tx.db.fault.Load()) != DiskFull {
		return nil
	}
	tx.Tx.Rollback()
	return errInjectedFull
}
