package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// pgTool finds a PostgreSQL client program (pg_dump, pg_restore) of the
// server's own major version, as a dump must be made by a pg_dump at
// least as new as the server: `pg_config --bindir` when its version
// matches, else Debian's /usr/lib/postgresql/<major>/bin. Without it the
// test skips, except under CI=true, where it fails.
func pgTool(t *testing.T, admin *sql.DB, name string) string {
	t.Helper()
	var num int
	if err := admin.QueryRow(`SELECT current_setting('server_version_num')::int`).Scan(&num); err != nil {
		t.Fatal(err)
	}
	major := num / 10000
	var dirs []string
	if v, err := exec.Command("pg_config", "--version").Output(); err == nil && strings.HasPrefix(strings.TrimPrefix(string(v), "PostgreSQL "), fmt.Sprint(major)+".") {
		if b, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
			dirs = append(dirs, strings.TrimSpace(string(b)))
		}
	}
	dirs = append(dirs, fmt.Sprintf("/usr/lib/postgresql/%d/bin", major))
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	msg := fmt.Sprintf("%s of PostgreSQL %d not found in %v (Debian: apt-get install postgresql-client-%d)", name, major, dirs, major)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// pgRun runs a PostgreSQL program, failing the test with its output.
func pgRun(t *testing.T, prog string, args ...string) {
	t.Helper()
	if out, err := exec.Command(prog, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(prog), args, err, out)
	}
}

// pgDatabase is a PostgreSQL data database of its own (and its key
// store, <name>_keys, which minimall creates), as a deployment has: a dump
// is of a whole database, not of a test schema. Both are dropped at the end.
type pgDatabase struct {
	admin         *sql.DB
	dsn, name     string
	dump, restore string // pg_dump and pg_restore of the server's version
	drop          func(db string)
}

func newPgDatabase(t *testing.T) *pgDatabase {
	t.Helper()
	base, err := url.Parse(testkit.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	adminURL := *base
	adminURL.Path = "/postgres"
	admin, err := sql.Open("pgx", adminURL.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() }) // after the databases are dropped
	pg := &pgDatabase{admin: admin, dump: pgTool(t, admin, "pg_dump"), restore: pgTool(t, admin, "pg_restore")}
	pg.name = "mmt_backup_" + strings.ToLower(minimall.RandomToken(6))
	dataURL := *base
	dataURL.Path = "/" + pg.name
	pg.dsn = dataURL.String()
	pg.drop = func(db string) {
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + db + ` WITH (FORCE)`); err != nil {
			t.Error(err)
		}
	}
	if _, err := admin.Exec(`CREATE DATABASE ` + pg.name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.drop(pg.name); pg.drop(pg.name + "_keys") })
	return pg
}

// restoreDump recreates the data database empty and fills it from dump.
func (pg *pgDatabase) restoreDump(t *testing.T, dump string) {
	t.Helper()
	pg.drop(pg.name)
	if _, err := pg.admin.Exec(`CREATE DATABASE ` + pg.name); err != nil {
		t.Fatal(err)
	}
	pgRun(t, pg.restore, "--no-owner", "--exit-on-error", "-d", pg.dsn, dump)
}

