package privacy

import (
	"context"
	"errors"
	"fmt"

	"minimall"
	"minimall/sqldb"
)

// reindexBatch is how many rows one re-index transaction rewrites.
const reindexBatch = 500

// ReindexSpec says how one table's blind index is made from one of its
// sealed columns, for Kernel.Reindex.
type ReindexSpec struct {
	Table   *Table
	Field   Field   // the sealed field the index is made from, a column of Table
	Purpose Purpose // why the platform opens it: the function the index serves
	Column  string  // the index column
	// Index makes the index of the opened value, with Kernel.BlindIndex.
	Index func(s minimall.SubjectID, plain []byte) ([]byte, error)
}

// reindexActor opens values for a lookup-key rotation; its opens are
// audited like any other.
var reindexActor = minimall.SystemActor("rotate-lookup")

// Reindex writes r's index column anew for every row of its table, from
// the sealed value opened through the guard, in batches of one
// transaction each. A row whose person was erased is left: its value does
// not open, and its old index matches nothing once the old key is gone.
// It returns how many rows it rewrote.
func (k *Kernel) Reindex(ctx context.Context, db *sqldb.DB, r ReindexSpec) (int, error) {
	op := "privacy.Reindex " + r.Table.Name
	spec, ok := specs[r.Field]
	if !ok || spec.Table != r.Table.Name || spec.Versioned {
		return 0, fmt.Errorf("%s: %s is not an unversioned sealed column of the table", op, r.Field)
	}
	total, after := 0, ""
	for {
		rows, last, err := k.reindexRows(ctx, db, r, spec, after)
		if err != nil {
			return total, fmt.Errorf("%s: %w", op, err)
		}
		if last == "" {
			return total, nil
		}
		err = db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
			for row, idx := range rows {
				// Names come from tables.go and the registry, never from input.
				if _, err := tx.ExecContext(ctx, `UPDATE `+r.Table.Name+` SET `+r.Column+` = ? WHERE `+r.Table.Row+` = ?`, idx, row); err != nil {
					return sqldb.FormatError(op, err)
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total, after = total+len(rows), last
	}
}

// reindexRows reads the batch of rows after the row id after and makes
// their new indexes; last is the batch's last row id, "" at the end.
func (k *Kernel) reindexRows(ctx context.Context, db *sqldb.DB, r ReindexSpec, spec *FieldSpec, after string) (map[string][]byte, string, error) {
	t := r.Table
	rows, err := db.QueryContext(ctx, `SELECT `+t.Row+`, `+t.Subject+`, `+spec.Column+` FROM `+t.Name+
		` WHERE `+t.Row+` > ? ORDER BY `+t.Row+` LIMIT ?`, after, reindexBatch)
	if err != nil {
		return nil, "", err
	}
	type sealedRow struct {
		row, subject string
		sealed       []byte
	}
	var batch []sealedRow
	for rows.Next() {
		var x sealedRow
		if err := rows.Scan(&x.row, &x.subject, &x.sealed); err != nil {
			rows.Close()
			return nil, "", err
		}
		batch = append(batch, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(batch) == 0 {
		return nil, "", err
	}
	out := make(map[string][]byte, len(batch))
	for _, x := range batch {
		s := minimall.SubjectID(x.subject)
		plain, err := k.guard.Open(ctx, reindexActor, s, r.Field, r.Purpose, x.row, x.sealed)
		if skipReindex(err) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		if out[x.row], err = r.Index(s, plain); err != nil {
			return nil, "", err
		}
	}
	return out, batch[len(batch)-1].row, nil
}

// skipReindex reports whether a value that did not open is left as it is:
// its person was erased.
func skipReindex(err error) bool {
	var d *Denied
	return errors.As(err, &d) && d.Reason == SubjectErased
}

// OpenForReindex opens a value for a lookup-key rotation (the system's
// own processing for purpose p), reporting skip for a person erased.
func (k *Kernel) OpenForReindex(ctx context.Context, s minimall.SubjectID, f Field, p Purpose, row string, version uint64, sealed []byte) (plain []byte, skip bool, err error) {
	plain, err = k.guard.OpenVersion(ctx, reindexActor, s, f, p, row, version, sealed)
	if skipReindex(err) {
		return nil, true, nil
	}
	return plain, false, err
}
