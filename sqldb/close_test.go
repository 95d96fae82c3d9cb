package sqldb_test

import (
	"context"
	"os"
	"testing"

	"minimall/sqldb"
)

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
