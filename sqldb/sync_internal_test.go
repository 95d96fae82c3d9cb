package sqldb

import (
	"context"
	"path/filepath"
	"testing"
)

// TestSQLiteDurableAcrossPowerLoss: the embedded store's writer runs
// synchronous=FULL (2), so an acknowledged commit is synced to disk before
// the answer, and the durability tests, which open the store the same way,
// run that setting.
func TestSQLiteDurableAcrossPowerLoss(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "sync.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode int
	if err := db.write.QueryRowContext(context.Background(), `PRAGMA synchronous`).Scan(&mode); err != nil || mode != 2 {
		t.Fatalf("synchronous = %d (%v), want 2 (FULL)", mode, err)
	}
}

// TestSyncFollowsWhoWaits: a group someone waits on commits with FULL; a
// group of writes nobody waits on with NORMAL, whose frames the next synced
// commit makes durable.
func TestSyncFollowsWhoWaits(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "follow.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE probe (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	insert := func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO probe DEFAULT VALUES`)
		return err
	}
	mode := func() int {
		var m int
		if err := db.write.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if err := db.WriteBehind(ctx, insert); err != nil {
		t.Fatal(err)
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 1 {
		t.Fatalf("after a group of writes behind, synchronous = %d, want 1 (NORMAL)", m)
	}
	if err := db.Write(ctx, insert); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != 2 {
		t.Fatalf("after a waited write, synchronous = %d, want 2 (FULL)", m)
	}
}
