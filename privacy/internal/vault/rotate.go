package vault

import (
	"context"
	"errors"
	"fmt"

	"minimall/sqldb"
)

// rewrapBatch is how many keys one rewrap transaction handles: small
// enough that SQLite's single writer is never held for long.
const rewrapBatch = 500

// errStragglers means keys are still wrapped by a master about to retire.
var errStragglers = errors.New("keys still wrapped by an older master key")

// Rotate makes a new master key current and retires the others. It runs
// in three steps, each safe to be interrupted: (1) add the new master to
// master.key, keeping the old ones listed; (2) rewrap every subject key
// under it, in batches of one transaction each; (3) rewrite master.key
// without the retired keys, only once no key is wrapped by them. After a
// crash anywhere, every key is wrapped by a master still in the file, and
// running Rotate again finishes the job. It returns how many keys it
// rewrapped.
//
// Run it from one place at a time (the "keys rotate" command). Other
// processes sharing the keys folder re-read master.key when they meet a
// master they do not know and before they wrap a new key. Nodes with their
// own copy of the keys folder need the new master.key before step (3).
func (v *Vault) Rotate(ctx context.Context) (int, error) {
	const op = "vault.Rotate"
	v.rotateMu.Lock()
	defer v.rotateMu.Unlock()
	current, err := v.addMaster()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	total := 0
	// A key creation on another process may still wrap under the old master
	// until it re-reads the file; a second pass picks such keys up.
	for pass := 0; pass < 3; pass++ {
		n, err := v.rewrapAll(ctx, current)
		total += n
		if err != nil {
			return total, fmt.Errorf("%s: %w", op, err)
		}
		err = v.retire(ctx, current)
		if !errors.Is(err, errStragglers) {
			if err != nil {
				return total, fmt.Errorf("%s: %w", op, err)
			}
			return total, nil
		}
	}
	return total, fmt.Errorf("%s: %w", op, errStragglers)
}

// addMaster is step 1: it appends a new master key to master.key and makes
// it current, returning its id. wrapMu waits out key creations that chose
// the old master, so none commits under it after rotation began.
func (v *Vault) addMaster() (string, error) {
	v.wrapMu.Lock()
	defer v.wrapMu.Unlock()
	v.fileMu.Lock()
	defer v.fileMu.Unlock()
	// Start from the file, not memory: it is the record that must not lose a key.
	if err := v.loadRingLocked(false); err != nil {
		return "", err
	}
	next := newNamedKey("mk-")
	keys := append(append([]namedKey(nil), v.ring.Load().keys...), next)
	if err := v.writeRingLocked(keys); err != nil {
		return "", err
	}
	return next.id, nil
}

// rewrapAll is step 2: it rewraps batches until no key is wrapped by a
// master other than current.
func (v *Vault) rewrapAll(ctx context.Context, current string) (int, error) {
	total := 0
	for {
		n, err := v.rewrap(ctx, current, rewrapBatch)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// rewrap rewraps up to limit keys under master current, in one
// transaction. The subject keys themselves do not change, so nothing
// sealed and nothing cached is touched.
func (v *Vault) rewrap(ctx context.Context, current string, limit int) (int, error) {
	tx, err := v.keys.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rows, err := keysToRewrap(ctx, tx, current, limit)
	if err != nil {
		return 0, fmt.Errorf("find keys to rewrap: %w", err)
	}
	for _, r := range rows {
		if err := v.rewrapRow(ctx, tx, r, current); err != nil {
			return 0, err
		}
	}
	return len(rows), tx.Commit()
}

func (v *Vault) rewrapRow(ctx context.Context, tx *sqldb.Tx, r keyRow, current string) error {
	ring, err := v.ringWith(r.masterID)
	if err != nil {
		return err // retire will refuse too: the key is kept, not lost
	}
	raw, err := unwrap(ring, r) // NB: key material; never log
	if err != nil {
		return err
	}
	defer clear(raw)
	old := r.masterID
	r.masterID = current
	if r.wrapped, err = wrap(ring, r, raw); err != nil {
		return err
	}
	return updateWrapped(ctx, tx, r, old)
}

// retire is step 3: once no key is wrapped by anything but current, it
// rewrites master.key with current alone. Until then it refuses
// (errStragglers): a master is dropped only when nothing needs it.
func (v *Vault) retire(ctx context.Context, current string) error {
	v.wrapMu.Lock()
	defer v.wrapMu.Unlock()
	n, err := countNotWrappedBy(ctx, v.keys, current)
	if err != nil {
		return fmt.Errorf("count keys: %w", err)
	}
	if n > 0 {
		return errStragglers
	}
	v.fileMu.Lock()
	defer v.fileMu.Unlock()
	if err := v.loadRingLocked(false); err != nil {
		return err
	}
	r := v.ring.Load()
	if r.current().id != current {
		return fmt.Errorf("master.key changed during rotation (current is %q, want %q)", r.current().id, current)
	}
	// The retired key's bytes may linger in free disk blocks; the keys
	// folder belongs on an encrypted volume for that reason.
	return v.writeRingLocked([]namedKey{r.current()})
}

// writeRingLocked writes keys to master.key and swaps them in; fileMu must
// be held.
func (v *Vault) writeRingLocked(keys []namedKey) error {
	if err := writeKeyFile(v.masterPath(), formatKeyFile(masterHeader, keys), true); err != nil {
		return err
	}
	return v.loadRingLocked(false)
}
