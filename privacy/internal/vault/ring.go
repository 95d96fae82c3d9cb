package vault

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

func (v *Vault) masterPath() string { return filepath.Join(v.dir, masterFile) }

// checkKeyFilesPresent refuses to create a new master or lookup key over a
// key store that already holds wrapped keys: that is a keys folder
// restored wrongly or pointed at the wrong place. A new master would wrap
// new keys under a master the old ones cannot be opened with, and a new
// lookup key would silently break every blind index. Fail now, loudly.
// It also fails early when the key store is not migrated.
func (v *Vault) checkKeyFilesPresent(ctx context.Context) error {
	found, err := anyKeys(ctx, v.keys)
	if err != nil {
		return fmt.Errorf("key store: %w", err)
	}
	// lookup.key is checked by PrepareLookups: a key store may have
	// retired it, or never had it.
	for _, name := range []string{masterFile} {
		path := filepath.Join(v.dir, name)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && found {
			return fmt.Errorf("%s is missing but the key store holds wrapped keys; restore it from the key backup", path)
		}
	}
	return nil
}

// loadRing reads master.key (creating it if create is set and it is
// missing) and swaps it in.
func (v *Vault) loadRing(create bool) error {
	v.fileMu.Lock()
	defer v.fileMu.Unlock()
	return v.loadRingLocked(create)
}

func (v *Vault) loadRingLocked(create bool) error {
	var (
		keys []namedKey
		fi   os.FileInfo
		err  error
	)
	if create {
		keys, fi, err = loadOrCreateKeyFile(v.masterPath(), masterHeader, "mk-")
	} else {
		keys, fi, err = readKeyFile(v.masterPath())
	}
	if err != nil {
		return err
	}
	r, err := newKeyring(keys, fi)
	if err != nil {
		return err
	}
	v.ring.Store(r)
	return nil
}

// freshRing returns the master keys, first re-reading master.key if it was
// replaced since it was read (another process rotated). A new subject key
// must be wrapped by the master that is current on disk: one wrapped by a
// master that a rotation elsewhere has just retired would be lost at the
// next restart. Key creation is rare, so the stat costs nothing that shows.
func (v *Vault) freshRing() (*keyring, error) {
	r := v.ring.Load()
	fi, err := os.Stat(v.masterPath())
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	if sameFile(fi, r.file) {
		return r, nil
	}
	if err := v.loadRing(false); err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	return v.ring.Load(), nil
}

// ringWith returns master keys that include id, re-reading master.key once
// if needed: another process may have rotated, and rows it rewrapped name a
// master this process has not seen yet.
func (v *Vault) ringWith(id string) (*keyring, error) {
	if r := v.ring.Load(); r.aeads[id] != nil {
		return r, nil
	}
	if err := v.loadRing(false); err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	r := v.ring.Load()
	if r.aeads[id] == nil {
		return nil, fmt.Errorf("master key %q is not listed in %s", id, v.masterPath())
	}
	return r, nil
}

func sameFile(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}
