package vault

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"minimall"
	"minimall/sqldb"
)

// bulkRows is how many keys one INSERT statement stores: 7 values a row
// stays far below both engines' limits on bound values.
const bulkRows = 500

// CreateDataKeys makes and stores the data keys of subjects in one
// key-store transaction, as Seal would on each one's first use. It is for
// subjects just registered (a bulk import, or a load test that needs a
// platform of realistic size): it skips the per-subject erasure check and
// lock, which a brand-new random subject id cannot need, and a subject
// that already has a data key makes the whole call fail (a Conflict). The
// keys are not cached: the first use reads them like any other.
func (v *Vault) CreateDataKeys(ctx context.Context, subjects []minimall.SubjectID) error {
	const op = "vault.CreateDataKeys"
	if len(subjects) == 0 {
		return nil
	}
	v.wrapMu.RLock() // see Rotate: the chosen master stays until commit
	defer v.wrapMu.RUnlock()
	ring, err := v.freshRing()
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	master := ring.current().id
	tx, err := v.keys.Begin(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer tx.Rollback()
	now := sqldb.Micros(tx.Now())
	raw := make([]byte, keyLen) // NB: key material; never log
	defer clear(raw)
	for len(subjects) > 0 {
		n := min(bulkRows, len(subjects))
		args := make([]any, 0, n*7)
		for _, s := range subjects[:n] {
			if s == "" {
				return minimall.Errorf(minimall.Invalid, op, "A subject is required.")
			}
			rand.Read(raw)
			r := keyRow{id: newKeyID(), slot: keySlot{subject: s, kind: Data}, masterID: master}
			if r.wrapped, err = wrap(ring, r, raw); err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
			args = append(args, r.id, string(s), string(Data), "", master, r.wrapped, now)
		}
		q := `INSERT INTO subject_keys (` + keyColumns + `, created_at) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", n), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return sqldb.FormatError(op, err)
		}
		subjects = subjects[n:]
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}
