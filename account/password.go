package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: 19 MiB, 2 passes, 1 lane — the OWASP minimum for
// argon2id. About 30 ms a hash on this project's 2-core machines, so a
// guessed password costs an attacker the same, while one core still signs
// in ~30 people a second. Stored in the PHC string, so they can be raised
// later without invalidating existing hashes.
type argonParams struct {
	memoryKiB uint32
	time      uint32
	threads   uint8
}

var defaultArgon = argonParams{memoryKiB: 19 * 1024, time: 2, threads: 1}

// hashPassword returns the PHC string of an argon2id hash with a fresh salt.
func hashPassword(pw string, p argonParams) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, p.time, p.memoryKiB, p.threads, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memoryKiB, p.time, p.threads, enc.EncodeToString(salt), enc.EncodeToString(key))
}

// weakerThan reports whether the PHC string was hashed at less cost than p
// (or is not one minimall reads): a password checked against it is hashed
// again at p (upgradePassword).
func weakerThan(phc string, p argonParams) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return true
	}
	var got argonParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &got.memoryKiB, &got.time, &got.threads); err != nil {
		return true
	}
	return got.memoryKiB < p.memoryKiB || got.time < p.time
}

// checkPassword reports whether pw matches the PHC string, in constant time.
func checkPassword(pw, phc string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var p argonParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memoryKiB, &p.time, &p.threads); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.time, p.memoryKiB, p.threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked when no account matches, so a sign-in for an
// unknown name costs what one with a wrong password costs: it is hashed
// at the service's own cost, made once.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy = hashPassword("minimall-no-such-account", s.argon) })
	return s.dummy
}

// HashPasswordForBenchmark hashes pw at the production parameters; it
// exists so the cost can be measured from outside the package.
func HashPasswordForBenchmark(pw string) string { return hashPassword(pw, defaultArgon) }
