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

// TestNewSubjects: people registered in bulk exist in the data database,
// each with a data key of their own in the key store, sealed values open
// for them and not for another, and erasing one shreds only that key.
func TestNewSubjects(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		k := mustOpenKernel(t, st)
		var seen []int
		people, err := k.NewSubjects(ctx, 1_203, "", func(done int) { seen = append(seen, done) })
		if err != nil || len(people) != 1_203 || len(seen) == 0 || seen[len(seen)-1] != 1_203 {
			t.Fatalf("NewSubjects: %d people, progress %v, %v", len(people), seen, err)
		}
		var rows, keys int
		st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM subjects WHERE region = 'CN'`).Scan(&rows)
		st.KeysDB.QueryRowContext(ctx, `SELECT COUNT(DISTINCT subject) FROM subject_keys WHERE kind = 'data'`).Scan(&keys)
		if rows != 1_203 || keys != 1_203 {
			t.Fatalf("%d subject rows and %d data keys; want 1203 of each", rows, keys)
		}
		a, b := people[7], people[1_200]
		sealed := mustSeal(t, k, a, privacy.RecipientPhone, "o1", "13800138000")
		if got, err := k.Guard().OpenString(ctx, minimall.ShopperActor(a), a, privacy.RecipientPhone, privacy.ForOrder, "o1", sealed); err != nil || got != "13800138000" {
			t.Fatalf("open: %q %v", got, err)
		}
		if _, err := k.Guard().Open(ctx, minimall.SystemActor("t"), b, privacy.RecipientPhone, privacy.ForOrder, "o1", sealed); err == nil {
			t.Fatal("a value opened under another person's key")
		}
		if err := k.Erase(ctx, minimall.SystemActor("t"), a, privacy.EraseAccount, "deregistered"); err != nil {
			t.Fatal(err)
		}
		st.KeysDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM subject_keys WHERE kind = 'data'`).Scan(&keys)
		if keys != 1_202 {
			t.Fatalf("%d data keys after one erasure; want 1202", keys)
		}
		if _, err := k.Guard().Open(ctx, minimall.SystemActor("t"), a, privacy.RecipientPhone, privacy.ForOrder, "o1", sealed); denialReason(err) != privacy.SubjectErased {
			t.Fatalf("open after erasure: %v", err)
		}
	})
}
