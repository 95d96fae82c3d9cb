package partner

import (
	"strings"
	"testing"

	"minimall/internal/testkit"
)

// TestFindLoggedUsesIndex: finding a disclosure by its idempotency key
// uses the partial index, not a scan of the whole log (which every
// payment start pays for).
func TestFindLoggedUsesIndex(t *testing.T) {
	st := testkit.MustOpenSQLite(t)
	rows, err := st.DB.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+findLoggedQuery, "payment", "pay:x")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if got := strings.Join(plan, "; "); !strings.Contains(got, "partner_disclosures_idem") {
		t.Fatalf("the plan does not use the index: %s", got)
	}
}
