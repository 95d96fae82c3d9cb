package privacy_test

import (
	"context"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy"
)

func TestGuardOpen(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		k := mustOpenKernel(t, st)
		g := k.Guard()
		alice, bob := mustNewSubject(t, k, st), mustNewSubject(t, k, st)
		phone := mustSeal(t, k, alice, privacy.RecipientPhone, "o1", "13800138000")
		cs := minimall.Actor{Kind: minimall.Operator, ID: "op1", Role: minimall.RoleCustomerService, Reason: "T-1"}
		ops := minimall.Actor{Kind: minimall.Operator, ID: "op2", Role: minimall.RoleOps, Reason: "T-2"}
		hold := minimall.Actor{Kind: minimall.Operator, ID: "op3", Role: minimall.RoleLegalHold, Reason: "COURT-7"}

		tests := []struct {
			name    string
			actor   minimall.Actor
			subject minimall.SubjectID
			field   privacy.Field
			purpose privacy.Purpose
			row     string
			want    privacy.Reason // "" means allowed
		}{
			{"OwnerForOrder", minimall.ShopperActor(alice), alice, privacy.RecipientPhone, privacy.ForOrder, "o1", ""},
			{"SystemForDelivery", minimall.SystemActor("logistics"), alice, privacy.RecipientPhone, privacy.ForDelivery, "o1", ""},
			{"CustomerServiceWithReason", cs, alice, privacy.RecipientPhone, privacy.ForCustomerService, "o1", ""},
			// A lawful request for a kept record is the legal-hold role's
			// alone: customer service may not act for a legal duty.
			{"LegalHoldForLegalDuty", hold, alice, privacy.RecipientPhone, privacy.ForLegalDuty, "o1", ""},
			{"ErrCustomerServiceForLegalDuty", cs, alice, privacy.RecipientPhone, privacy.ForLegalDuty, "o1", privacy.ActorNotAllowed},
			{"ErrUnknownField", minimall.ShopperActor(alice), alice, privacy.Field("order.shoe_size"), privacy.ForOrder, "o1", privacy.UnknownField},
			// The registry does not let a recipient's phone serve marketing.
			{"ErrPurposeNotAllowed", minimall.SystemActor("marketing"), alice, privacy.RecipientPhone, privacy.ForMarketing, "o1", privacy.PurposeNotAllowed},
			{"ErrUndeclaredPurpose", minimall.SystemActor("x"), alice, privacy.RecipientPhone, privacy.Purpose("resale"), "o1", privacy.PurposeNotAllowed},
			{"ErrOtherShopper", minimall.ShopperActor(bob), alice, privacy.RecipientPhone, privacy.ForOrder, "o1", privacy.ActorNotAllowed},
			{"ErrAnonymous", minimall.Actor{}, alice, privacy.RecipientPhone, privacy.ForOrder, "o1", privacy.ActorNotAllowed},
			{"ErrOperatorWithoutReason", minimall.Actor{Kind: minimall.Operator, ID: "op1", Role: minimall.RoleCustomerService}, alice, privacy.RecipientPhone, privacy.ForCustomerService, "o1", privacy.ReasonMissing},
			// Ops staff run the platform and may open no personal information.
			{"ErrOpsRole", ops, alice, privacy.RecipientPhone, privacy.ForCustomerService, "o1", privacy.ActorNotAllowed},
			{"ErrSellerForOrderList", minimall.Actor{Kind: minimall.Seller, ID: "u1", Shop: "shop1"}, alice, privacy.RecipientPhone, privacy.ForOrder, "o1", privacy.ActorNotAllowed},
			// The ciphertext is bound to its row and subject.
			{"ErrOtherRow", minimall.ShopperActor(alice), alice, privacy.RecipientPhone, privacy.ForOrder, "o2", privacy.Tampered},
			{"ErrOtherSubject", minimall.SystemActor("x"), bob, privacy.RecipientPhone, privacy.ForOrder, "o1", privacy.Tampered},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := g.Open(ctx, tt.actor, tt.subject, tt.field, tt.purpose, tt.row, phone)
				if tt.want == "" {
					if err != nil || string(got) != "13800138000" {
						t.Fatalf("Open = %q, %v; want the phone", got, err)
					}
					return
				}
				if r := denialReason(err); r != tt.want {
					t.Fatalf("Open error = %v (reason %q); want %q", err, r, tt.want)
				}
				if got != nil {
					t.Fatalf("denied Open returned a value")
				}
			})
		}
		// Every decision above, allowed or denied, is in the audit log.
		if err := k.AuditFlush(ctx); err != nil {
			t.Fatal(err)
		}
		entries, err := k.AuditFind(ctx, alice, time.Time{}, time.Time{}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		denials := map[string]bool{}
		for _, e := range entries {
			if e.Decision == privacy.DecisionDeny {
				denials[e.Reason] = true
			}
		}
		for _, r := range []privacy.Reason{privacy.UnknownField, privacy.PurposeNotAllowed, privacy.ActorNotAllowed, privacy.ReasonMissing} {
			if !denials[string(r)] {
				t.Errorf("no audit entry for denial %q", r)
			}
		}
	})
}

