package privacy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// TestPermitDisclosure (三(一)): the guard alone decides what a partner may
// receive. It issues a permit for the declared recipients of each field for
// the purpose, refuses the rest with a durable audit entry, gives each
// partner its own pseudonym of the person, and a permit it did not issue
// covers nothing.
func TestPermitDisclosure(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		k := mustOpenKernel(t, st)
		g := k.Guard()
		alice := mustNewSubject(t, k, st)
		sys := minimall.SystemActor("partner-gateway")
		recipient := []privacy.Field{privacy.RecipientPhone, privacy.RecipientName, privacy.RecipientAddress}

		p, err := g.PermitDisclosure(ctx, sys, alice, privacy.PartnerLogistics, privacy.ForDelivery, recipient)
		if err != nil {
			t.Fatalf("logistics for delivery: %v", err)
		}
		if !p.Covers(privacy.PartnerLogistics, privacy.ForDelivery, alice, []privacy.Field{privacy.RecipientAddress, privacy.RecipientName, privacy.RecipientPhone}) {
			t.Fatal("the permit does not cover what it was issued for")
		}
		if p.Covers(privacy.PartnerLogistics, privacy.ForDelivery, alice, append(recipient, privacy.AccountPhone)) {
			t.Fatal("a permit covers a field it was not issued for")
		}
		sms, err := g.PermitDisclosure(ctx, sys, alice, privacy.PartnerSMS, privacy.ForLogin, []privacy.Field{privacy.AccountPhone})
		if err != nil {
			t.Fatal(err)
		}
		if p.Ref == "" || p.Ref == sms.Ref || p.Ref == string(alice) {
			t.Fatalf("refs: logistics %q, sms %q", p.Ref, sms.Ref)
		}

		t.Run("ErrNotARecipient", func(t *testing.T) {
			// 三(一)5(1)B: logistics gets the recipient's details, never the account phone.
			_, err := g.PermitDisclosure(ctx, sys, alice, privacy.PartnerLogistics, privacy.ForDelivery, []privacy.Field{privacy.AccountPhone})
			var d *privacy.Denied
			if !errors.As(err, &d) || d.Reason != privacy.PurposeNotAllowed {
				t.Fatalf("got %v", err)
			}
			es, err := k.AuditFind(ctx, alice, time.Time{}, time.Time{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range es {
				found = found || (e.Decision == privacy.DecisionDeny && e.Reason == "purpose_not_allowed logistics:delivery account.phone")
			}
			if !found {
				t.Fatal("the refusal is not in the audit log")
			}
		})
		t.Run("ErrUnknownPartner", func(t *testing.T) {
			_, err := g.PermitDisclosure(ctx, sys, alice, privacy.PartnerID("broker"), privacy.ForDelivery, recipient)
			if !minimall.IsCode(err, minimall.Invalid) {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("ErrErased", func(t *testing.T) {
			bob := mustNewSubject(t, k, st)
			if err := k.Erase(ctx, sys, bob, privacy.EraseAccount, "test"); err != nil {
				t.Fatal(err)
			}
			_, err := g.PermitDisclosure(ctx, sys, bob, privacy.PartnerLogistics, privacy.ForDelivery, recipient)
			var d *privacy.Denied
			if !errors.As(err, &d) {
				t.Fatalf("an erased person's data was permitted to go: %v", err)
			}
		})
		t.Run("ErrForged", func(t *testing.T) {
			forged := &privacy.Permit{Partner: privacy.PartnerLogistics, Purpose: privacy.ForDelivery, Subject: alice, Fields: recipient}
			if forged.Covers(privacy.PartnerLogistics, privacy.ForDelivery, alice, recipient) {
				t.Fatal("a permit made outside the guard covers a hand-over")
			}
			if err := forged.Log(ctx); err == nil {
				t.Fatal("a forged permit was logged")
			}
		})
	})
}
