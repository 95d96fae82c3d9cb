package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"minimall/internal/testkit"
	"minimall/sqldb"
)

// TestBatcher: writes queued with Go all land in shared commits; one that
// fails does not take the others with it; Do answers its own error; Flush
// waits; after Close nothing is taken.
func TestBatcher(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		if _, err := st.DB.ExecContext(ctx, `CREATE TABLE batch_probe (id TEXT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		b := sqldb.NewBatcher(st.DB, 64, time.Millisecond)
		var mu sync.Mutex
		var failed []error
		b.OnError = func(err error) { mu.Lock(); failed = append(failed, err); mu.Unlock() }
		insert := func(id string) func(context.Context, *sqldb.Tx) error {
			return func(ctx context.Context, tx *sqldb.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO batch_probe (id) VALUES (?)`, id)
				return err
			}
		}
		for i := range 200 {
			if err := b.Go(insert(fmt.Sprintf("r%03d", i))); err != nil {
				t.Fatal(err)
			}
		}
		b.Go(insert("r007")) // a duplicate: fails alone
		if err := b.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM batch_probe`).Scan(&n)
		mu.Lock()
		if n != 200 || len(failed) != 1 {
			t.Fatalf("%d rows, %d failures; want 200 and 1", n, len(failed))
		}
		mu.Unlock()
		if err := b.Do(ctx, insert("r001")); err == nil {
			t.Fatal("Do of a duplicate: no error")
		}
		if err := b.Do(ctx, insert("r900")); err != nil {
			t.Fatal(err)
		}
		b.Close()
		if err := b.Go(insert("r901")); !errors.Is(err, sqldb.ErrBatcherClosed) {
			t.Fatalf("Go after Close: %v", err)
		}
	})
}

// TestCloseLeavesOneFile: after Close, the SQLite database is one file,
// the WAL folded in (a copy of the folder is then a whole database).
func TestCloseLeavesOneFile(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/one.db"
	db, err := sqldb.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(context.Background(), `CREATE TABLE probe (id TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	var n int
	db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM probe`).Scan(&n) // a reader opens too
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Fatalf("a WAL file is left after Close: %v", err)
	}
}
