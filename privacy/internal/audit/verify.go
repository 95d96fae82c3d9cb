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
	Edited    Kind = iota + 1 // a row's content no longer matches its mac
	Deleted                   // rows are missing from the middle of a chain
	Inserted                  // a row that does not belong to the chain
	Reordered                 // rows whose macs verify only in another order
	Truncated                 // rows are missing from the end of a chain
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
	Stopped    bool  // so many problems that the walk stopped listing them
}

// Report is the result of Verify.
type Report struct {
	Chains   []ChainReport
	Problems []Problem
}

// OK reports whether no problem was found.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Verify walks every chain in seq order, recomputes its macs with the key
// in keysDir, compares its end with the checkpoint in the key store and
// names each problem found. It returns an error only if it cannot check
// (a database or the key cannot be read), never for tampering.
func Verify(ctx context.Context, data, keys *sqldb.DB, keysDir string) (*Report, error) {
	// Checkpoints first: a live writer moves the data ahead of them, never
	// behind, so reading them first cannot make a live log look truncated.
	cps, err := readCheckpoints(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	chains, err := listChains(ctx, data)
	if err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	chains = union(chains, cps)
	r := &Report{}
	if len(chains) == 0 {
		return r, nil // nothing written yet, and nothing to check against
	}
	key, err := readKey(keysDir)
	if err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	m := newChainMAC(key)
	for _, c := range chains {
		cr, problems, err := verifyChain(ctx, data, m, c, cps[c])
		if err != nil {
			return nil, fmt.Errorf("audit: verify chain %q: %w", c, err)
		}
		r.Chains = append(r.Chains, cr)
		r.Problems = append(r.Problems, problems...)
	}
	return r, nil
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

// verifyChain walks one chain from its start and checks its end against cp.
func verifyChain(ctx context.Context, data *sqldb.DB, m *chainMAC, chain string, cp head) (ChainReport, []Problem, error) {
	w := newWalker(m, chain, newRowSource(ctx, data, chain, 0), head{mac: m.genesis(chain)}, cp)
	if err := w.walk(); err != nil {
		return ChainReport{}, nil, err
	}
	w.checkEnd()
	return ChainReport{Chain: chain, Rows: w.rows, Last: w.last, Checkpoint: cp.seq, Stopped: w.stopped}, w.problems, nil
}

// verifyAfter verifies the rows of chain after from, for Open: it returns
// the chain's end, or ErrTampered if any of those rows does not verify.
func verifyAfter(ctx context.Context, data *sqldb.DB, m *chainMAC, chain string, from head) (head, error) {
	w := newWalker(m, chain, newRowSource(ctx, data, chain, from.seq), from, head{})
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
}

func newRowSource(ctx context.Context, db *sqldb.DB, chain string, after int64) *rowSource {
	return &rowSource{ctx: ctx, db: db, chain: chain, after: after}
}

// peek returns the k-th unconsumed row, or nil past the end.
func (s *rowSource) peek(k int) *row {
	for len(s.buf) <= k && !s.eof && s.err == nil {
		page, err := readRows(s.ctx, s.db, s.chain, s.after, pageSize)
		if err != nil {
			s.err = err
			break
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
