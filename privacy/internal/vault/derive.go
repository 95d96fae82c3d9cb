package vault

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"

	"minimall"
)

// pseudonymLen is 20 base32 characters: 100 bits, enough that pseudonyms
// of different people do not collide, short enough for an analytics key.
const pseudonymLen = 20

var pseudonymEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Pseudonym returns a stable pseudonymous identifier of subject for one
// domain (such as "ads" or "recommend"): the same for the same subject and
// domain, unlinkable across domains. It is derived from the subject's data
// key (HKDF, then HMAC over the domain), so erasing the subject unlinks
// every pseudonym at once (PIPL art. 73(3): de-identified data must not be
// re-linkable without extra information; here that information is shredded).
// Returns ErrErased after Shred.
func (v *Vault) Pseudonym(ctx context.Context, subject minimall.SubjectID, domain string) (string, error) {
	const op = "vault.Pseudonym"
	if subject == "" || domain == "" {
		return "", minimall.Errorf(minimall.Invalid, op, "A subject and a domain are required.")
	}
	k, err := v.slotKey(ctx, keySlot{subject: subject, kind: Data})
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	mac := hmac.New(sha256.New, k.pseudo)
	mac.Write([]byte(domain))
	sum := mac.Sum(nil)
	return pseudonymEncoding.EncodeToString(sum[:13])[:pseudonymLen], nil
}

// BlindIndex returns HMAC-SHA256 of value under the current lookup key of
// the purpose domain (the field name), for equality lookups on sealed
// columns: sign-in by phone, unique member names.
//
// A lookup key is a platform key, not a subject key, because the lookup
// happens before the subject is known ("whose phone is this?") and
// uniqueness must hold across all subjects; a per-subject key could do
// neither. Two consequences: erasing a subject does not unlink an index
// value, so the row holding it must be deleted with the account; and since
// phone numbers are few enough to enumerate, a lookup key is as secret as
// the master key and is wrapped by it. Each purpose has its own key, so
// one can be rotated (AddLookupGeneration) without touching the others.
func (v *Vault) BlindIndex(domain string, value []byte) []byte {
	mac := hmac.New(sha256.New, v.currentLookup(domain).mac)
	// A length prefix keeps ("ab", "c") and ("a", "bc") apart.
	var n [binary.MaxVarintLen64]byte
	mac.Write(n[:binary.PutUvarint(n[:], uint64(len(domain)))])
	mac.Write([]byte(domain))
	mac.Write(value)
	return mac.Sum(nil)
}
