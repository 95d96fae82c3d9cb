package http_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/rights"
)

// rightsOperator creates an operator with role and returns its headers.
func rightsOperator(t *testing.T, e *testenv.Env, role minimall.Role) []string {
	t.Helper()
	_, token, err := e.Kernel.Operators.Add(context.Background(), role)
	if err != nil {
		t.Fatal(err)
	}
	return append(testenv.Bearer(token), "X-Access-Reason", "TICKET-42")
}

// fileVerified files a request and confirms it with the SMS code.
func fileVerified(t *testing.T, e *testenv.Env, sh *testenv.Shopper, body map[string]any) rights.Request {
	t.Helper()
	auth := testenv.Bearer(sh.Token)
	r := e.Do(t, "POST", "/api/v1/rights/requests", body, auth...)
	wantStatus(t, r, 201, "file request")
	var req rights.Request
	r.JSON(t, &req)
	if req.State != rights.Received || req.DueAt.Sub(req.ReceivedAt) != 15*24*time.Hour || !strings.Contains(req.Next, "****") {
		t.Fatalf("filed: %+v", req)
	}
	r = e.Do(t, "POST", "/api/v1/rights/requests/"+req.ID+"/verify", map[string]string{"code": e.SMS.Code(t, sh.Phone)}, auth...)
	wantStatus(t, r, 200, "verify")
	r.JSON(t, &req)
	return req
}

// TestAPIRightsExport (四(一)(二), PIPL art. 45): after the identity check
// (session and a fresh code to the account phone), the export holds every
// registered field once, held or declared-but-not-held with a reason, with
// values, purposes and retention; consents with history; disclosures; an
// automated-decisions section. A readable page too. Refusals: a wrong code,
// someone else's request, an unchecked request, the repeat rule.
func TestAPIRightsExport(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13877770001", "rights_user")
		other := e.Register(t, "13877770002", "rights_other")
		auth := testenv.Bearer(sh.Token)
		wantStatus(t, e.Do(t, "PATCH", "/api/v1/account/profile", map[string]any{"nickname": "小红帽", "birthday": "03-15"}, auth...), 200, "profile")

		r := e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "access"}, auth...)
		wantStatus(t, r, 201, "file")
		var req rights.Request
		r.JSON(t, &req)
		wantStatus(t, e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export", nil, auth...), 409, "export before the check")
		wantStatus(t, e.Do(t, "POST", "/api/v1/rights/requests/"+req.ID+"/verify", map[string]string{"code": "000000"}, auth...), 400, "wrong code")
		wantStatus(t, e.Do(t, "POST", "/api/v1/rights/requests/"+req.ID+"/verify", map[string]string{"code": e.SMS.Code(t, sh.Phone)}, testenv.Bearer(other.Token)...), 404, "someone else verifies")
		wantStatus(t, e.Do(t, "POST", "/api/v1/rights/requests/"+req.ID+"/verify", map[string]string{"code": e.SMS.Code(t, sh.Phone)}, auth...), 200, "verify")
		wantStatus(t, e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export", nil, testenv.Bearer(other.Token)...), 404, "someone else's export")
		wantStatus(t, e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export", nil), 404, "visitor")

		r = e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export", nil, auth...)
		wantStatus(t, r, 200, "export")
		var ex rights.Export
		r.JSON(t, &ex)
		seen := map[privacy.Field]int{}
		values := map[privacy.Field]string{}
		for _, f := range ex.Fields {
			seen[f.Field]++
			if len(f.Purposes) == 0 || f.Retention.Reason == "" || f.HeldBy == "" {
				t.Fatalf("field without purpose, retention or holder: %+v", f)
			}
			for _, v := range f.Values {
				values[f.Field] = v.Value
			}
		}
		for _, n := range ex.NotHeld {
			seen[n.Field]++
			if n.Reason == "" {
				t.Fatalf("declared-but-not-held without a reason: %+v", n)
			}
		}
		for _, spec := range privacy.Fields() {
			if seen[spec.Field] != 1 {
				t.Fatalf("field %s appears %d times in the export, want once", spec.Field, seen[spec.Field])
			}
		}
		// Every field a wired part can hold is in the held list.
		for _, p := range e.Rights.Parts() {
			for _, f := range p.Holds() {
				found := false
				for _, fe := range ex.Fields {
					found = found || fe.Field == f
				}
				if !found {
					t.Fatalf("part %s holds %s but the export does not list it as held", p.Name(), f)
				}
			}
		}
		if values[privacy.AccountPhone] != sh.Phone || values[privacy.MemberName] != "rights_user" || values[privacy.Nickname] != "小红帽" ||
			values[privacy.BirthdayMonth] != "03-15" || values[privacy.RightsRequestRecord] == "" {
			t.Fatalf("values: %v", values)
		}
		if len(ex.Consents.History) == 0 || ex.Disclosures == nil || len(ex.Disclosures) == 0 || ex.AutomatedDecisions.Entries == nil {
			t.Fatalf("consents, disclosures (the SMS codes) or decisions missing: %+v %+v", ex.Consents, ex.Disclosures)
		}
		if strings.Contains(string(r.Body), "argon2id$") {
			t.Fatal("the export shows the password hash")
		}
		var got rights.Request
		e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID, nil, auth...).JSON(t, &got)
		if got.State != rights.Answered {
			t.Fatalf("fetching the export answers the request: %+v", got)
		}

		r = e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export?format=html", nil, auth...)
		wantStatus(t, r, 200, "page")
		if !strings.Contains(string(r.Body), "小红帽") || !strings.Contains(string(r.Body), "自动化决策") {
			t.Fatalf("page: %.300s", r.Body)
		}
		wantStatus(t, e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export?format=pdf", nil, auth...), 400, "bad format")
		wantStatus(t, e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "forget_me"}, auth...), 400, "bad kind")
		wantStatus(t, e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "access"}), 401, "visitor files")

		// The repeat rule: the 4th access request in 30 days is refused.
		e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "access"}, auth...)
		e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "access"}, auth...)
		r = e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "access"}, auth...)
		wantStatus(t, r, 429, "repeat limit")
		if !strings.Contains(r.Problem(t).Detail, "30") {
			t.Fatalf("the rule is not stated: %s", r.Body)
		}
	})
}

