package audit

import (
	"context"
	"fmt"
	"sort"

	"minimall/sqldb"
)

// Kind names a way the log was tampered with.
type Kind int

// Kinds of tampering Verify reports.
const (
	Edited      Kind = iota + 1 // a row's content no longer matches its mac
	Deleted                     // rows are missing from the middle of a chain
	Inserted                    // a row that does not belong to the chain
	Reordered                   // rows whose macs verify only in another order
	Truncated                   // rows are missing from the end of a chain
	Misindexed                  // the index by person does not match the chain
	Unwitnessed                 // the log differs from a head a witness keeps
)

// String returns the kind's lower-case name.
func (k Kind) String() string {
	switch k {
	case Edited:
		return "edited"
	case Deleted:
		return "deleted"
	case Inserted:
		return "inserted"
	case Reordered:
		return "reordered"
	case Truncated:
		return "truncated"
	case Misindexed:
		return "misindexed"
	case Unwitnessed:
		return "unwitnessed"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Problem is one tampering found in a chain, at the seq where it shows.
type Problem struct {
	Chain  string
	Seq    int64
	Kind   Kind
	Detail string // what was found; seqs and counts, never row content
}

// ChainReport summarises one chain.
type ChainReport struct {
	Chain      string
	Rows       int64 // rows read
	Last       int64 // seq of the last row; 0 if none
	Checkpoint int64 // seq of the checkpointed head; 0 if none
	Base       int64 // seq of the last entry a sweep removed; 0 if none
	Stopped    bool  // so many problems that the walk stopped listing them
}

// Report is the result of Verify.
type Report struct {
	Chains   []ChainReport
	Problems []Problem
	ends     map[string]head // each chain's last row that chained, for Recheck
}

// OK reports whether no problem was found.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Verify walks every chain in seq order, recomputes its macs with the key
// in keysDir, compares its end with the checkpoint in the key store and
// names each problem found; then it holds the index by person to every
// chain that verified (indexcheck.go). It returns an error only if it
// cannot check (a database or the key cannot be read), never for
// tampering.
func Verify(ctx context.Context, data, keys *sqldb.DB, keysDir string) (*Report, error) {
	return verify(ctx, data, keys, keysDir, nil)
}

// verify is Verify, calling pace (if not nil) after each page it reads.
func verify(ctx context.Context, data, keys *sqldb.DB, keysDir string, pace func()) (*Report, error) {
	// Checkpoints and index marks first: a live writer and indexer move the
	// data ahead of them, never behind, so reading them first cannot make a
	// live log look truncated or its index look ahead of it.
	cps, err := readCheckpoints(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	marks, err := readMarks(ctx, data)
	if err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	bases, err := readBases(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	chains, err := listChains(ctx, data)
	if err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	chains = union(chains, cps)
	r := &Report{ends: map[string]head{}}
	if len(chains) == 0 {
		return r, nil // nothing written yet, and nothing to check against
	}
	key, err := readKey(keysDir)
	if err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	v := chainVerifier{data: data, keys: keys, m: newChainMAC(key), pace: pace}
	if err := v.all(ctx, chains, cps, bases, r); err != nil {
		return nil, err
	}
	ic := &indexCheck{db: data, pace: pace, marks: marks, bases: v.bases, intact: r.intact(), found: map[string]int{}}
	if err := ic.run(ctx, chains); err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	r.Problems = append(r.Problems, ic.out...)
	return r, nil
}

// chainVerifier walks chains for verify.
type chainVerifier struct {
	data, keys *sqldb.DB
	m          *chainMAC
	pace       func()
	bases      map[string]base // each chain's base as walked from
}

// all walks each chain into r, from its base. A chain that does not
// verify is walked once more if its base moved meanwhile: a sweep
// (prune.go) removed rows at its start while it was read.
func (v *chainVerifier) all(ctx context.Context, chains []string, cps map[string]head, bases map[string]base, r *Report) error {
	v.bases = bases
	for _, c := range chains {
		cr, end, problems, err := verifyChain(ctx, v.data, v.m, c, cps[c], bases[c], v.pace)
		if err == nil && len(problems) > 0 {
			cr, end, problems, err = v.again(ctx, c, cps[c], cr, end, problems)
		}
		if err != nil {
			return fmt.Errorf("audit: verify chain %q: %w", c, err)
		}
		r.Chains = append(r.Chains, cr)
		r.ends[c] = end
		r.Problems = append(r.Problems, problems...)
	}
	return nil
}

// again walks chain again from its current base if a sweep moved it.
func (v *chainVerifier) again(ctx context.Context, c string, cp head, cr ChainReport, end head, problems []Problem) (ChainReport, head, []Problem, error) {
	b, err := readBase(ctx, v.keys, c)
	if err != nil || b.seq == v.bases[c].seq {
		return cr, end, problems, err
	}
	v.bases[c] = b
	return verifyChain(ctx, v.data, v.m, c, cp, b, v.pace)
}

// intact returns the chains with no problem, by name.
func (r *Report) intact() map[string]*ChainReport {
	broken := map[string]bool{}
	for _, p := range r.Problems {
		broken[p.Chain] = true
	}
	out := map[string]*ChainReport{}
	for i := range r.Chains {
		if cr := &r.Chains[i]; !broken[cr.Chain] && !cr.Stopped {
			out[cr.Chain] = cr
		}
	}
	return out
}

func union(chains []string, cps map[string]head) []string {
	seen := map[string]bool{}
	for _, c := range chains {
		seen[c] = true
	}
	for c := range cps {
		if !seen[c] {
			chains = append(chains, c)
		}
	}
	sort.Strings(chains)
	return chains
}

// verifyChain walks one chain from its base (its start if nothing was
// removed) and checks its end against cp. It returns the last row that
// chained, too.
func verifyChain(ctx context.Context, data *sqldb.DB, m *chainMAC, chain string, cp head, b base, pace func()) (ChainReport, head, []Problem, error) {
	// Rows at or before the base are ones a sweep is still removing, or a
	// restored backup brought back: they are not read.
	src := newRowSource(ctx, data, chain, b.seq)
	src.pace = pace
	w := newWalker(m, chain, src, m.start(chain, b), cp)
	if err := w.walk(); err != nil {
		return ChainReport{}, head{}, nil, err
	}
	w.checkEnd()
	cr := ChainReport{Chain: chain, Rows: w.rows, Last: w.last, Checkpoint: cp.seq, Base: b.seq, Stopped: w.stopped}
	return cr, head{seq: w.next - 1, mac: w.prev}, w.problems, nil
}

// verifyAfter verifies the rows of chain after from, for Open: it returns
// the chain's end, or ErrTampered if any of those rows does not verify.
func verifyAfter(ctx context.Context, data *sqldb.DB, m *chainMAC, chain string, from head) (head, error) {
	return verifyRange(ctx, data, m, chain, from, 0)
}

// verifyRange is verifyAfter up to seq until (0: the end).
func verifyRange(ctx context.Context, data *sqldb.DB, m *chainMAC, chain string, from head, until int64) (head, error) {
	src := newRowSource(ctx, data, chain, from.seq)
	src.until = until
	w := newWalker(m, chain, src, from, head{})
	if err := w.walk(); err != nil {
		return head{}, err
	}
	if len(w.problems) > 0 {
		p := w.problems[0]
		return head{}, fmt.Errorf("%w: chain %q has %d problems after its checkpoint (first: %s at seq %d); run `minimall audit verify`",
			ErrTampered, chain, len(w.problems), p.Kind, p.Seq)
	}
	return head{seq: w.next - 1, mac: w.prev}, nil
}

// pageSize is how many rows Verify reads at a time.
const pageSize = 4096

// rowSource reads a chain's rows in seq order, a page at a time, and lets
// the walker look ahead and swap rows it finds out of order.
type rowSource struct {
	ctx   context.Context
	db    *sqldb.DB
	chain string
	after int64 // seq of the last row read
	buf   []row // unconsumed rows, in stored order
	eof   bool
	err   error
	pace  func() // called after each page; nil: no pauses
	until int64  // the last seq to read; 0: to the end
}

func newRowSource(ctx context.Context, db *sqldb.DB, chain string, after int64) *rowSource {
	return &rowSource{ctx: ctx, db: db, chain: chain, after: after}
}

// peek returns the k-th unconsumed row, or nil past the end.
func (s *rowSource) peek(k int) *row {
	for len(s.buf) <= k && !s.eof && s.err == nil {
		page, err := readRows(s.ctx, s.db, s.chain, s.after, s.until, pageSize)
		if err != nil {
			s.err = err
			break
		}
		if s.pace != nil {
			s.pace()
		}
		if len(page) < pageSize {
			s.eof = true
		}
		if len(page) > 0 {
			s.after = page[len(page)-1].seq
			s.buf = append(s.buf, page...)
		}
	}
	if k >= len(s.buf) {
		return nil
	}
	return &s.buf[k]
}

func (s *rowSource) pop() { s.buf = s.buf[1:] }

// swap exchanges the content of the i-th and j-th rows, keeping each
// position's stored seq: undoing a swap an attacker made.
func (s *rowSource) swap(i, j int) {
	a, b := &s.buf[i], &s.buf[j]
	a.seq, b.seq = b.seq, a.seq
	*a, *b = *b, *a
}
