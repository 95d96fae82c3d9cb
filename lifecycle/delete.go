package lifecycle

import (
	"context"
	"fmt"

	"minimall/sqldb"
)

// DeleteWhere removes the rows of table matching where, in batches of
// r.Batch keyed by the column key, and returns how many went; in a dry run
// it only counts them. table, key and where are the caller's constant SQL,
// never input; values go in args.
func DeleteWhere(ctx context.Context, db *sqldb.DB, r Rules, table, key, where string, args ...any) (int, error) {
	op := "lifecycle.Delete " + table
	if r.DryRun {
		var n int
		err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE `+where, args...).Scan(&n)
		if err == nil && r.Progress != nil && n > 0 {
			r.Progress(n)
		}
		return n, sqldb.FormatError(op, err)
	}
	batch := r.batch()
	q := `DELETE FROM ` + table + ` WHERE ` + key + ` IN (SELECT ` + key + ` FROM ` + table + ` WHERE ` + where + ` LIMIT ?)`
	switch db.Dialect() {
	case sqldb.SQLite:
		// The rowid finds each row without a second walk of the key index.
		q = `DELETE FROM ` + table + ` WHERE rowid IN (SELECT rowid FROM ` + table + ` WHERE ` + where + ` LIMIT ?)`
	case sqldb.Postgres:
		// ctid is the row's physical address: no key index lookup per row.
		q = `DELETE FROM ` + table + ` WHERE ctid = ANY(ARRAY(SELECT ctid FROM ` + table + ` WHERE ` + where + ` LIMIT ?))`
	}
	if db.Dialect() == sqldb.SQLite {
		restore, err := widenCache(ctx, db)
		if err != nil {
			return 0, sqldb.FormatError(op, err)
		}
		defer restore()
	}
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		res, err := db.ExecContext(ctx, q, append(args, batch)...)
		if err != nil {
			return total, sqldb.FormatError(op, err)
		}
		n64, err := res.RowsAffected()
		if err != nil {
			return total, sqldb.FormatError(op, err)
		}
		n := int(n64)
		total += n
		if r.Progress != nil && n > 0 {
			r.Progress(n)
		}
		if n < batch {
			return total, nil
		}
	}
}

// sweepCacheKiB is the page cache the SQLite writer uses while a sweep
// deletes. Each deleted row also leaves every index of its table, and one
// of them is always in another order than the rows (devices by subject,
// for instance): with SQLite's default 2 MB cache those index pages are
// evicted and written to the WAL again and again within one batch. The
// profile of BenchmarkSweep showed most of the time in page reads and
// cache spills; 128 MB holds the indexes of a few million rows.
const sweepCacheKiB = 128 << 10

// widenCache raises the SQLite writer's page cache for the sweep and
// returns what puts the previous size back, so a server does not keep the
// sweep's memory between sweeps. The writer is a single connection, so a
// PRAGMA run on it holds for the statements that follow.
func widenCache(ctx context.Context, db *sqldb.DB) (func(), error) {
	// It runs as a write: the PRAGMA must reach the writer's connection.
	var old int64
	err := db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := tx.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&old); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, -sweepCacheKiB))
		return err
	})
	if err != nil {
		return nil, err
	}
	return func() {
		// A failure leaves only a larger cache on the writer, which costs
		// memory, never correctness; the delete's own result is what the
		// caller needs to hear about.
		db.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, old))
	}, nil
}
