package sqldb

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestWaitedWriteEndsLinger: a group of writes behind lingers for company,
// but a Write that joins it is not kept waiting for the linger to end.
func TestWaitedWriteEndsLinger(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "linger.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE linger_probe (id TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	g := startGroup(&group{db: db, max: 64, linger: time.Hour})
	defer g.close()
	insert := func(id string) func(context.Context, *Tx) error {
		return func(ctx context.Context, tx *Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO linger_probe (id) VALUES (?)`, id)
			return err
		}
	}
	if err := g.goBehind(ctx, insert("behind")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- g.do(ctx, insert("waited")) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a Write waited for the linger of the writes behind it joined")
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM linger_probe`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("after the Write, %d rows (%v), want the write behind's and its own", n, err)
	}
}
