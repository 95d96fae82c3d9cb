package audit_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"

	"minimall/internal/testkit"
	"minimall/privacy/internal/audit"
	"minimall/sqldb"
)

// contentColumns are every audit_log column but chain and seq: moving them
// between seqs is how rows are reordered in a table.
const contentColumns = `at, actor, subject, field, purpose, decision, reason, ref, mac`

// swapRows exchanges the content of rows a and b of chain main.
func swapRows(tb testing.TB, db *sqldb.DB, a, b int64) {
	tb.Helper()
	ra, rb := readContent(tb, db, a), readContent(tb, db, b)
	writeContent(tb, db, a, rb)
	writeContent(tb, db, b, ra)
}

func readContent(tb testing.TB, db *sqldb.DB, seq int64) []any {
	tb.Helper()
	var at int64
	var actor, subject, field, purpose, decision, reason, ref string
	var mac []byte
	err := db.QueryRowContext(context.Background(), `SELECT `+contentColumns+` FROM audit_log WHERE chain = 'main' AND seq = ?`, seq).
		Scan(&at, &actor, &subject, &field, &purpose, &decision, &reason, &ref, &mac)
	if err != nil {
		tb.Fatal(err)
	}
	return []any{at, actor, subject, field, purpose, decision, reason, ref, mac}
}

func writeContent(tb testing.TB, db *sqldb.DB, seq int64, c []any) {
	tb.Helper()
	mustExec(tb, db, `UPDATE audit_log SET at = ?, actor = ?, subject = ?, field = ?, purpose = ?,
		decision = ?, reason = ?, ref = ?, mac = ? WHERE chain = 'main' AND seq = ?`, append(c, seq)...)
}

// shiftFrom renumbers rows seq >= from by delta, in two steps so that no
// step collides with the primary key on either engine.
func shiftFrom(tb testing.TB, db *sqldb.DB, from, delta int64) {
	tb.Helper()
	mustExec(tb, db, `UPDATE audit_log SET seq = -seq WHERE chain = 'main' AND seq >= ?`, from)
	mustExec(tb, db, `UPDATE audit_log SET seq = -seq + ? WHERE chain = 'main' AND seq < 0`, delta)
}

// forgedMac looks like a mac: 32 bytes an attacker without the key made.
func forgedMac(s string) []byte {
	m := hmac.New(sha256.New, []byte("not the key"))
	m.Write([]byte(s))
	return m.Sum(nil)
}

func insertForged(tb testing.TB, db *sqldb.DB, seq int64) {
	tb.Helper()
	mustExec(tb, db, `INSERT INTO audit_log (chain, seq, at, actor, subject, field, purpose, decision, reason, ref, mac)
		VALUES ('main', ?, ?, 'operator:op_7/cs', 's_1', 'recipient.phone', 'delivery', 'allow', '', 'ticket-x', ?)`,
		seq, sqldb.Micros(base), forgedMac("x"))
}

// MustOpenStoreLike opens a fresh store on the same engine as st, for
// subtests that each need a log of their own.
func MustOpenStoreLike(tb testing.TB, st *testkit.Store) *testkit.Store {
	tb.Helper()
	if st.Name == "postgres" {
		return testkit.MustOpenPostgres(tb)
	}
	return testkit.MustOpenSQLite(tb)
}

