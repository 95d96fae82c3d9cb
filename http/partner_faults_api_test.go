package http_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"minimall/account"
	"minimall/app"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/order"
	"minimall/partner"
	"minimall/partner/sandbox"
	"minimall/privacy"
)

// partnerTimeout is the gateway's timeout in these tests; a slow sandbox
// answers well after it.
const partnerTimeout = time.Second

// partnerFaults are the ways a partner fails, as a sandbox plays them:
// down (503, nothing done), slow (beyond the timeout) and four kinds of
// garbage. All but down spoil the answer after the partner acted.
var partnerFaults = []struct {
	name string
	set  func(sb *sandbox.Sandbox)
}{
	{"Down", func(sb *sandbox.Sandbox) { sb.SetDown(true) }},
	{"Slow", func(sb *sandbox.Sandbox) { sb.SetFault(sandbox.FaultSlow, -1) }},
	{"Malformed", func(sb *sandbox.Sandbox) { sb.SetFault(sandbox.FaultMalformed, -1) }},
	{"BadSignature", func(sb *sandbox.Sandbox) { sb.SetFault(sandbox.FaultBadSignature, -1) }},
	{"ServerError", func(sb *sandbox.Sandbox) { sb.SetFault(sandbox.FaultServerError, -1) }},
	{"Truncated", func(sb *sandbox.Sandbox) { sb.SetFault(sandbox.FaultTruncated, -1) }},
}

func clearFault(sb *sandbox.Sandbox) {
	sb.SetDown(false)
	sb.SetFault(sandbox.FaultNone, 0)
}

// startFaulty starts the platform with a short partner timeout and slow
// sandboxes slower than it.
func startFaulty(t *testing.T, st *testkit.Store) *testenv.Env {
	t.Helper()
	e := testenv.StartConfigured(t, st, func(c *account.Config) { c.PasswordMemoryKiB, c.PasswordTime, c.CodesPerHour = 64, 1, 100 },
		func(c *app.Config) { c.PartnerTimeout = partnerTimeout })
	for _, sb := range e.Sandbox.All() {
		sb.SetSlowFor(2 * partnerTimeout)
	}
	return e
}

// wantPartnerUnavailable checks the person is told, clearly, to come back:
// 503, a problem, and when.
func wantPartnerUnavailable(t *testing.T, r *testenv.Response, what string) {
	t.Helper()
	wantProblem(t, r, http.StatusServiceUnavailable, "unavailable", "")
	if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs <= 0 {
		t.Fatalf("%s: Retry-After %q", what, r.Header.Get("Retry-After"))
	}
}

// acts counts what sb did for operation among requests that match: acted
// on, and answered again from a repeated idempotency key.
func acts(sb *sandbox.Sandbox, operation string, match func(q sandbox.Request) bool) (acted, replayed int) {
	for _, q := range sb.Requests() {
		if q.Operation != operation || q.Rejected != "" || !match(q) {
			continue
		}
		if q.Replayed {
			replayed++
		} else {
			acted++
		}
	}
	return acted, replayed
}

func anyRequest(sandbox.Request) bool { return true }

// sharedVia returns the person's sharing-list entries for operation.
func sharedVia(t *testing.T, e *testenv.Env, auth []string, operation string) []partner.Record {
	t.Helper()
	var list struct{ Disclosures []partner.Record }
	r := e.Do(t, "GET", "/api/v1/account/disclosures", nil, auth...)
	wantStatus(t, r, 200, "sharing list")
	r.JSON(t, &list)
	var out []partner.Record
	for _, d := range list.Disclosures {
		if d.Operation == operation {
			out = append(out, d)
		}
	}
	return out
}

