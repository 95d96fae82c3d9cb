package lifecycle

import (
	"context"

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