// TestTamper changes a log of 10 rows behind the writer's back, each case
// in one way, and checks Verify names exactly that change.
func TestTamper(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(tb testing.TB, db *sqldb.DB)
		kind   audit.Kind
		seq    int64
	}{
		{"Edited", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `UPDATE audit_log SET subject = 's_9' WHERE chain = 'main' AND seq = 5`)
		}, audit.Edited, 5},
		// The last row: only the checkpoint vouches for its mac.
		{"EditedLast", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `UPDATE audit_log SET decision = 'deny' WHERE chain = 'main' AND seq = 10`)
		}, audit.Edited, 10},
		{"EditedMac", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `UPDATE audit_log SET mac = ? WHERE chain = 'main' AND seq = 5`, forgedMac("5"))
		}, audit.Edited, 5},
		{"EditedTime", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `UPDATE audit_log SET at = at + 1 WHERE chain = 'main' AND seq = 1`)
		}, audit.Edited, 1},
		{"Deleted", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `DELETE FROM audit_log WHERE chain = 'main' AND seq = 5`)
		}, audit.Deleted, 5},
		{"DeletedFirst", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `DELETE FROM audit_log WHERE chain = 'main' AND seq = 1`)
		}, audit.Deleted, 1},
		// Renumbering the rows after a deleted one hides the gap, not the deletion.
		{"DeletedRenumbered", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `DELETE FROM audit_log WHERE chain = 'main' AND seq = 5`)
			shiftFrom(tb, db, 6, -1)
		}, audit.Deleted, 5},
		// A forged row, with later rows renumbered to make room for it.
		{"Inserted", func(tb testing.TB, db *sqldb.DB) {
			shiftFrom(tb, db, 5, 1)
			insertForged(tb, db, 5)
		}, audit.Inserted, 5},
		{"InsertedAtEnd", func(tb testing.TB, db *sqldb.DB) {
			insertForged(tb, db, 11)
		}, audit.Inserted, 11},
		{"Reordered", func(tb testing.TB, db *sqldb.DB) {
			swapRows(tb, db, 3, 7)
		}, audit.Reordered, 3},
		{"ReorderedAdjacent", func(tb testing.TB, db *sqldb.DB) {
			swapRows(tb, db, 4, 5)
		}, audit.Reordered, 4},
		// Rows moved to later seqs, leaving a gap that is not a deletion.
		{"ReorderedRenumbered", func(tb testing.TB, db *sqldb.DB) {
			shiftFrom(tb, db, 5, 10)
		}, audit.Reordered, 15},
		{"Truncated", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `DELETE FROM audit_log WHERE chain = 'main' AND seq > 7`)
		}, audit.Truncated, 8},
		{"TruncatedAll", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `DELETE FROM audit_log`)
		}, audit.Truncated, 1},
	}
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				st := MustOpenStoreLike(t, st)
				l := MustOpenLog(t, st, audit.Options{})
				MustAppend(t, l, 10)
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
				MustVerifyOK(t, st)
				tt.tamper(t, st.DB)
				r := MustVerify(t, st)
				if r.OK() {
					t.Fatal("verify: OK on a tampered log")
				}
				if len(r.Problems) != 1 || r.Problems[0].Kind != tt.kind || r.Problems[0].Seq != tt.seq {
					t.Fatalf("problems = %+v; want one %s at seq %d", r.Problems, tt.kind, tt.seq)
				}
			})
		}
	})
}

// TestOpenRefuses checks Open will not chain on from a log whose end does
// not match its checkpoint.
func TestOpenRefuses(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(tb testing.TB, db *sqldb.DB)
		want   error
	}{
		{"ErrTruncated", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `DELETE FROM audit_log WHERE chain = 'main' AND seq > 3`)
		}, audit.ErrTruncated},
		{"ErrTruncatedAll", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `DELETE FROM audit_log`)
		}, audit.ErrTruncated},
		{"ErrTamperedMac", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `UPDATE audit_log SET mac = ? WHERE chain = 'main' AND seq = 5`, forgedMac("5"))
		}, audit.ErrTampered},
		{"ErrTamperedLast", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `UPDATE audit_log SET reason = 'x' WHERE chain = 'main' AND seq = 5`)
		}, audit.ErrTampered},
	}
	testkit.EachStore(t, func(t *testing.T, st0 *testkit.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				st := MustOpenStoreLike(t, st0)
				l := MustOpenLog(t, st, audit.Options{})
				MustAppend(t, l, 5)
				l.Close()
				tt.tamper(t, st.DB)
				_, err := audit.Open(context.Background(), st.DB, st.KeysDB, st.KeysDir, audit.Options{})
				if !errors.Is(err, tt.want) {
					t.Fatalf("open: %v, want %v", err, tt.want)
				}
			})
		}
	})
}

