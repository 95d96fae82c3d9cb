package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// backupFile is the name of the data copy in the backup folder, the same
// as in the data folder, so a restore is putting the file back.
const backupFile = "minimall.db"

// dumpFile is the name of a PostgreSQL data database's dump (pg_dump -Fc)
// in the backup folder.
const dumpFile = "minimall.dump"

// runBackup runs "backup --to DIR": a consistent copy of the data database
// made while the platform may keep serving — SQLite's file, or on
// PostgreSQL a pg_dump -Fc of the data database. The keys are never copied
// with it (policy 五(一)): data and keys are backed up separately.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var to, pgDump string
	m, err := parseCommand("backup", args, stderr, "backup --to DIR [flags]", func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "folder to write minimall.db (or minimall.dump on PostgreSQL) into; never the keys folder (required)")
		fs.StringVar(&pgDump, "pg-dump", "", "pg_dump to run on PostgreSQL (default: the server's version in /usr/lib/postgresql/<major>/bin, else pg_dump on PATH) [MINIMALL_PG_DUMP]")
	})
	if err != nil {
		return err
	}
	if to == "" {
		fmt.Fprintln(stderr, "--to: name the backup folder")
		return errUsage
	}
	if err := m.Config.resolve(); err != nil {
		return err
	}
	if inside(to, m.Config.KeysDir) || inside(m.Config.KeysDir, to) {
		return fmt.Errorf("the backup folder %s and the keys folder %s overlap: keys must never travel with the data or its backups", to, m.Config.KeysDir)
	}
	if m.Config.DB != "" {
		return backupPostgres(ctx, m, to, pgDump, stdout)
	}
	// Opening would create an empty database; there is nothing to back up.
	if _, err := os.Stat(m.Config.dataDSN()); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no data database at %s", m.Config.dataDSN())
	}
	db, err := sqldb.Open(ctx, m.Config.dataDSN(), nil)
	if err != nil {
		return fmt.Errorf("open data database: %w", err)
	}
	defer db.Close()
	path := filepath.Join(to, backupFile)
	if err := db.BackupTo(ctx, path); err != nil {
		return err
	}
	size := int64(0)
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(stdout, "data database copied to %s (%d bytes)\n", path, size)
	fmt.Fprintf(stdout, "the keys folder %s was NOT copied: back it up separately, to a different place than the data\n", m.Config.KeysDir)
	fmt.Fprintf(stdout, "restore: stop minimall, then `minimall restore --from %s%s`, keeping the current keys: erasures and deletions since the backup are replayed\n", shellQuote(to), storeArgs(m.Config))
	return nil
}

// backupPostgres dumps the PostgreSQL data database into to/minimall.dump
// with pg_dump -Fc: one consistent snapshot, taken while minimall serves.
// The key store database is not dumped with it.
func backupPostgres(ctx context.Context, m *Main, to, prog string, stdout io.Writer) error {
	path := filepath.Join(to, dumpFile)
	if _, err := os.Stat(path); err == nil {
		return minimall.Errorf(minimall.Conflict, "backup", "The backup file %s exists already; choose an empty folder. 备份文件已存在，请选择空文件夹。", path)
	}
	if prog == "" {
		var err error
		if prog, err = findPgDump(ctx, m.Config.DB); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(to, 0o700); err != nil {
		return err
	}
	// The password goes by the environment, not the command line, where
	// any local user could read it.
	u, err := url.Parse(m.Config.DB)
	if err != nil {
		return fmt.Errorf("--db: %w", err)
	}
	cmd := exec.CommandContext(ctx, prog, "-Fc", "-f", path)
	cmd.Env = os.Environ()
	if pw, ok := u.User.Password(); ok {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+pw)
		u.User = url.User(u.User.Username())
	}
	cmd.Args = append(cmd.Args, u.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(path)
		return fmt.Errorf("pg_dump (%s): %w\n%s", prog, err, strings.TrimSpace(string(out)))
	}
	size := int64(0)
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
		os.Chmod(path, 0o600)
	}
	fmt.Fprintf(stdout, "data database dumped to %s (%d bytes) with %s -Fc\n", path, size, prog)
	fmt.Fprintf(stdout, "the key store database and the keys folder %s were NOT copied: back them up separately, to a different place than the data\n", m.Config.KeysDir)
	fmt.Fprintf(stdout, "restore: stop minimall, recreate the data database empty, `pg_restore --no-owner --exit-on-error -d %s %s`, then `minimall restore%s`, keeping the current key store: erasures and deletions since the backup are replayed%s\n",
		shellQuote(withoutPassword(m.Config.DB)), shellQuote(path), storeArgs(m.Config), passwordNote(m.Config))
	return nil
}

