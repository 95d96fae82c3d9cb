// Package sqldb is the storage adapter: it opens SQLite (embedded, pure Go)
// or PostgreSQL (pgx), runs migrations, and hands out transactions that carry
// a fixed time. Queries are written once with ? placeholders and rebound for
// PostgreSQL here, so areas never see the engine.
//
// # One way to write
//
// Areas write with DB.Write (a person waits for the answer) or
// DB.WriteBehind (nobody waits: a footprint, a search kept in the
// history), and read their own writes behind with DB.Flush. Both share
// SQLite's group commit, so areas own no batchers and no writer goroutines.
// A caller gone before its write starts is skipped; a write that started
// runs to its commit under context.WithoutCancel, so one request ending
// never rolls back the writes it shares a commit with.
//
// # Seal outside the write
//
// Values are sealed (and row ids minted) before Write, never inside its
// function. The function holds SQLite's single writer for the whole group:
// it runs SQL only, because every microsecond it spends is one every other
// write waits for, and because the guard may itself write (its audit
// entries go through Write too), which from inside a write would wait for
// itself. Sealing also has to answer before anything is stored: a consent
// or collection stop refuses the write, it does not roll it back. The one
// case that needs a value read in the same transaction — re-sealing a row
// whose state decides what is sealed — reads the row first, seals, and
// writes with a compare-and-set on what it read (WHERE state = ?); if the
// row changed meanwhile the write answers Conflict (or, where the row's id
// was minted, is tried once more under the id now stored).
//
// # What still uses Begin
//
// Begin stays exported only for what truly needs a transaction of its
// own: the migrator (one transaction per file, DDL included), the vault's
// key store, which is another database (group commit is per database,
// and a key write must never wait behind data writes), and bulk work
// outside serving (seeding, backup). The kernel's audit writer keeps a
// goroutine of its own for another reason: it chains entries, each row's
// MAC covering the one before, so one writer must fix their order before
// they are stored; it hands each chained batch to Write. Reads that need a
// snapshot use BeginRead on the read pool (a SQLite WAL reader and a
// PostgreSQL read-only transaction both see one committed state).
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
	_ "modernc.org/sqlite"             // registers driver "sqlite"

	"minimall"
)

// Dialect names the engine behind a DB.
type Dialect int

const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// DB is an open database: a single-connection write pool beside a read
// pool on SQLite (SQLite allows one writer; queuing in Go is cheaper than
// SQLITE_BUSY), one pool on PostgreSQL.
type DB struct {
	write *sql.DB
	read  *sql.DB
	// Prepared statements of each pool (SQLite only; nil on PostgreSQL).
	writeStmts, readStmts *stmtCache
	group                 *group        // Write's group commits (SQLite only)
	checkpoints           *checkpointer // folds the WAL back (SQLite only)
	dialect               Dialect
	clock                 minimall.Clock
	dsn                   string
	// fault is the storage fault injected (InjectFault); queryOnly says
	// whether SQLite's writer runs with query_only for it; health follows
	// the faults met (fault.go).
	fault     atomic.Int32
	queryOnly atomic.Bool
	health    storageHealth
}

// IsPostgresDSN reports whether dsn names a PostgreSQL database.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn: a postgres:// URL, or the path of a
// SQLite file (its folder is created with mode 0700).
func Open(ctx context.Context, dsn string, clock minimall.Clock) (*DB, error) {
	if clock == nil {
		clock = minimall.SystemClock{}
	}
	db := &DB{clock: clock, dsn: dsn}
	if IsPostgresDSN(dsn) {
		p, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		p.SetMaxOpenConns(16)
		p.SetMaxIdleConns(16)
		p.SetConnMaxIdleTime(5 * time.Minute)
		db.write, db.read, db.dialect = p, p, Postgres
	} else {
		if err := openSQLite(db, dsn); err != nil {
			return nil, err
		}
	}
	if err := db.read.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("ping %s: %w", db.dialect, err)
	}
	return db, nil
}

// syncMode is the embedded store's synchronous setting: FULL, so that
// what minimall acknowledged is on disk before the answer (README, "Power
// loss"). The durability tests read it back from the store (SyncMode).
const syncMode = "FULL"