// TestAPIRightsCorrectDelete (四(一)(三)): corrections go through the
// areas' own rules; chosen data is deleted and partners that received it
// are notified; transaction records and the account's own fields are kept
// with the reason.
func TestAPIRightsCorrectDelete(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13877770011", "rights_fix")
		auth := testenv.Bearer(sh.Token)
		wantStatus(t, e.Do(t, "PATCH", "/api/v1/account/profile", map[string]any{"nickname": "旧昵称", "gender": "female"}, auth...), 200, "profile")

		req := fileVerified(t, e, sh, map[string]any{"kind": "correct", "corrections": map[string]string{"profile.nickname": "新昵称", "account.member_name": "rights_fixed"}})
		if req.State != rights.Answered || len(req.Answer.Corrected) != 2 {
			t.Fatalf("correct: %+v", req)
		}
		var p map[string]string
		e.Do(t, "GET", "/api/v1/account/profile", nil, auth...).JSON(t, &p)
		if p["nickname"] != "新昵称" {
			t.Fatalf("profile after correction: %v", p)
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": "rights_fixed", "password": sh.Password}), 201, "sign in with the new name")
		wantStatus(t, e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "correct", "corrections": map[string]string{"order.recipient_name": "x"}}, auth...), 400, "not editable")
		wantStatus(t, e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "delete", "all": true, "ground": "because"}, auth...), 400, "no ground")

		req = fileVerified(t, e, sh, map[string]any{"kind": "delete", "fields": []string{"profile.gender", "account.phone", "order.recipient_phone"}})
		if req.State != rights.Answered || req.Answer.Removed["profile.gender"] != 1 || req.Answer.Kept["account.phone"] == "" ||
			req.Answer.Kept["order.recipient_phone"] == "" || req.Answer.PartnerNotices != "sent" {
			t.Fatalf("delete chosen: %+v", req.Answer)
		}
		p = nil // gender is omitted when empty
		e.Do(t, "GET", "/api/v1/account/profile", nil, auth...).JSON(t, &p)
		if p["gender"] != "" || p["nickname"] != "新昵称" {
			t.Fatalf("profile after deletion: %v", p)
		}
	})
}