// auditedDisclosures counts the audit log's disclose entries about sh to
// partner p for purpose.
func auditedDisclosures(t *testing.T, e *testenv.Env, st *testkit.Store, sh *testenv.Shopper, p privacy.PartnerID, purpose privacy.Purpose) int {
	t.Helper()
	ctx := context.Background()
	if err := e.Kernel.AuditFlush(ctx); err != nil {
		t.Fatal(err)
	}
	entries, err := e.Kernel.AuditFind(ctx, sh.Subject, time.Time{}, st.Clock.Now().Add(time.Hour), 10000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, en := range entries {
		if en.Decision == partner.DecisionDisclose && en.Reason == string(p)+":"+string(purpose) {
			n++
		}
	}
	return n
}

// TestAPIPaymentPartnerFaults (三(一) sharing record; E-commerce Law art.
// 31 transaction records): with the payment institution down, slow or
// answering garbage, paying and refunding answer 503 with Retry-After and
// change nothing; the person's retry (same Idempotency-Key) finishes the
// same payment, so the institution opens one trade and refunds once, the
// stock is exact, and the sharing list and the audit log show each
// hand-over once.
func TestAPIPaymentPartnerFaults(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := startFaulty(t, st)
		pay := e.Sandbox.Payment
		for i, f := range partnerFaults {
			t.Run(f.name, func(t *testing.T) {
				defer clearFault(pay)
				phone := fmt.Sprintf("138670%02d", i)
				fx := newShop(t, e, phone+"001", fmt.Sprintf("pf_seller_%d", i))
				it := fx.item(t, e, "降噪耳机", 59900, 5, nil)
				buyer := e.Register(t, phone+"002", fmt.Sprintf("pf_buyer_%d", i))
				auth := testenv.Bearer(buyer.Token)
				o := placeOrder(t, e, buyer, buyNow(it, 1))
				key := append([]string{"Idempotency-Key", "pay-fault-" + strconv.Itoa(i)}, auth...)

				f.set(pay)
				wantPartnerUnavailable(t, e.Do(t, "POST", "/api/v1/orders/"+o.ID+"/payments", nil, key...), "pay")
				var got orderView
				e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...).JSON(t, &got)
				if got.Status != "pending_payment" || (got.Payment != nil && got.Payment.Status == "paid") || itemStock(t, e, it) != 4 {
					t.Fatalf("after a failed payment: %+v, stock %d", got, itemStock(t, e, it))
				}
				clearFault(pay)
				r := e.Do(t, "POST", "/api/v1/orders/"+o.ID+"/payments", nil, key...)
				if r.Status != 201 && r.Status != 200 {
					t.Fatalf("retry: %d %s", r.Status, r.Body)
				}
				var p startedPayment
				r.JSON(t, &p)
				if p.TradeNo == "" || p.PayURL == "" {
					t.Fatalf("retry gave no trade: %s", r.Body)
				}
				forOrder := func(q sandbox.Request) bool { return q.Fields[privacy.OrderNumber] == o.Number }
				if acted, _ := acts(pay, "payment/create", forOrder); acted != 1 {
					t.Fatalf("the institution opened %d trades for one order", acted)
				}
				if resp, err := http.Post(p.PayURL, "application/json", nil); err != nil || resp.StatusCode != 200 {
					t.Fatalf("pay at the sandbox: %v %v", resp, err)
				}
				e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...).JSON(t, &got)
				if got.Status != "paid" || got.Payment == nil || got.Payment.ID != p.ID {
					t.Fatalf("after paying: %+v", got)
				}

				f.set(pay)
				wantPartnerUnavailable(t, e.Do(t, "POST", "/api/v1/orders/"+o.ID+"/refund", nil, auth...), "refund")
				e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...).JSON(t, &got)
				if got.Status != "paid" || itemStock(t, e, it) != 4 {
					t.Fatalf("after a failed refund: %s, stock %d", got.Status, itemStock(t, e, it))
				}
				clearFault(pay)
				r = e.Do(t, "POST", "/api/v1/orders/"+o.ID+"/refund", nil, auth...)
				wantStatus(t, r, 200, "refund retried")
				e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...).JSON(t, &got)
				if got.Status != "refunded" || itemStock(t, e, it) != 5 {
					t.Fatalf("after the refund: %s, stock %d", got.Status, itemStock(t, e, it))
				}
				if acted, _ := acts(pay, "payment/refund", forOrder); acted != 1 {
					t.Fatalf("the institution refunded %d times", acted)
				}
				for _, op := range []string{"payment/create", "payment/refund"} {
					if list := sharedVia(t, e, auth, op); len(list) != 1 || list[0].Status != partner.StatusSent {
						t.Fatalf("sharing list for %s: %+v", op, list)
					}
				}
				if n := auditedDisclosures(t, e, st, buyer, privacy.PartnerPayment, privacy.ForPayment); n != 2 {
					t.Fatalf("audit log: %d disclosures to the payment institution, want 2", n)
				}
			})
		}
		t.Run("FailsOnce", func(t *testing.T) {
			// A fault that passes is retried within the call, under the
			// same key: the person never sees it.
			fx := newShop(t, e, "13867099001", "pf_seller_once")
			it := fx.item(t, e, "降噪耳机", 59900, 5, nil)
			buyer := e.Register(t, "13867099002", "pf_buyer_once")
			auth := testenv.Bearer(buyer.Token)
			o := placeOrder(t, e, buyer, buyNow(it, 1))
			pay.SetFault(sandbox.FaultServerError, 1)
			r := e.Do(t, "POST", "/api/v1/orders/"+o.ID+"/payments", nil, auth...)
			wantStatus(t, r, 201, "pay through one fault")
			var p startedPayment
			r.JSON(t, &p)
			acted, replayed := acts(pay, "payment/create", func(q sandbox.Request) bool { return q.Params["payment_id"] == p.ID })
			if acted != 1 || replayed != 1 {
				t.Fatalf("acted %d, replayed %d; want 1 and 1", acted, replayed)
			}
			if list := sharedVia(t, e, auth, "payment/create"); len(list) != 1 || list[0].Status != partner.StatusSent {
				t.Fatalf("sharing list: %+v", list)
			}
		})
	})
}