// TestOpenCatchUp stands for a crash between the data commit and the
// checkpoint: the data db is ahead, Open verifies the extra rows and moves
// the checkpoint over them; if they do not verify, it refuses.
func TestOpenCatchUp(t *testing.T) {
	ctx := context.Background()
	rewind := func(tb testing.TB, st *testkit.Store, to int64) {
		tb.Helper()
		mac := readContent(tb, st.DB, to)[8]
		mustExec(tb, st.KeysDB, `UPDATE audit_heads SET seq = ?, mac = ? WHERE chain = 'main'`, to, mac)
	}
	checkpoint := func(tb testing.TB, st *testkit.Store) int64 {
		tb.Helper()
		var seq int64
		if err := st.KeysDB.QueryRowContext(ctx, `SELECT seq FROM audit_heads WHERE chain = 'main'`).Scan(&seq); err != nil {
			tb.Fatal(err)
		}
		return seq
	}
	testkit.EachStore(t, func(t *testing.T, st0 *testkit.Store) {
		t.Run("OK", func(t *testing.T) {
			st := MustOpenStoreLike(t, st0)
			l := MustOpenLog(t, st, audit.Options{})
			MustAppend(t, l, 5)
			l.Close()
			rewind(t, st, 3)
			l = MustOpenLog(t, st, audit.Options{})
			if cp := checkpoint(t, st); cp != 5 {
				t.Fatalf("checkpoint at %d after open, want 5", cp)
			}
			if seqs := MustAppend(t, l, 1); seqs[0] != 6 {
				t.Fatalf("appended at %d, want 6", seqs[0])
			}
			MustVerifyOK(t, st)
		})
		t.Run("NoCheckpoint", func(t *testing.T) {
			st := MustOpenStoreLike(t, st0)
			l := MustOpenLog(t, st, audit.Options{})
			MustAppend(t, l, 5)
			l.Close()
			mustExec(t, st.KeysDB, `DELETE FROM audit_heads`)
			MustOpenLog(t, st, audit.Options{})
			if cp := checkpoint(t, st); cp != 5 {
				t.Fatalf("checkpoint at %d after open, want 5", cp)
			}
		})
		t.Run("ErrTampered", func(t *testing.T) {
			st := MustOpenStoreLike(t, st0)
			l := MustOpenLog(t, st, audit.Options{})
			MustAppend(t, l, 5)
			l.Close()
			rewind(t, st, 3)
			mustExec(t, st.DB, `UPDATE audit_log SET actor = 'x' WHERE chain = 'main' AND seq = 4`)
			_, err := audit.Open(ctx, st.DB, st.KeysDB, st.KeysDir, audit.Options{})
			if !errors.Is(err, audit.ErrTampered) {
				t.Fatalf("open: %v, want ErrTampered", err)
			}
		})
	})
}

// TestForeignHistory swaps the data database for one the checkpoint does
// not vouch for, though every mac in it verifies with the audit key: an
// older copy of itself, or a fork, an older copy that went on with another
// history under the same key (a second node started on a copy of the data
// with the same keys folder). Open refuses each, and Verify names where it
// departs from the checkpoint: only the checkpoint tells such a fork from
// the real log.
func TestForeignHistory(t *testing.T) {
	tests := []struct {
		name     string
		forkRows int // rows the fork wrote after the common 5
		open     error
		kind     audit.Kind
		seq      int64
	}{
		{"OlderCopy", 0, audit.ErrTruncated, audit.Truncated, 6},
		{"ForkShorter", 3, audit.ErrTruncated, audit.Truncated, 9},
		// Open's comparison of the tail with the checkpoint (resume) and
		// Verify's of the checkpointed row (walker.accept) catch these.
		{"ForkSameLength", 5, audit.ErrTampered, audit.Edited, 10},
		{"ForkLonger", 8, audit.ErrTampered, audit.Edited, 10},
	}
	testkit.EachStore(t, func(t *testing.T, st0 *testkit.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				real, copy := MustOpenStoreLike(t, st0), MustOpenStoreLike(t, st0)
				l := MustOpenLog(t, real, audit.Options{})
				MustAppend(t, l, 5)
				l.Close()
				copyLog(t, real.DB, copy.DB)
				l = MustOpenLog(t, real, audit.Options{})
				MustAppend(t, l, 5)
				l.Close()
				if tt.forkRows > 0 {
					// The fork checkpoints in a key store of its own, with the real key.
					f, err := audit.Open(ctx, copy.DB, copy.KeysDB, real.KeysDir, audit.Options{})
					if err != nil {
						t.Fatal(err)
					}
					for i := 0; i < tt.forkRows; i++ {
						if _, err := f.Append(ctx, testEntry(100+i)); err != nil {
							t.Fatal(err)
						}
					}
					f.Close()
				}
				// The swap: the real key store and key with the copy's data.
				if _, err := audit.Open(ctx, copy.DB, real.KeysDB, real.KeysDir, audit.Options{}); !errors.Is(err, tt.open) {
					t.Fatalf("open: %v, want %v", err, tt.open)
				}
				r, err := audit.Verify(ctx, copy.DB, real.KeysDB, real.KeysDir)
				if err != nil {
					t.Fatal(err)
				}
				if len(r.Problems) != 1 || r.Problems[0].Kind != tt.kind || r.Problems[0].Seq != tt.seq {
					t.Fatalf("problems = %+v; want one %s at seq %d", r.Problems, tt.kind, tt.seq)
				}
			})
		}
	})
}

