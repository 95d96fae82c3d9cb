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
	go func() { done <- g.do(ctx, insert("waited"), false) }()
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

// An unhurried write (the audit log's paced batches) joins the lingering
// writes behind without cutting their wait short, and is answered when the
// group commits.
func TestUnhurriedWriteKeepsLinger(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "unhurried.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE linger_probe (id TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	const linger = 300 * time.Millisecond
	g := startGroup(&group{db: db, max: 64, linger: linger})
	defer g.close()
	insert := func(id string) func(context.Context, *Tx) error {
		return func(ctx context.Context, tx *Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO linger_probe (id) VALUES (?)`, id)
			return err
		}
	}
	start := time.Now()
	if err := g.goBehind(ctx, insert("behind")); err != nil {
		t.Fatal(err)
	}
	if err := g.do(ctx, insert("unhurried"), true); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < linger*9/10 {
		t.Fatalf("the unhurried write was answered after %v: it cut the %v linger short", waited, linger)
	}
	if commits, writes := g.stats(); commits != 1 || writes != 2 {
		t.Fatalf("%d commits of %d writes, want both writes in one commit", commits, writes)
	}
}
