package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"minimall"
	"minimall/sqldb"
)

// A HeldAct is something a person did for their privacy or security that
// changes state rather than deletes a row — a consent withdrawn, an app's
// authorization revoked, the account locked or unlocked, the password
// reset. The kernel journals it in the key store before the data changes
// (RecordAct), and replays it, in time order, onto a data backup taken
// before that is restored (ReplayActs), so a restore never undoes it, as
// the deletion ledger does for deletions. Target is what the act is about
// (a consent scope, a grant's id, or ""), never a value.
type HeldAct struct {
	At      time.Time
	Subject minimall.SubjectID
	Act     string
	Target  string
}

// ActReplayer applies one held act again in a data transaction, if the data
// does not show it already (it must be safe to run on data that does),
// and reports whether it changed anything. It runs SQL only (a sqldb.Write
// function).
type ActReplayer func(ctx context.Context, tx *sqldb.Tx, a HeldAct) (bool, error)

// Acts journalled and replayed (the area that does the act replays it).
const (
	ActConsentWithdrawn = "consent.withdraw" // privacy: target the scope
	ActGrantRevoked     = "oauth.revoke"     // oauth: target the grant id
	ActAccountLocked    = "account.lock"     // account
	ActAccountUnlocked  = "account.unlock"   // account: replayed too, so the last of the two holds
	ActPasswordReset    = "account.password" // account: the password replaced stops working
)

// RecordAct journals act by subject s on target in the key store, durably,
// before the caller changes the data; if the change never happens (a
// crash, a failed write), the next start's replay makes it.
func (k *Kernel) RecordAct(ctx context.Context, s minimall.SubjectID, act, target string) error {
	err := k.keys.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO held_acts (at, subject, act, target) VALUES (?, ?, ?, ?)
			ON CONFLICT (subject, act, target, at) DO NOTHING`, sqldb.Micros(k.db.Now()), string(s), act, target)
		return err
	})
	if err != nil {
		return fmt.Errorf("privacy.RecordAct %s: %w", act, err)
	}
	return nil
}

// OnReplayAct names the function that replays act; each area registers
// the acts it journals when it is built, before ReplayActs runs.
func (k *Kernel) OnReplayAct(act string, fn ActReplayer) {
	k.actsMu.Lock()
	defer k.actsMu.Unlock()
	if k.replayers == nil {
		k.replayers = map[string]ActReplayer{}
	}
	k.replayers[act] = fn
}

// ReplayActs applies the held acts journalled since the data database's
// mark, oldest first, each in a data transaction of its own, moves the
// mark and prunes entries older than DeletionLedgerKeep. It returns how
// many acts changed the data: acts made after the backup a restore
// brought back (or interrupted by a crash). An act nobody replays is
// skipped. The application runs it at start once every area is built.
func (k *Kernel) ReplayActs(ctx context.Context) (int, error) {
	now := k.db.Now()
	mark, err := k.actMark(ctx)
	if err != nil {
		return 0, err
	}
	acts, err := k.actsFrom(ctx, mark)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range acts {
		changed, err := k.replayAct(ctx, a)
		if err != nil {
			return n, fmt.Errorf("privacy: replay %s: %w", a.Act, err)
		}
		if changed {
			n++
		}
	}
	if err := k.setActMark(ctx, sqldb.Micros(now.Add(-replayMargin))); err != nil {
		return n, err
	}
	_, err = k.keys.ExecContext(ctx, `DELETE FROM held_acts WHERE at < ?`, sqldb.Micros(now.Add(-DeletionLedgerKeep)))
	return n, err
}

// ActsPending counts the held acts a ReplayActs would look at now: those
// since the data database's mark (restore reports it).
func (k *Kernel) ActsPending(ctx context.Context) (int, error) {
	mark, err := k.actMark(ctx)
	if err != nil {
		return 0, err
	}
	acts, err := k.actsFrom(ctx, mark)
	return len(acts), err
}

func (k *Kernel) replayAct(ctx context.Context, a HeldAct) (bool, error) {
	k.actsMu.Lock()
	fn := k.replayers[a.Act]
	k.actsMu.Unlock()
	if fn == nil {
		return false, nil
	}
	changed := false
	err := k.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		var err error
		changed, err = fn(ctx, tx, a)
		return err
	})
	return changed, err
}

func (k *Kernel) actMark(ctx context.Context) (int64, error) {
	var mark int64
	err := k.db.QueryRowContext(ctx, `SELECT through FROM held_act_replay WHERE id = 1`).Scan(&mark)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("privacy: held act replay mark: %w", err)
	}
	return mark, nil
}

func (k *Kernel) setActMark(ctx context.Context, through int64) error {
	_, err := k.db.ExecContext(ctx, `INSERT INTO held_act_replay (id, through) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET through = excluded.through WHERE held_act_replay.through < excluded.through`, through)
	return err
}

// actsFrom returns the journal's acts at or after from, oldest first.
func (k *Kernel) actsFrom(ctx context.Context, from int64) ([]HeldAct, error) {
	rows, err := k.keys.QueryContext(ctx, `SELECT at, subject, act, target FROM held_acts WHERE at >= ? ORDER BY at`, from)
	if err != nil {
		return nil, fmt.Errorf("privacy: read held acts: %w", err)
	}
	defer rows.Close()
	var out []HeldAct
	for rows.Next() {
		var at int64
		var a HeldAct
		if err := rows.Scan(&at, &a.Subject, &a.Act, &a.Target); err != nil {
			return nil, err
		}
		a.At = sqldb.FromMicros(at)
		out = append(out, a)
	}
	// Stable: acts of the same microsecond keep the key store's order.
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, rows.Err()
}

// replayWithdrawal is the consent ledger's ActReplayer: the withdrawal is
// appended again, at its own time, unless the ledger holds a record of
// that scope as recent or more (the withdrawal itself, or a later change
// the data already shows).
func (l *Ledger) replayWithdrawal(ctx context.Context, tx *sqldb.Tx, a HeldAct) (bool, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(at), 0) FROM consents WHERE subject = ? AND scope = ?`, string(a.Subject), a.Target).Scan(&last)
	if err != nil || last >= sqldb.Micros(a.At) {
		return false, err
	}
	scope := Scope(a.Target)
	rec := ConsentRecord{ID: l.newID(a.At), Subject: a.Subject, Scope: scope, Kind: ConsentKindFor(scope), Action: Withdraw,
		PolicyVersion: l.PolicyVersion(), Channel: "restore", Evidence: "held_act", At: a.At}
	if err := l.insert(ctx, tx, rec); err != nil {
		return false, err
	}
	return true, nil
}
