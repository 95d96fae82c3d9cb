package rights

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// Store is what the table helpers need of the database: *sqldb.DB or a
// transaction.
type Store interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Holds lists the registry fields the tables keep (privacy.Table), for
// Part.Holds: a new column of one of them is held without naming it here.
func Holds(tables ...*privacy.Table) []privacy.Field {
	var out []privacy.Field
	for _, t := range tables {
		for _, s := range t.Stored() {
			out = append(out, s.Field)
		}
	}
	return out
}

// ExportTables is a part's export of its tables: every sealed value of
// s's rows, opened for the request in one bulk call (OpenValues).
func ExportTables(ctx context.Context, db Store, g *privacy.Guard, a minimall.Actor, s minimall.SubjectID, part string, tables ...*privacy.Table) (Section, error) {
	var items []privacy.Sealed
	for _, t := range tables {
		var err error
		if items, err = CollectSealed(ctx, db, items, s, t); err != nil {
			return Section{}, err
		}
	}
	return Section{Part: part, Values: OpenValues(ctx, g, a, s, items)}, nil
}

// CollectSealed appends the non-empty sealed values of s's rows of t to
// items, rows in t's order.
func CollectSealed(ctx context.Context, db Store, items []privacy.Sealed, s minimall.SubjectID, t *privacy.Table) ([]privacy.Sealed, error) {
	op := "rights.Export " + t.Name
	specs := t.Sealed()
	order := t.Order
	if order == "" {
		order = t.Row
	}
	// Table and column names come from the registry and tables.go, never
	// from input.
	versions, vcols := versionColumns(specs)
	rows, err := db.QueryContext(ctx, `SELECT `+t.Row+`, `+privacy.Columns(specs)+vcols+` FROM `+t.Name+` WHERE `+t.Subject+` = ? ORDER BY `+order+`, `+t.Row, string(s))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var row string
		dest, collect := privacy.ScanInto(specs)
		if err := rows.Scan(append(append([]any{&row}, dest...), versions.dest...)...); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		vals := collect()
		for _, sp := range specs {
			if v := vals[sp.Field]; len(v) > 0 {
				items = append(items, privacy.Sealed{Field: sp.Field, Row: row, Version: versions.of(sp.Field), Value: v})
			}
		}
	}
	return items, sqldb.FormatError(op, rows.Err())
}

// rowVersions scans the counters of a row's versioned fields.
type rowVersions struct {
	fields []privacy.Field
	vals   []uint64
	dest   []any
}

func (v *rowVersions) of(f privacy.Field) uint64 {
	for i, x := range v.fields {
		if x == f {
			return v.vals[i]
		}
	}
	return 0
}

// versionColumns returns where to scan the counters of specs' versioned
// fields and the ", a_version, …" to append to the SELECT list.
func versionColumns(specs []*privacy.FieldSpec) (*rowVersions, string) {
	v := &rowVersions{}
	var cols strings.Builder
	for _, sp := range specs {
		if sp.Versioned {
			v.fields = append(v.fields, sp.Field)
			cols.WriteString(", " + sp.VersionColumn())
		}
	}
	v.vals = make([]uint64, len(v.fields))
	for i := range v.vals {
		v.dest = append(v.dest, &v.vals[i])
	}
	return v, cols.String()
}

// Journal records a person's deletion before it is made, outside the data
// folder, so a restored backup never brings the rows back: the privacy
// kernel (privacy.Kernel.RecordClear).
type Journal interface {
	RecordClear(ctx context.Context, s minimall.SubjectID, table string) (time.Time, bool, error)
}

// DeleteRows deletes s's rows of t and returns how many went. A table
// listed by time (t.Order) is journalled in j first and cleared up to the
// journalled time, as a replay after a restore would; a table of one row
// per person (verifications) is deleted unjournalled.
func DeleteRows(ctx context.Context, db Store, j Journal, s minimall.SubjectID, t *privacy.Table) (int, error) {
	q, args := `DELETE FROM `+t.Name+` WHERE `+t.Subject+` = ?`, []any{string(s)}
	if t.Order != "" {
		upTo, found, err := j.RecordClear(ctx, s, t.Name)
		if err != nil || !found {
			return 0, err
		}
		q, args = q+` AND `+t.Order+` <= ?`, append(args, sqldb.Micros(upTo))
	}
	res, err := db.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, sqldb.FormatError("rights.Delete "+t.Name, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// KeepAll reports every field of fields (all held, when empty) as kept for
// its registry retention reason: records a legal duty keeps.
func KeepAll(held, fields []privacy.Field) Deleted {
	d := Deleted{Kept: map[privacy.Field]string{}}
	for _, f := range held {
		if Wants(fields, f) {
			d.Kept[f] = KeepReason(f)
		}
	}
	return d
}