// TestAPIRightsConsentScope (四(四)): withdrawing an additional function
// leaves basic functions working; withdrawing what a basic function needs
// is refused and says so plainly.
func TestAPIRightsConsentScope(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13877770021", "rights_consent")
		auth := testenv.Bearer(sh.Token)
		wantStatus(t, e.Do(t, "PATCH", "/api/v1/account/profile", map[string]any{"nickname": "公开昵称"}, auth...), 200, "profile")
		for _, c := range []map[string]any{
			{"feature": "profile", "action": "withdraw"},
			{"feature": "recommendation", "action": "withdraw"},
			{"purpose": "personalised_ads", "action": "withdraw"},
			{"recipient": "ads", "action": "withdraw"},
		} {
			wantStatus(t, e.Do(t, "POST", "/api/v1/rights/consents", c, auth...), 201, "withdraw additional")
		}
		// Basic functions go on: the account, search, the cart.
		wantStatus(t, e.Do(t, "GET", "/api/v1/account", nil, auth...), 200, "account after withdrawal")
		wantStatus(t, e.Do(t, "GET", "/api/v1/search?q=茶", nil, auth...), 200, "search after withdrawal")
		wantStatus(t, e.Do(t, "GET", "/api/v1/cart", nil, auth...), 200, "cart after withdrawal")
		// Withdrawal stops processing at once: the nickname is no longer public.
		r := e.Do(t, "GET", "/api/v1/members/"+string(sh.Subject), nil)
		if strings.Contains(string(r.Body), "公开昵称") {
			t.Fatalf("nickname still public after withdrawal: %s", r.Body)
		}
		for _, c := range []map[string]any{
			{"feature": "order", "action": "withdraw"},
			{"purpose": "delivery", "action": "withdraw"},
			{"recipient": "payment", "action": "withdraw"},
		} {
			r := e.Do(t, "POST", "/api/v1/rights/consents", c, auth...)
			wantStatus(t, r, 409, "withdraw basic")
			if d := r.Problem(t).Detail; !strings.Contains(d, "基本功能") || !strings.Contains(d, "deregister") {
				t.Fatalf("not said plainly: %s", d)
			}
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/rights/consents", map[string]any{"feature": "profile", "purpose": "search", "action": "withdraw"}, auth...), 400, "two scopes")
		wantStatus(t, e.Do(t, "POST", "/api/v1/rights/consents", map[string]any{"feature": "nope", "action": "withdraw"}, auth...), 400, "unknown")
		wantStatus(t, e.Do(t, "POST", "/api/v1/rights/consents", map[string]any{"feature": "profile", "action": "maybe"}, auth...), 400, "bad action")
		wantStatus(t, e.Do(t, "POST", "/api/v1/rights/consents", map[string]any{"feature": "profile", "action": "grant"}), 401, "visitor")
	})
}

