package audit_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"minimall/internal/testkit"
	"minimall/privacy/internal/audit"
	"minimall/sqldb"
)

// MustOpenLog opens the audit log on st and closes it when the test ends.
func MustOpenLog(tb testing.TB, st *testkit.Store, opt audit.Options) *audit.Log {
	tb.Helper()
	l, err := audit.Open(context.Background(), st.DB, st.KeysDB, st.KeysDir, opt)
	if err != nil {
		tb.Fatalf("open audit log: %v", err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// MustAppend appends n entries and returns their seqs.
func MustAppend(tb testing.TB, l *audit.Log, n int) []int64 {
	tb.Helper()
	var seqs []int64
	for i := 0; i < n; i++ {
		seq, err := l.Append(context.Background(), testEntry(i))
		if err != nil {
			tb.Fatalf("append: %v", err)
		}
		seqs = append(seqs, seq)
	}
	return seqs
}

// MustVerify runs Verify and fails on an error (not on problems).
func MustVerify(tb testing.TB, st *testkit.Store) *audit.Report {
	tb.Helper()
	r, err := audit.Verify(context.Background(), st.DB, st.KeysDB, st.KeysDir)
	if err != nil {
		tb.Fatalf("verify: %v", err)
	}
	return r
}

// MustVerifyOK runs Verify and fails unless the log is intact.
func MustVerifyOK(tb testing.TB, st *testkit.Store) *audit.Report {
	tb.Helper()
	r := MustVerify(tb, st)
	if !r.OK() {
		tb.Fatalf("verify: problems %+v", r.Problems)
	}
	return r
}

// storedSeqs returns the seqs of chain in the data db, in order.
func storedSeqs(tb testing.TB, db *sqldb.DB, chain string) []int64 {
	tb.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT seq FROM audit_log WHERE chain = ? ORDER BY seq`, chain)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			tb.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

var base = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func testEntry(i int) audit.Entry {
	return audit.Entry{
		At: base.Add(time.Duration(i) * time.Second), Actor: "operator:op_7/cs", Subject: fmt.Sprintf("s_%d", i%5),
		Field: "recipient.phone", Purpose: "delivery", Decision: "allow", Reason: "", Ref: fmt.Sprintf("ticket-%d", i),
	}
}

// wantRange fails unless seqs is exactly 1..n.
func wantRange(tb testing.TB, seqs []int64, n int) {
	tb.Helper()
	if len(seqs) != n {
		tb.Fatalf("got %d seqs, want %d", len(seqs), n)
	}
	sorted := append([]int64(nil), seqs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	for i, s := range sorted {
		if s != int64(i+1) {
			tb.Fatalf("seqs are not 1..%d: position %d holds %d", n, i, s)
		}
	}
}

func TestAppend(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		l := MustOpenLog(t, st, audit.Options{})
		seqs := MustAppend(t, l, 3)
		wantRange(t, seqs, 3)
		r := MustVerifyOK(t, st)
		if len(r.Chains) != 1 || r.Chains[0] != (audit.ChainReport{Chain: "main", Rows: 3, Last: 3, Checkpoint: 3}) {
			t.Fatalf("chains = %+v", r.Chains)
		}
	})
}

func TestRecordFlush(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		// A small MaxBatch makes many batches, and odd sizes many statements.
		l := MustOpenLog(t, st, audit.Options{MaxBatch: 333})
		const n = 5000
		for i := 0; i < n; i++ {
			l.Record(testEntry(i))
		}
		if err := l.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		wantRange(t, storedSeqs(t, st.DB, "main"), n)
		MustVerifyOK(t, st)
	})
}

func TestFind(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		l := MustOpenLog(t, st, audit.Options{})
		MustAppend(t, l, 20) // subjects s_0..s_4, one second apart
		ctx := context.Background()
		t.Run("Subject", func(t *testing.T) {
			got, err := l.Find(ctx, audit.Filter{Subject: "s_2"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 4 {
				t.Fatalf("got %d records, want 4", len(got))
			}
			for i, r := range got {
				want := testEntry(2 + 5*i)
				if r.Entry != want || r.Chain != "main" || r.Seq != int64(3+5*i) {
					t.Fatalf("record %d = %+v, want %+v at seq %d", i, r, want, 3+5*i)
				}
			}
		})
		t.Run("Window", func(t *testing.T) {
			got, err := l.Find(ctx, audit.Filter{Subject: "s_2", Since: base.Add(7 * time.Second), Until: base.Add(12 * time.Second)})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Seq != 8 { // entry 7 only; Until is exclusive
				t.Fatalf("got %+v", got)
			}
		})
		t.Run("Limit", func(t *testing.T) {
			got, err := l.Find(ctx, audit.Filter{Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 || got[0].Seq != 1 {
				t.Fatalf("got %+v", got)
			}
		})
	})
}

func TestConcurrentAppend(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		l := MustOpenLog(t, st, audit.Options{})
		const workers, each = 32, 150
		var mu sync.Mutex
		var seqs []int64
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					seq, err := l.Append(context.Background(), testEntry(i))
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					seqs = append(seqs, seq)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		wantRange(t, seqs, workers*each)
		wantRange(t, storedSeqs(t, st.DB, "main"), workers*each)
		MustVerifyOK(t, st)
	})
}

func TestReopen(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		l := MustOpenLog(t, st, audit.Options{})
		MustAppend(t, l, 5)
		l.Record(testEntry(5))
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		l = MustOpenLog(t, st, audit.Options{})
		seq, err := l.Append(ctx, testEntry(6))
		if err != nil || seq != 7 {
			t.Fatalf("append after reopen: seq %d, %v; want 7", seq, err)
		}
		MustVerifyOK(t, st)
	})
}

func TestChains(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		a := MustOpenLog(t, st, audit.Options{Chain: "node-a"})
		b := MustOpenLog(t, st, audit.Options{Chain: "node-b"})
		MustAppend(t, a, 3)
		if seqs := MustAppend(t, b, 4); seqs[0] != 1 {
			t.Fatalf("chain node-b starts at %d", seqs[0])
		}
		r := MustVerifyOK(t, st)
		if len(r.Chains) != 2 || r.Chains[0].Rows != 3 || r.Chains[1].Rows != 4 {
			t.Fatalf("chains = %+v", r.Chains)
		}
		mustExec(t, st.DB, `UPDATE audit_log SET actor = 'x' WHERE chain = 'node-b' AND seq = 2`)
		r = MustVerify(t, st)
		if len(r.Problems) != 1 || r.Problems[0].Chain != "node-b" || r.Problems[0].Seq != 2 {
			t.Fatalf("problems = %+v", r.Problems)
		}
	})
}

func TestAfterClose(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		l := MustOpenLog(t, st, audit.Options{})
		MustAppend(t, l, 2)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		// A decision made during shutdown is still written, synchronously.
		l.Record(testEntry(2))
		seq, err := l.Append(ctx, testEntry(3))
		if err != nil || seq != 4 {
			t.Fatalf("append after close: seq %d, %v; want 4", seq, err)
		}
		if err := l.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		wantRange(t, storedSeqs(t, st.DB, "main"), 4)
		MustVerifyOK(t, st)
	})
}

// TestFailedBatch breaks the table under a running writer: the batch
// fails, Append says so, and once the table is back nothing is lost, no
// seq is skipped and the chain still verifies.
func TestFailedBatch(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		l := MustOpenLog(t, st, audit.Options{})
		MustAppend(t, l, 1)
		mustExec(t, st.DB, `ALTER TABLE audit_log RENAME TO audit_log_away`)
		if _, err := l.Append(ctx, testEntry(1)); err == nil {
			t.Fatal("append succeeded without a table")
		}
		l.Record(testEntry(2))
		l.Record(testEntry(3))
		if err := l.Flush(ctx); err == nil {
			t.Fatal("flush succeeded without a table")
		}
		mustExec(t, st.DB, `ALTER TABLE audit_log_away RENAME TO audit_log`)
		if err := l.Flush(ctx); err != nil {
			t.Fatalf("flush after repair: %v", err)
		}
		seq, err := l.Append(ctx, testEntry(4))
		if err != nil || seq != 4 { // 1, the two retried Records, then this
			t.Fatalf("append after repair: seq %d, %v; want 4", seq, err)
		}
		wantRange(t, storedSeqs(t, st.DB, "main"), 4)
		MustVerifyOK(t, st)
	})
}

// TestCheckpointFails breaks the key store under a running writer: the
// rows are stored but not checkpointed, so Append reports the error; the
// next batch checkpoints them all, and a reopen finds nothing amiss.
func TestCheckpointFails(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		l := MustOpenLog(t, st, audit.Options{})
		MustAppend(t, l, 1)
		mustExec(t, st.KeysDB, `ALTER TABLE audit_heads RENAME TO audit_heads_away`)
		if _, err := l.Append(ctx, testEntry(1)); err == nil {
			t.Fatal("append succeeded without a checkpoint")
		}
		mustExec(t, st.KeysDB, `ALTER TABLE audit_heads_away RENAME TO audit_heads`)
		if err := l.Flush(ctx); err != nil {
			t.Fatalf("flush after repair: %v", err)
		}
		if r := MustVerifyOK(t, st); r.Chains[0].Checkpoint != 2 {
			t.Fatalf("checkpoint at %d, want 2", r.Chains[0].Checkpoint)
		}
		seq, err := l.Append(ctx, testEntry(2))
		if err != nil || seq != 3 {
			t.Fatalf("append after repair: seq %d, %v; want 3", seq, err)
		}
		l.Close()
		MustOpenLog(t, st, audit.Options{})
	})
}

// TestUncleanText appends strings PostgreSQL would refuse as TEXT: they are
// stored made valid, and the chain verifies.
func TestUncleanText(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		l := MustOpenLog(t, st, audit.Options{})
		e := testEntry(0)
		e.Reason, e.Ref = "nul\x00byte", "bad\xffutf8"
		if _, err := l.Append(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		got, err := l.Find(context.Background(), audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Reason != "nul\uFFFDbyte" || got[0].Ref != "bad\uFFFDutf8" {
			t.Fatalf("got %+v", got)
		}
		MustVerifyOK(t, st)
	})
}

// TestSameChain opens two writers on one chain, a configuration error:
// the second one's batch collides, and it stops writing rather than fork
// the chain.
func TestSameChain(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		a := MustOpenLog(t, st, audit.Options{})
		b := MustOpenLog(t, st, audit.Options{})
		MustAppend(t, a, 1)
		for i := 0; i < 2; i++ {
			if _, err := b.Append(ctx, testEntry(10+i)); err == nil {
				t.Fatal("second writer appended to a chain it does not own")
			}
		}
		MustAppend(t, a, 1)
		MustVerifyOK(t, st)
	})
}

func TestKeyFile(t *testing.T) {
	st := testkit.MustOpenSQLite(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "keys")
	l, err := audit.Open(ctx, st.DB, st.KeysDB, dir, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	MustAppend(t, l, 3)
	l.Close()
	t.Run("Created", func(t *testing.T) {
		fi, err := os.Stat(filepath.Join(dir, "audit.key"))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 || fi.Size() != 32 {
			t.Fatalf("audit.key: mode %v size %d", fi.Mode(), fi.Size())
		}
		if di, err := os.Stat(dir); err != nil || di.Mode().Perm() != 0o700 {
			t.Fatalf("keys folder: %v %v", di.Mode(), err)
		}
	})
	t.Run("ErrReadable", func(t *testing.T) {
		if err := os.Chmod(filepath.Join(dir, "audit.key"), 0o640); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(filepath.Join(dir, "audit.key"), 0o600)
		if _, err := audit.Open(ctx, st.DB, st.KeysDB, dir, audit.Options{}); err == nil {
			t.Fatal("opened with a group-readable key")
		}
		if _, err := audit.Verify(ctx, st.DB, st.KeysDB, dir); err == nil {
			t.Fatal("verified with a group-readable key")
		}
	})
	t.Run("ErrMissing", func(t *testing.T) {
		if _, err := audit.Verify(ctx, st.DB, st.KeysDB, t.TempDir()); err == nil {
			t.Fatal("verified without a key")
		}
	})
	t.Run("ErrOtherKey", func(t *testing.T) {
		// Another key can neither vouch for the chain nor extend it.
		other := t.TempDir()
		if _, err := audit.Open(ctx, st.DB, st.KeysDB, other, audit.Options{}); !errors.Is(err, audit.ErrTampered) {
			t.Fatalf("open with another key: %v, want ErrTampered", err)
		}
		r, err := audit.Verify(ctx, st.DB, st.KeysDB, other)
		if err != nil || r.OK() {
			t.Fatalf("verify with another key: OK %v, %v", r.OK(), err)
		}
	})
}

func TestKindString(t *testing.T) {
	for k, want := range map[audit.Kind]string{audit.Edited: "edited", audit.Deleted: "deleted",
		audit.Inserted: "inserted", audit.Reordered: "reordered", audit.Truncated: "truncated", audit.Misindexed: "misindexed"} {
		if k.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(k), k, want)
		}
	}
}

func mustExec(tb testing.TB, db *sqldb.DB, q string, args ...any) {
	tb.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
}

// TestSubjectIndex: the index by person fills in the background; a search
// by person sees entries made durable a moment ago; and reopening after a
// restore cut the chain short drops index entries past its end, so the
// seqs written again are found.
func TestSubjectIndex(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		l, err := audit.Open(ctx, st.DB, st.KeysDB, st.KeysDir, audit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		MustAppend(t, l, 5) // s_0..s_4
		indexed := func() (n int) {
			t.Helper()
			if err := st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_subjects`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for deadline := time.Now().Add(5 * time.Second); indexed() < 5; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d of 5 entries indexed by person after 5s", indexed())
			}
		}
		for i := 5; i < 10; i++ {
			if _, err := l.Append(ctx, testEntry(i)); err != nil {
				t.Fatal(err)
			}
		}
		got, err := l.Find(ctx, audit.Filter{Subject: "s_1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Seq != 2 || got[1].Seq != 7 {
			t.Fatalf("search for s_1 right after its second entry: %+v", got)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		// What a restore leaves: index entries and a mark past the chain's end.
		mustExec(t, st.DB, `INSERT INTO audit_subjects (subject, chain, seq, at) VALUES ('s_3', 'main', 11, 0)`)
		mustExec(t, st.DB, `UPDATE audit_indexed SET seq = 11 WHERE chain = 'main'`)
		l = MustOpenLog(t, st, audit.Options{})
		if seq, err := l.Append(ctx, testEntry(11)); err != nil || seq != 11 {
			t.Fatalf("append after reopen: seq %d, %v", seq, err)
		}
		got, err = l.Find(ctx, audit.Filter{Subject: "s_1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[2].Seq != 11 || got[2].Entry != testEntry(11) {
			t.Fatalf("search for s_1 after the reopen: %+v", got)
		}
		got, err = l.Find(ctx, audit.Filter{Subject: "s_3"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[1].Seq != 9 {
			t.Fatalf("search for s_3 after the reopen: %+v", got)
		}
	})
}
