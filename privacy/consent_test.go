package privacy_test

import (
	"context"
	"testing"

	"minimall/internal/testkit"
	"minimall/privacy"
)

// TestConsentChangeCountsOnceCommitted: someone reading the person's
// consents between a change and its commit (another request, a change-feed
// follower) must not leave the old state cached: once the change is
// committed it counts at once (PIPL art. 15: processing stops at once on a
// withdrawal).
func TestConsentChangeCountsOnceCommitted(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		k := mustOpenKernel(t, st)
		s := mustNewSubject(t, k, st)
		scope := privacy.FeatureScope(privacy.FeatProfile)
		for _, step := range []struct {
			action privacy.ConsentAction
			before privacy.ConsentState
			after  privacy.ConsentState
		}{{privacy.Grant, privacy.NeverAsked, privacy.Granted}, {privacy.Withdraw, privacy.Granted, privacy.Withdrawn}} {
			tx, err := st.DB.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := k.Consents.RecordTx(ctx, tx, privacy.ConsentChange{Subject: s, Scope: scope, Kind: privacy.Separate,
				Action: step.action, Channel: "test", Evidence: "req-1"}); err != nil {
				t.Fatal(err)
			}
			if got, _, err := k.Consents.State(ctx, s, scope); err != nil || got != step.before {
				t.Fatalf("%s, before the commit: %v, %v; want %v", step.action, got, err, step.before)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if got, _, err := k.Consents.State(ctx, s, scope); err != nil || got != step.after {
				t.Fatalf("%s, once committed: %v, %v; want %v", step.action, got, err, step.after)
			}
		}
	})
}

// TestConsentKindFor: the ledger, not its callers, says which kind of
// consent a person's own answer is.
func TestConsentKindFor(t *testing.T) {
	for scope, want := range map[privacy.Scope]privacy.ConsentKind{
		privacy.FeatureScope(privacy.FeatAuthorizedLogin): privacy.Separate, // a third party gets the data (PIPL art. 23)
		privacy.FeatureScope(privacy.FeatProfile):         privacy.General,
		privacy.RecipientScope(privacy.PartnerLogistics):  privacy.Separate,
		privacy.PolicyScope:                               privacy.General,
	} {
		if got := privacy.ConsentKindFor(scope); got != want {
			t.Errorf("ConsentKindFor(%s) = %s, want %s", scope, got, want)
		}
	}
}

// TestConsentFeatures: every function is listed once; a basic one needs no
// consent, an additional one shows the ledger's state.
func TestConsentFeatures(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		k := mustOpenKernel(t, st)
		s := mustNewSubject(t, k, st)
		if _, err := k.Consents.Record(ctx, privacy.ConsentChange{Subject: s, Scope: privacy.FeatureScope(privacy.FeatProfile),
			Kind: privacy.General, Action: privacy.Withdraw, Channel: "api", Evidence: "req-1"}); err != nil {
			t.Fatal(err)
		}
		list, err := k.Consents.Features(ctx, s)
		if err != nil || len(list) != len(privacy.Features()) {
			t.Fatalf("features: %d, %v", len(list), err)
		}
		for _, f := range list {
			want := "never_asked"
			switch {
			case f.Basic:
				want = "not_needed"
			case f.Feature == privacy.FeatProfile:
				want = "withdrawn"
			}
			if f.State != want {
				t.Errorf("%s: %s, want %s", f.Feature, f.State, want)
			}
		}
	})
}