// TestAPIRightsDeregister (四(五)): the conditions come first and are
// stated with what is left to do; then the person is erased: sessions end,
// sign-in fails, the search history is gone, partners are notified, the
// sealed data is unreadable, and the order is kept retention-only.
func TestAPIRightsDeregister(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13877770031", "rights_seller")
		tea := fx.item(t, e, "安吉白茶", 9900, 10, nil)
		sh := e.Register(t, "13877770032", "rights_leaver")
		other := e.Register(t, "13877770033", "rights_stayer")
		auth := testenv.Bearer(sh.Token)
		wantStatus(t, e.Do(t, "GET", "/api/v1/search?q=白茶", nil, auth...), 200, "search")
		o := placeOrder(t, e, sh, buyNow(tea, 1))

		var cond struct {
			MayDeregister bool `json:"may_deregister"`
			Pending       []rights.Pending
		}
		e.Do(t, "GET", "/api/v1/rights/deregistration/conditions", nil, auth...).JSON(t, &cond)
		if cond.MayDeregister || len(cond.Pending) != 1 || cond.Pending[0].Ref != o.ID || cond.Pending[0].Message == "" {
			t.Fatalf("conditions: %+v", cond)
		}
		req := fileVerified(t, e, sh, map[string]any{"kind": "deregister"})
		if req.State != rights.Refused || req.RefusedReason != rights.ReasonConditionsUnmet || len(req.Answer.Pending) != 1 {
			t.Fatalf("deregistration with an unpaid order: %+v", req)
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders/"+o.ID+"/cancel", nil, auth...), 200, "cancel")

		req = fileVerified(t, e, sh, map[string]any{"kind": "deregister"})
		if req.State != rights.Answered || !req.Answer.Erased || req.Answer.PartnerNotices != "sent" {
			t.Fatalf("deregistration: %+v", req)
		}
		wantStatus(t, e.Do(t, "GET", "/api/v1/account", nil, auth...), 401, "session after deregistration")
		wantStatus(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": sh.Password}), 401, "sign in after deregistration")
		wantStatus(t, e.Do(t, "GET", "/api/v1/account", nil, testenv.Bearer(other.Token)...), 200, "others unaffected")
		ctx := context.Background()
		var n int
		if err := st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_history WHERE subject = ?`, string(sh.Subject)).Scan(&n); err != nil || n != 0 {
			t.Fatalf("search history left: %d %v", n, err)
		}
		recs, err := e.Partners.Disclosures(ctx, sh.Subject)
		if err != nil || len(recs) == 0 {
			t.Fatal(err)
		}
		for _, rec := range recs {
			if rec.Status != "deleted" && rec.Status != "failed" {
				t.Fatalf("partner not notified: %+v", rec)
			}
		}
		// The sealed phone is unreadable, even to the platform itself.
		var phone []byte
		var version uint64
		st.DB.QueryRowContext(ctx, `SELECT phone_sealed, phone_version FROM accounts WHERE subject = ?`, string(sh.Subject)).Scan(&phone, &version)
		if _, err := e.Kernel.Guard().OpenVersion(ctx, minimall.SystemActor("test"), sh.Subject, privacy.AccountPhone, privacy.ForAccount, string(sh.Subject), version, phone); err == nil {
			t.Fatal("the phone opens after deregistration")
		}
		// The DPO sees the closed request; a customer-service operator may not.
		dpo := rightsOperator(t, e, minimall.RoleDPO)
		var q struct{ Requests []rights.Request }
		e.Do(t, "GET", "/api/v1/ops/rights/requests?state=answered", nil, dpo...).JSON(t, &q)
		if len(q.Requests) == 0 {
			t.Fatal("the queue does not show the answered request")
		}
		wantStatus(t, e.Do(t, "GET", "/api/v1/ops/rights/requests", nil, rightsOperator(t, e, minimall.RoleCustomerService)...), 403, "customer service reads the queue")
	})
}

// TestAPIRightsNextOfKin (PIPL art. 49; 四(七)): a next of kin files with
// evidence; the DPO reviews it; the export is fetched with the request
// token; every request has a 15-day deadline and is flagged overdue after.
func TestAPIRightsNextOfKin(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13877770041", "rights_deceased")
		dpo := rightsOperator(t, e, minimall.RoleDPO)
		body := map[string]any{"phone": sh.Phone, "kind": "access", "relation": "配偶 spouse", "evidence": "死亡证明编号 D-2024-001；结婚证编号 M-1999-002"}
		r := e.Do(t, "POST", "/api/v1/rights/next-of-kin", body)
		wantStatus(t, r, 201, "next of kin files")
		var req rights.Request
		r.JSON(t, &req)
		if req.Token == "" || req.FiledBy != rights.ByNextOfKin {
			t.Fatalf("next of kin: %+v", req)
		}
		tok := []string{"X-Rights-Token", req.Token}
		wantStatus(t, e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export", nil, tok...), 409, "export before review")
		wantStatus(t, e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export", nil, "X-Rights-Token", "mmr_wrong"), 404, "wrong token")
		wantStatus(t, e.Do(t, "POST", "/api/v1/rights/next-of-kin", map[string]any{"phone": sh.Phone, "kind": "access", "relation": "x", "evidence": "short"}), 400, "no evidence")
		wantStatus(t, e.Do(t, "POST", "/api/v1/rights/next-of-kin", map[string]any{"phone": "13877779999", "kind": "access", "relation": "配偶", "evidence": "死亡证明编号 D-2024-001"}), 404, "no such account")

		// Deadline: 15 days; past it the queue flags the request.
		st.Clock.Advance(16 * 24 * time.Hour)
		var q struct{ Requests []rights.Request }
		e.Do(t, "GET", "/api/v1/ops/rights/requests?overdue=true", nil, dpo...).JSON(t, &q)
		if len(q.Requests) != 1 || !q.Requests[0].Overdue || q.Requests[0].ID != req.ID {
			t.Fatalf("overdue: %+v", q)
		}
		var shown rights.Request
		e.Do(t, "GET", "/api/v1/ops/rights/requests/"+req.ID, nil, dpo...).JSON(t, &shown)
		if shown.Details == nil || !strings.Contains(shown.Details.Evidence, "D-2024-001") {
			t.Fatalf("the DPO cannot read the evidence: %+v", shown)
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/ops/rights/requests/"+req.ID+"/review", map[string]bool{"accept": true}, rightsOperator(t, e, minimall.RoleSecurity)...), 403, "security reviews")
		wantStatus(t, e.Do(t, "POST", "/api/v1/ops/rights/requests/"+req.ID+"/review", map[string]bool{"accept": true}, dpo...), 200, "review")
		r = e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export", nil, tok...)
		wantStatus(t, r, 200, "next of kin's export")
		if !strings.Contains(string(r.Body), sh.Phone) {
			t.Fatal("export lacks the account phone")
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/ops/rights/requests/"+req.ID+"/refuse", map[string]string{"reason": "impractical"}, dpo...), 409, "refuse a closed request")

		r = e.Do(t, "POST", "/api/v1/rights/next-of-kin", body)
		r.JSON(t, &req)
		wantStatus(t, e.Do(t, "POST", "/api/v1/ops/rights/requests/"+req.ID+"/refuse", map[string]string{"reason": "because"}, dpo...), 400, "unknown reason")
		r = e.Do(t, "POST", "/api/v1/ops/rights/requests/"+req.ID+"/review", map[string]bool{"accept": false}, dpo...)
		wantStatus(t, r, 200, "reject evidence")
		var refused rights.Request
		r.JSON(t, &refused)
		if refused.State != rights.Refused || refused.RefusedReason != rights.ReasonEvidence {
			t.Fatalf("rejected: %+v", refused)
		}
	})
}
