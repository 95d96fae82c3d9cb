package sqldb_test

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"

	"minimall/internal/testkit"
	"minimall/sqldb"
)

// TestMigrateComplaintsIntoRightsQueue: 0026 moves each complaint's place
// in the queue into rights_requests, as a request of kind complaint with
// its state, deadline and closing, and keeps what it says, sealed, where
// it was (each sealed value is bound to its table and column).
func TestMigrateComplaintsIntoRightsQueue(t *testing.T) {
	testkit.EachEmptyDB(t, func(t *testing.T, db *sqldb.DB) { migrateComplaints(t, db) })
}

func migrateComplaints(t *testing.T, db *sqldb.DB) {
	ctx := context.Background()
	before := fstest.MapFS{}
	files, _ := fs.Glob(sqldb.DataMigrations, "*.sql")
	for _, f := range files {
		if f < "0026" {
			b, _ := fs.ReadFile(sqldb.DataMigrations, f)
			before[f] = &fstest.MapFile{Data: b}
		}
	}
	if _, err := db.Migrate(ctx, before); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO subjects (id, region, created_at) VALUES ('s1', 'CN', 1)`); err != nil {
		t.Fatal(err)
	}
	_, err := db.ExecContext(ctx, `INSERT INTO policy_complaints (id, subject, topic, text_sealed, answer_sealed, state, refusal_reason, received_at, deadline_at, updated_at, handled_by)
		VALUES ('cp_open', 's1', 'policy', ?, NULL, 'in_progress', '', 10, 20, 15, 'op_1'), ('cp_done', 's1', 'other', ?, ?, 'refused', 'impractical', 11, 21, 16, 'op_1')`,
		[]byte{1}, []byte{2}, []byte{3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx, sqldb.DataMigrations); err != nil {
		t.Fatal(err)
	}
	type row struct {
		kind, by, state, refused string
		received, due, closed    int64
	}
	want := map[string]row{
		"cp_open": {"complaint", "self", "in_progress", "", 10, 20, 0},
		"cp_done": {"complaint", "self", "refused", "impractical", 11, 21, 16},
	}
	for id, w := range want {
		var got row
		err := db.QueryRowContext(ctx, `SELECT kind, filed_by, state, refused_reason, received_at, due_at, closed_at FROM rights_requests WHERE id = ?`, id).
			Scan(&got.kind, &got.by, &got.state, &got.refused, &got.received, &got.due, &got.closed)
		if err != nil || got != w {
			t.Errorf("%s: %+v, %v; want %+v", id, got, err, w)
		}
		var text []byte
		if err := db.QueryRowContext(ctx, `SELECT text_sealed FROM policy_complaints WHERE id = ?`, id).Scan(&text); err != nil || len(text) != 1 {
			t.Errorf("%s: sealed text %x, %v", id, text, err)
		}
	}
}
