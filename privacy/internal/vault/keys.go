package vault

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"

	"minimall"
)

const (
	nonceLen = 12
	tagLen   = 16

	pseudonymInfo = "minimall/vault pseudonym v1"
	wrapLabel     = "minimall/vault wrap v1"
)

// slotKey returns the key of slot s, creating it on first use.
func (v *Vault) slotKey(ctx context.Context, s keySlot) (*cachedKey, error) {
	if k := v.cache.getSlot(s); k != nil {
		return k, nil
	}
	epoch := v.cache.begin()
	// Three tries: a lost race to create is one, an id collision a second.
	for try := 0; try < 3; try++ {
		r, err := findKeyBySlot(ctx, v.keys, s)
		if err == nil {
			return v.unwrapAndCache(r, epoch)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("find key: %w", err)
		}
		k, err := v.createKey(ctx, s)
		if err == nil {
			v.cache.put(k, epoch)
			return k, nil
		}
		// Conflict: another goroutine or node created the key first; use theirs.
		if !minimall.IsCode(err, minimall.Conflict) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("create key: kept conflicting")
}

// idKey returns the key with id, for opening a blob of subject.
func (v *Vault) idKey(ctx context.Context, subject minimall.SubjectID, id int64) (*cachedKey, error) {
	if k := v.cache.get(id); k != nil {
		return k, nil
	}
	epoch := v.cache.begin()
	r, err := findKeyByID(ctx, v.keys, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, v.missingKey(ctx, subject)
	}
	if err != nil {
		return nil, fmt.Errorf("find key: %w", err)
	}
	return v.unwrapAndCache(r, epoch)
}

// missingKey tells an erased subject (ErrErased) from a key that never
// existed or whose retention period ended (ErrNoKey), by the ledger.
func (v *Vault) missingKey(ctx context.Context, subject minimall.SubjectID) error {
	_, erased, err := findErasure(ctx, v.keys, subject)
	switch {
	case err != nil:
		return fmt.Errorf("find erasure: %w", err)
	case erased:
		return ErrErased
	}
	return ErrNoKey
}

// createKey makes, wraps and stores a new key for slot s. It refuses a
// subject already erased (PIPL art. 47): a new data key would bring them
// back; a new retention key is refused only once retention keys are gone.
func (v *Vault) createKey(ctx context.Context, s keySlot) (*cachedKey, error) {
	raw := make([]byte, keyLen) // NB: key material; never log
	defer clear(raw)
	rand.Read(raw)
	v.wrapMu.RLock()
	defer v.wrapMu.RUnlock()
	ring, err := v.freshRing()
	if err != nil {
		return nil, err
	}
	r := keyRow{id: newKeyID(), slot: s, masterID: ring.current().id}
	if r.wrapped, err = wrap(ring, r, raw); err != nil {
		return nil, err
	}
	if err := v.storeNewKey(ctx, r); err != nil {
		return nil, err
	}
	return newCachedKey(r.id, s, raw)
}

// storeNewKey inserts r unless the subject's erasure forbids it, in one
// transaction with the erasure check.
func (v *Vault) storeNewKey(ctx context.Context, r keyRow) error {
	tx, err := v.keys.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := lockSubject(ctx, tx, r.slot.subject); err != nil {
		return err
	}
	scope, erased, err := findErasure(ctx, tx, r.slot.subject)
	if err != nil {
		return fmt.Errorf("find erasure: %w", err)
	}
	if erased && (scope == ScopeAll || r.slot.kind == Data) {
		return ErrErased
	}
	if err := insertKey(ctx, tx, r); err != nil {
		return err
	}
	return tx.Commit()
}

func (v *Vault) unwrapAndCache(r keyRow, epoch uint64) (*cachedKey, error) {
	ring, err := v.ringWith(r.masterID)
	if err != nil {
		return nil, err
	}
	raw, err := unwrap(ring, r) // NB: key material; never log
	if err != nil {
		return nil, err
	}
	defer clear(raw)
	k, err := newCachedKey(r.id, r.slot, raw)
	if err != nil {
		return nil, err
	}
	v.cache.put(k, epoch)
	return k, nil
}

func newCachedKey(id int64, s keySlot, raw []byte) (*cachedKey, error) {
	a, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	k := &cachedKey{id: id, slot: s, aead: a}
	if s.kind == Data {
		// Pseudonyms hang off the data key, so Shred unlinks them too.
		if k.pseudo, err = hkdf.Key(sha256.New, raw, nil, pseudonymInfo, 32); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// newKeyID returns a random positive key id: random so ids say nothing
// about when or for whom a key was made.
func newKeyID() int64 {
	var b [8]byte
	for {
		rand.Read(b[:])
		if id := int64(binary.BigEndian.Uint64(b[:]) >> 1); id != 0 {
			return id
		}
	}
}

// wrap seals a subject key under the row's master. The AAD binds the
// wrapped key to its row (subject, kind, period, id), so a wrapped key
// copied onto another subject's row fails to unwrap.
func wrap(ring *keyring, r keyRow, raw []byte) ([]byte, error) {
	m := ring.aeads[r.masterID]
	if m == nil {
		return nil, fmt.Errorf("master key %q not loaded", r.masterID)
	}
	out := make([]byte, nonceLen, nonceLen+len(raw)+tagLen)
	rand.Read(out)
	return m.Seal(out, out[:nonceLen], raw, wrapAAD(r)), nil
}

func unwrap(ring *keyring, r keyRow) ([]byte, error) {
	m := ring.aeads[r.masterID]
	if m == nil {
		return nil, fmt.Errorf("master key %q not loaded", r.masterID)
	}
	if len(r.wrapped) != nonceLen+keyLen+tagLen {
		return nil, fmt.Errorf("key %d: wrapped key has the wrong length", r.id)
	}
	raw, err := m.Open(nil, r.wrapped[:nonceLen], r.wrapped[nonceLen:], wrapAAD(r))
	if err != nil {
		// The key store was altered or the row belongs to another subject:
		// an operator problem, not a tampered blob, so not ErrTampered.
		return nil, fmt.Errorf("key %d: wrapped key fails authentication", r.id)
	}
	return raw, nil
}

// wrapAAD encodes the row's identity with length prefixes, so no two rows
// share an encoding.
func wrapAAD(r keyRow) []byte {
	b := []byte(wrapLabel)
	for _, s := range []string{string(r.slot.subject), string(r.slot.kind), r.slot.period} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return binary.BigEndian.AppendUint64(b, uint64(r.id))
}
