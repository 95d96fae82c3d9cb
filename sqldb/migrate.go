package sqldb

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed migrations/*.sql keystore/*.sql
var migrationFiles embed.FS

// DataMigrations are the data database's migrations.
var DataMigrations, _ = fs.Sub(migrationFiles, "migrations")

// KeystoreMigrations are the key store's migrations; the key store is a
// separate database (a file in the keys folder, or its own PostgreSQL
// database).
var KeystoreMigrations, _ = fs.Sub(migrationFiles, "keystore")

// Migration is one migration file: NNNN_name.sql for both engines, or a pair
// NNNN_name.sqlite.sql and NNNN_name.postgres.sql where they truly differ.
type Migration struct {
	name string // NNNN_name, the version recorded
	file string
}

// Name returns the version a migration is recorded under.
func (m Migration) Name() string { return m.name }

func (db *DB) migrations(fsys fs.FS) ([]Migration, error) {
	files, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	other := map[Dialect]string{SQLite: ".postgres.sql", Postgres: ".sqlite.sql"}[db.dialect]
	mine := map[Dialect]string{SQLite: ".sqlite.sql", Postgres: ".postgres.sql"}[db.dialect]
	var ms []Migration
	for _, f := range files {
		if strings.HasSuffix(f, other) {
			continue
		}
		name := strings.TrimSuffix(strings.TrimSuffix(f, mine), ".sql")
		ms = append(ms, Migration{name: name, file: f})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].name < ms[j].name })
	return ms, nil
}

// Migrate applies, in name order and one transaction each, every Migration
// in fsys not yet recorded in schema_migrations. It returns the names applied.
func (db *DB) Migrate(ctx context.Context, fsys fs.FS) ([]string, error) {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	pending, err := db.Pending(ctx, fsys)
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range pending {
		if err := db.migrateFile(ctx, fsys, m); err != nil {
			return applied, fmt.Errorf("migrate %s: %w", m.file, err)
		}
		applied = append(applied, m.name)
	}
	return applied, nil
}

// Pending returns the migrations in fsys not yet applied.
func (db *DB) Pending(ctx context.Context, fsys fs.FS) ([]Migration, error) {
	all, err := db.migrations(fsys)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	done := map[string]bool{}
	rows, err := db.write.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		// No table yet: everything is pending.
		return all, nil
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		done[n] = true
	}
	var pending []Migration
	for _, m := range all {
		if !done[m.name] {
			pending = append(pending, m)
		}
	}
	return pending, rows.Err()
}

func (db *DB) migrateFile(ctx context.Context, fsys fs.FS, m Migration) error {
	body, err := fs.ReadFile(fsys, path.Clean(m.file))
	if err != nil {
		return err
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, m.name, Micros(tx.Now())); err != nil {
		return err
	}
	return tx.Commit()
}
