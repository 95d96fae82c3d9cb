package sqldb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/sqldb"
)

// TestStorageFault: while the store refuses writes (read-only, or a disk
// full that fails every commit) each write is answered
// StorageUnavailable with a Retry-After, concurrent writes all get their
// answer (the group commit does not wedge), reads keep working, nothing
// half-written stays, the health says so; once the fault clears, writes
// go through again on the same DB, and the store passes its integrity
// check.
func TestStorageFault(t *testing.T) {
	for _, f := range []struct {
		name  string
		fault sqldb.Fault
	}{{"read-only", sqldb.ReadOnly}, {"disk-full", sqldb.DiskFull}} {
		t.Run(f.name, func(t *testing.T) {
			testkit.EachStore(t, func(t *testing.T, st *testkit.Store) { testStorageFault(t, st, f.fault) })
		})
	}
}

func testStorageFault(t *testing.T, st *testkit.Store, fault sqldb.Fault) {
	ctx := context.Background()
	db := st.DB
	if _, err := db.ExecContext(ctx, `CREATE TABLE fault_probe (id TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	insert := func(id string) func(context.Context, *sqldb.Tx) error {
		return func(ctx context.Context, tx *sqldb.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO fault_probe (id) VALUES (?)`, id)
			return err
		}
	}
	if err := db.Write(ctx, insert("before")); err != nil {
		t.Fatal(err)
	}
	db.InjectFault(fault)
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Go(func() { errs[i] = db.Write(ctx, insert(fmt.Sprintf("during%02d", i))) })
	}
	wg.Wait()
	for i, err := range errs {
		if !minimall.IsCode(err, minimall.StorageUnavailable) || minimall.RetryAfter(err) <= 0 {
			t.Fatalf("write %d during the fault: %v, want storage_unavailable with a Retry-After", i, err)
		}
	}
	// A write behind is dropped and counted on SQLite; on PostgreSQL it is
	// waited for, so refused like any write.
	if err := db.WriteBehind(ctx, insert("behind")); err != nil && !minimall.IsCode(err, minimall.StorageUnavailable) {
		t.Fatalf("write behind during the fault: %v", err)
	}
	if err := db.Flush(ctx); err != nil && !minimall.IsCode(err, minimall.StorageUnavailable) {
		t.Fatalf("flush during the fault: %v", err)
	}
	h := db.StorageHealth()
	if !h.Failing || h.Refused < int64(len(errs)) || (db.Dialect() == sqldb.SQLite && h.BehindLost != 1) {
		t.Fatalf("health during the fault: %+v", h)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM fault_probe`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("read during the fault: %d rows, %v; want the one written before", n, err)
	}
	db.InjectFault(sqldb.NoFault)
	if err := db.Write(ctx, insert("after")); err != nil {
		t.Fatalf("write after the fault cleared: %v", err)
	}
	if h := db.StorageHealth(); h.Failing {
		t.Fatalf("health after the fault: %+v", h)
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM fault_probe WHERE id LIKE 'during%'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused writes stored: %d, %v", n, err)
	}
	if db.Dialect() == sqldb.SQLite {
		var ok string
		if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
			t.Fatalf("integrity_check: %q %v", ok, err)
		}
	}
}
