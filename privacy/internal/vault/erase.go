package vault

import (
	"context"
	"fmt"
	"minimall/sqldb"
	"regexp"

	"minimall"
)

// reasonPattern keeps erasure reasons to codes: the ledger outlives the
// person, so it must never hold anything about them.
var reasonPattern = regexp.MustCompile(`^[a-z0-9_.:-]{1,64}$`)

// Shred destroys subject's keys in scope and records the erasure in the
// ledger, in one key-store transaction, then drops the subject's cached
// keys. ScopeData destroys the data key (the account was deleted); ScopeAll
// destroys retention keys too. reason is a code such as "deregistered".
// Shredding again is harmless: the first ledger entry stays.
func (v *Vault) Shred(ctx context.Context, subject minimall.SubjectID, scope Scope, reason string) error {
	const op = "vault.Shred"
	if subject == "" || (scope != ScopeData && scope != ScopeAll) {
		return minimall.Errorf(minimall.Invalid, op, "A subject and a scope (data or all) are required.")
	}
	if !reasonPattern.MatchString(reason) {
		return minimall.Errorf(minimall.Invalid, op, "The reason must be a code such as deregistered.")
	}
	// Forget even if the transaction fails: a half-known state should cost
	// a key-store read, never serve a key that might be gone.
	defer v.cache.forget(subject)
	if err := v.shred(ctx, subject, scope, reason); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := v.scrub(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// scrub makes the destroyed keys' bytes leave the key store's files, not
// only its tables: a wrapped key left in a free page or an old WAL frame
// would, with master.key, open a backup of the data taken before the
// erasure. On SQLite the delete ran with secure_delete (the freed cells
// and pages are overwritten with zeros) and the WAL, whose older frames
// still hold the key, is folded back and truncated. On PostgreSQL the
// deleted row versions are vacuumed away; no database can promise the
// bytes are gone from the disk blocks beneath, which is why the README
// asks for master-key rotation (keys rotate) and for old copies of the
// keys folder to expire.
func (v *Vault) scrub(ctx context.Context) error {
	return v.keys.Scrub(ctx, "subject_keys")
}

// shred deletes the keys and writes the ledger together: PIPL art. 47
// deletion is done by destroying the key, which makes every copy of the
// sealed data unreadable; the ledger entry is what lets a restored data
// folder be told about it, so neither may happen without the other.
func (v *Vault) shred(ctx context.Context, subject minimall.SubjectID, scope Scope, reason string) error {
	tx, err := v.keys.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.SecureDelete(ctx); err != nil {
		return err
	}
	if err := lockSubject(ctx, tx, subject); err != nil {
		return err
	}
	if _, err := deleteKeys(ctx, tx, subject, scope); err != nil {
		return fmt.Errorf("delete keys: %w", err)
	}
	if err := insertErasure(ctx, tx, subject, scope, reason); err != nil {
		return fmt.Errorf("record erasure: %w", err)
	}
	return tx.Commit()
}

// ExpireRetention destroys every retention key whose period is <= upTo
// ("YYYY-MM"; the caller computes it from the retention rule, e.g. three
// years after completion under E-commerce Law art. 31) and returns how many.
// Records kept for a legal duty must go when the duty ends (PIPL art. 47).
// Other nodes drop their cached copies when the kernel's change-feed event
// (retention.expired) reaches them or, at the latest, when the cache's age
// bound passes. The keys keep names stay, whatever their period: records
// under a legal hold (五(一)) outlive their retention until it is released.
func (v *Vault) ExpireRetention(ctx context.Context, upTo string, keep ...Keep) (int, error) {
	const op = "vault.ExpireRetention"
	if !periodPattern.MatchString(upTo) {
		return 0, minimall.Errorf(minimall.Invalid, op, "The cutoff must be YYYY-MM.")
	}
	defer v.cache.forgetRetention(upTo)
	var n int64
	err := v.keys.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := tx.SecureDelete(ctx); err != nil {
			return err
		}
		q, args := `DELETE FROM subject_keys WHERE kind = ? AND period <= ?`, []any{string(Retention), upTo}
		for _, k := range keep {
			if k.Period == "" {
				q, args = q+` AND subject <> ?`, append(args, string(k.Subject))
			} else {
				q, args = q+` AND NOT (subject = ? AND period = ?)`, append(args, string(k.Subject), k.Period)
			}
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err == nil && n > 0 {
		err = v.scrub(ctx)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	return int(n), nil
}

// Keep names retention keys ExpireRetention must leave: one subject's key
// of one period, or every period's when Period is empty.
type Keep struct {
	Subject minimall.SubjectID
	Period  string
}

// Erased reports whether subject was erased and with which scope (ScopeAll
// if it was erased both ways).
func (v *Vault) Erased(ctx context.Context, subject minimall.SubjectID) (Scope, bool, error) {
	scope, ok, err := findErasure(ctx, v.keys, subject)
	if err != nil {
		return "", false, fmt.Errorf("vault.Erased: %w", err)
	}
	return scope, ok, nil
}

// Erasures returns the erasure ledger, oldest first. It lives in the key
// store, outside the data folder, so it is replayed after a restore of the
// data folder from a backup taken before an erasure.
func (v *Vault) Erasures(ctx context.Context) ([]Erasure, error) {
	out, err := findErasures(ctx, v.keys)
	if err != nil {
		return nil, fmt.Errorf("vault.Erasures: %w", err)
	}
	return out, nil
}
