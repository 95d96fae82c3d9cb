package privacy_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// TestOpenAllAuditsOncePerFieldAndPurpose: an export opens many values but
// writes one audit entry per field and purpose, and a denied field does not
// stop the others.
func TestOpenAllAuditsOncePerFieldAndPurpose(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		k := mustOpenKernel(t, st)
		s := mustNewSubject(t, k, st)
		var items []privacy.Sealed
		for i := range 20 {
			row := fmt.Sprintf("o%d", i)
			items = append(items,
				privacy.Sealed{Field: privacy.RecipientPhone, Row: row, Value: mustSeal(t, k, s, privacy.RecipientPhone, row, "1380000"+fmt.Sprint(1000+i))},
				privacy.Sealed{Field: privacy.RecipientName, Row: row, Value: mustSeal(t, k, s, privacy.RecipientName, row, "收货人")})
		}
		items = append(items, privacy.Sealed{Field: "order.shoe_size", Row: "x", Value: []byte("junk")})
		if err := k.AuditFlush(ctx); err != nil {
			t.Fatal(err)
		}
		before, _ := k.AuditFind(ctx, s, time.Time{}, time.Time{}, 0)

		dpo := minimall.Actor{Kind: minimall.Operator, ID: "op", Role: minimall.RoleDPO, Reason: "RR-9"}
		out := k.Guard().OpenAll(ctx, dpo, s, privacy.ForRightsRequest, items)
		for i, o := range out[:40] {
			if o.Err != nil || len(o.Value) == 0 {
				t.Fatalf("item %d: %v", i, o.Err)
			}
		}
		if denialReason(out[40].Err) != privacy.UnknownField {
			t.Fatalf("undeclared field in an export: %v", out[40].Err)
		}
		if err := k.AuditFlush(ctx); err != nil {
			t.Fatal(err)
		}
		after, _ := k.AuditFind(ctx, s, time.Time{}, time.Time{}, 0)
		if added := len(after) - len(before); added != 3 {
			t.Fatalf("export of 41 values added %d audit entries; want 3 (two fields allowed, one denied)", added)
		}
	})
}
