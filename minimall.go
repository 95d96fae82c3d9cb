// Package minimall holds the vocabulary every other package shares: who a
// person is (SubjectID), who is acting (Actor), how errors are reported
// (Error, Code) and where time comes from (Clock). It imports nothing from
// the project.
package minimall

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"
)

// SubjectID identifies a person whose personal information the platform
// holds. It is random and says nothing about the person; on its own it is a
// pseudonymous identifier.
type SubjectID string

// NewSubjectID returns a fresh random subject identifier.
func NewSubjectID() SubjectID { return SubjectID("s_" + RandomToken(10)) }

// RandomToken returns n random bytes, base32-encoded in lower case without
// padding; used for identifiers and tokens.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("minimall: crypto/rand failed: " + err.Error())
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// rowIDEncoding keeps the order of the bytes in the order of the text.
var rowIDEncoding = base32.HexEncoding.WithPadding(base32.NoPadding)

// NewRowID returns an identifier for a row of a busy table: prefix, then
// the creation time in microseconds, then 40 random bits, in lower-case
// base32hex (0-9, a-v), so ids sort by creation time. A random id lands
// on a random page of the table's key index, and every such page is
// written again at commit; ids that grow with time append to the last
// page instead. The time is visible in the id, so it is for rows whose
// creation time is no secret from whoever sees the id (orders, payments,
// a person's own records) — never for tokens.
func NewRowID(prefix string) string {
	var b [13]byte
	us := uint64(time.Now().UnixMicro())
	for i := 7; i >= 0; i-- {
		b[i] = byte(us)
		us >>= 8
	}
	if _, err := rand.Read(b[8:]); err != nil {
		panic("minimall: crypto/rand failed: " + err.Error())
	}
	return prefix + strings.ToLower(rowIDEncoding.EncodeToString(b[:]))
}
