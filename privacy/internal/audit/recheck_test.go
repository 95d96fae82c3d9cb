package audit_test

import (
	"context"
	"errors"
	"testing"

	"minimall/internal/testkit"
	"minimall/privacy/internal/audit"
	"minimall/sqldb"
)

// TestOpenChecksRecent: Open checks the rows before the checkpoint back to
// the last row the background verification found intact, at most
// StartCheck of them, and refuses to start on an edited or deleted one;
// the rows before are Recheck's, which names them.
func TestOpenChecksRecent(t *testing.T) {
	edit := func(seq int64) func(tb testing.TB, db *sqldb.DB) {
		return func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `UPDATE audit_log SET purpose = 'marketing' WHERE chain = 'main' AND seq = ?`, seq)
		}
	}
	tests := []struct {
		name       string
		startCheck int
		recheck    bool // a background verification ran after row 10
		tamper     func(tb testing.TB, db *sqldb.DB)
		open       error // nil: Open starts, and Recheck finds the change
	}{
		{"ErrEditedMiddle", 0, false, edit(4), audit.ErrTampered},
		{"ErrDeletedMiddle", 0, false, func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `DELETE FROM audit_log WHERE chain = 'main' AND seq = 4`)
		}, audit.ErrTampered},
		{"ErrEditedFirst", 0, false, edit(1), audit.ErrTampered},
		// Bounded: the last 3 rows before the checkpoint (13, 14, 15).
		{"BeyondStartCheck", 3, false, edit(4), nil},
		{"ErrWithinStartCheck", 3, false, edit(13), audit.ErrTampered},
		// Rows 1-10 were verified in the background; 11-15 are checked.
		{"BeforeMark", 0, true, edit(4), nil},
		{"ErrAfterMark", 0, true, edit(12), audit.ErrTampered},
	}
	testkit.EachStore(t, func(t *testing.T, st0 *testkit.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				st := MustOpenStoreLike(t, st0)
				l := MustOpenLog(t, st, audit.Options{})
				MustAppend(t, l, 10)
				l.Close()
				if tt.recheck {
					if r, err := audit.Recheck(ctx, st.DB, st.KeysDB, st.KeysDir, nil); err != nil || !r.OK() {
						t.Fatalf("recheck: %+v, %v", r, err)
					}
				}
				l = MustOpenLog(t, st, audit.Options{})
				MustAppend(t, l, 5)
				l.Close()
				tt.tamper(t, st.DB)
				l, err := audit.Open(ctx, st.DB, st.KeysDB, st.KeysDir, audit.Options{StartCheck: tt.startCheck})
				if tt.open != nil {
					if !errors.Is(err, tt.open) {
						t.Fatalf("open: %v, want %v", err, tt.open)
					}
					return
				}
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				l.Close()
				r, err := audit.Recheck(ctx, st.DB, st.KeysDB, st.KeysDir, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(r.Problems) != 1 || r.Problems[0].Kind != audit.Edited || r.Problems[0].Seq != 4 {
					t.Fatalf("recheck problems = %+v; want one edited at seq 4", r.Problems)
				}
			})
		}
	})
}

// TestRecheckPaced: Recheck calls pace after each page it reads, and moves
// the mark forward only over a chain that verifies.
func TestRecheckPaced(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		l := MustOpenLog(t, st, audit.Options{})
		MustAppend(t, l, 10)
		l.Close()
		paced := 0
		r, err := audit.Recheck(ctx, st.DB, st.KeysDB, st.KeysDir, func() { paced++ })
		if err != nil || !r.OK() {
			t.Fatalf("recheck: %+v, %v", r, err)
		}
		if paced == 0 {
			t.Fatal("pace never called")
		}
		mark := func() (seq int64) {
			t.Helper()
			if err := st.KeysDB.QueryRowContext(ctx, `SELECT seq FROM audit_verified WHERE chain = 'main'`).Scan(&seq); err != nil {
				t.Fatal(err)
			}
			return seq
		}
		if got := mark(); got != 10 {
			t.Fatalf("mark at %d, want 10", got)
		}
		l = MustOpenLog(t, st, audit.Options{})
		MustAppend(t, l, 5)
		l.Close()
		mustExec(t, st.DB, `DELETE FROM audit_log WHERE chain = 'main' AND seq = 12`)
		if r, err := audit.Recheck(ctx, st.DB, st.KeysDB, st.KeysDir, nil); err != nil || r.OK() {
			t.Fatalf("recheck after a deletion: %+v, %v", r, err)
		}
		if got := mark(); got != 10 {
			t.Fatalf("mark at %d after a failed recheck, want 10", got)
		}
	})
}
