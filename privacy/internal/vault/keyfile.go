package vault

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"minimall"
)

const (
	masterFile = "master.key"
	lookupFile = "lookup.key"
	keyLen     = 32 // AES-256

	masterHeader = "# minimall vault master keys: one \"id key\" a line, oldest first; the last is current.\n" +
		"# NB: key material. Mode 0600, keys folder only; never copy it into the data folder or its backups.\n"
	// lookupHeader heads lookup.key, the single lookup key of older versions,
	// still read until every purpose has a key of its own (lookup.go).
	lookupHeader = "# minimall vault lookup key, for blind indexes. Not rotated: changing it breaks every index.\n" +
		"# NB: key material. Mode 0600, keys folder only; never copy it into the data folder or its backups.\n"
)

var keyIDPattern = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)

// namedKey is one line of a key file.
type namedKey struct {
	id  string
	key []byte // NB: key material; never log
}

// keyring is the parsed master.key. It is never edited: a change builds a
// new keyring and swaps it in.
type keyring struct {
	keys  []namedKey             // oldest first; the last is current
	aeads map[string]cipher.AEAD // NB: key material; never log
	file  os.FileInfo            // what was read, to notice a rewrite by another process
}

func newKeyring(keys []namedKey, file os.FileInfo) (*keyring, error) {
	r := &keyring{keys: keys, aeads: make(map[string]cipher.AEAD, len(keys)), file: file}
	for _, k := range keys {
		a, err := newAEAD(k.key)
		if err != nil {
			return nil, err
		}
		r.aeads[k.id] = a
	}
	return r, nil
}

func (r *keyring) current() namedKey { return r.keys[len(r.keys)-1] }

func newAEAD(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func newNamedKey(prefix string) namedKey {
	k := namedKey{id: prefix + minimall.RandomToken(5), key: make([]byte, keyLen)}
	rand.Read(k.key) // never fails (crypto/rand panics instead)
	return k
}

// loadOrCreateKeyFile reads the key file at path, first creating it with
// one fresh key if it does not exist.
func loadOrCreateKeyFile(path, header, prefix string) ([]namedKey, os.FileInfo, error) {
	keys, fi, err := readKeyFile(path)
	if !errors.Is(err, os.ErrNotExist) {
		return keys, fi, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("create keys folder: %w", err)
	}
	err = writeKeyFile(path, formatKeyFile(header, []namedKey{newNamedKey(prefix)}), false)
	if err != nil && !errors.Is(err, os.ErrExist) {
		return nil, nil, err
	}
	// Read it back: if another process created the file first, its key wins.
	return readKeyFile(path)
}

// readKeyFile reads and parses a key file, refusing one that group or
// others may read or write: a readable master key undoes the encryption
// PIPL art. 51 asks for, and a writable one lets keys be swapped.
func readKeyFile(path string) ([]namedKey, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	// Stat the open file, not the path, so the file checked is the file read.
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 != 0 {
		return nil, nil, fmt.Errorf("%s: mode %v lets group or others at it; it must be 0600", path, fi.Mode())
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, nil, err
	}
	keys, err := parseKeyFile(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return keys, fi, nil
}

// parseKeyFile reads lines "id base64key"; blank lines and # comments are
// skipped. Errors name the line, never its content.
func parseKeyFile(data []byte) ([]namedKey, error) {
	var keys []namedKey
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, enc, ok := strings.Cut(line, " ")
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
		if !ok || !keyIDPattern.MatchString(id) || err != nil || len(key) != keyLen || seen[id] {
			return nil, fmt.Errorf("line %d: want a unique \"id base64-of-32-bytes\"", n)
		}
		seen[id] = true
		keys = append(keys, namedKey{id: id, key: key})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, errors.New("no key listed")
	}
	return keys, nil
}

func formatKeyFile(header string, keys []namedKey) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	for _, k := range keys {
		b.WriteString(k.id + " " + base64.StdEncoding.EncodeToString(k.key) + "\n")
	}
	return b.Bytes()
}

// writeKeyFile writes data to path atomically: a temporary file in the same
// folder, fsynced, then renamed over path (replace) or hard-linked to it
// (create only: fails with os.ErrExist rather than clobbering a key another
// process has just created and may already have wrapped keys with). The
// folder is fsynced so the new name survives a power loss.
func writeKeyFile(path string, data []byte, replace bool) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*") // mode 0600
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := fillAndSync(tmp, data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if replace {
		err = os.Rename(tmp.Name(), path)
	} else {
		err = os.Link(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(dir)
}

func fillAndSync(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// checkPrivateDir refuses a keys folder that group or others may enter or
// list: the key files in it are 0600, but a folder others can search lets
// them see which keys exist and take a copy the moment a file's mode slips.
// A folder not made yet is made 0700 by whoever creates the first file.
func checkPrivateDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("keys folder %s is not a folder", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("keys folder %s: mode %v lets group or others at it; it must be 0700 (chmod 700 %s)", dir, fi.Mode().Perm(), dir)
	}
	return nil
}
