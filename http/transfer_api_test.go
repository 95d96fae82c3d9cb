package http_test

import (
	"strings"
	"testing"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/transfer"
)

// TestAPICrossBorderTransfer (五(二), PIPL art. 38-39): an order's waybill
// goes abroad only after the person read the notice (recipient, contact,
// purpose, method, kinds of data, rights) and gave separate consent naming
// its version; the recipient gets the waybill de-identified as the rule
// says, through the gateway (so it is on the person's sharing list); every
// transfer is logged; withdrawal stops the next one.
func TestAPICrossBorderTransfer(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13866661001", "cb_seller")
		imported := fx.item(t, e, "进口奶粉", 29900, 5, map[string]string{"跨境": "是"})
		plain := fx.item(t, e, "帆布包", 5900, 5, nil)
		buyer := e.Register(t, "13866661002", "cb_buyer")
		other := e.Register(t, "13866661003", "cb_other")
		auth := testenv.Bearer(buyer.Token)
		order := buyNow(imported, 1)
		order["customs_id"] = map[string]any{"name": "李四", "number": "11010519491231002X"}
		cross := placeOrder(t, e, buyer, order)
		domestic := placeOrder(t, e, buyer, buyNow(plain, 1))

		t.Run("Notice", func(t *testing.T) {
			r := e.Do(t, "GET", "/api/v1/cross-border/notice?order="+cross.ID, nil, auth...)
			wantStatus(t, r, 200, "notice")
			var n transfer.Notice
			r.JSON(t, &n)
			if n.Version != transfer.NoticeVersion() || n.Recipient.ID != privacy.PartnerOverseas || !n.Recipient.Abroad ||
				n.Recipient.Contact == "" || n.Purpose == "" || n.Method == "" || len(n.Data) != 5 || n.Rule == "" ||
				!strings.Contains(n.Rights, n.Recipient.Contact) || n.Consent != "never_asked" {
				t.Fatalf("notice: %s", r.Body)
			}
		})
		t.Run("NoticeRefusals", func(t *testing.T) {
			wantStatus(t, e.Do(t, "GET", "/api/v1/cross-border/notice?order="+cross.ID, nil), 401, "anonymous")
			wantStatus(t, e.Do(t, "GET", "/api/v1/cross-border/notice", nil, auth...), 400, "no order")
			wantStatus(t, e.Do(t, "GET", "/api/v1/cross-border/notice?order="+cross.ID, nil, testenv.Bearer(other.Token)...), 404, "someone else's order")
			wantStatus(t, e.Do(t, "GET", "/api/v1/cross-border/notice?order="+domestic.ID, nil, auth...), 400, "domestic order")
		})
		send := func(who []string) *testenv.Response {
			return e.Do(t, "POST", "/api/v1/cross-border/transfers", map[string]string{"order": cross.ID}, who...)
		}

		t.Run("ErrNoConsent", func(t *testing.T) {
			wantStatus(t, send(auth), 403, "transfer without consent")
			wantStatus(t, e.Do(t, "POST", "/api/v1/cross-border/transfers", map[string]string{"order": domestic.ID}, auth...), 400, "domestic order")
			wantStatus(t, e.Do(t, "POST", "/api/v1/cross-border/transfers", `{"order":`, auth...), 400, "bad json")
			if got := sandboxRequests(t, e.Overseas); len(got) != 0 {
				t.Fatalf("the recipient got something without consent: %+v", got)
			}
		})
		t.Run("ErrConsentRefusals", func(t *testing.T) {
			wantStatus(t, e.Do(t, "POST", "/api/v1/cross-border/consents", map[string]string{"notice_version": "cb-old"}, auth...), 409, "stale notice version")
			wantStatus(t, e.Do(t, "POST", "/api/v1/cross-border/consents", map[string]string{"action": "maybe"}, auth...), 400, "bad action")
			wantStatus(t, e.Do(t, "POST", "/api/v1/cross-border/consents", map[string]string{"notice_version": transfer.NoticeVersion()}), 401, "anonymous")
		})
		t.Run("OKWithConsent", func(t *testing.T) {
			wantStatus(t, e.Do(t, "POST", "/api/v1/cross-border/consents", map[string]string{"notice_version": transfer.NoticeVersion()}, auth...), 201, "consent")
			var n transfer.Notice
			e.Do(t, "GET", "/api/v1/cross-border/notice?order="+cross.ID, nil, auth...).JSON(t, &n)
			if n.Consent != "granted" {
				t.Fatalf("consent state: %q", n.Consent)
			}
			// Someone else's consent does not open this person's order.
			wantStatus(t, send(testenv.Bearer(other.Token)), 404, "someone else's order")
			r := send(auth)
			wantStatus(t, r, 201, "transfer")
			got := sandboxRequests(t, e.Overseas)
			if len(got) != 1 || got[0].Status != 200 || got[0].Purpose != privacy.ForCrossBorder {
				t.Fatalf("recipient got: %+v", got)
			}
			f := got[0].Fields
			want := map[privacy.Field]string{privacy.RecipientName: "李*", privacy.RecipientPhone: "139****0001",
				privacy.RecipientAddress: recipient["address"].(string), privacy.OrderNumber: cross.Number}
			for k, v := range want {
				if f[k] != v {
					t.Errorf("%s: got %q, want %q", k, f[k], v)
				}
			}
			if len(f) != 5 || !strings.Contains(f[privacy.OrderItems], "进口奶粉") {
				t.Fatalf("fields: %+v", f)
			}
			// Only the de-identified values crossed: not the full name or phone, nor the customs ID.
			body := e.Do(t, "GET", "/api/v1/cross-border/transfers", nil, auth...)
			for _, raw := range []string{"李四", "13966660001", "11010519491231002X"} {
				for _, v := range f {
					if strings.Contains(v, raw) {
						t.Fatalf("%q crossed the border", raw)
					}
				}
				if strings.Contains(string(body.Body), raw) {
					t.Fatalf("%q in the transfer log", raw)
				}
			}
			var list struct{ Transfers []transfer.Transfer }
			body.JSON(t, &list)
			if len(list.Transfers) != 1 || list.Transfers[0].Order != cross.ID || list.Transfers[0].Status != "sent" {
				t.Fatalf("transfer log: %s", body.Body)
			}
			// The gateway logged it on the person's sharing list.
			r = e.Do(t, "GET", "/api/v1/account/disclosures", nil, auth...)
			wantStatus(t, r, 200, "disclosures")
			if !strings.Contains(string(r.Body), `"overseas"`) || !strings.Contains(string(r.Body), `"cross_border"`) {
				t.Fatalf("sharing list: %s", r.Body)
			}
		})
		t.Run("WithdrawalStopsNext", func(t *testing.T) {
			wantStatus(t, e.Do(t, "POST", "/api/v1/cross-border/consents", map[string]string{"action": "withdraw"}, auth...), 201, "withdraw")
			wantStatus(t, send(auth), 403, "transfer after withdrawal")
			if got := sandboxRequests(t, e.Overseas); len(got) != 1 {
				t.Fatalf("the recipient got more after withdrawal: %d", len(got))
			}
		})
	})
}
