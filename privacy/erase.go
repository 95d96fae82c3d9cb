package privacy

import (
	"context"
	"fmt"
	"sync"

	"minimall"
	"minimall/outbox"
	"minimall/privacy/internal/audit"
	"minimall/privacy/internal/vault"
	"minimall/sqldb"
)

// EraseScope says how much of a person is erased.
type EraseScope int

const (
	// EraseAccount destroys the person's data key: everything sealed under
	// it, in live rows, backups and exports, becomes unreadable at once.
	// Transaction records under retention keys remain, for the legal duty
	// only, until their period ends (E-commerce Law art. 31).
	EraseAccount EraseScope = iota
	// EraseAll destroys the retention keys too.
	EraseAll
)

// Erase crypto-shreds subject s (PIPL art. 47), writes the erasure ledger,
// marks the subject erased, and emits a change-feed event so derived stores
// (search, recommendations, caches on other nodes) drop the person. reason
// is a code such as "deregistered", never personal information. The audit
// entry is durable before Erase returns. A person under a legal hold
// loses their data key as usual, but EraseAll keeps their retention keys:
// the held transaction records stay, for the legal duty only, until the
// hold is released and their period ends (五(一)).
func (k *Kernel) Erase(ctx context.Context, a minimall.Actor, s minimall.SubjectID, scope EraseScope, reason string) error {
	vs := vault.ScopeData
	if scope == EraseAll {
		held, err := k.Held(ctx, s)
		if err != nil {
			return fmt.Errorf("privacy: erase: %w", err)
		}
		if !held {
			vs = vault.ScopeAll
		}
	}
	if err := k.vault.Shred(ctx, s, vs, reason); err != nil {
		return fmt.Errorf("privacy: erase: %w", err)
	}
	k.guard.erased.add(s)
	if err := k.markErased(ctx, s); err != nil {
		return err
	}
	_, err := k.audit.Append(ctx, audit.Entry{At: k.clock.Now(), Actor: a.String(), Subject: string(s), Decision: DecisionErase, Reason: reason, Ref: a.Reason})
	return err
}

// markErased records the erasure in the data database and the change feed.
func (k *Kernel) markErased(ctx context.Context, s minimall.SubjectID) error {
	return k.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE subjects SET erased_at = ? WHERE id = ? AND erased_at = 0`, sqldb.Micros(tx.Now()), string(s)); err != nil {
			return fmt.Errorf("privacy: mark erased: %w", err)
		}
		return outbox.Emit(ctx, tx, outbox.TopicSubjectErased, s, nil)
	})
}

// ReplayErasures applies the erasure ledger (kept in the key store, outside
// the data folder) to the data database: after a restore from a backup
// taken before an erasure, the erased person is marked erased again and
// derived stores are told, so nobody comes back. It returns how many
// subjects it had to mark.
func (k *Kernel) ReplayErasures(ctx context.Context) (int, error) {
	return k.replayErasures(ctx)
}

// ReErased returns the people a restore brought back after their erasure:
// marked erased again at open (their keys were gone already), but their
// areas' own clean-up (closing the account, freeing the phone number,
// deleting what each area may) is still to run (rights.Service.
// RepeatErasures), until ErasureRepeated says it ran.
func (k *Kernel) ReErased(ctx context.Context) ([]minimall.SubjectID, error) {
	rows, err := k.db.QueryContext(ctx, `SELECT id FROM subjects WHERE erasure_repeat = 1 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("privacy: re-erased: %w", err)
	}
	defer rows.Close()
	var out []minimall.SubjectID
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, minimall.SubjectID(s))
	}
	return out, rows.Err()
}

// ErasureRepeated records that s's clean-up ran again after a restore.
func (k *Kernel) ErasureRepeated(ctx context.Context, s minimall.SubjectID) error {
	_, err := k.db.ExecContext(ctx, `UPDATE subjects SET erasure_repeat = 0 WHERE id = ?`, string(s))
	return err
}

func (k *Kernel) replayErasures(ctx context.Context) (int, error) {
	ledger, err := k.vault.Erasures(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ledger {
		k.guard.erased.add(e.Subject)
		var erasedAt int64
		err := k.db.QueryRowContext(ctx, `SELECT erased_at FROM subjects WHERE id = ?`, string(e.Subject)).Scan(&erasedAt)
		if err != nil || erasedAt != 0 {
			continue // unknown here, or already marked
		}
		if err := k.markErased(ctx, e.Subject); err != nil {
			return n, err
		}
		if _, err := k.db.ExecContext(ctx, `UPDATE subjects SET erasure_repeat = 1 WHERE id = ?`, string(e.Subject)); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// erasedSet is the in-memory view of the erasure ledger, so the guard's
// refusal of an erased person costs a map lookup.
type erasedSet struct {
	mu sync.RWMutex
	m  map[minimall.SubjectID]bool
}

func newErasedSet() *erasedSet { return &erasedSet{m: map[minimall.SubjectID]bool{}} }

func (e *erasedSet) has(s minimall.SubjectID) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.m[s]
}

func (e *erasedSet) add(s minimall.SubjectID) {
	e.mu.Lock()
	e.m[s] = true
	e.mu.Unlock()
}