func openSQLite(db *DB, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	if err := createPrivate(path); err != nil {
		return fmt.Errorf("create sqlite database: %w", err)
	}
	// WAL lets readers run beside the writer; synchronous=FULL syncs the WAL
	// at every commit, so an acknowledged write survives power loss as well
	// as a process crash (NORMAL would lose the last commits on power
	// loss); the group commit makes that one sync per group of writes;
	// foreign keys are off by default in SQLite and must be asked for; a
	// checkpointer of its own folds the WAL back (checkpoint.go), the
	// writer's automatic checkpoint at 40,000 pages (~160 MB) being only a
	// backstop, and a WAL file grown past 64 MB is cut back when it
	// restarts; temporary files (the savepoint journals of DB.Write's
	// groups) stay in memory instead of being created and removed each
	// transaction.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(" + syncMode + ")" +
		"&_pragma=busy_timeout(10000)&_pragma=wal_autocheckpoint(40000)&_pragma=foreign_keys(1)&_pragma=temp_store(memory)&_pragma=journal_size_limit(67108864)&_txlock=immediate"
	// The writer touches index pages all over a large database; 64 MB of
	// page cache (SQLite's default is 2 MB) keeps the hot ones in memory.
	w, err := sql.Open("sqlite", dsn+"&_pragma=cache_size(-65536)")
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", dsn+"&mode=ro")
	if err != nil {
		w.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	r.SetMaxOpenConns(8)
	// Keep them all: a new SQLite connection reads the schema and runs the
	// pragmas, which cost more than a query.
	r.SetMaxIdleConns(8)
	r.SetConnMaxIdleTime(0)
	// The write connection must exist first so WAL mode is set before readers.
	if err := w.Ping(); err != nil {
		w.Close()
		r.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	cp, err := startCheckpointer(dsn)
	if err != nil {
		w.Close()
		r.Close()
		return err
	}
	db.write, db.read, db.dialect = w, r, SQLite
	db.writeStmts, db.readStmts = newStmtCache(w), newStmtCache(r)
	db.group, db.checkpoints = newGroup(db), cp
	return nil
}

// createPrivate creates an empty database file of mode 0600 if there is
// none. SQLite would create it 0644 (less the umask), readable by every
// user, and it gives the -wal and -shm files it makes the database file's
// mode: so all three stay private, the key store's above all.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// GroupStats returns how many group commits Write has made on SQLite and
// how many writes they carried; on PostgreSQL, where each write commits
// alone, both are zero.
func (db *DB) GroupStats() (commits, writes int64) {
	if db.group == nil {
		return 0, 0
	}
	return db.group.stats()
}

// Close closes both pools.
func (db *DB) Close() error {
	if db.group != nil {
		db.group.close() // writes what is queued
	}
	db.writeStmts.close()
	db.readStmts.close()
	// Readers first: SQLite folds the WAL into the database file and
	// removes it when the last connection closes, and only the writer may,
	// so the writer closes last and leaves one clean file behind.
	err := db.checkpoints.close()
	if db.read != db.write {
		if rerr := db.read.Close(); err == nil {
			err = rerr
		}
	}
	if werr := db.write.Close(); err == nil {
		err = werr
	}
	return err
}

// Dialect returns the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// Clock returns the clock transactions take their time from.
func (db *DB) Clock() minimall.Clock { return db.clock }

// Now returns the current time of the database's clock, truncated to
// microseconds (the precision stored).
func (db *DB) Now() time.Time { return db.clock.Now().Truncate(time.Microsecond) }

// Tx is a transaction with a fixed Now, so every row it writes shares one
// time and tests can control it.
type Tx struct {
	*sql.Tx
	db    *DB
	now   time.Time
	stmts *stmtCache // of the pool the transaction runs on; nil on PostgreSQL
	write bool       // begun by Begin, not BeginRead
	after []func()   // run once the transaction has committed
	// gathered holds values for functions run just before the commit.
	gathered []gathered
}

type gathered struct {
	key   any
	value any
	flush func(context.Context, *Tx, any, []any) error
}

// AfterCommit runs f once the transaction has committed, and never if it
// rolls back: for caches that must forget what the transaction changed.
func (tx *Tx) AfterCommit(f func()) { tx.after = append(tx.after, f) }

// Gather keeps v until just before the transaction commits; then flush
// runs once per key with every value gathered under that key, in the
// order gathered (keys in the order first seen). Keys must be comparable. It is for what many
// writes of one group commit would each write alone, such as change-feed
// events (outbox.Gather). A write undone by its savepoint takes its values
// with it.
func (tx *Tx) Gather(key, v any, flush func(ctx context.Context, tx *Tx, key any, values []any) error) {
	tx.gathered = append(tx.gathered, gathered{key: key, value: v, flush: flush})
}

// mark and undo bracket one write of a group: undo forgets what the write
// gathered and asked to run after the commit.
type txMark struct{ after, gathered int }

func (tx *Tx) mark() txMark { return txMark{len(tx.after), len(tx.gathered)} }

func (tx *Tx) undo(m txMark) {
	tx.after, tx.gathered = tx.after[:m.after], tx.gathered[:m.gathered]
}

// flushGathered runs the Gather functions, one call per key.
func (tx *Tx) flushGathered(ctx context.Context) error {
	if len(tx.gathered) == 0 {
		return nil
	}
	var keys []any
	byKey := map[any][]any{}
	flushes := map[any]func(context.Context, *Tx, any, []any) error{}
	for _, g := range tx.gathered {
		if _, seen := byKey[g.key]; !seen {
			keys = append(keys, g.key)
			flushes[g.key] = g.flush
		}
		byKey[g.key] = append(byKey[g.key], g.value)
	}
	tx.gathered = nil
	for _, k := range keys {
		if err := flushes[k](ctx, tx, k, byKey[k]); err != nil {
			return err
		}
	}
	return nil
}

// Commit runs the Gather functions, commits the transaction, then runs
// the AfterCommit functions.
func (tx *Tx) Commit() error {
	if err := tx.flushGathered(context.Background()); err != nil {
		return err
	}
	if err := tx.commitFault(); err != nil {
		return err
	}
	if err := tx.Tx.Commit(); err != nil {
		return err
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

// Begin starts a read-write transaction of its own, outside Write's group.
// Areas never call it: it is for the migrator, the vault's key store (a
// database of its own) and bulk work outside serving (see the package doc).
func (db *DB) Begin(ctx context.Context) (*Tx, error) {
	if err := db.applyFault(ctx); err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	t := &Tx{Tx: tx, db: db, now: db.Now(), stmts: db.writeStmts, write: true}
	if err := db.faultTx(ctx, t); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("begin: %w", err)
	}
	return t, nil
}

// BeginRead starts a read-only transaction on the read pool.
func (db *DB) BeginRead(ctx context.Context) (*Tx, error) {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.dialect == Postgres})
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &Tx{Tx: tx, db: db, now: db.Now(), stmts: db.readStmts}, nil
}

// Now returns the transaction's time.
func (tx *Tx) Now() time.Time { return tx.now }

// Dialect returns the engine.
func (tx *Tx) Dialect() Dialect { return tx.db.dialect }

// ExecContext runs a statement written with ? placeholders.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := tx.stmts.get(query); st != nil {
		return tx.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, tx.db.Rebind(query), args...)
}

