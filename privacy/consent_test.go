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
