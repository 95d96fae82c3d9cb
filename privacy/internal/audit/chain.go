package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"strings"
	"unicode/utf8"

	"minimall/sqldb"
)

// macLen is the length of every mac in a chain (HMAC-SHA256).
const macLen = sha256.Size

// row is an audit_log row as stored: the entry with its place in the chain.
type row struct {
	chain    string
	seq      int64
	at       int64 // microseconds, as stored and as hashed
	actor    string
	subject  string
	field    string
	purpose  string
	decision string
	reason   string
	ref      string
	mac      []byte
}

func (r *row) record() Record {
	return Record{
		Chain: r.chain, Seq: r.seq,
		Entry: Entry{
			At: sqldb.FromMicros(r.at), Actor: r.actor, Subject: r.subject, Field: r.field,
			Purpose: r.purpose, Decision: r.decision, Reason: r.reason, Ref: r.ref,
		},
	}
}

// chainMAC computes the macs of one key's chains:
//
//	mac_0 = HMAC(key, "minimall/audit/v1 genesis" || len(chain) || chain)
//	mac_n = HMAC(key, mac_{n-1} || encode(row_n))
//
// Not safe for concurrent use: the writer and each Verify own one.
type chainMAC struct {
	h   hash.Hash // NB: keyed; never log
	buf []byte
}

func newChainMAC(key []byte) *chainMAC {
	return &chainMAC{h: hmac.New(sha256.New, key), buf: make([]byte, 0, 256)}
}

// genesis returns mac_0 of chain: fixed for a key and a chain name, so a
// chain cannot be spliced onto another one's start.
func (c *chainMAC) genesis(chain string) []byte {
	c.buf = append(c.buf[:0], "minimall/audit/v1 genesis"...)
	c.buf = appendString(c.buf, chain)
	c.h.Reset()
	c.h.Write(c.buf)
	return c.h.Sum(nil)
}

// sum appends to dst the mac of r chained from prev.
func (c *chainMAC) sum(dst, prev []byte, r *row) []byte {
	c.buf = encode(c.buf[:0], r)
	c.h.Reset()
	c.h.Write(prev)
	c.h.Write(c.buf)
	return c.h.Sum(dst)
}

// links reports whether r's stored mac is the mac of r chained from prev.
func (c *chainMAC) links(prev []byte, r *row) bool {
	var m [macLen]byte
	return hmac.Equal(c.sum(m[:0], prev, r), r.mac)
}

// linksAt reports whether r, were it stored at seq, would chain from prev.
func (c *chainMAC) linksAt(prev []byte, r *row, seq int64) bool {
	cp := *r
	cp.seq = seq
	return c.links(prev, &cp)
}

// encode appends the canonical encoding of r's content (not its mac).
// Every string is length-prefixed and the integers have fixed widths, so
// no two rows encode alike.
func encode(b []byte, r *row) []byte {
	b = appendString(b, r.chain)
	b = binary.BigEndian.AppendUint64(b, uint64(r.seq))
	b = binary.BigEndian.AppendUint64(b, uint64(r.at))
	for _, s := range [...]string{r.actor, r.subject, r.field, r.purpose, r.decision, r.reason, r.ref} {
		b = appendString(b, s)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// clean makes s storable as TEXT on both engines: PostgreSQL refuses NUL
// and invalid UTF-8, and one such entry would otherwise fail every batch it
// is retried in. The mac covers the cleaned text, so it still verifies.
func clean(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