// QueryContext runs a query written with ? placeholders.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := tx.stmts.get(query); st != nil {
		return tx.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, tx.db.Rebind(query), args...)
}

// QueryRowContext runs a one-row query written with ? placeholders.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.stmts.get(query); st != nil {
		return tx.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, tx.db.Rebind(query), args...)
}

// ExecContext runs one statement as a Write of its own: a single statement
// is a write like any other, so it takes its turn in a group commit
// instead of a commit of its own on the single writer.
func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := db.Write(ctx, func(ctx context.Context, tx *Tx) error {
		var err error
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// Checkpoint folds the SQLite WAL back into the database file and empties
// it (a backup's file must hold everything); it runs outside any
// transaction, as SQLite requires. On PostgreSQL it does nothing.
func (db *DB) Checkpoint(ctx context.Context) error {
	if db.dialect == Postgres {
		return nil
	}
	_, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// SecureDelete makes the transaction's deletes overwrite what they free
// with zeros, on SQLite (secure_delete, kept by the connection from then
// on); PostgreSQL has no such setting, so there it does nothing (Scrub).
func (tx *Tx) SecureDelete(ctx context.Context) error {
	if tx.db.dialect != SQLite {
		return nil
	}
	_, err := tx.Tx.ExecContext(ctx, `PRAGMA secure_delete = ON`)
	return err
}

var tableName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Scrub removes from table's files what deletes left behind, as far as
// the engine can, outside any transaction: on SQLite it folds the WAL,
// whose older frames still hold deleted rows, back and truncates it; on
// PostgreSQL it vacuums the deleted row versions away. Neither reaches
// the disk blocks beneath the files.
func (db *DB) Scrub(ctx context.Context, table string) error {
	if !tableName.MatchString(table) {
		return fmt.Errorf("sqldb: scrub: bad table name")
	}
	if db.dialect == Postgres {
		// VACUUM may not run in a transaction; the name is checked above.
		_, err := db.write.ExecContext(ctx, `VACUUM (INDEX_CLEANUP OFF) `+table)
		return err
	}
	return db.Checkpoint(ctx)
}

// QueryContext runs a read query on the read pool.
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := db.readStmts.get(query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.read.QueryContext(ctx, db.Rebind(query), args...)
}

// QueryRowContext runs a one-row read query on the read pool.
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := db.readStmts.get(query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.read.QueryRowContext(ctx, db.Rebind(query), args...)
}

// Rebind turns ? placeholders into $1, $2, ... for PostgreSQL. Question
// marks inside string literals are left alone.
func (db *DB) Rebind(query string) string {
	if db.dialect != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n, inString := 0, false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inString = !inString
			b.WriteByte(c)
		case c == '?' && !inString:
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Micros stores a time as microseconds since the Unix epoch: one
// representation that sorts and compares the same on both engines.
func Micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// FromMicros is the inverse of Micros; 0 is the zero time.
func FromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// FormatError maps driver errors to platform errors in one place: a unique
// violation becomes Conflict, a missing row NotFound.
func FormatError(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &minimall.Error{Code: minimall.NotFound, Op: op, Message: "Not found. 未找到。", Err: err}
	}
	msg := err.Error()
	if strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505") {
		return &minimall.Error{Code: minimall.Conflict, Op: op, Message: "Already exists. 已存在。", Err: err}
	}
	return fmt.Errorf("%s: %w", op, err)
}
