package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"minimall/internal/testkit"
	"minimall/partner/sandbox"
	"minimall/privacy/internal/audit"
)

// publish signs the checkpointed heads and sends them to the witness, as
// the kernel's publisher does; it returns the witness's statuses.
func publish(tb testing.TB, st *testkit.Store, w *sandbox.Witness, heads ...audit.SignedHead) []int {
	tb.Helper()
	if heads == nil {
		var err error
		if heads, err = audit.SignHeads(context.Background(), st.KeysDB, st.KeysDir, time.Now()); err != nil {
			tb.Fatal(err)
		}
	}
	var out []int
	for _, h := range heads {
		b, _ := json.Marshal(h)
		resp, err := http.Post(w.URL()+"/heads", "application/json", bytes.NewReader(b))
		if err != nil {
			tb.Fatal(err)
		}
		resp.Body.Close()
		out = append(out, resp.StatusCode)
	}
	return out
}

func mustCheckWitnessed(tb testing.TB, st *testkit.Store, w *sandbox.Witness) *audit.WitnessReport {
	tb.Helper()
	r, err := audit.CheckWitnessed(context.Background(), st.DB, st.KeysDB, st.KeysDir, w.Heads())
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// TestWitness: whoever holds the keys folder rewrites an entry, re-chains
// the log with the audit key and moves the checkpoint: the local Verify
// passes, the heads the witness kept do not.
func TestWitness(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		w, err := sandbox.StartWitness(t.TempDir(), "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		l := MustOpenLog(t, st, audit.Options{})
		MustAppend(t, l, 10)
		if got := publish(t, st, w); len(got) != 1 || got[0] != http.StatusCreated {
			t.Fatalf("publish: %v", got)
		}
		MustAppend(t, l, 5)
		l.Close()
		if r := mustCheckWitnessed(t, st, w); r.Heads != 1 || len(r.Problems) > 0 {
			t.Fatalf("the intact log against the witness: %+v", r)
		}
		if err := audit.RewriteForTest(ctx, st.DB, st.KeysDB, st.KeysDir, "main", 4, "rewritten"); err != nil {
			t.Fatal(err)
		}
		MustVerifyOK(t, st) // the keys folder was enough to fool the local check
		r := mustCheckWitnessed(t, st, w)
		if len(r.Problems) != 1 || r.Problems[0].Kind != audit.Unwitnessed || r.Problems[0].Seq != 10 {
			t.Fatalf("the rewritten log against the witness: %+v", r)
		}
		// A new signing key does not make the witnessed heads go away.
		if err := os.Remove(filepath.Join(st.KeysDir, "audit-sign.key")); err != nil {
			t.Fatal(err)
		}
		if _, err := audit.SignHeads(ctx, st.KeysDB, st.KeysDir, time.Now()); err != nil {
			t.Fatal(err)
		}
		if r := mustCheckWitnessed(t, st, w); len(r.Problems) != 2 {
			t.Fatalf("with a new signing key: %+v", r)
		}
	})
}

// TestWitnessKeeps: the witness refuses a forged signature and heads
// under another key than the first it kept, keeps a head once, and keeps
// what it kept across a restart.
func TestWitnessKeeps(t *testing.T) {
	st := testkit.MustOpenSQLite(t)
	dir := t.TempDir()
	w, err := sandbox.StartWitness(dir, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := MustOpenLog(t, st, audit.Options{})
	MustAppend(t, l, 3)
	heads, err := audit.SignHeads(context.Background(), st.KeysDB, st.KeysDir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	forged := heads[0]
	forged.Seq++
	other := testkit.MustOpenSQLite(t) // another keys folder: another signing key
	MustAppend(t, MustOpenLog(t, other, audit.Options{}), 1)
	theirs, err := audit.SignHeads(context.Background(), other.KeysDB, other.KeysDir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := publish(t, st, w, heads[0], heads[0], forged, theirs[0])
	want := []int{http.StatusCreated, http.StatusOK, http.StatusUnauthorized, http.StatusConflict}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses %v, want %v", got, want)
		}
	}
	w.Close()
	w, err = sandbox.StartWitness(dir, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if kept := w.Heads(); len(kept) != 1 || kept[0].Seq != 3 || !kept[0].Valid() {
		t.Fatalf("after a restart the witness keeps %+v", kept)
	}
}