// copyLog copies every audit_log row of from into to.
func copyLog(tb testing.TB, from, to *sqldb.DB) {
	tb.Helper()
	ctx := context.Background()
	rows, err := from.QueryContext(ctx, `SELECT chain, seq, `+contentColumns+` FROM audit_log ORDER BY chain, seq`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var chain string
		var seq, at int64
		var actor, subject, field, purpose, decision, reason, ref string
		var mac []byte
		if err := rows.Scan(&chain, &seq, &at, &actor, &subject, &field, &purpose, &decision, &reason, &ref, &mac); err != nil {
			tb.Fatal(err)
		}
		mustExec(tb, to, `INSERT INTO audit_log (chain, seq, `+contentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			chain, seq, at, actor, subject, field, purpose, decision, reason, ref, mac)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
}

// TestIndexTampered changes the index by person behind the indexer's back;
// Verify holds it to the chain and names each entry a search by person
// would miss or show to the wrong person.
func TestIndexTampered(t *testing.T) {
	type at struct {
		kind audit.Kind
		seq  int64
	}
	tests := []struct {
		name   string
		tamper func(tb testing.TB, db *sqldb.DB)
		want   []at
	}{
		// s_1's entries are seqs 2 and 7 (testEntry: subject s_{i%5}).
		{"PersonDeleted", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `DELETE FROM audit_subjects WHERE subject = 's_1'`)
		}, []at{{audit.Misindexed, 2}, {audit.Misindexed, 7}}},
		// Missing under its person, and shown to another one.
		{"Refiled", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `UPDATE audit_subjects SET subject = 's_9' WHERE chain = 'main' AND seq = 3`)
		}, []at{{audit.Misindexed, 3}, {audit.Misindexed, 3}}},
		{"ForgedForAnother", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `INSERT INTO audit_subjects (subject, chain, seq, at) VALUES ('s_1', 'main', 4, 0)`)
		}, []at{{audit.Misindexed, 4}}},
		{"ForgedForNothing", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `INSERT INTO audit_subjects (subject, chain, seq, at) VALUES ('s_1', 'main', 99, 0)`)
		}, []at{{audit.Misindexed, 99}}},
		// The entries after the mark would never be indexed; seq 11, whether
		// the indexer reached it or not, is now one of them.
		{"MarkPastEnd", func(tb testing.TB, db *sqldb.DB) {
			mustExec(tb, db, `UPDATE audit_indexed SET seq = 1000 WHERE chain = 'main'`)
			mustExec(tb, db, `DELETE FROM audit_subjects WHERE chain = 'main' AND seq = 11`)
		}, []at{{audit.Misindexed, 1000}, {audit.Misindexed, 11}}},
	}
	testkit.EachStore(t, func(t *testing.T, st0 *testkit.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				st := MustOpenStoreLike(t, st0)
				l := MustOpenLog(t, st, audit.Options{})
				MustAppend(t, l, 10)
				if _, err := l.Find(ctx, audit.Filter{Subject: "s_1"}); err != nil { // indexes to the end
					t.Fatal(err)
				}
				if _, err := l.Append(ctx, testEntry(10)); err != nil { // an index behind the log is no problem
					t.Fatal(err)
				}
				l.Close()
				MustVerifyOK(t, st)
				tt.tamper(t, st.DB)
				r := MustVerify(t, st)
				var got []at
				for _, p := range r.Problems {
					got = append(got, at{p.Kind, p.Seq})
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Fatalf("problems = %+v; want %v", r.Problems, tt.want)
				}
			})
		}
	})
}