// TestAPIIdentityPartnerFaults (二(一)3 real-name verification): with the
// identity authority down, slow or answering garbage, the check answers
// 503 with Retry-After and the person stays unverified; what left is in
// the sharing list and the audit log once, as failed; a fault that passes
// is retried within the call under the same key, so the authority checks
// once and the list shows one hand-over.
func TestAPIIdentityPartnerFaults(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := startFaulty(t, st)
		idp := e.Sandbox.Identity
		body := map[string]string{"real_name": "张三", "id_number": residentID("19900307", "123")}
		for i, f := range partnerFaults {
			t.Run(f.name, func(t *testing.T) {
				defer clearFault(idp)
				sh := e.Register(t, fmt.Sprintf("138671000%02d", i), fmt.Sprintf("idf_%d", i))
				auth := testenv.Bearer(sh.Token)
				f.set(idp)
				wantPartnerUnavailable(t, e.Do(t, "POST", "/api/v1/identity/real-name", body, auth...), "real-name check")
				var s identityStatus
				e.Do(t, "GET", "/api/v1/identity", nil, auth...).JSON(t, &s)
				if s.RealNameVerified {
					t.Fatal("verified without the authority's answer")
				}
				if list := sharedVia(t, e, auth, "identity/verify"); len(list) != 1 || list[0].Status != partner.StatusFailed {
					t.Fatalf("sharing list: %+v", list)
				}
				if n := auditedDisclosures(t, e, st, sh, privacy.PartnerIdentity, privacy.ForIdentityCheck); n != 1 {
					t.Fatalf("audit log: %d disclosures, want 1", n)
				}
			})
		}
		t.Run("FailsOnce", func(t *testing.T) {
			sh := e.Register(t, "13867109901", "idf_once")
			auth := testenv.Bearer(sh.Token)
			idp.SetFault(sandbox.FaultTruncated, 1)
			r := e.Do(t, "POST", "/api/v1/identity/real-name", body, auth...)
			wantStatus(t, r, 200, "real-name check through one fault")
			ref := sharedVia(t, e, auth, "identity/verify")
			if len(ref) != 1 || ref[0].Status != partner.StatusSent {
				t.Fatalf("sharing list: %+v", ref)
			}
			acted, replayed := acts(idp, "identity/verify", func(q sandbox.Request) bool { return q.IdempotencyKey == ref[0].ID })
			if acted != 1 || replayed != 1 {
				t.Fatalf("acted %d, replayed %d; want 1 and 1", acted, replayed)
			}
		})
	})
}

// TestAPISMSPartnerFaults (二(一)1 sign-in codes): with the SMS provider
// down, slow or answering garbage, asking for a code answers 503 with
// Retry-After; what left is in the sharing list and the audit log once; a
// fault that passes is retried under the same key, so one text is sent.
func TestAPISMSPartnerFaults(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := startFaulty(t, st)
		sms := e.Sandbox.SMS
		for i, f := range partnerFaults {
			t.Run(f.name, func(t *testing.T) {
				defer clearFault(sms)
				sh := e.Register(t, fmt.Sprintf("138672000%02d", i), fmt.Sprintf("smsf_%d", i))
				auth := testenv.Bearer(sh.Token)
				before := auditedDisclosures(t, e, st, sh, privacy.PartnerSMS, privacy.ForLogin)
				f.set(sms)
				wantPartnerUnavailable(t, e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": sh.Phone, "purpose": "login"}), "code")
				list := sharedVia(t, e, auth, "sms/send")
				failed := 0
				for _, d := range list {
					if d.Purpose == privacy.ForLogin {
						failed++
						if d.Status != partner.StatusFailed {
							t.Fatalf("sharing list: %+v", d)
						}
					}
				}
				if failed != 1 {
					t.Fatalf("sharing list shows the sign-in text %d times: %+v", failed, list)
				}
				if n := auditedDisclosures(t, e, st, sh, privacy.PartnerSMS, privacy.ForLogin) - before; n != 1 {
					t.Fatalf("audit log: %d disclosures, want 1", n)
				}
			})
		}
		t.Run("FailsOnce", func(t *testing.T) {
			sh := e.Register(t, "13867209901", "smsf_once")
			sms.SetFault(sandbox.FaultBadSignature, 1)
			wantStatus(t, e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": sh.Phone, "purpose": "login"}), 202, "code through one fault")
			toPhone := func(q sandbox.Request) bool {
				return q.Fields[privacy.AccountPhone] == sh.Phone && q.Purpose == privacy.ForLogin
			}
			if acted, replayed := acts(sms, "sms/send", toPhone); acted != 1 || replayed != 1 {
				t.Fatalf("texts sent %d, replayed %d; want 1 and 1", acted, replayed)
			}
			if code := e.SMS.Code(t, sh.Phone); code == "" {
				t.Fatal("no code")
			}
		})
	})
}

