package audit_test

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"minimall/internal/testkit"
	"minimall/privacy/internal/audit"
)

// MustSweep plans a sweep of the entries before cutoff, archives them to
// a buffer and drops them; it returns the archive.
func MustSweep(tb testing.TB, st *testkit.Store, cutoff time.Time) (*audit.Sweep, *bytes.Buffer) {
	tb.Helper()
	ctx := context.Background()
	s, err := audit.PlanSweep(ctx, st.DB, st.KeysDB, st.KeysDir, cutoff)
	if err != nil {
		tb.Fatalf("plan sweep: %v", err)
	}
	var buf bytes.Buffer
	if err := s.WriteArchive(ctx, &buf); err != nil {
		tb.Fatalf("archive: %v", err)
	}
	if err := s.Drop(ctx); err != nil {
		tb.Fatalf("drop: %v", err)
	}
	return s, &buf
}

// TestSweep removes the entries before a cutoff from a live log: they go,
// later ones stay, the log and its index by person still verify, the
// archive verifies on its own, and a tampered remaining row still fails.
func TestSweep(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		l := MustOpenLog(t, st, audit.Options{})
		MustAppend(t, l, 20) // at base+0s .. base+19s
		if _, err := l.Find(ctx, audit.Filter{Subject: "s_1"}); err != nil {
			t.Fatal(err) // indexes every entry
		}
		s, archive := MustSweep(t, st, base.Add(10*time.Second))
		if s.Rows() != 10 || s.Segments[0].To != 10 {
			t.Fatalf("swept %d rows, segments %+v; want seqs 1-10", s.Rows(), s.Segments)
		}
		if got := storedSeqs(t, st.DB, "main"); len(got) != 10 || got[0] != 11 {
			t.Fatalf("after the sweep the chain holds %v, want 11..20", got)
		}
		MustVerifyOK(t, st)
		got, err := l.Find(ctx, audit.Filter{Subject: "s_1"})
		if err != nil || len(got) != 2 || got[0].Seq != 12 {
			t.Fatalf("search for s_1 after the sweep: %+v, %v", got, err)
		}
		kept, err := audit.KeptFrom(ctx, st.KeysDB)
		if err != nil || !kept.Equal(base.Add(10*time.Second)) {
			t.Fatalf("kept from %v, %v", kept, err)
		}
		// The live writer chains on; a reopen resumes from the base.
		MustAppend(t, l, 1)
		l.Close()
		l = MustOpenLog(t, st, audit.Options{StartCheck: 5})
		MustAppend(t, l, 1)
		MustVerifyOK(t, st)

		segs, problems, err := audit.VerifyArchive(bytes.NewReader(archive.Bytes()), st.KeysDir)
		if err != nil || len(problems) > 0 || len(segs) != 1 || segs[0].From != 0 || segs[0].To != 10 || segs[0].Rows != 10 {
			t.Fatalf("archive: %+v, problems %+v, %v", segs, problems, err)
		}
		edited := strings.Replace(archive.String(), `"ref":"ticket-3"`, `"ref":"ticket-x"`, 1)
		if _, problems, _ := audit.VerifyArchive(strings.NewReader(edited), st.KeysDir); len(problems) != 1 || problems[0].Kind != audit.Edited || problems[0].Seq != 4 {
			t.Fatalf("edited archive: problems %+v", problems)
		}
		unsigned := regexp.MustCompile(`,"head":\{[^}]*\}`).ReplaceAllString(archive.String(), "")
		if _, problems, _ := audit.VerifyArchive(strings.NewReader(unsigned), st.KeysDir); len(problems) != 1 || problems[0].Seq != 10 {
			t.Fatalf("an archive whose closing head is not signed: problems %+v", problems)
		}

		mustExec(t, st.DB, `UPDATE audit_log SET ref = 'ticket-x' WHERE chain = 'main' AND seq = 15`)
		r := MustVerify(t, st)
		if r.OK() || r.Problems[0].Kind != audit.Edited || r.Problems[0].Seq != 15 {
			t.Fatalf("a tampered remaining row: %+v", r.Problems)
		}
		if _, err := audit.PlanSweep(ctx, st.DB, st.KeysDB, st.KeysDir, base.Add(time.Hour)); !errors.Is(err, audit.ErrNotVerified) {
			t.Fatalf("a sweep over a tampered log: %v, want ErrNotVerified", err)
		}
	})
}

// TestSweepStart checks the start of a swept chain: deleting the first
// kept row is found, and the chain's last row is never swept.
func TestSweepStart(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		l := MustOpenLog(t, st, audit.Options{})
		MustAppend(t, l, 6)
		s, _ := MustSweep(t, st, base.Add(time.Hour))
		if s.Rows() != 5 {
			t.Fatalf("swept %d rows, want 5: the last row anchors the chain", s.Rows())
		}
		MustVerifyOK(t, st)
		MustAppend(t, l, 3) // seqs 7..9
		// A second sweep chains its archive from the first one's end.
		_, archive := MustSweep(t, st, base.Add(time.Hour))
		segs, problems, err := audit.VerifyArchive(archive, st.KeysDir)
		if err != nil || len(problems) > 0 || len(segs) != 1 || segs[0].From != 5 || segs[0].To != 8 {
			t.Fatalf("second archive: %+v, %+v, %v", segs, problems, err)
		}
		MustVerifyOK(t, st)
		MustAppend(t, l, 2) // seqs 10, 11
		mustExec(t, st.DB, `DELETE FROM audit_log WHERE chain = 'main' AND seq = 9`)
		r := MustVerify(t, st)
		if r.OK() || r.Problems[0].Kind != audit.Deleted || r.Problems[0].Seq != 9 {
			t.Fatalf("the first kept row deleted: %+v", r.Problems)
		}
	})
}
