package privacy_test

import (
	"context"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// TestCachesInvalidatedAcrossNodes: two nodes share the databases; when one
// erases a person or records a withdrawal, the other stops opening that
// person's data within the change feed's poll bound, although it had the
// key and the consent cached.
func TestCachesInvalidatedAcrossNodes(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		cfg := kernelConfig(st)
		a := mustOpenKernel(t, st)
		cfg.Chain = "node-b"
		b, err := privacy.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()

		s := mustNewSubject(t, a, st)
		sealed := mustSeal(t, a, s, privacy.RecipientPhone, "o1", "13800000009")
		me := minimall.ShopperActor(s)
		// Warm node b's caches.
		if _, err := b.Guard().Open(ctx, me, s, privacy.RecipientPhone, privacy.ForOrder, "o1", sealed); err != nil {
			t.Fatal(err)
		}
		if err := a.Erase(ctx, me, s, privacy.EraseAll, "deregistered"); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(3 * time.Second) // the bound is 500 ms; allow a noisy machine
		for {
			_, err := b.Guard().Open(ctx, me, s, privacy.RecipientPhone, privacy.ForOrder, "o1", sealed)
			if denialReason(err) == privacy.SubjectErased {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("node b still opens an erased person's data: %v", err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestConsentWithdrawalReachesOtherNodes: a withdrawal on node a stops the
// use on node b, whose consent cache was warm, within the stated bound
// (the change feed's follow interval; 500 ms).
func TestConsentWithdrawalReachesOtherNodes(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		cfg := kernelConfig(st)
		a := mustOpenKernel(t, st)
		cfg.Chain = "node-b"
		b, err := privacy.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()

		s := mustNewSubject(t, a, st)
		mustGrant(t, a, s, privacy.FeatProfile, privacy.General)
		nick := mustSeal(t, a, s, privacy.Nickname, "p1", "小明")
		visitor := minimall.Actor{}
		// Warm node b's consent cache with a use resting on the consent.
		if _, err := b.Guard().Open(ctx, visitor, s, privacy.Nickname, privacy.ForPublicDisplay, "p1", nick); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Consents.Record(ctx, privacy.ConsentChange{Subject: s, Scope: privacy.FeatureScope(privacy.FeatProfile),
			Kind: privacy.General, Action: privacy.Withdraw, Channel: "test", Evidence: "req-2"}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(3 * time.Second) // the bound is 500 ms; allow a noisy machine
		for {
			_, err := b.Guard().Open(ctx, visitor, s, privacy.Nickname, privacy.ForPublicDisplay, "p1", nick)
			if denialReason(err) == privacy.ConsentWithdrawn {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("node b still uses a consent withdrawn on node a: %v", err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