// TestAPILogisticsPartnerFaults (二(三)3 delivery): with the logistics
// company down, slow or answering garbage, shipping answers 503 with
// Retry-After and the order stays paid; the seller's retry gets the first
// waybill back under the same key, so one parcel is booked, and the buyer's
// sharing list shows the hand-over once.
func TestAPILogisticsPartnerFaults(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := startFaulty(t, st)
		lg := e.Sandbox.Logistics
		for i, f := range partnerFaults {
			t.Run(f.name, func(t *testing.T) {
				defer clearFault(lg)
				phone := fmt.Sprintf("138680%02d", i)
				fx := newShop(t, e, phone+"001", fmt.Sprintf("lf_seller_%d", i))
				it := fx.item(t, e, "降噪耳机", 59900, 5, nil)
				buyer := e.Register(t, phone+"002", fmt.Sprintf("lf_buyer_%d", i))
				auth := testenv.Bearer(buyer.Token)
				o := placeOrder(t, e, buyer, buyNow(it, 1))
				r := e.Do(t, "POST", "/api/v1/orders/"+o.ID+"/payments", nil, auth...)
				var p startedPayment
				if r.JSON(t, &p); r.Status != 201 {
					t.Fatalf("pay: %d %s", r.Status, r.Body)
				}
				if resp, err := http.Post(p.PayURL, "application/json", nil); err != nil || resp.StatusCode != 200 {
					t.Fatalf("pay at the sandbox: %v %v", resp, err)
				}
				ship := func() *testenv.Response {
					return e.Do(t, "POST", "/api/v1/seller/orders/"+o.ID+"/shipments", nil, testenv.Bearer(fx.seller.Token)...)
				}
				f.set(lg)
				wantPartnerUnavailable(t, ship(), "ship")
				var got orderView
				e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...).JSON(t, &got)
				if got.Status != "paid" {
					t.Fatalf("after a failed shipment: %s", got.Status)
				}
				clearFault(lg)
				wantStatus(t, ship(), 201, "ship retried")
				forOrder := func(q sandbox.Request) bool { return q.Params["shipment_id"] == "sp_"+strings.TrimPrefix(o.ID, "o_") }
				if acted, _ := acts(lg, "logistics/shipments", forOrder); acted != 1 {
					t.Fatalf("the logistics company booked %d parcels for one order", acted)
				}
				if list := sharedVia(t, e, auth, "logistics/shipments"); len(list) != 1 || list[0].Status != partner.StatusSent {
					t.Fatalf("sharing list: %+v", list)
				}
			})
		}
	})
}

// TestAPIPaymentStartCutOff (hardening 1): a crash after a payment was
// written, before the institution's answer and before the failure could
// be marked, leaves a start with no trade number: while a call could still
// be in flight another start is refused; a minute later paying again, with
// any key, finishes that same payment, and the institution opens one trade.
func TestAPIPaymentStartCutOff(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := startFaulty(t, st)
		pay := e.Sandbox.Payment
		fx := newShop(t, e, "13867199001", "pc_seller")
		it := fx.item(t, e, "降噪耳机", 59900, 5, nil)
		buyer := e.Register(t, "13867199002", "pc_buyer")
		auth := testenv.Bearer(buyer.Token)
		o := placeOrder(t, e, buyer, buyNow(it, 1))
		pay.SetFault(sandbox.FaultMalformed, 3) // the institution acts; its answers are lost
		wantPartnerUnavailable(t, e.Do(t, "POST", "/api/v1/orders/"+o.ID+"/payments", nil, auth...), "pay")
		clearFault(pay)
		// What a crash before marking the failure leaves.
		if _, err := st.DB.ExecContext(t.Context(), `UPDATE payments SET start_failed = 0 WHERE order_id = ?`, o.ID); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders/"+o.ID+"/payments", nil, auth...), 409, "a start maybe in flight")
		st.Clock.Advance(order.StrandedStart + time.Second)
		r := e.Do(t, "POST", "/api/v1/orders/"+o.ID+"/payments", nil, append([]string{"Idempotency-Key", "another-key-123"}, auth...)...)
		if r.Status != 201 && r.Status != 200 {
			t.Fatalf("paying again after the cut-off start: %d %s", r.Status, r.Body)
		}
		forOrder := func(q sandbox.Request) bool { return q.Fields[privacy.OrderNumber] == o.Number }
		if acted, _ := acts(pay, "payment/create", forOrder); acted != 1 {
			t.Fatalf("the institution opened %d trades for one order", acted)
		}
	})
}
