package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"minimall/sqldb"
)

// A sweep removes the oldest entries of each chain once they are past the
// log's retention: every row before the first one written at or after the
// cutoff, but never a chain's last row, which anchors it to its
// checkpoint. It first verifies the whole log, so a sweep never launders
// tampering; then, if asked, writes the rows to an archive (archive.go);
// then records each chain's new base in the key store and only then
// deletes the rows and their index entries from the data database. A
// crash between the two leaves rows at or before the base, which Verify
// skips and the next sweep removes.

// ErrNotVerified is returned by PlanSweep when the log does not verify.
var ErrNotVerified = errors.New("audit log does not verify; nothing is removed")

// Segment is the part of one chain a sweep removes: the rows after From
// up to and including To.
type Segment struct {
	Chain string
	From  int64 // seq of the base the rows chain from; 0: the chain's start
	To    int64 // seq of the last row removed
	Rows  int64 // how many rows
	// Last is the time of the last row removed.
	Last time.Time

	from base // the base before the sweep
	to   base // the base after it
	// stale is the seq up to which rows are still stored though at or
	// before the old base: removed too.
	stale int64
}

// Sweep is a planned removal of old entries. Its segments can be written
// to an archive before Drop removes them.
type Sweep struct {
	Segments []Segment
	Cutoff   time.Time
	data     *sqldb.DB
	keys     *sqldb.DB
	keysDir  string
	m        *chainMAC
}

// PlanSweep verifies the log (ErrNotVerified if it does not) and returns
// the segments of every chain written before cutoff.
func PlanSweep(ctx context.Context, data, keys *sqldb.DB, keysDir string, cutoff time.Time) (*Sweep, error) {
	r, err := Verify(ctx, data, keys, keysDir)
	if err != nil {
		return nil, err
	}
	if !r.OK() {
		p := r.Problems[0]
		return nil, fmt.Errorf("%w: chain %q has a %s row at seq %d; run `minimall audit verify`", ErrNotVerified, p.Chain, p.Kind, p.Seq)
	}
	key, err := readKey(keysDir)
	if err != nil {
		return nil, fmt.Errorf("audit: sweep: %w", err)
	}
	bases, err := readBases(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("audit: sweep: %w", err)
	}
	s := &Sweep{Cutoff: cutoff, data: data, keys: keys, keysDir: keysDir, m: newChainMAC(key)}
	for _, cr := range r.Chains {
		seg, ok, err := s.plan(ctx, cr.Chain, bases[cr.Chain], sqldb.Micros(cutoff))
		if err != nil {
			return nil, fmt.Errorf("audit: sweep chain %q: %w", cr.Chain, err)
		}
		if ok {
			s.Segments = append(s.Segments, seg)
		}
	}
	return s, nil
}

// plan finds chain's segment: the rows after its base up to the one before
// the first row at or after cutoff, and before the chain's last row.
func (s *Sweep) plan(ctx context.Context, chain string, b base, cutoff int64) (Segment, bool, error) {
	var first, last, kept sql.NullInt64
	err := s.data.QueryRowContext(ctx, `SELECT MIN(seq), MAX(seq) FROM audit_log WHERE chain = ?`, chain).Scan(&first, &last)
	if err != nil || !last.Valid {
		return Segment{}, false, err
	}
	// In seq order, so the scan stops at the first entry kept.
	err = s.data.QueryRowContext(ctx, `SELECT seq FROM audit_log WHERE chain = ? AND seq > ? AND at >= ? ORDER BY seq LIMIT 1`,
		chain, b.seq, cutoff).Scan(&kept)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Segment{}, false, err
	}
	to := last.Int64 - 1
	if kept.Valid {
		to = min(to, kept.Int64-1)
	}
	seg := Segment{Chain: chain, From: b.seq, To: b.seq, from: b, to: b}
	if first.Int64 <= b.seq {
		seg.stale = b.seq
	}
	if to > b.seq {
		end, err := s.rowAt(ctx, chain, to)
		if err != nil {
			return Segment{}, false, err
		}
		seg.To, seg.Rows, seg.Last = to, to-b.seq, sqldb.FromMicros(end.at)
		seg.to = base{head: head{seq: to, mac: end.mac}, at: end.at, cutoff: cutoff}
	}
	return seg, seg.Rows > 0 || seg.stale > 0, nil
}

func (s *Sweep) rowAt(ctx context.Context, chain string, seq int64) (row, error) {
	rows, err := readRows(ctx, s.data, chain, seq-1, seq, 1)
	if err != nil {
		return row{}, err
	}
	if len(rows) != 1 {
		return row{}, fmt.Errorf("seq %d is gone", seq)
	}
	return rows[0], nil
}

// Rows is how many entries the sweep removes.
func (s *Sweep) Rows() int64 {
	var n int64
	for _, seg := range s.Segments {
		n += seg.Rows
	}
	return n
}

// dropChunk bounds the rows one transaction deletes, so a first sweep over
// years of entries never holds the data store's write lock for long.
const dropChunk = 5000

// Drop records each segment's end as its chain's base in the key store,
// then deletes its rows and their index entries from the data database.
func (s *Sweep) Drop(ctx context.Context) error {
	for _, seg := range s.Segments {
		if seg.to.seq > seg.from.seq {
			// The base first: until it is written, Verify expects the rows.
			if err := writeBase(ctx, s.keys, seg.Chain, seg.to); err != nil {
				return fmt.Errorf("audit: sweep chain %q: %w", seg.Chain, err)
			}
		}
		if err := s.deleteUpTo(ctx, seg.Chain, seg.to.seq); err != nil {
			return fmt.Errorf("audit: sweep chain %q: %w", seg.Chain, err)
		}
	}
	return nil
}

// deleteUpTo deletes chain's rows up to seq, and their index entries, a
// chunk per transaction; it moves the index's mark past them, or the
// indexer, which reads a chunk after its mark, would find nothing there.
func (s *Sweep) deleteUpTo(ctx context.Context, chain string, upTo int64) error {
	var lo sql.NullInt64
	if err := s.data.QueryRowContext(ctx, `SELECT MIN(seq) FROM audit_log WHERE chain = ?`, chain).Scan(&lo); err != nil {
		return err
	}
	for from := lo.Int64 - 1; lo.Valid && from < upTo; from += dropChunk {
		to := min(from+dropChunk, upTo)
		err := s.data.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
			// Through the log's rows, so each index entry is found by its key.
			if _, err := tx.ExecContext(ctx, `DELETE FROM audit_subjects WHERE (subject, chain, seq) IN
				(SELECT subject, chain, seq FROM audit_log WHERE chain = ? AND seq > ? AND seq <= ? AND subject <> '')`, chain, from, to); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM audit_log WHERE chain = ? AND seq > ? AND seq <= ?`, chain, from, to); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO audit_indexed (chain, seq) VALUES (?, ?)
				ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq WHERE audit_indexed.seq < excluded.seq`, chain, to)
			return err
		})
		if err != nil {
			return fmt.Errorf("delete swept rows: %w", err)
		}
	}
	return nil
}
