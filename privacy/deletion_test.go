package privacy_test

import (
	"context"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/sqldb"
)

// TestDeletionLedger (PIPL art. 47): a person's deletion is journalled in
// the key store before the row goes, only for a row of theirs; an entry
// whose delete never ran (a crash) is carried out at the next open; a
// clear deletes up to its time and no later row; a second open replays
// nothing; entries older than DeletionLedgerKeep are pruned, and a data
// database last brought up to date before then is reported as a gap.
func TestDeletionLedger(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		k := reopen(t, st, nil)
		s, other := mustNewSubject(t, k, st), mustNewSubject(t, k, st)
		put := func(subject minimall.SubjectID, id string) {
			t.Helper()
			if _, err := st.DB.ExecContext(ctx, `INSERT INTO footprints (id, subject, target_index, target_sealed, at) VALUES (?, ?, ?, ?, ?)`,
				id, string(subject), id, []byte{1}, sqldb.Micros(st.Clock.Now())); err != nil {
				t.Fatal(err)
			}
		}
		put(s, "fp_a")
		put(s, "fp_b")
		put(other, "fp_c")

		for _, row := range []string{"fp_c", "fp_none"} { // someone else's, and none
			if found, err := k.RecordDeletion(ctx, s, "footprints", row); err != nil || found {
				t.Fatalf("RecordDeletion(%s): %v %v, want not found", row, found, err)
			}
		}
		if n := ledgerSize(t, st); n != 0 {
			t.Fatalf("ledger holds %d entries for rows that are not the person's", n)
		}
		if _, err := k.RecordDeletion(ctx, s, "no_such_table", "x"); err == nil {
			t.Fatal("a table tables.go does not describe was journalled")
		}

		// Journalled, then the process stops before the delete.
		if found, err := k.RecordDeletion(ctx, s, "footprints", "fp_a"); err != nil || !found {
			t.Fatalf("RecordDeletion: %v %v", found, err)
		}
		k = reopen(t, st, k)
		if rep := k.DeletionsReplayed(); rep.Rows != 1 {
			t.Fatalf("replay after an interrupted delete: %+v", rep)
		}
		wantRows(t, st, "fp_b", "fp_c")

		// A clear covers the rows up to its time, not one added after.
		st.Clock.Advance(time.Second)
		upTo, found, err := k.RecordClear(ctx, s, "footprints")
		if err != nil || !found || upTo.After(st.DB.Now()) {
			t.Fatalf("RecordClear: %v %v %v", upTo, found, err)
		}
		st.Clock.Advance(time.Second)
		put(s, "fp_d")
		k = reopen(t, st, k)
		if rep := k.DeletionsReplayed(); rep.Rows != 1 || rep.Gap {
			t.Fatalf("replay of a clear: %+v", rep)
		}
		wantRows(t, st, "fp_c", "fp_d")
		k = reopen(t, st, k)
		if rep := k.DeletionsReplayed(); rep.Rows != 0 {
			t.Fatalf("a second open replayed again: %+v", rep)
		}

		st.Clock.Advance(privacy.DeletionLedgerKeep + time.Hour)
		k = reopen(t, st, k)
		if rep := k.DeletionsReplayed(); !rep.Gap {
			t.Fatalf("a data database older than the ledger keeps: %+v, want a gap", rep)
		}
		if n := ledgerSize(t, st); n != 0 {
			t.Fatalf("ledger holds %d entries older than it keeps", n)
		}
		k.Close()
	})
}

// reopen closes k (when not nil) and opens the kernel again, as a restart.
func reopen(t *testing.T, st *testkit.Store, k *privacy.Kernel) *privacy.Kernel {
	t.Helper()
	if k != nil {
		if err := k.Close(); err != nil {
			t.Fatal(err)
		}
	}
	k, err := privacy.Open(context.Background(), kernelConfig(st))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ledgerSize(t *testing.T, st *testkit.Store) int {
	t.Helper()
	var n int
	if err := st.KeysDB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM deletions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantRows(t *testing.T, st *testkit.Store, want ...string) {
	t.Helper()
	rows, err := st.DB.QueryContext(context.Background(), `SELECT id FROM footprints ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		got = append(got, id)
	}
	if len(got) != len(want) {
		t.Fatalf("footprints %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("footprints %v, want %v", got, want)
		}
	}
}

// BenchmarkRecordDeletion is the ledger write a person's delete now makes
// before the delete itself: a check that the row is theirs and one durable
// key-store transaction. go test -run '^$' -bench RecordDeletion -benchmem ./privacy/
func BenchmarkRecordDeletion(b *testing.B) {
	st := testkit.MustOpenSQLite(b)
	k := mustOpenKernel(b, st)
	s := mustNewSubject(b, k, st)
	ctx := context.Background()
	if _, err := st.DB.ExecContext(ctx, `INSERT INTO footprints (id, subject, target_index, target_sealed, at) VALUES ('fp_1', ?, 'x', ?, 1)`, string(s), []byte{1}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		st.Clock.Advance(time.Microsecond) // a new entry each time
		if found, err := k.RecordDeletion(ctx, s, "footprints", "fp_1"); err != nil || !found {
			b.Fatal(found, err)
		}
	}
}
