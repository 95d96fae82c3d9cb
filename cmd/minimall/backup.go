package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// backupFile is the name of the data copy in the backup folder, the same
// as in the data folder, so a restore is putting the file back.
const backupFile = "minimall.db"

// runBackup runs "backup --to DIR": a consistent copy of the data database
// (SQLite) made while the platform may keep serving. The keys are never
// copied with it (policy 五(一)): data and keys are backed up separately.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var to string
	m, err := parseCommand("backup", args, stderr, "backup --to DIR [flags]", func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "folder to write minimall.db into; never the keys folder (required)")
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
	if m.Config.DB == "" {
		if inside(to, m.Config.KeysDir) || inside(m.Config.KeysDir, to) {
			return fmt.Errorf("the backup folder %s and the keys folder %s overlap: keys must never travel with the data or its backups", to, m.Config.KeysDir)
		}
		// Opening would create an empty database; there is nothing to back up.
		if _, err := os.Stat(m.Config.dataDSN()); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("no data database at %s", m.Config.dataDSN())
		}
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
	fmt.Fprintf(stdout, "restore: stop minimall, then `minimall restore --from %s`, keeping the current keys: erasures since the backup are replayed\n", to)
	return nil
}

// runRestore runs "restore --from DIR" with minimall stopped: it puts the
// backup's minimall.db back (SQLite; on PostgreSQL run pg_restore first and
// omit --from), keeps the current key store, moves the audit checkpoints
// back to the restored log's end (refusing a log with any other tampering),
// and replays the erasure ledger so nobody erased since the backup returns.
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
	defer data.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
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
