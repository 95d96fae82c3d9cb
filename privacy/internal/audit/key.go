package audit

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

const (
	keyFile = "audit.key"
	keyLen  = 32 // HMAC-SHA256 key
)

// errNoKey says the key file does not exist; Verify tells it apart from a
// key it cannot use.
var errNoKey = errors.New("audit key file not found")

// loadOrCreateKey reads keysDir/audit.key, first creating it with fresh
// random bytes if it does not exist.
func loadOrCreateKey(keysDir string) ([]byte, error) {
	return loadOrCreate(keysDir, keyFile)
}

// loadOrCreate reads keysDir/name, first creating it with fresh random
// bytes if it does not exist.
func loadOrCreate(keysDir, name string) ([]byte, error) {
	key, err := readKeyFile(keysDir, name)
	if !errors.Is(err, errNoKey) {
		return key, err
	}
	if err := os.MkdirAll(keysDir, 0o700); err != nil {
		return nil, fmt.Errorf("create keys folder: %w", err)
	}
	if err := createKey(keysDir, name); err != nil {
		return nil, err
	}
	// Read it back: if another node created the file first, its key wins.
	return readKeyFile(keysDir, name)
}

// readKey reads keysDir/audit.key.
func readKey(keysDir string) ([]byte, error) { return readKeyFile(keysDir, keyFile) }

// readKeyFile reads the 32-byte key keysDir/name, refusing a file that
// group or others may read or write: whoever holds the key can forge a
// chain that verifies.
// NB: returns key material; never log it, and no error here contains it.
func readKeyFile(keysDir, name string) ([]byte, error) {
	path := filepath.Join(keysDir, name)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, errNoKey)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Stat the open file, not the path, so the file checked is the file read.
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s: mode %v lets group or others at it; it must be 0600", path, fi.Mode())
	}
	key := make([]byte, keyLen+1)
	n, err := io.ReadFull(f, key)
	if n != keyLen || !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("%s: not a %d-byte key", path, keyLen)
	}
	return key[:keyLen], nil
}

// createKey writes a fresh key atomically: to a temporary file first, then
// linked into place. A link, unlike a rename, never replaces a key another
// process created meanwhile, so two nodes starting at once agree on one key.
func createKey(keysDir, name string) error {
	key := make([]byte, keyLen)
	rand.Read(key) // never fails (crypto/rand panics instead)
	// CreateTemp makes the file with mode 0600.
	tmp, err := os.CreateTemp(keysDir, "."+name+"-*")
	if err != nil {
		return fmt.Errorf("create audit key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return fmt.Errorf("write audit key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write audit key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write audit key: %w", err)
	}
	err = os.Link(tmp.Name(), filepath.Join(keysDir, name))
	if err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("install audit key: %w", err)
	}
	return syncDir(keysDir)
}

// syncDir makes a new directory entry survive a power loss.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync keys folder: %w", err)
	}
	return nil
}
