package privacy_test

import (
	"context"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// TestWitnessedAccessIsDurableFirst (五(三), hardening): when someone other
// than the person is given the person's data — here customer service with
// a ticket, and a seller through OpenAll — the value comes back only once
// its audit entry is durable, so a crash at the next instant cannot lose
// it. The person's own reads stay batched: with the log's delay set to an
// hour, their entry is not yet stored when the value comes back.
func TestWitnessedAccessIsDurableFirst(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		cfg := kernelConfig(st)
		cfg.AuditMaxDelay = time.Hour
		k, err := privacy.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer k.Close()
		alice := mustNewSubject(t, k, st)
		phone := mustSeal(t, k, alice, privacy.RecipientPhone, "o1", "13800138000")
		stored := func(actor string) int {
			t.Helper()
			entries, err := k.AuditFind(ctx, alice, time.Time{}, st.Clock.Now().Add(time.Hour), 1000)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range entries {
				if e.Actor == actor && e.Decision == privacy.DecisionAllow {
					n++
				}
			}
			return n
		}
		if _, err := k.Guard().Open(ctx, minimall.ShopperActor(alice), alice, privacy.RecipientPhone, privacy.ForOrder, "o1", phone); err != nil {
			t.Fatal(err)
		}
		if n := stored(minimall.ShopperActor(alice).String()); n != 0 {
			t.Fatalf("the person's own read is stored at once (%d): the batching this test relies on is gone", n)
		}
		cs := minimall.Actor{Kind: minimall.Operator, ID: "op1", Role: minimall.RoleCustomerService, Reason: "T-1"}
		if _, err := k.Guard().Open(ctx, cs, alice, privacy.RecipientPhone, privacy.ForCustomerService, "o1", phone); err != nil {
			t.Fatal(err)
		}
		if n := stored(cs.String()); n != 1 {
			t.Fatalf("customer service saw the phone; %d durable entries of it, want 1", n)
		}
		seller := minimall.Actor{Kind: minimall.Seller, ID: "u1", Shop: "shop1"}
		out := k.Guard().OpenAll(ctx, seller, alice, privacy.ForDelivery, []privacy.Sealed{{Field: privacy.RecipientPhone, Row: "o1", Value: phone}})
		if out[0].Err != nil {
			t.Fatal(out[0].Err)
		}
		if n := stored(seller.String()); n != 1 {
			t.Fatalf("the seller saw the phone; %d durable entries of it, want 1", n)
		}
	})
}
