package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minimall"
	"minimall/app"
	"minimall/partner/sandbox"
	"minimall/privacy"
	"minimall/sqldb"
)

var (
	errHelp   = errors.New("help shown")
	errUsage  = errors.New("usage error")
	errFailed = errors.New("failed")
)

// Main is the binary's side of the platform: the configuration, the stores
// and the sandbox partners, with the application (package app) built on
// them by Run. Tests start it on 127.0.0.1:0 with Run and stop it with
// Close. Commands that need only the stores and the kernel (audit, keys,
// policy…) open those alone and leave App nil.
type Main struct {
	Config Config
	Stdout io.Writer
	Logger *slog.Logger

	DB        *sqldb.DB
	KeysDB    *sqldb.DB
	Kernel    *privacy.Kernel // the App's once Run has built it
	FakeClock *minimall.FakeClock
	Sandboxes *sandbox.Set

	*app.App // nil until Run
}

// NewMain returns a Main with the default configuration.
func NewMain() *Main { return &Main{Config: DefaultConfig(), Stdout: io.Discard} }

func (m *Main) clock() minimall.Clock {
	if m.Config.FakeClock {
		if m.FakeClock == nil {
			m.FakeClock = &minimall.FakeClock{}
		}
		return m.FakeClock
	}
	return minimall.SystemClock{}
}

// openStores opens the data database and the key store, migrating both
// unless told not to, in which case an outdated schema is refused.
func (m *Main) openStores(ctx context.Context, migrate bool) error {
	if err := m.Config.resolve(); err != nil {
		return err
	}
	clock := m.clock()
	var err error
	if m.DB, err = sqldb.Open(ctx, m.Config.dataDSN(), clock); err != nil {
		return fmt.Errorf("open data database: %w", err)
	}
	if sqldb.IsPostgresDSN(m.Config.keysDSN()) {
		if err := ensurePostgresDatabase(ctx, m.Config.keysDSN()); err != nil {
			return err
		}
	}
	if !sqldb.IsPostgresDSN(m.Config.keysDSN()) {
		if err := tightenKeyStore(m.Config.keysDSN()); err != nil {
			return err
		}
	}
	if m.KeysDB, err = sqldb.Open(ctx, m.Config.keysDSN(), clock); err != nil {
		return fmt.Errorf("open key store: %w", err)
	}
	if err := migrateOrCheck(ctx, m.DB, sqldb.DataMigrations, "data database", migrate); err != nil {
		return err
	}
	return migrateOrCheck(ctx, m.KeysDB, sqldb.KeystoreMigrations, "key store", migrate)
}

// tightenKeyStore makes an existing key store file and its -wal and -shm
// files mode 0600, as every file in the keys folder is: versions before
// left SQLite to create them readable by every user. New ones are created
// 0600 (sqldb.Open).
func tightenKeyStore(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("make the key store private: %w", err)
		}
	}
	return nil
}

func (m *Main) kernelConfig() privacy.Config {
	return privacy.Config{Data: m.DB, Keys: m.KeysDB, KeysDir: m.Config.KeysDir, Clock: m.clock(), Chain: m.Config.Node,
		AuditArchiveDir: m.Config.AuditArchiveDir}
}

// Run opens the stores, starts the sandbox partners and builds the
// application on them; it returns once the server listens.
func (m *Main) Run(ctx context.Context) error {
	if m.Logger == nil {
		m.Logger = slog.New(slog.DiscardHandler)
	}
	if err := m.Config.resolve(); err != nil {
		return err
	}
	if err := m.Config.requireWritable(); err != nil {
		return err
	}
	if err := m.openStores(ctx, !m.Config.NoMigrate); err != nil {
		return err
	}
	set, err := sandbox.StartAll(m.Config.SandboxDir)
	if err != nil {
		return fmt.Errorf("start sandbox partners: %w", err)
	}
	m.Sandboxes = set
	partners, err := m.partnerEndpoints()
	if err != nil {
		return err
	}
	if m.Config.AuditWitness == "" {
		// The sandbox witness stands in for a party outside the platform.
		m.Config.AuditWitness = set.Witness.URL()
	}
	m.App, err = app.New(ctx, app.Config{
		DB: m.DB, KeysDB: m.KeysDB, KeysDir: m.Config.KeysDir, Node: m.Config.Node, FakeClock: m.FakeClock,
		Partners: partners, SearchDir: m.Config.SearchDir,
		Accounts: m.Config.Accounts, DPOContact: m.Config.DPOContact,
		Addr: m.Config.Addr, TLSCert: m.Config.TLSCert, TLSKey: m.Config.TLSKey, Logger: m.Logger,
		SweepEvery: 24 * time.Hour, AuditCheckEvery: 24 * time.Hour,
		ResumeEvery: m.Config.ResumeEvery, ResumeGrace: m.Config.ResumeGrace,
		AuditArchiveDir: m.Config.AuditArchiveDir, AuditWitness: m.Config.AuditWitness,
	})
	if err != nil {
		return err
	}
	m.Kernel = m.App.Kernel
	return nil
}

// Close stops serving and closes the application, the sandboxes and the
// stores. It may be called more than once.
func (m *Main) Close() error {
	var errs []error
	if m.App != nil {
		errs = append(errs, m.App.Close()) // closes the kernel it built
		m.App, m.Kernel = nil, nil
	}
	if m.Sandboxes != nil {
		errs = append(errs, m.Sandboxes.Close())
		m.Sandboxes = nil
	}
	if m.Kernel != nil {
		errs = append(errs, m.Kernel.Close())
		m.Kernel = nil
	}
	if m.KeysDB != nil {
		errs = append(errs, m.KeysDB.Close())
		m.KeysDB = nil
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
		m.DB = nil
	}
	return errors.Join(errs...)
}

// migrateOrCheck applies pending migrations, or with migrate false refuses
// a schema that has any pending.
func migrateOrCheck(ctx context.Context, db *sqldb.DB, fsys fs.FS, what string, migrate bool) error {
	if migrate {
		if _, err := db.Migrate(ctx, fsys); err != nil {
			return fmt.Errorf("migrate %s: %w", what, err)
		}
		return nil
	}
	pending, err := db.Pending(ctx, fsys)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("the %s schema is outdated (%d migrations pending): run `minimall migrate`, or start without --no-migrate", what, len(pending))
	}
	return nil
}

// keysDatabaseURL names the key store database beside a PostgreSQL data
// database: the same server, database "<name>_keys".
func keysDatabaseURL(dataURL string) string {
	u, err := url.Parse(dataURL)
	if err != nil {
		return dataURL + "_keys"
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		name = "postgres"
	}
	u.Path = "/" + name + "_keys"
	return u.String()
}

// ensurePostgresDatabase creates the database dsn names if it is missing.
func ensurePostgresDatabase(ctx context.Context, dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return err
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return fmt.Errorf("connect to create %s: %w", name, err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
			return fmt.Errorf("create key store database: %w", err)
		}
	}
	return nil
}
