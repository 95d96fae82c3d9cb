package privacy_test

import (
	"context"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// TestEraseAllKeepsHeldRecords (五(一)): an erasure that would destroy a
// person's retention keys too keeps them while a legal hold stands, so the
// held transaction record still opens for the legal duty; once the hold
// is released, the retention sweep destroys them when the period ends.
// Only the legal-hold role places holds.
func TestEraseAllKeepsHeldRecords(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		k := mustOpenKernel(t, st)
		g := k.Guard()
		held, free := mustNewSubject(t, k, st), mustNewSubject(t, k, st)
		completed := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
		legal := minimall.Actor{Kind: minimall.Operator, ID: "op_lh", Role: minimall.RoleLegalHold, Reason: "LH-7"}
		dpo := minimall.Actor{Kind: minimall.Operator, ID: "op_dpo", Role: minimall.RoleDPO, Reason: "LH-7"}
		req := privacy.HoldRequest{Subject: held, Kind: privacy.HoldCourtOrder, LegalRef: "CASE-7"}
		if _, err := k.PlaceHold(ctx, dpo, req); !minimall.IsCode(err, minimall.Denied) {
			t.Fatalf("the DPO placed a hold: %v", err)
		}
		h, err := k.PlaceHold(ctx, legal, req)
		if err != nil {
			t.Fatal(err)
		}
		recs := map[minimall.SubjectID][]byte{}
		for _, s := range []minimall.SubjectID{held, free} {
			if recs[s], err = g.SealRetained(ctx, s, privacy.RecipientName, "o1", completed, []byte("张三")); err != nil {
				t.Fatal(err)
			}
			if err := k.Erase(ctx, minimall.SystemActor("account"), s, privacy.EraseAll, "hold_lapsed"); err != nil {
				t.Fatal(err)
			}
		}
		opens := func(s minimall.SubjectID) bool {
			_, err := g.Open(ctx, legal, s, privacy.RecipientName, privacy.ForLegalDuty, "o1", recs[s])
			return err == nil
		}
		if !opens(held) || opens(free) {
			t.Fatalf("after erasing both: held opens %v, free opens %v; want true, false", opens(held), opens(free))
		}
		later := completed.AddDate(4, 0, 0)
		if _, _, err := k.DestroyRetentionPeriodsBefore(ctx, later); err != nil || !opens(held) {
			t.Fatalf("the sweep destroyed a held key (%v)", err)
		}
		if _, err := k.ReleaseHold(ctx, legal, h.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := k.DestroyRetentionPeriodsBefore(ctx, later); err != nil || opens(held) {
			t.Fatalf("the released record still opens after its period (%v)", err)
		}
	})
}
