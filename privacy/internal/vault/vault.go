// Package vault holds personal information sealed with AES-256-GCM under
// per-subject keys, and the keys themselves: wrapped by a master key in the
// key store, which lives in the keys folder (on PostgreSQL, a database of its
// own), never in the data folder or its backups.
//
// The rule it keeps: destroying a subject's key is erasing the subject.
// Every copy of what was sealed under that key (live rows, old backups,
// exports) becomes unreadable at once, even to someone who holds the master
// key, and the erasure ledger it writes lets a restored data folder be
// brought back in line (PIPL art. 47).
package vault

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"minimall"
	"minimall/sqldb"
)

// KeyKind says what a subject key is for.
type KeyKind string

const (
	// Data is the subject's data key: everything held about the subject
	// while the account lives. Destroyed when the subject is erased.
	Data KeyKind = "data"
	// Retention is a key per subject and completion period for records the
	// law makes us keep after the account is gone (E-commerce Law art. 31:
	// three years after completion). It survives Shred(ScopeData) and is
	// destroyed by ExpireRetention when the period ends.
	Retention KeyKind = "retention"
)

// Scope says how much of a subject Shred destroys.
type Scope string

const (
	// ScopeData destroys the data key (the account was deleted); retention
	// keys stay until their period ends.
	ScopeData Scope = "data"
	// ScopeAll destroys every key of the subject, retention keys included.
	ScopeAll Scope = "all"
)

// Errors returned by the vault; compare with errors.Is. Their messages are
// safe to show and never contain personal information.
var (
	// ErrErased means the key was destroyed because the subject was erased.
	ErrErased = &minimall.Error{Code: minimall.Gone, Op: "vault", Message: "This person's data was erased. 此人的信息已删除。"}
	// ErrNoKey means the key a blob names does not exist and the subject
	// was not erased (for example, a retention period that ended).
	ErrNoKey = &minimall.Error{Code: minimall.NotFound, Op: "vault", Message: "No key for this data. 没有对应的密钥。"}
	// ErrTampered means authentication failed: the blob was altered, or it
	// is opened for the wrong subject or with the wrong associated data.
	ErrTampered = &minimall.Error{Code: minimall.Internal, Op: "vault", Message: "Sealed data failed authentication."}
	// ErrMalformed means the bytes are not a sealed blob of a known version.
	ErrMalformed = &minimall.Error{Code: minimall.Internal, Op: "vault", Message: "Sealed data is malformed."}
)

// Erasure is one entry of the erasure ledger.
type Erasure struct {
	Subject minimall.SubjectID
	Scope   Scope
	At      time.Time
	Reason  string // a code such as "deregistered", never personal information
}

// Vault seals and opens personal information and owns the subject keys.
// It is safe for concurrent use. Several Vaults (in one process or on
// several nodes) may share one key store. Each caches unwrapped keys (at
// most 100,000, each for at most 10 minutes); a key shredded by another
// node stays usable here until Forget is called for the subject or the
// entry ages out, so the change feed must deliver erasures.
type Vault struct {
	keys  *sqldb.DB
	dir   string
	cache *keyCache
	// legacyLookup is lookup.key, the one lookup key of older versions:
	// generation 0 of every purpose not yet rotated; nil once retired.
	legacyLookup []byte                               // NB: key material; never log
	lookups      atomic.Pointer[map[string]lookupGen] // current key per purpose; replaced whole

	ring   atomic.Pointer[keyring] // the master keys; replaced whole, never edited
	fileMu sync.Mutex              // serialises reads and writes of master.key
	// wrapMu lets Rotate wait for key creations that picked the old master
	// before it retires that master: creators hold it shared from choosing
	// the wrapping master until their insert commits.
	wrapMu   sync.RWMutex
	rotateMu sync.Mutex
}

// Open opens the vault over the key store keys and the keys folder keysDir,
// creating the master key (master.key) if it is missing, and reading the
// legacy lookup key (lookup.key) if there is one; PrepareLookups then
// loads the lookup keys, one per purpose. It refuses key files that group or others can access.
func Open(ctx context.Context, keys *sqldb.DB, keysDir string) (*Vault, error) {
	const op = "vault.Open"
	if keys == nil || keysDir == "" {
		return nil, fmt.Errorf("%s: key store and keys folder are required", op)
	}
	if err := checkPrivateDir(keysDir); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	v := &Vault{keys: keys, dir: keysDir, cache: newKeyCache(maxCachedKeys, maxCacheAge)}
	if err := v.checkKeyFilesPresent(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if err := v.loadRing(true); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if err := v.loadLegacyLookup(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return v, nil
}

// Forget drops every cached key of subject, so the next use reads the key
// store again. Call it when another node reports a change to the subject's
// keys through the change feed; Shred calls it itself.
func (v *Vault) Forget(subject minimall.SubjectID) { v.cache.forget(subject) }

// ForgetRetention drops this process's cached retention keys of every
// completion period up to upTo (YYYY-MM), which another node destroyed.
func (v *Vault) ForgetRetention(upTo string) { v.cache.forgetRetention(upTo) }
