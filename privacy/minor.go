package privacy

import (
	"context"
	"fmt"
	"sync"

	"minimall"
	"minimall/outbox"
	"minimall/sqldb"
)

// MinorState is what the kernel knows of a person's age. The policy
// presumes full capacity (七), so a person is an adult until something
// says otherwise: their own statement "I am under 14" or a real-name check
// that reveals a birth date less than 14 years ago.
type MinorState string

const (
	// NotMinor: presumed of full capacity; the default.
	NotMinor MinorState = ""
	// MinorPending: known to be under 14, no guardian consent yet. PIPL
	// art. 31: nothing more is collected, and the child's own consent
	// counts for nothing.
	MinorPending MinorState = "pending"
	// MinorConsented: a guardian consented. Everything about the child is
	// sensitive (PIPL art. 28), so a use resting on consent needs a
	// separate or guardian consent, never a general one (art. 29, 31).
	MinorConsented MinorState = "consented"
)

// TopicMinorChanged is the change-feed topic that tells other nodes a
// subject's minor state changed.
const TopicMinorChanged = "privacy.minor_changed"

// Why a per-subject flag in the kernel rather than a flag per sealed value:
// the rules for a child apply to everything about them, including data
// collected later by areas that know nothing about age (profile, devices,
// orders), and only the guard sees every collection and every use. The
// set is small (children are few) and held in memory like the erasure
// ledger, so the check costs one map lookup on the hot path.

// minorSet is the in-memory view of the subject_minors table.
type minorSet struct {
	mu sync.RWMutex
	m  map[minimall.SubjectID]MinorState
}

func newMinorSet() *minorSet { return &minorSet{m: map[minimall.SubjectID]MinorState{}} }

func (ms *minorSet) state(s minimall.SubjectID) MinorState {
	ms.mu.RLock()
	defer ms.mu.RUnlock()
	return ms.m[s]
}

func (ms *minorSet) set(s minimall.SubjectID, st MinorState) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if st == NotMinor {
		delete(ms.m, s)
		return
	}
	ms.m[s] = st
}

// loadMinors reads every known minor; called at Open.
func (k *Kernel) loadMinors(ctx context.Context) error {
	rows, err := k.db.QueryContext(ctx, `SELECT subject, state FROM subject_minors`)
	if err != nil {
		return fmt.Errorf("privacy: load minors: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s, st string
		if err := rows.Scan(&s, &st); err != nil {
			return fmt.Errorf("privacy: load minors: %w", err)
		}
		k.guard.minors.set(minimall.SubjectID(s), MinorState(st))
	}
	return rows.Err()
}

// reloadMinor re-reads one subject's state after another node changed it.
func (k *Kernel) reloadMinor(ctx context.Context, s minimall.SubjectID) {
	var st string
	if err := k.db.QueryRowContext(ctx, `SELECT state FROM subject_minors WHERE subject = ?`, string(s)).Scan(&st); err != nil {
		st = string(NotMinor)
	}
	k.guard.minors.set(s, MinorState(st))
}

// SetMinor records in tx that subject s is a child under 14, pending a
// guardian's consent or with it. The guard applies it at once on this node
// (a rolled-back transaction leaves the flag stricter than needed until
// the next reload, never looser), and on others within the feed's poll.
func (k *Kernel) SetMinor(ctx context.Context, tx *sqldb.Tx, s minimall.SubjectID, st MinorState) error {
	if st != MinorPending && st != MinorConsented {
		return fmt.Errorf("privacy: unknown minor state %q", st)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO subject_minors (subject, state, changed_at) VALUES (?, ?, ?)
		ON CONFLICT (subject) DO UPDATE SET state = excluded.state, changed_at = excluded.changed_at`, string(s), string(st), sqldb.Micros(tx.Now()))
	if err != nil {
		return sqldb.FormatError("privacy.SetMinor", err)
	}
	if err := outbox.Emit(ctx, tx, TopicMinorChanged, s, map[string]string{"state": string(st)}); err != nil {
		return err
	}
	k.guard.minors.set(s, st)
	return nil
}

// Minor returns what the kernel knows of subject s's age.
func (k *Kernel) Minor(s minimall.SubjectID) MinorState { return k.guard.minors.state(s) }

// minorSealReason returns why nothing more may be collected about s, or "".
// While a guardian has not consented, only what the guardian procedure
// itself needs may be stored: the registration being held, the real-name
// check that revealed the age, and the guardian's consent (PIPL art. 31).
func (g *Guard) minorSealReason(s minimall.SubjectID, spec *FieldSpec) Reason {
	if g.minors.state(s) != MinorPending {
		return ""
	}
	switch spec.Feature {
	case FeatAccount, FeatRealName, FeatMinor:
		return ""
	}
	return GuardianConsentMissing
}

// minorConsentReason tightens consentReason for a child: pending, no use
// resting on consent is allowed (a child's own consent does not count);
// with the guardian's consent, a general consent is not enough, as for any
// sensitive information.
func (g *Guard) minorConsentReason(s minimall.SubjectID, rec ConsentRecord) Reason {
	switch g.minors.state(s) {
	case MinorPending:
		return GuardianConsentMissing
	case MinorConsented:
		if rec.Kind == General {
			return GuardianConsentMissing
		}
	}
	return ""
}
