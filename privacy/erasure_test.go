package privacy_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/sqldb"
)

// storeSealed keeps sealed values in a scratch table of the data database,
// standing in for an area's table.
func storeSealed(tb testing.TB, db *sqldb.DB, s minimall.SubjectID, f privacy.Field, row string, sealed []byte) {
	tb.Helper()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS scratch (subject TEXT, field TEXT, row_id TEXT, sealed BYTEA)`); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO scratch (subject, field, row_id, sealed) VALUES (?, ?, ?, ?)`, string(s), string(f), row, sealed); err != nil {
		tb.Fatal(err)
	}
}

func loadSealed(tb testing.TB, db *sqldb.DB, s minimall.SubjectID, f privacy.Field, row string) []byte {
	tb.Helper()
	var b []byte
	err := db.QueryRowContext(context.Background(), `SELECT sealed FROM scratch WHERE subject = ? AND field = ? AND row_id = ?`, string(s), string(f), row).Scan(&b)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// copyDir copies a folder, as a backup of the data folder would.
func copyDir(tb testing.TB, src, dst string) {
	tb.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		defer out.Close()
		_, err = io.Copy(out, in)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// TestErasureReachesBackups: after a person is erased, a copy of the data
// folder taken before the erasure cannot be opened for that person, even
// with the master key and the current key store; another person's data in
// the same copy still opens, and opening the copy replays the erasure.
func TestErasureReachesBackups(t *testing.T) {
	ctx := context.Background()
	st := testkit.MustOpenSQLite(t)
	k := mustOpenKernel(t, st)
	alice, bob := mustNewSubject(t, k, st), mustNewSubject(t, k, st)
	storeSealed(t, st.DB, alice, privacy.RecipientPhone, "o1", mustSeal(t, k, alice, privacy.RecipientPhone, "o1", "13800000001"))
	storeSealed(t, st.DB, bob, privacy.RecipientPhone, "o2", mustSeal(t, k, bob, privacy.RecipientPhone, "o2", "13800000002"))
	if err := k.AuditFlush(ctx); err != nil {
		t.Fatal(err)
	}

	backup := filepath.Join(t.TempDir(), "backup")
	copyDir(t, st.DataDir, backup)

	dpo := minimall.Actor{Kind: minimall.Operator, ID: "op", Role: minimall.RoleDPO, Reason: "RR-1"}
	if err := k.Erase(ctx, dpo, alice, privacy.EraseAll, "deregistered"); err != nil {
		t.Fatal(err)
	}
	k.Close()

	// Restore: open the old copy with the master key and the current key store.
	restored, err := sqldb.Open(ctx, filepath.Join(backup, "minimall.db"), st.Clock)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	k2, err := privacy.Open(ctx, privacy.Config{Data: restored, Keys: st.KeysDB, KeysDir: st.KeysDir, Clock: st.Clock, Chain: "restore"})
	if err != nil {
		t.Fatal(err)
	}
	defer k2.Close()
	sys := minimall.SystemActor("restore-check")
	_, err = k2.Guard().Open(ctx, sys, alice, privacy.RecipientPhone, privacy.ForLegalDuty, "o1", loadSealed(t, restored, alice, privacy.RecipientPhone, "o1"))
	if r := denialReason(err); r != privacy.SubjectErased {
		t.Fatalf("erased person's backup copy: %v; want subject_erased", err)
	}
	got, err := k2.Guard().OpenString(ctx, sys, bob, privacy.RecipientPhone, privacy.ForDelivery, "o2", loadSealed(t, restored, bob, privacy.RecipientPhone, "o2"))
	if err != nil || got != "13800000002" {
		t.Fatalf("other person in the backup: %q, %v", got, err)
	}
	var erasedAt int64
	if err := restored.QueryRowContext(ctx, `SELECT erased_at FROM subjects WHERE id = ?`, string(alice)).Scan(&erasedAt); err != nil || erasedAt == 0 {
		t.Fatalf("restored copy does not mark the erased person (erased_at=%d, %v)", erasedAt, err)
	}
}

// TestRetentionOnlyAfterDeregistration: a transaction record sealed under a
// retention key outlives account deletion, readable only for the legal duty.
func TestRetentionOnlyAfterDeregistration(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		k := mustOpenKernel(t, st)
		g := k.Guard()
		s := mustNewSubject(t, k, st)
		completed := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
		rec, err := g.SealRetained(ctx, s, privacy.RecipientName, "o1", completed, []byte("张三"))
		if err != nil {
			t.Fatal(err)
		}
		live := mustSeal(t, k, s, privacy.RecipientPhone, "o1", "13800000003")
		if err := k.Erase(ctx, minimall.SystemActor("account"), s, privacy.EraseAccount, "deregistered"); err != nil {
			t.Fatal(err)
		}
		sys := minimall.SystemActor("x")
		if _, err := g.Open(ctx, sys, s, privacy.RecipientName, privacy.ForCustomerService, "o1", rec); denialReason(err) != privacy.RetentionOnly {
			t.Fatalf("retained record for customer service: %v; want retention_only", err)
		}
		legal := minimall.Actor{Kind: minimall.Operator, ID: "op", Role: minimall.RoleLegalHold, Reason: "COURT-7"}
		if got, err := g.OpenString(ctx, legal, s, privacy.RecipientName, privacy.ForLegalDuty, "o1", rec); err != nil || got != "张三" {
			t.Fatalf("retained record for the legal duty: %q, %v", got, err)
		}
		if _, err := g.Open(ctx, legal, s, privacy.RecipientPhone, privacy.ForLegalDuty, "o1", live); denialReason(err) != privacy.SubjectErased {
			t.Fatalf("data-key record after deregistration: %v; want subject_erased", err)
		}
		if _, err := g.Seal(ctx, s, privacy.RecipientPhone, "o9", []byte("x")); denialReason(err) != privacy.SubjectErased {
			t.Fatalf("collecting about an erased person: %v", err)
		}
		if _, err := k.Pseudonym(ctx, s, "ads"); denialReason(err) != privacy.SubjectErased {
			t.Fatalf("pseudonym after erasure: %v", err)
		}
	})
}
