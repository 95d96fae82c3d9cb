package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"minimall"
	"minimall/privacy/internal/audit"
	"minimall/sqldb"
)

// PlatformShutDown is the guard's reason for refusing a Seal once the
// platform has stopped operating (policy 三(四)).
const PlatformShutDown Reason = "platform_shut_down"

// DecisionShutdown is the audit decision that records the stop.
const DecisionShutdown = "shutdown"

// shutdownRefresh bounds how long another node may go on collecting after
// one node records the shutdown: each node rereads the flag this often.
const shutdownRefresh = time.Second

// shutdownFlag is the guard's view of the platform-wide stop of
// collection. The hot path is one atomic load; the flag is reread from the
// data database at most once per shutdownRefresh, by one caller at a time.
// Its zero value is ready: not stopped, not yet read.
type shutdownFlag struct {
	at      atomic.Int64 // µs since epoch of the stop; 0 while operating
	checked atomic.Int64 // wall-clock ns of the last read
	mu      sync.Mutex
}

// stopped reports whether collection has stopped, rereading the flag when
// the last read is older than shutdownRefresh.
func (f *shutdownFlag) stopped(ctx context.Context, db *sqldb.DB) bool {
	if f.at.Load() != 0 {
		return true // a stop is never undone
	}
	if db == nil || time.Now().UnixNano()-f.checked.Load() < int64(shutdownRefresh) || !f.mu.TryLock() {
		return false
	}
	defer f.mu.Unlock()
	f.checked.Store(time.Now().UnixNano())
	at, err := readShutdown(ctx, db)
	if err == nil && at != 0 {
		f.at.Store(at)
	}
	return f.at.Load() != 0
}

func readShutdown(ctx context.Context, db *sqldb.DB) (int64, error) {
	var at int64
	err := db.QueryRowContext(ctx, `SELECT at FROM platform_shutdown WHERE id = 1`).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return at, err
}

// shutdownRefusal returns the refusal of a Seal after the stop, or nil.
// The denial is audited like any other.
func (g *Guard) shutdownRefusal(ctx context.Context, s minimall.SubjectID, f Field) error {
	if !g.shutdown.stopped(ctx, g.consents.db) {
		return nil
	}
	g.record(minimall.SystemActor("seal"), s, f, "", DecisionDeny, string(PlatformShutDown), "")
	return &minimall.Error{Code: minimall.Unavailable, Op: "privacy.Seal",
		Message: "minimall has stopped operating and no longer collects personal information. 平台已停止运营，不再收集您的个人信息。",
		Err:     &Denied{Field: f, Reason: PlatformShutDown}}
}

// Shutdown stops collection platform-wide (policy 三(四) "及时停止继续收集您的
// 个人信息"): from now on every Seal, on every node within a second, is
// refused. Opening what is held goes on, so people can still see, copy and
// delete their data. reason is a code such as "ceased_operations". A second
// call keeps the first time. The audit entry is durable before it returns.
func (k *Kernel) Shutdown(ctx context.Context, a minimall.Actor, reason string) (time.Time, error) {
	const op = "privacy.Shutdown"
	if reason == "" || len(reason) > 64 {
		return time.Time{}, minimall.Errorf(minimall.Invalid, op, "A reason code is required. 须注明原因代码。")
	}
	now := k.db.Now()
	_, err := k.db.ExecContext(ctx, `INSERT INTO platform_shutdown (id, at, actor, reason) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		sqldb.Micros(now), a.String(), reason)
	if err != nil {
		return time.Time{}, sqldb.FormatError(op, err)
	}
	at, err := readShutdown(ctx, k.db)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", op, err)
	}
	k.guard.shutdown.at.Store(at)
	if _, err := k.audit.Append(ctx, audit.Entry{At: now, Actor: a.String(), Decision: DecisionShutdown, Reason: reason, Ref: a.Reason}); err != nil {
		return time.Time{}, err
	}
	return sqldb.FromMicros(at), nil
}

// ShutdownReason returns the reason code recorded with the stop, or ""
// while the platform operates.
func (k *Kernel) ShutdownReason(ctx context.Context) (string, error) {
	var reason string
	err := k.db.QueryRowContext(ctx, `SELECT reason FROM platform_shutdown WHERE id = 1`).Scan(&reason)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return reason, err
}

// ShutDownAt returns when collection stopped, and whether it has.
func (k *Kernel) ShutDownAt(ctx context.Context) (time.Time, bool, error) {
	at, err := readShutdown(ctx, k.db)
	if err != nil || at == 0 {
		return time.Time{}, false, err
	}
	return sqldb.FromMicros(at), true, nil
}