// TestGuardOpenAudited: an allowed Open leaves exactly one audit entry,
// naming who opened which field of whose for what, with the ticket and row.
func TestGuardOpenAudited(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		k := mustOpenKernel(t, st)
		alice := mustNewSubject(t, k, st)
		phone := mustSeal(t, k, alice, privacy.RecipientPhone, "o1", "13800138000")
		entries := func() []privacy.AuditEntry {
			t.Helper()
			if err := k.AuditFlush(ctx); err != nil {
				t.Fatal(err)
			}
			got, err := k.AuditFind(ctx, alice, time.Time{}, time.Time{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		before := len(entries())
		cs := minimall.Actor{Kind: minimall.Operator, ID: "op1", Role: minimall.RoleCustomerService, Reason: "T-1"}
		if _, err := k.Guard().Open(ctx, cs, alice, privacy.RecipientPhone, privacy.ForCustomerService, "o1", phone); err != nil {
			t.Fatal(err)
		}
		after := entries()
		if len(after) != before+1 {
			t.Fatalf("%d audit entries after one allowed Open, want %d", len(after), before+1)
		}
		e := after[len(after)-1]
		if e.Actor != "operator:op1/customer_service" || e.Subject != string(alice) || e.Field != string(privacy.RecipientPhone) ||
			e.Purpose != string(privacy.ForCustomerService) || e.Decision != privacy.DecisionAllow || e.Ref != "T-1 o1" {
			t.Fatalf("audit entry of the Open = %+v", e.Entry)
		}
	})
}

func TestGuardConsent(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		k := mustOpenKernel(t, st)
		g := k.Guard()
		s := mustNewSubject(t, k, st)
		me := minimall.ShopperActor(s)

		t.Run("ErrSealWithoutConsent", func(t *testing.T) {
			// A nickname is optional: collecting it rests on consent.
			_, err := g.Seal(ctx, s, privacy.Nickname, "p1", []byte("小明"))
			if r := denialReason(err); r != privacy.ConsentMissing {
				t.Fatalf("Seal without consent: %v", err)
			}
		})
		mustGrant(t, k, s, privacy.FeatProfile, privacy.General)
		nick := mustSeal(t, k, s, privacy.Nickname, "p1", "小明")

		t.Run("PublicDisplayRestsOnProfileConsent", func(t *testing.T) {
			// 二(一)1: a nickname the person sets is shown publicly; it rests
			// on the consent given by setting it.
			if _, err := g.Open(ctx, minimall.Actor{}, s, privacy.Nickname, privacy.ForPublicDisplay, "p1", nick); err != nil {
				t.Fatalf("public display with profile consent: %v", err)
			}
		})
		t.Run("WithdrawalStopsAtOnce", func(t *testing.T) {
			_, err := k.Consents.Record(ctx, privacy.ConsentChange{Subject: s, Scope: privacy.FeatureScope(privacy.FeatProfile), Kind: privacy.General, Action: privacy.Withdraw, Channel: "test", Evidence: "req-2"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = g.Open(ctx, minimall.Actor{}, s, privacy.Nickname, privacy.ForPublicDisplay, "p1", nick)
			if r := denialReason(err); r != privacy.ConsentWithdrawn {
				t.Fatalf("after withdrawal: %v", err)
			}
			// A basic function goes on: the owner still sees their own nickname.
			if _, err := g.Open(ctx, me, s, privacy.Nickname, privacy.ForAccount, "p1", nick); err != nil {
				t.Fatalf("account view after withdrawing an additional consent: %v", err)
			}
			// And nothing new is collected on the withdrawn consent.
			if _, err := g.Seal(ctx, s, privacy.Nickname, "p1", []byte("小红")); denialReason(err) != privacy.ConsentWithdrawn {
				t.Fatalf("collecting after withdrawal: %v", err)
			}
		})
		t.Run("SeparateConsentNeedsSeparateKind", func(t *testing.T) {
			mustGrant(t, k, s, privacy.FeatFaceVerification, privacy.General)
			_, err := g.Seal(ctx, s, privacy.FaceData, "v1", []byte("face-template"))
			if r := denialReason(err); r != privacy.ConsentMissing {
				t.Fatalf("face data with only general consent: %v", err)
			}
			mustGrant(t, k, s, privacy.FeatFaceVerification, privacy.Separate)
			if _, err := g.Seal(ctx, s, privacy.FaceData, "v1", []byte("face-template")); err != nil {
				t.Fatalf("face data with separate consent: %v", err)
			}
		})
		t.Run("MajorPolicyChangeStopsConsentBasedUse", func(t *testing.T) {
			mustGrant(t, k, s, privacy.FeatProfile, privacy.General)
			k.Consents.SetPolicyVersions(2, 2)
			_, err := g.Open(ctx, minimall.Actor{}, s, privacy.Nickname, privacy.ForPublicDisplay, "p1", nick)
			if r := denialReason(err); r != privacy.ConsentOutdated {
				t.Fatalf("after a major change: %v", err)
			}
			if _, err := g.Open(ctx, me, s, privacy.Nickname, privacy.ForAccount, "p1", nick); err != nil {
				t.Fatalf("basic function after a major change: %v", err)
			}
			mustGrant(t, k, s, privacy.FeatProfile, privacy.General)
			if _, err := g.Open(ctx, minimall.Actor{}, s, privacy.Nickname, privacy.ForPublicDisplay, "p1", nick); err != nil {
				t.Fatalf("after re-consent: %v", err)
			}
		})
		t.Run("HistoryKeepsEverything", func(t *testing.T) {
			h, err := k.Consents.History(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			if len(h) != 6 {
				t.Fatalf("history has %d records, want 6", len(h))
			}
			if h[1].Action != privacy.Withdraw || h[5].PolicyVersion != 2 || h[4].PolicyVersion != 1 {
				t.Fatalf("history out of order or versions wrong: %+v", h)
			}
		})
		t.Run("ErrInvalidScope", func(t *testing.T) {
			_, err := k.Consents.Record(ctx, privacy.ConsentChange{Subject: s, Scope: "feature:mind_reading", Kind: privacy.General, Action: privacy.Grant, Channel: "test"})
			if minimall.ErrorCode(err) != minimall.Invalid {
				t.Fatalf("unknown scope: %v", err)
			}
		})
	})
}

func TestGuardRefusesDeviceOnlyFields(t *testing.T) {
	// Some data is processed on the device only (policy 二(五)2 face
	// effects, 二(七) installed software); the server refuses to store it.
	var deviceOnly []privacy.Field
	for _, f := range privacy.Fields() {
		if f.Retention.Rule == privacy.NotStored {
			deviceOnly = append(deviceOnly, f.Field)
		}
	}
	if len(deviceOnly) == 0 {
		t.Skip("no device-only fields declared yet")
	}
	st := testkit.MustOpenSQLite(t)
	k := mustOpenKernel(t, st)
	s := mustNewSubject(t, k, st)
	for _, f := range deviceOnly {
		_, err := k.Guard().Seal(context.Background(), s, f, "r", []byte("x"))
		if r := denialReason(err); r != privacy.NotCollected {
			t.Errorf("Seal(%s) = %v; want not_collected", f, err)
		}
	}
}

// TestDeviceSignalsServeSecurityOnly: device and network signals (二(七))
// are collected for security; recommendation, ads and analytics code
// cannot read them through the guard, while the security purpose can.
func TestDeviceSignalsServeSecurityOnly(t *testing.T) {
	st := testkit.MustOpenSQLite(t)
	k := mustOpenKernel(t, st)
	s := mustNewSubject(t, k, st)
	ctx := context.Background()
	sys := minimall.SystemActor("recommend")
	n := 0
	for _, f := range privacy.Fields() {
		if f.Category != privacy.CatDevice || f.Feature != privacy.FeatSecurity || f.Table == "" {
			continue
		}
		n++
		sealed := mustSeal(t, k, s, f.Field, "d1", "signal")
		for _, p := range []privacy.Purpose{privacy.ForRecommendation, privacy.ForPersonalisedAds, privacy.ForMarketing, privacy.ForAnalytics, privacy.ForShoppingGuide} {
			if _, err := k.Guard().Open(ctx, sys, s, f.Field, p, "d1", sealed); denialReason(err) != privacy.PurposeNotAllowed {
				t.Errorf("%s opened for %s: %v", f.Field, p, err)
			}
		}
		if _, err := k.Guard().Open(ctx, minimall.SystemActor("risk"), s, f.Field, privacy.ForSecurity, "d1", sealed); err != nil {
			t.Errorf("%s for security: %v", f.Field, err)
		}
	}
	if n < 5 {
		t.Fatalf("only %d stored device fields", n)
	}
}

// TestGuardSealRow: a row's values are sealed as Seal seals each, with one
// audit entry naming the fields; an empty value is not sealed; a field the
// guard refuses seals nothing of the row.
func TestGuardSealRow(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		k := mustOpenKernel(t, st)
		g := k.Guard()
		s := mustNewSubject(t, k, st)
		since := time.Now().Add(-time.Second)
		v, err := g.SealRow(ctx, s, "o9", map[privacy.Field]string{
			privacy.RecipientName: "王五", privacy.RecipientPhone: "13800138009", privacy.ExtraPhone: ""})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := v[privacy.ExtraPhone]; ok || len(v) != 2 {
			t.Fatalf("sealed %d values (extra phone: %v), want the two given", len(v), ok)
		}
		got, err := g.OpenString(ctx, minimall.ShopperActor(s), s, privacy.RecipientPhone, privacy.ForOrder, "o9", v[privacy.RecipientPhone])
		if err != nil || got != "13800138009" {
			t.Fatalf("open a value sealed with its row: %q, %v", got, err)
		}
		if _, err := g.OpenString(ctx, minimall.ShopperActor(s), s, privacy.RecipientPhone, privacy.ForOrder, "o8", v[privacy.RecipientPhone]); denialReason(err) != privacy.Tampered {
			t.Fatalf("a value sealed for row o9 opened for o8: %v", err)
		}
		_, err = g.SealRow(ctx, s, "o10", map[privacy.Field]string{privacy.RecipientName: "赵六", privacy.Field("order.shoe_size"): "42"})
		if denialReason(err) != privacy.UnknownField {
			t.Fatalf("a row with an undeclared field: %v", err)
		}
		if err := k.AuditFlush(ctx); err != nil {
			t.Fatal(err)
		}
		entries, err := k.AuditFind(ctx, s, since, time.Now().Add(time.Minute), 1000)
		if err != nil {
			t.Fatal(err)
		}
		var seals []string
		for _, e := range entries {
			if e.Decision == privacy.DecisionSeal {
				seals = append(seals, e.Ref+" "+e.Field)
			}
		}
		if len(seals) != 1 || seals[0] != "o9 order.recipient_name,order.recipient_phone" {
			t.Fatalf("seal entries %q, want one for row o9 naming its two fields", seals)
		}
	})
}