// TestBackupRestoreKeepsErasurePostgres is TestBackupRestoreKeepsErasure
// on PostgreSQL, by the README's procedure: pg_dump -Fc of the data
// database while minimall serves; an erasure; the data database dropped,
// created empty and filled with pg_restore; `minimall restore --db URL`
// with the current key store. The erased person stays erased, the other
// still signs in, and the audit log verifies.
func TestBackupRestoreKeepsErasurePostgres(t *testing.T) {
	ctx := context.Background()
	pg := newPgDatabase(t)
	admin, dsn, name, pgDump, pgRestore, drop := pg.admin, pg.dsn, pg.name, pg.dump, pg.restore, pg.drop

	dir := t.TempDir()
	data, keys, dump := filepath.Join(dir, "data"), filepath.Join(dir, "data.keys"), filepath.Join(dir, "backup", "minimall.dump")
	if err := os.MkdirAll(filepath.Dir(dump), 0o700); err != nil {
		t.Fatal(err)
	}
	start := func() (*Main, error) {
		m := NewMain()
		m.Config.Addr, m.Config.DataDir, m.Config.KeysDir, m.Config.DB = "127.0.0.1:0", data, keys, dsn
		err := m.Run(ctx)
		if err != nil {
			m.Close()
			return nil, err
		}
		t.Cleanup(func() { m.Close() })
		return m, nil
	}
	m, err := start()
	if err != nil {
		t.Fatal(err)
	}
	gone := registerShopper(t, m, "13800138011", "pg_backup_gone")
	kept := registerShopper(t, m, "13800138012", "pg_backup_kept")

	// Online backup while the platform serves: the data database only,
	// by hand as the README says, and by `minimall backup --db`, which
	// runs the same pg_dump.
	pgRun(t, pgDump, "-Fc", "-f", dump, dsn)
	byCmd := filepath.Join(dir, "backup2")
	code, out, errOut := runCmd(t, "backup", "--to", byCmd, "--db", dsn, "--data", data, "--keys", keys)
	if code != 0 || !strings.Contains(out, "NOT copied") {
		t.Fatalf("backup --db: exit %d\n%s%s", code, out, errOut)
	}
	backupOut := out
	if entries, _ := os.ReadDir(byCmd); len(entries) != 1 || entries[0].Name() != "minimall.dump" {
		t.Fatalf("backup folder holds %v, want minimall.dump only (no keys)", entries)
	}
	list, err := exec.Command(pgRestore, "--list", filepath.Join(byCmd, "minimall.dump")).CombinedOutput()
	if err != nil || !strings.Contains(string(list), "TABLE DATA public subjects") {
		t.Fatalf("pg_restore --list of minimall backup's dump: %v\n%s", err, list)
	}
	for _, keyTable := range []string{"subject_keys", "erasures", "audit_heads"} {
		if strings.Contains(string(list), " "+keyTable+" ") {
			t.Errorf("the dump holds the key store's table %s", keyTable)
		}
	}
	if code, _, errOut := runCmd(t, "backup", "--to", byCmd, "--db", dsn, "--data", data, "--keys", keys); code != 1 || !strings.Contains(errOut, "exists already") {
		t.Errorf("second backup into the same folder: exit %d %s", code, errOut)
	}

	if err := m.Kernel.Erase(ctx, minimall.SystemActor("test"), gone.subject, privacy.EraseAccount, "test"); err != nil {
		t.Fatal(err)
	}
	if signIn(t, m, gone) != "" {
		t.Fatal("an erased person signs in before the restore")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	// The dump into a new, empty data database: without `minimall
	// restore` minimall refuses to start on it (the audit log looks
	// truncated against the key store's checkpoints).
	drop(name)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	pgRun(t, pgRestore, "--no-owner", "--exit-on-error", "-d", dsn, dump)
	if _, err := start(); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("start on a restored dump without `minimall restore`: %v, want the truncated audit log refused", err)
	}

	store := []string{"--db", dsn, "--data", data, "--keys", keys}
	if code, _, errOut := runCmd(t, append([]string{"restore", "--from", filepath.Dir(dump)}, store...)...); code != 1 || !strings.Contains(errOut, "pg_restore") {
		t.Errorf("restore --from on PostgreSQL: exit %d %s, want pointed to pg_restore", code, errOut)
	}
	code, out, errOut = runCmd(t, restoreHint(t, backupOut)...) // as backup printed it
	if code != 0 || !strings.Contains(out, "1 people erased since the backup") || !strings.Contains(out, "gone with it") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, append([]string{"audit", "verify"}, store...)...); code != 0 || !strings.HasPrefix(out, "OK") {
		t.Fatalf("audit verify after restore: exit %d %s %s", code, out, errOut)
	}
	if m, err = start(); err != nil {
		t.Fatal(err)
	}
	wantErasureKept(t, m, gone, kept)
}
