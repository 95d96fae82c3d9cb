// Package minimall holds the vocabulary every other package shares: who a
// person is (SubjectID), who is acting (Actor), how errors are reported
// (Error, Code) and where time comes from (Clock). It imports nothing from
// the project.
package minimall

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
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
