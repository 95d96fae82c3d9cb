package sqldb_test

import (
	"context"
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/sqldb"
)

func TestMigrateAndRebind(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		// Migrations already ran once; running again applies nothing.
		applied, err := st.DB.Migrate(ctx, sqldb.DataMigrations)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate: applied=%v err=%v", applied, err)
		}
		tx, err := st.DB.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (at, topic, subject, payload) VALUES (?, ?, ?, '{"q":"?"}')`, sqldb.Micros(tx.Now()), "t", "s"); err != nil {
			t.Fatal(err)
		}
		var payload string
		if err := tx.QueryRowContext(ctx, `SELECT payload FROM outbox WHERE topic = ?`, "t").Scan(&payload); err != nil {
			t.Fatal(err)
		}
		if payload != `{"q":"?"}` {
			t.Fatalf("payload = %q: a ? inside a string literal was rebound", payload)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestFormatErrorConflict(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		insert := func() error {
			_, err := st.DB.ExecContext(ctx, `INSERT INTO subjects (id, region, created_at) VALUES (?, ?, ?)`, "s1", "CN", 1)
			return sqldb.FormatError("test", err)
		}
		if err := insert(); err != nil {
			t.Fatal(err)
		}
		if err := insert(); minimall.ErrorCode(err) != minimall.Conflict {
			t.Fatalf("duplicate insert: code %v, want conflict (%v)", minimall.ErrorCode(err), err)
		}
		err := sqldb.FormatError("test", st.DB.QueryRowContext(ctx, `SELECT id FROM subjects WHERE id = ?`, "nope").Scan(new(string)))
		if minimall.ErrorCode(err) != minimall.NotFound {
			t.Fatalf("missing row: code %v, want not_found", minimall.ErrorCode(err))
		}
	})
}
