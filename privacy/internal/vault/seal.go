package vault

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"regexp"

	"minimall"
)

// A sealed blob is
//
//	version (1 byte) | key id (8 bytes, big endian) | nonce (12 bytes) | ciphertext+tag
//
// and the GCM associated data is the 9-byte header followed by the
// caller's aad (subject|table|column|row), so a blob moved to another row,
// column or subject, or given another key id, fails to open.
const (
	blobVersion  = 1
	headerLen    = 1 + 8
	blobOverhead = headerLen + nonceLen + tagLen
)

var periodPattern = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// Seal seals plaintext under subject's data key (PIPL art. 51: encryption
// as a security measure), creating the key on first use. aad names where the blob will live (subject|table|column|row); Open
// must be given the same. Returns ErrErased if the subject was erased.
func (v *Vault) Seal(ctx context.Context, subject minimall.SubjectID, aad, plaintext []byte) ([]byte, error) {
	const op = "vault.Seal"
	if subject == "" {
		return nil, minimall.Errorf(minimall.Invalid, op, "A subject is required.")
	}
	k, err := v.slotKey(ctx, keySlot{subject: subject, kind: Data})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return seal(k, aad, plaintext), nil
}

// SealRetained seals plaintext under subject's retention key for period
// (a completion month, "YYYY-MM"), creating the key on first use. Records
// the law makes us keep (E-commerce Law art. 31) are sealed so, and stay
// readable after the account is deleted until ExpireRetention destroys the
// period. Returns ErrErased if the subject was erased with ScopeAll.
func (v *Vault) SealRetained(ctx context.Context, subject minimall.SubjectID, period string, aad, plaintext []byte) ([]byte, error) {
	const op = "vault.SealRetained"
	if subject == "" {
		return nil, minimall.Errorf(minimall.Invalid, op, "A subject is required.")
	}
	// Periods are compared as text by ExpireRetention, so only one form.
	if !periodPattern.MatchString(period) {
		return nil, minimall.Errorf(minimall.Invalid, op, "The retention period must be YYYY-MM.")
	}
	k, err := v.slotKey(ctx, keySlot{subject: subject, kind: Retention, period: period})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return seal(k, aad, plaintext), nil
}

// Open opens a blob sealed for subject with the same aad, and says whether
// it was sealed under a data or a retention key (retention data may be read
// for the legal duty only; the guard enforces that). Returns ErrErased if
// the key was destroyed by an erasure, ErrNoKey if it is otherwise missing,
// ErrTampered if authentication fails (altered blob, another subject's
// blob, wrong aad) and ErrMalformed if sealed is not a blob.
func (v *Vault) Open(ctx context.Context, subject minimall.SubjectID, aad, sealed []byte) ([]byte, KeyKind, error) {
	const op = "vault.Open"
	if len(sealed) < blobOverhead || sealed[0] != blobVersion {
		return nil, "", fmt.Errorf("%s: %w", op, ErrMalformed)
	}
	k, err := v.idKey(ctx, subject, int64(binary.BigEndian.Uint64(sealed[1:headerLen])))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", op, err)
	}
	// A key of another subject must not open this subject's blob, even if
	// the aad was forged to match.
	if k.slot.subject != subject {
		return nil, "", fmt.Errorf("%s: %w", op, ErrTampered)
	}
	plain, err := open(k, aad, sealed)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", op, ErrTampered)
	}
	return plain, k.slot.kind, nil
}

// seal builds the blob in one allocation. The GCM associated data (header
// and aad) is assembled in spare room past the blob's end, which the
// returned slice's capacity hides; it holds identifiers only, no PI.
func seal(k *cachedKey, aad, plaintext []byte) []byte {
	n := blobOverhead + len(plaintext)
	buf := make([]byte, n, n+headerLen+len(aad))
	buf[0] = blobVersion
	binary.BigEndian.PutUint64(buf[1:headerLen], uint64(k.id))
	rand.Read(buf[headerLen : headerLen+nonceLen])
	ad := append(append(buf[n:n], buf[:headerLen]...), aad...)
	k.aead.Seal(buf[:headerLen+nonceLen], buf[headerLen:headerLen+nonceLen], plaintext, ad)
	return buf[:n:n]
}

// open opens a blob in one allocation, the associated data again built in
// room past the plaintext's end.
func open(k *cachedKey, aad, sealed []byte) ([]byte, error) {
	n := len(sealed) - blobOverhead
	buf := make([]byte, n, n+headerLen+len(aad))
	ad := append(append(buf[n:n], sealed[:headerLen]...), aad...)
	return k.aead.Open(buf[:0:n], sealed[headerLen:headerLen+nonceLen], sealed[headerLen+nonceLen:], ad)
}
