// Package testkit runs tests on every store: SQLite in a temporary folder
// always, and PostgreSQL when MINIMALL_TEST_POSTGRES names a server. Under
// CI=true a missing PostgreSQL fails the run instead of skipping it.
package testkit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"minimall"
	"minimall/sqldb"
)

// Store is one test's storage: the migrated data database and the migrated
// key store (a separate file on SQLite, a separate schema
// on PostgreSQL), and the folders that stand for the data and keys folders.
type Store struct {
	Name    string // "sqlite" or "postgres"
	DB      *sqldb.DB
	KeysDB  *sqldb.DB
	DataDSN string
	KeysDSN string
	DataDir string
	KeysDir string
	Clock   *minimall.FakeClock
}

// EachStore runs fn as a subtest on SQLite and, when configured, PostgreSQL.
func EachStore(t *testing.T, fn func(t *testing.T, st *Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, MustOpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, MustOpenPostgres(t)) })
}

// MustOpenSQLite returns a fresh migrated SQLite store in t.TempDir().
func MustOpenSQLite(tb testing.TB) *Store {
	tb.Helper()
	dir := tb.TempDir()
	st := &Store{Name: "sqlite", DataDir: filepath.Join(dir, "data"), KeysDir: filepath.Join(dir, "keys"), Clock: &minimall.FakeClock{}}
	st.DataDSN = filepath.Join(st.DataDir, "minimall.db")
	st.KeysDSN = filepath.Join(st.KeysDir, "keystore.db")
	st.open(tb)
	return st
}

// MustOpenPostgres returns a fresh migrated PostgreSQL store: a schema of
// its own in the package's test database. It skips without
// MINIMALL_TEST_POSTGRES, and fails instead under CI=true.
func MustOpenPostgres(tb testing.TB) *Store {
	tb.Helper()
	base := PostgresDSN(tb)
	dir := tb.TempDir()
	st := &Store{Name: "postgres", DataDir: filepath.Join(dir, "data"), KeysDir: filepath.Join(dir, "keys"), Clock: &minimall.FakeClock{}}
	suffix := minimall.RandomToken(5)
	st.DataDSN = schemaDSN(tb, base, "d_"+suffix)
	st.KeysDSN = schemaDSN(tb, base, "k_"+suffix)
	st.open(tb)
	return st
}

func (st *Store) open(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	if err := os.MkdirAll(st.KeysDir, 0o700); err != nil {
		tb.Fatal(err)
	}
	db, err := sqldb.Open(ctx, st.DataDSN, st.Clock)
	if err != nil {
		tb.Fatalf("open data db: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, sqldb.DataMigrations); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	kdb, err := sqldb.Open(ctx, st.KeysDSN, st.Clock)
	if err != nil {
		tb.Fatalf("open keys db: %v", err)
	}
	tb.Cleanup(func() { kdb.Close() })
	if _, err := kdb.Migrate(ctx, sqldb.KeystoreMigrations); err != nil {
		tb.Fatalf("migrate keys: %v", err)
	}
	st.DB, st.KeysDB = db, kdb
}

// PostgresDSN returns the DSN of this test package's own PostgreSQL
// database, creating it on first use.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	admin := os.Getenv("MINIMALL_TEST_POSTGRES")
	if admin == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("MINIMALL_TEST_POSTGRES is not set, and under CI=true PostgreSQL tests must run")
		}
		tb.Skip("MINIMALL_TEST_POSTGRES not set")
	}
	pkgDB.once.Do(func() { pkgDB.dsn, pkgDB.err = createPackageDB(admin) })
	if pkgDB.err != nil {
		tb.Fatalf("postgres: %v", pkgDB.err)
	}
	return pkgDB.dsn
}

var pkgDB struct {
	once sync.Once
	dsn  string
	err  error
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

// createPackageDB makes one database per test package (named after the
// package folder), so packages tested in parallel never share tables.
func createPackageDB(admin string) (string, error) {
	wd, _ := os.Getwd()
	sum := sha256.Sum256([]byte(wd))
	name := "mmt_" + nonWord.ReplaceAllString(strings.ToLower(filepath.Base(wd)), "_") + "_" + hex.EncodeToString(sum[:3])
	conn, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	// The database is kept between runs, not dropped: each test works in
	// schemas of its own with random names (dropped when it ends), so two
	// runs of the same package at once never meet.
	var exists bool
	if err := conn.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		if _, err := conn.Exec(`CREATE DATABASE ` + name); err != nil && !strings.Contains(err.Error(), "already exists") && !strings.Contains(err.Error(), "duplicate key") {
			return "", fmt.Errorf("create %s: %w", name, err)
		}
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// schemaDSN creates schema in the package database and returns a DSN whose
// connections use it.
func schemaDSN(tb testing.TB, base, schema string) string {
	tb.Helper()
	conn, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		c, err := sql.Open("pgx", base)
		if err == nil {
			c.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			c.Close()
		}
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// EachEmptyDB runs fn on an empty, unmigrated data database on SQLite and
// on PostgreSQL, for tests of what a migration does to rows already there.
func EachEmptyDB(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	open := func(t *testing.T, dsn string) {
		db, err := sqldb.Open(context.Background(), dsn, &minimall.FakeClock{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, db)
	}
	t.Run("sqlite", func(t *testing.T) { open(t, filepath.Join(t.TempDir(), "minimall.db")) })
	t.Run("postgres", func(t *testing.T) {
		open(t, schemaDSN(t, PostgresDSN(t), "e_"+minimall.RandomToken(5)))
	})
}