// storeArgs are the flags that name the store c names, for a command
// printed to be run as it is: the data folder or database, and the keys
// folder and key store when they are not the defaults derived from them.
// A password is never printed (passwordNote says where it goes).
func storeArgs(c Config) string {
	args := ""
	add := func(flag, value string) { args += " --" + flag + " " + shellQuote(value) }
	if c.DB != "" {
		add("db", withoutPassword(c.DB))
	}
	add("data", c.DataDir)
	if c.KeysDir != strings.TrimRight(c.DataDir, `/\`)+".keys" {
		add("keys", c.KeysDir)
	}
	if c.KeysDB != "" {
		add("keys-db", withoutPassword(c.KeysDB))
	}
	return args
}

// withoutPassword drops the password from a PostgreSQL URL.
func withoutPassword(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	u.User = url.User(u.User.Username())
	return u.String()
}

// passwordNote tells where the password left out of a printed URL goes.
func passwordNote(c Config) string {
	if withoutPassword(c.DB) == c.DB && withoutPassword(c.KeysDB) == c.KeysDB {
		return ""
	}
	return " (give the password in PGPASSWORD; it is not printed)"
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// findPgDump returns the pg_dump of the server's major version (a dump
// needs a pg_dump at least as new as the server): Debian's
// /usr/lib/postgresql/<major>/bin/pg_dump, else pg_dump on PATH.
func findPgDump(ctx context.Context, dsn string) (string, error) {
	db, err := sqldb.Open(ctx, dsn, nil)
	if err != nil {
		return "", fmt.Errorf("open data database: %w", err)
	}
	defer db.Close()
	var num int
	if err := db.QueryRowContext(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&num); err != nil {
		return "", fmt.Errorf("server version: %w", err)
	}
	if p := fmt.Sprintf("/usr/lib/postgresql/%d/bin/pg_dump", num/10000); fileExists(p) {
		return p, nil
	}
	p, err := exec.LookPath("pg_dump")
	if err != nil {
		return "", fmt.Errorf("pg_dump of PostgreSQL %d not found (Debian: apt-get install postgresql-client-%d); name it with --pg-dump", num/10000, num/10000)
	}
	return p, nil
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// runRestore runs "restore --from DIR" with minimall stopped: it puts the
// backup's minimall.db back (SQLite; on PostgreSQL run pg_restore first and
// omit --from), keeps the current key store, moves the audit checkpoints
// back to the restored log's end (refusing a log with any other tampering),
// and replays the erasure ledger so nobody erased since the backup returns,
// and the deletion ledger so no record deleted since comes back.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var from string
	m, err := parseCommand("restore", args, stderr, "restore --from DIR [flags]   (minimall must be stopped)", func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "backup folder holding minimall.db (SQLite); omit on PostgreSQL after pg_restore")
	})
	if err != nil {
		return err
	}
	if err := m.Config.resolve(); err != nil {
		return err
	}
	switch {
	case m.Config.DB != "" && from != "":
		return fmt.Errorf("--from is for the embedded store: on PostgreSQL run pg_restore into the data database, then `minimall restore --db URL`")
	case m.Config.DB == "" && from == "":
		fmt.Fprintln(stderr, "--from: name the backup folder")
		return errUsage
	}
	var chains []privacy.RestoredChain
	if m.Config.DB == "" {
		// The copy is checked and the checkpoints moved before it replaces
		// the current file, so a refused restore leaves the data as it was.
		if chains, err = putBack(ctx, m, filepath.Join(from, backupFile)); err != nil {
			return err
		}
	}
	if err := m.open(ctx, true); err != nil { // an older backup is migrated
		return err
	}
	defer m.Close()
	if m.Config.DB != "" {
		if chains, err = privacy.AcknowledgeRestore(ctx, m.kernelConfig()); err != nil {
			return err
		}
	}
	before, err := countErased(ctx, m.DB)
	if err != nil {
		return err
	}
	k, err := privacy.Open(ctx, m.kernelConfig()) // replays the erasure ledger
	if err != nil {
		return err
	}
	defer k.Close()
	after, err := countErased(ctx, m.DB)
	if err != nil {
		return err
	}
	var lost []string
	for _, c := range chains {
		lost = append(lost, fmt.Sprintf("%s:%d-%d", c.Chain, c.To+1, c.From))
	}
	if err := k.AuditAppend(ctx, minimall.SystemActor("restore"), "", "restore", "audit_lost:"+strings.Join(lost, ",")); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "data database restored; key store kept as it is\n")
	for _, c := range chains {
		fmt.Fprintf(stdout, "  audit chain %s: entries %d to %d were written after the backup and are gone with it (recorded in the log)\n", c.Chain, c.To+1, c.From)
	}
	fmt.Fprintf(stdout, "  erasure ledger replayed: %d people erased since the backup marked erased again\n", after-before)
	rep := k.DeletionsReplayed()
	fmt.Fprintf(stdout, "  deletion ledger replayed: %d records deleted since the backup deleted again\n", rep.Rows)
	acts, err := k.ActsPending(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  held acts: %d acts since the backup (consents withdrawn, authorizations revoked, locks and unlocks, password resets) are made again when minimall starts\n", acts)
	if rep.Gap {
		fmt.Fprintf(stdout, "  WARNING: the backup is older than the deletion ledger keeps entries (%d days): records deleted before then may be back\n", int(privacy.DeletionLedgerKeep.Hours()/24))
	}
	return nil
}

// putBack checks the backup copy's audit log against the key store, moves
// the checkpoints back to its end, then puts it in place of the data file,
// dropping the old file's WAL and shared-memory files.
func putBack(ctx context.Context, m *Main, src string) ([]privacy.RestoredChain, error) {
	b, err := os.ReadFile(src)
	if err != nil {
		return nil, fmt.Errorf("read backup: %w", err)
	}
	db := m.Config.dataDSN()
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		return nil, err
	}
	tmp := db + ".restoring"
	drop := func(path string) error {
		for _, f := range []string{path + "-wal", path + "-shm", path} {
			if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		return nil
	}
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return nil, err
	}
	chains, err := acknowledge(ctx, m, tmp)
	if err != nil {
		drop(tmp)
		return nil, err
	}
	if err := drop(db); err != nil {
		return nil, err
	}
	return chains, os.Rename(tmp, db)
}

// acknowledge runs privacy.AcknowledgeRestore on the copy at path.
func acknowledge(ctx context.Context, m *Main, path string) ([]privacy.RestoredChain, error) {
	data, err := sqldb.Open(ctx, path, nil)
	if err != nil {
		return nil, err
	}
	defer data.Close()
	// Opening turned WAL on; fold it back into the file before it is moved.
	defer data.Checkpoint(ctx)
	keys, err := sqldb.Open(ctx, m.Config.keysDSN(), nil)
	if err != nil {
		return nil, err
	}
	defer keys.Close()
	return privacy.AcknowledgeRestore(ctx, privacy.Config{Data: data, Keys: keys, KeysDir: m.Config.KeysDir})
}

func countErased(ctx context.Context, db *sqldb.DB) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM subjects WHERE erased_at <> 0`).Scan(&n)
	return n, err
}
