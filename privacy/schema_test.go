package privacy_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/sqldb"
)

// tableColumns lists every column of every table in the data database.
func tableColumns(t *testing.T, db *sqldb.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	if db.Dialect() == sqldb.Postgres {
		q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		out[table] = append(out[table], col)
	}
	return out
}

// TestSchemaClassified: every column of every table is classified as
// sealed personal information, pseudonymous or not personal; every sealed
// column is a field of the registry stored as bytes; and every registry
// field whose table exists has its column there.
func TestSchemaClassified(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		tables := tableColumns(t, st.DB)
		if len(tables) < 5 {
			t.Fatalf("found only %d tables", len(tables))
		}
		for table, cols := range tables {
			for _, c := range cols {
				class, ok := privacy.Classify(table, c)
				if !ok {
					t.Errorf("column %s.%s is not classified in privacy/schema.go or the field registry", table, c)
				}
				if class == privacy.SealedPI && !strings.HasSuffix(c, "_sealed") {
					t.Errorf("sealed column %s.%s must be named *_sealed", table, c)
				}
			}
		}
		for _, f := range privacy.Fields() {
			cols, exists := tables[f.Table]
			if f.Table == "" || !exists {
				continue // the area that stores it is not built yet
			}
			found := false
			for _, c := range cols {
				found = found || c == f.Column
			}
			if !found {
				t.Errorf("field %s declares %s.%s, which the schema lacks", f.Field, f.Table, f.Column)
			}
		}
	})
}

// TestTablesDescribed: every table with a sealed column has one
// description in tables.go, whose columns exist, whose subject and row
// columns are pseudonymous, and which, when swept by age, holds fields of
// one retention; and every description names a table of the schema.
func TestTablesDescribed(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		schema := tableColumns(t, st.DB)
		described := map[string]bool{}
		for _, d := range privacy.Tables() {
			described[d.Name] = true
			cols, ok := schema[d.Name]
			if !ok {
				t.Errorf("tables.go describes %s, which the schema lacks", d.Name)
				continue
			}
			if len(d.Sealed()) == 0 {
				t.Errorf("%s: no registry field names the table", d.Name)
			}
			for _, c := range append([]string{d.Subject, d.Row, d.Order}, d.Since...) {
				if c != "" && !slices.Contains(cols, c) {
					t.Errorf("%s: column %s is not in the schema", d.Name, c)
				}
			}
			for _, c := range []string{d.Subject, d.Row} {
				if class, _ := privacy.Classify(d.Name, c); c != "" && class != privacy.Pseudonymous {
					t.Errorf("%s.%s binds sealed values but is classified %s", d.Name, c, class)
				}
			}
			if len(d.Since) > 0 {
				for _, s := range d.Sealed() {
					if r := d.Retention(); s.Retention.Rule != r.Rule || s.Retention.Period != r.Period {
						t.Errorf("%s is swept by age but %s keeps its own retention", d.Name, s.Field)
					}
				}
			}
		}
		for table, cols := range schema {
			for _, c := range cols {
				if class, _ := privacy.Classify(table, c); class == privacy.SealedPI && !described[table] {
					t.Errorf("%s has sealed column %s but no description in privacy/tables.go", table, c)
					break
				}
			}
		}
	})
}
