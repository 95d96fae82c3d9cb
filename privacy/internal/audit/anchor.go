package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"encoding/binary"
	"fmt"
	"time"

	"minimall/sqldb"
)

// The checkpoint and the audit key both sit in the keys folder, so whoever
// holds that folder can rewrite the log, re-chain it with the key and move
// the checkpoint: Verify would pass. Anchoring closes that gap for what
// was anchored: each chain's checkpointed head is signed with an Ed25519
// key and published to a witness outside the platform that keeps every
// head it receives (append-only, the first key it saw pinned). A head the
// witness holds fixes every entry up to it: the chain binds each entry to
// the head's mac, so CheckWitnessed finds any entry at or before a
// witnessed head that was rewritten, removed or reordered. Entries after
// the last witnessed head are protected only by Verify.

// signKeyFile holds the Ed25519 seed heads are signed with.
const signKeyFile = "audit-sign.key"

// SignedHead is a chain's head as published to the witness: the seq and
// mac of its checkpointed last entry, when it was signed, the public key
// and the signature.
type SignedHead struct {
	Chain string    `json:"chain"`
	Seq   int64     `json:"seq"`
	MAC   []byte    `json:"mac"`
	At    time.Time `json:"at"`
	Key   []byte    `json:"key"` // Ed25519 public key
	Sig   []byte    `json:"sig"`
}

// message is what the signature covers; fixed widths and length prefixes,
// so no two heads sign alike.
func (h *SignedHead) message() []byte {
	b := append([]byte(nil), "minimall/audit/v1 head"...)
	b = appendString(b, h.Chain)
	b = binary.BigEndian.AppendUint64(b, uint64(h.Seq))
	b = appendString(b, string(h.MAC))
	return binary.BigEndian.AppendUint64(b, uint64(sqldb.Micros(h.At)))
}

// Valid reports whether h is signed by the key it carries.
func (h *SignedHead) Valid() bool {
	return len(h.Key) == ed25519.PublicKeySize && ed25519.Verify(ed25519.PublicKey(h.Key), h.message(), h.Sig)
}

// signer loads (creating it if missing) the signing key in keysDir.
// NB: holds the private key; never log it.
func signer(keysDir string) (ed25519.PrivateKey, error) {
	seed, err := loadOrCreate(keysDir, signKeyFile)
	if err != nil {
		return nil, fmt.Errorf("audit: signing key: %w", err)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

func sign(priv ed25519.PrivateKey, chain string, h head, at time.Time) SignedHead {
	sh := SignedHead{Chain: chain, Seq: h.seq, MAC: h.mac, At: sqldb.FromMicros(sqldb.Micros(at)), Key: priv.Public().(ed25519.PublicKey)}
	sh.Sig = ed25519.Sign(priv, sh.message())
	return sh
}

// SignHeads returns every chain's checkpointed head, signed with the key
// in keysDir (created if missing), at now.
func SignHeads(ctx context.Context, keys *sqldb.DB, keysDir string, now time.Time) ([]SignedHead, error) {
	priv, err := signer(keysDir)
	if err != nil {
		return nil, err
	}
	cps, err := readCheckpoints(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	var out []SignedHead
	for _, c := range union(nil, cps) {
		out = append(out, sign(priv, c, cps[c], now))
	}
	return out, nil
}

// PublicKey returns the public half of the signing key in keysDir.
func PublicKey(keysDir string) (ed25519.PublicKey, error) {
	priv, err := signer(keysDir)
	if err != nil {
		return nil, err
	}
	return priv.Public().(ed25519.PublicKey), nil
}

// WitnessReport is what CheckWitnessed found.
type WitnessReport struct {
	Heads    int // witnessed heads checked against the log
	Archived int // witnessed heads before a chain's base: archived or dropped, not checked here
	Problems []Problem
}

// CheckWitnessed holds the log in the data database to heads a witness
// kept: each witnessed entry still held must be stored with the mac the
// witness has, and the heads must be signed with the key in keysDir (a
// replaced signing key is how a rewriter would start a new witness
// record). Run with Verify, which ties every other entry to them.
func CheckWitnessed(ctx context.Context, data, keys *sqldb.DB, keysDir string, heads []SignedHead) (*WitnessReport, error) {
	bases, err := readBases(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	var pub ed25519.PublicKey
	if seed, err := readKeyFile(keysDir, signKeyFile); err == nil {
		pub = ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	}
	r := &WitnessReport{}
	for i := range heads {
		h := &heads[i]
		switch {
		case !h.Valid():
			r.report(h, "the witness holds a head whose signature does not verify")
			continue
		case !pub.Equal(ed25519.PublicKey(h.Key)):
			r.report(h, "the witness holds a head signed with another key than audit-sign.key: the signing key was replaced")
		}
		if err := r.check(ctx, data, bases[h.Chain], h); err != nil {
			return nil, fmt.Errorf("audit: check witnessed heads: %w", err)
		}
	}
	return r, nil
}

func (r *WitnessReport) check(ctx context.Context, data *sqldb.DB, b base, h *SignedHead) error {
	switch {
	case h.Seq < b.seq:
		r.Archived++
		return nil
	case h.Seq == b.seq:
		r.Heads++
		if !hmac.Equal(b.mac, h.MAC) {
			r.report(h, "the chain's base does not match the head the witness holds")
		}
		return nil
	}
	r.Heads++
	rows, err := readRows(ctx, data, h.Chain, h.Seq-1, h.Seq, 1)
	if err != nil {
		return err
	}
	switch {
	case len(rows) == 0:
		r.report(h, "the witness holds a head at this seq; the log has no entry there")
	case !hmac.Equal(rows[0].mac, h.MAC):
		r.report(h, "the entry differs from the head the witness holds: the log was rewritten")
	}
	return nil
}

func (r *WitnessReport) report(h *SignedHead, detail string) {
	r.Problems = append(r.Problems, Problem{Chain: h.Chain, Seq: h.Seq, Kind: Unwitnessed, Detail: detail})
}
