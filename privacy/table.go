package privacy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"minimall"
)

// Table describes one table that holds sealed values: whose keys seal a
// row, which column each value is bound to, how a person's rows are listed
// and, for a table swept by age, which columns its retention counts from.
// Its sealed columns are not listed here: they are the registry's fields
// that name the table, so a new sealed column is its registry line (and
// the migration), nothing else. tables.go declares every table; the
// schema test checks each against the registry and the migrated schema.
type Table struct {
	Name string
	// Subject is the column naming the person whose keys seal the row;
	// empty for a table keyed by a pseudonym (recommend_profiles).
	Subject string
	// Row is the column each value is bound to: the guard's row argument.
	Row string
	// Order lists a person's rows (an export) in a stable order; Row when empty.
	Order string
	// Since, when set, are the columns the table's retention counts from:
	// a row goes when each is before the cutoff of its fields' retention
	// (lifecycle.SweepTable). Empty for a table its area sweeps by rules of
	// its own (orders by completion, accounts by deregistration).
	Since []string

	stored, sealed []*FieldSpec // from the registry, set once at start
}

// Stored returns the registry's fields kept in t, sealed or one-way
// hashed, in registry order.
func (t *Table) Stored() []*FieldSpec { return t.stored }

// Sealed returns the sealed fields of t in registry order; with fields
// named, only those (in the same order).
func (t *Table) Sealed(only ...Field) []*FieldSpec {
	if len(only) == 0 {
		return t.sealed
	}
	var out []*FieldSpec
	for _, s := range t.sealed {
		if containsField(only, s.Field) {
			out = append(out, s)
		}
	}
	return out
}

// Hashed reports whether the field is stored one-way hashed rather than
// sealed (a password hash: nothing to open).
func (s *FieldSpec) Hashed() bool { return strings.HasSuffix(s.Column, "_hash") }

// Columns returns the column list of specs, for a SELECT or an INSERT.
func Columns(specs []*FieldSpec) string {
	cols := make([]string, len(specs))
	for i, s := range specs {
		cols[i] = s.Column
	}
	return strings.Join(cols, ", ")
}

// Retention returns the retention of t's sealed fields. The schema test
// checks that a table swept by age declares one retention for them all.
func (t *Table) Retention() Retention {
	if s := t.Sealed(); len(s) > 0 {
		return s[0].Retention
	}
	return Retention{}
}

// Values are one row's sealed values by field; a NULL column is absent.
type Values map[Field][]byte

// ScanInto returns the destinations for the columns of specs, to follow
// the caller's own in a Scan, and what collects them into Values after it.
func ScanInto(specs []*FieldSpec) ([]any, func() Values) {
	vals := make([][]byte, len(specs))
	dest := make([]any, len(specs))
	for i := range vals {
		dest[i] = &vals[i]
	}
	return dest, func() Values {
		out := make(Values, len(specs))
		for i, s := range specs {
			if vals[i] != nil {
				out[s.Field] = vals[i]
			}
		}
		return out
	}
}

// SealedRow is one row's sealed values in its table's column order, ready
// for an INSERT: every sealed column of the table, NULL where no value.
type SealedRow struct {
	Columns string // "a_sealed, b_sealed"
	Marks   string // "?, ?"
	Args    []any
}

// SealTableRow seals the values of one row of t for subject s, bound to row,
// through the guard (one check per field). An empty value is stored as
// NULL. Returns an error for a field that is not a column of t.
func (g *Guard) SealTableRow(ctx context.Context, t *Table, s minimall.SubjectID, row string, values map[Field]string) (SealedRow, error) {
	specs := t.Sealed()
	for f := range values {
		if !containsSpec(specs, f) {
			return SealedRow{}, fmt.Errorf("privacy: %s is not a sealed column of %s", f, t.Name)
		}
	}
	sealed, err := g.SealRow(ctx, s, row, values)
	if err != nil {
		return SealedRow{}, err
	}
	return t.row(sealed), nil
}

// SealTableRowRetained is SealTableRow for a record the law keeps after
// the account is gone (fields kept AfterCompletion, such as a rights
// request): each value is sealed under s's retention key for the period
// completed falls in.
func (g *Guard) SealTableRowRetained(ctx context.Context, t *Table, s minimall.SubjectID, row string, completed time.Time, values map[Field]string) (SealedRow, error) {
	sealed := make(map[Field][]byte, len(values))
	for f, v := range values {
		if !containsSpec(t.Sealed(), f) {
			return SealedRow{}, fmt.Errorf("privacy: %s is not a sealed column of %s", f, t.Name)
		}
		if v == "" {
			continue
		}
		b, err := g.SealRetained(ctx, s, f, row, completed, []byte(v))
		if err != nil {
			return SealedRow{}, err
		}
		sealed[f] = b
	}
	return t.row(sealed), nil
}

// row lays sealed values out in t's column order, NULL where none.
func (t *Table) row(sealed map[Field][]byte) SealedRow {
	specs := t.Sealed()
	out := SealedRow{Columns: Columns(specs), Marks: strings.TrimSuffix(strings.Repeat("?, ", len(specs)), ", "), Args: make([]any, len(specs))}
	for i, sp := range specs {
		if v, ok := sealed[sp.Field]; ok {
			out.Args[i] = v
		} else {
			out.Args[i] = []byte(nil)
		}
	}
	return out
}

func containsField(fs []Field, f Field) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

func containsSpec(specs []*FieldSpec, f Field) bool {
	for _, s := range specs {
		if s.Field == f {
			return true
		}
	}
	return false
}

var tableByName = func() map[string]*Table {
	m := make(map[string]*Table, len(tables))
	for i := range tables {
		m[tables[i].Name] = &tables[i]
	}
	for i := range registry {
		if t, ok := m[registry[i].Table]; ok {
			t.stored = append(t.stored, &registry[i])
			if !registry[i].Hashed() {
				t.sealed = append(t.sealed, &registry[i])
			}
		}
	}
	return m
}()

// TableOf returns the description of the named table. It panics for a
// table tables.go does not describe: areas call it when their package is
// initialised, so a missing description fails every test at once.
func TableOf(name string) *Table {
	t, ok := tableByName[name]
	if !ok {
		panic("privacy: table " + name + " is not described in privacy/tables.go")
	}
	return t
}

// Tables returns every described table, in declaration order.
func Tables() []*Table {
	out := make([]*Table, len(tables))
	for i := range tables {
		out[i] = &tables[i]
	}
	return out
}
