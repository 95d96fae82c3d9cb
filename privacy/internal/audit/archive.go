package audit

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

// An archive holds the segments a sweep removed, as JSON lines: for each
// segment a "segment" line (its chain and the head it chains from), its
// entries as stored, one "entry" line each, and an "end" line with the
// head that closes it: the base the sweep recorded in the key store. With
// the audit key it verifies on its own (VerifyArchive): every entry chains
// from the one before, from the segment's start (the chain's genesis, or
// the end of the archive before) to its closing head.
const archiveFormat = "minimall-audit-archive/v1"

// archiveLine is one line of an archive; Kind says which fields are set.
type archiveLine struct {
	Kind   string `json:"kind"` // segment, entry, end
	Format string `json:"format,omitempty"`
	Chain  string `json:"chain,omitempty"`
	// segment: the head the first entry chains from; end: the closing head.
	Seq int64  `json:"seq"`
	MAC string `json:"mac,omitempty"` // hex
	// entry: the stored row.
	At       int64  `json:"at_us,omitempty"`
	Actor    string `json:"actor,omitempty"`
	Subject  string `json:"subject,omitempty"`
	Field    string `json:"field,omitempty"`
	Purpose  string `json:"purpose,omitempty"`
	Decision string `json:"decision,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Ref      string `json:"ref,omitempty"`
	Rows     int64  `json:"rows,omitempty"` // end: how many entries
	// end: the closing head signed with audit-sign.key, so whoever holds
	// only the public key can tell it is the platform's.
	Head *SignedHead `json:"head,omitempty"`
}

// WriteArchive writes every segment's entries to w. It does not sync:
// the caller makes the archive durable before Drop.
func (s *Sweep) WriteArchive(ctx context.Context, w io.Writer) error {
	priv, err := signer(s.keysDir)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, seg := range s.Segments {
		if seg.Rows == 0 {
			continue
		}
		start := s.m.start(seg.Chain, seg.from)
		if err := enc.Encode(archiveLine{Kind: "segment", Format: archiveFormat, Chain: seg.Chain, Seq: start.seq, MAC: hex.EncodeToString(start.mac)}); err != nil {
			return err
		}
		if err := s.archiveRows(ctx, enc, seg); err != nil {
			return fmt.Errorf("audit: archive chain %q: %w", seg.Chain, err)
		}
		closing := sign(priv, seg.Chain, seg.to.head, s.Cutoff)
		if err := enc.Encode(archiveLine{Kind: "end", Chain: seg.Chain, Seq: seg.to.seq, MAC: hex.EncodeToString(seg.to.mac), Rows: seg.Rows, Head: &closing}); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func (s *Sweep) archiveRows(ctx context.Context, enc *json.Encoder, seg Segment) error {
	for after := seg.from.seq; after < seg.to.seq; {
		rows, err := readRows(ctx, s.data, seg.Chain, after, seg.to.seq, pageSize)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return fmt.Errorf("rows %d to %d are gone", after+1, seg.to.seq)
		}
		for i := range rows {
			r := &rows[i]
			if err := enc.Encode(archiveLine{Kind: "entry", Chain: r.chain, Seq: r.seq, MAC: hex.EncodeToString(r.mac), At: r.at,
				Actor: r.actor, Subject: r.subject, Field: r.field, Purpose: r.purpose, Decision: r.decision, Reason: r.reason, Ref: r.ref}); err != nil {
				return err
			}
		}
		after = rows[len(rows)-1].seq
	}
	return nil
}

// ArchivedSegment is one segment of an archive as VerifyArchive found it.
type ArchivedSegment struct {
	Chain    string
	From, To int64 // the head it chains from, and its closing head
	Rows     int64
	EndMAC   string // hex: compare with the base or a witnessed head
}

// VerifyArchive checks an archive with the audit key in keysDir: every
// segment's entries chain, in seq order, from its start to its closing
// head, which is signed with audit-sign.key, and a segment starting at
// seq 0 starts at its chain's genesis. It
// returns the segments and the problems found; an error only if it cannot
// read the archive or the key.
func VerifyArchive(r io.Reader, keysDir string) ([]ArchivedSegment, []Problem, error) {
	key, err := readKey(keysDir)
	if err != nil {
		return nil, nil, fmt.Errorf("audit: verify archive: %w", err)
	}
	v := archiveCheck{m: newChainMAC(key)}
	if seed, err := readKeyFile(keysDir, signKeyFile); err == nil {
		v.pub = ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	}
	dec := json.NewDecoder(bufio.NewReader(r))
	for {
		var l archiveLine
		err := dec.Decode(&l)
		if err == io.EOF {
			break
		}
		if err != nil {
			return v.segs, v.problems, fmt.Errorf("audit: verify archive: %w", err)
		}
		v.line(&l)
	}
	if v.open {
		v.report(v.seg.Chain, v.prev.seq+1, Truncated, "the archive ends inside a segment, before its closing head")
	}
	return v.segs, v.problems, nil
}

// archiveCheck walks an archive line by line.
type archiveCheck struct {
	m        *chainMAC
	pub      ed25519.PublicKey // of audit-sign.key; nil if it is missing
	seg      ArchivedSegment
	prev     head
	open     bool
	segs     []ArchivedSegment
	problems []Problem
}

func (v *archiveCheck) line(l *archiveLine) {
	mac, _ := hex.DecodeString(l.MAC)
	switch {
	case l.Kind == "segment":
		v.start(l, mac)
	case !v.open || l.Chain != v.seg.Chain:
		v.report(l.Chain, l.Seq, Inserted, "a line outside its segment")
	case l.Kind == "entry":
		v.entry(l, mac)
	case l.Kind == "end":
		v.end(l, mac)
	default:
		v.report(l.Chain, l.Seq, Inserted, "a line of unknown kind")
	}
}

func (v *archiveCheck) start(l *archiveLine, mac []byte) {
	if l.Format != archiveFormat {
		v.report(l.Chain, l.Seq, Inserted, "not a "+archiveFormat+" segment")
	}
	if l.Seq == 0 && !hmac.Equal(mac, v.m.genesis(l.Chain)) {
		v.report(l.Chain, 0, Edited, "the segment starts at seq 0 but not at its chain's genesis")
	}
	v.seg, v.prev, v.open = ArchivedSegment{Chain: l.Chain, From: l.Seq}, head{seq: l.Seq, mac: mac}, true
}

func (v *archiveCheck) entry(l *archiveLine, mac []byte) {
	r := row{chain: l.Chain, seq: l.Seq, at: l.At, actor: l.Actor, subject: l.Subject, field: l.Field, purpose: l.Purpose,
		decision: l.Decision, reason: l.Reason, ref: l.Ref, mac: mac}
	switch {
	case r.seq != v.prev.seq+1:
		v.report(r.chain, r.seq, Deleted, fmt.Sprintf("follows seq %d", v.prev.seq))
	case !v.m.links(v.prev.mac, &r):
		v.report(r.chain, r.seq, Edited, "does not chain from the entry before it")
	}
	v.prev = head{seq: r.seq, mac: mac}
	v.seg.Rows++
}

func (v *archiveCheck) end(l *archiveLine, mac []byte) {
	if l.Seq != v.prev.seq || !hmac.Equal(mac, v.prev.mac) || l.Rows != v.seg.Rows {
		v.report(l.Chain, l.Seq, Truncated, fmt.Sprintf("the closing head (seq %d) is not the last entry's (seq %d)", l.Seq, v.prev.seq))
	}
	if h := l.Head; h == nil || !h.Valid() || h.Chain != l.Chain || h.Seq != l.Seq || !hmac.Equal(h.MAC, mac) || !v.pub.Equal(ed25519.PublicKey(h.Key)) {
		v.report(l.Chain, l.Seq, Edited, "the closing head is not signed with audit-sign.key")
	}
	v.seg.To, v.seg.EndMAC, v.open = l.Seq, l.MAC, false
	v.segs = append(v.segs, v.seg)
}

func (v *archiveCheck) report(chain string, seq int64, k Kind, detail string) {
	v.problems = append(v.problems, Problem{Chain: chain, Seq: seq, Kind: k, Detail: detail})
}
