package partner_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"minimall/internal/testkit"
	"minimall/partner"
	"minimall/privacy"
)

// TestAccountFlows walks the disclosures the account area makes (issue 3,
// points 1, 7 and 8) through the gateway to the sandboxes.
func TestAccountFlows(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		s := w.newSubject(t)
		const id = "11010519491231002X"

		t.Run("RegistrationCode", func(t *testing.T) {
			// No account yet: a one-off ref; the tester reads the code from
			// the SMS sandbox, as a person reads their phone.
			d := partner.Disclosure{Partner: privacy.PartnerSMS, Purpose: privacy.ForLogin, Operation: "sms/send",
				Fields: map[privacy.Field]string{privacy.AccountPhone: "13812345678"}, Params: map[string]any{"text": "验证码 424242"}}
			mustSend(t, w.gw, d)
			resp, err := http.Get(w.set.SMS.URL() + "/sms/last?phone=" + url.QueryEscape("13812345678"))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var last struct{ Text string }
			json.NewDecoder(resp.Body).Decode(&last)
			if last.Text != "验证码 424242" {
				t.Fatalf("last SMS %q", last.Text)
			}
		})

		t.Run("RealName", func(t *testing.T) {
			ans := mustSend(t, w.gw, partner.Disclosure{Partner: privacy.PartnerIdentity, Purpose: privacy.ForIdentityCheck, Subject: s, Operation: "identity/verify",
				Fields: map[privacy.Field]string{privacy.RealName: "张三", privacy.IDNumber: id}})
			if ans["match"] != true || ans["birth_date"] != "1949-12-31" {
				t.Fatalf("answer %v", ans)
			}
		})

		face := partner.Disclosure{Partner: privacy.PartnerIdentity, Purpose: privacy.ForFaceVerification, Subject: s, Operation: "identity/verify",
			Fields: map[privacy.Field]string{privacy.FaceData: "face-of-" + id}}
		t.Run("ErrFaceWithoutSeparateConsent", func(t *testing.T) {
			// PIPL art. 29: face data is sensitive; it leaves only with the
			// person's separate consent, checked at the moment of disclosure.
			if _, err := w.gw.Send(ctx, face); denial(err) != privacy.ConsentMissing {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("Face", func(t *testing.T) {
			_, err := w.k.Consents.Record(ctx, privacy.ConsentChange{Subject: s, Scope: privacy.FeatureScope(privacy.FeatFaceVerification),
				Kind: privacy.Separate, Action: privacy.Grant, Channel: "test", Evidence: "req-face"})
			if err != nil {
				t.Fatal(err)
			}
			if ans := mustSend(t, w.gw, face); ans["match"] != true {
				t.Fatalf("answer %v", ans)
			}
		})

		t.Run("Recycled", func(t *testing.T) {
			ans := mustSend(t, w.gw, partner.Disclosure{Partner: privacy.PartnerCarrier, Purpose: privacy.ForPhoneCheck, Subject: s, Operation: "carrier/recycled",
				Fields: map[privacy.Field]string{privacy.AccountPhone: "17012345678", privacy.PhoneBoundAt: "2025-03-01T10:00:00Z"}})
			if ans["recycled"] != true {
				t.Fatalf("answer %v", ans)
			}
		})

		t.Run("PaymentRealNameStatus", func(t *testing.T) {
			ans := mustSend(t, w.gw, partner.Disclosure{Partner: privacy.PartnerPayment, Purpose: privacy.ForIdentityCheck, Subject: s, Operation: "payment/realname-status"})
			if _, ok := ans["verified"].(bool); !ok {
				t.Fatalf("answer %v", ans)
			}
			if got := inspect(t, w.set.Payment); len(got) != 1 || len(got[0].Fields) != 0 {
				t.Fatalf("the payment partner got fields: %+v", got)
			}
		})

		list, err := w.gw.Disclosures(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 4 {
			t.Fatalf("want 4 disclosures of the account holder (real name, face, recycled, payment), got %+v", list)
		}
	})
}
