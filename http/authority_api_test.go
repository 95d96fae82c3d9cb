package http_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/partner"
	"minimall/privacy"
)

// TestAPIAuthorityRequest (三(五)2, PIPL art. 13(3)): the DPO or legal
// hold records an authority's request with its legal basis; exactly the
// named fields reach the authority sandbox through the gateway, logged in
// the audit log and the person's sharing list, and the person is told —
// unless the request says the law forbids it, when the notice, the
// sharing entry and the tracker entry wait until an operator lifts the
// prohibition. A field not declared for authorities, or a request without
// a legal basis, is refused with a problem naming the field, and nothing
// leaves.
func TestAPIAuthorityRequest(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := context.Background()
		fx := newShop(t, e, "13866690001", "auth_seller")
		o := placeOrder(t, e, e.Register(t, "13866690002", "auth_other"), buyNow(fx.item(t, e, "白茶", 9900, 10, nil), 1))
		buyer := e.Register(t, "13866690003", "auth_buyer")
		mine := placeOrder(t, e, buyer, buyNow(fx.item(t, e, "红茶", 5900, 10, nil), 1))
		auth := testenv.Bearer(buyer.Token)
		dpo := operatorHeaders(t, e, minimall.RoleDPO, "AUTH-1")
		lh := operatorHeaders(t, e, minimall.RoleLegalHold, "AUTH-2")
		req := func(fields ...string) map[string]any {
			return map[string]any{"subject": string(buyer.Subject), "order_id": mine.ID, "authority_kind": "police",
				"authority": "杭州市公安局西湖区分局", "authority_ref": "XH-2026-0042", "legal_basis": "《中华人民共和国刑事诉讼法》第五十四条", "fields": fields}
		}
		arrived := func() []map[privacy.Field]string {
			var out []map[privacy.Field]string
			for _, q := range e.Sandbox.Authority.Requests() {
				if q.Status == 200 {
					out = append(out, q.Fields)
				}
			}
			return out
		}

		t.Run("Refusals", func(t *testing.T) {
			ok := req("order.recipient_name")
			wantStatus(t, e.Do(t, "POST", "/api/v1/ops/authority-requests", ok), 401, "anonymous")
			wantStatus(t, e.Do(t, "POST", "/api/v1/ops/authority-requests", ok, auth...), 403, "shopper")
			for _, role := range []minimall.Role{minimall.RoleCustomerService, minimall.RoleSecurity, minimall.RoleOps} {
				wantStatus(t, e.Do(t, "POST", "/api/v1/ops/authority-requests", ok, operatorHeaders(t, e, role, "AUTH-1")...), 403, string(role))
			}
			noBasis := req("order.recipient_name")
			delete(noBasis, "legal_basis")
			wantFieldProblem(t, e.Do(t, "POST", "/api/v1/ops/authority-requests", noBasis, dpo...), 400, "legal_basis", "required", "李四")
			r := e.Do(t, "POST", "/api/v1/ops/authority-requests", req("order.recipient_name", "order.remark"), dpo...)
			wantFieldProblem(t, r, 400, "fields", "choice", "李四")
			if !strings.Contains(r.Problem(t).Detail, "order.remark") {
				t.Fatalf("the refusal does not name the field: %s", r.Body)
			}
			wantFieldProblem(t, e.Do(t, "POST", "/api/v1/ops/authority-requests", req("account.phone"), lh...), 400, "fields", "choice", "13866690003")
			noOrder := req("order.recipient_name")
			delete(noOrder, "order_id")
			wantFieldProblem(t, e.Do(t, "POST", "/api/v1/ops/authority-requests", noOrder, dpo...), 400, "order_id", "required")
			if got := arrived(); len(got) != 0 {
				t.Fatalf("a refused request reached the authority: %v", got)
			}
			// Each operator's refused attempt is audited (3 other roles, 4
			// invalid requests), under no subject: the person's tracker
			// never hears of an authority.
			if err := e.Kernel.AuditFlush(ctx); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE decision = 'deny' AND reason LIKE 'authority_request:%' AND subject = ''`).Scan(&n); err != nil || n != 7 {
				t.Fatalf("%d refused attempts audited (%v), want 7", n, err)
			}
		})

		var told, gagged partner.AuthorityDisclosure
		t.Run("OnlyNamedFieldsLeave", func(t *testing.T) {
			r := e.Do(t, "POST", "/api/v1/ops/authority-requests", req("order.recipient_name", "order.number"), dpo...)
			wantStatus(t, r, 201, "record")
			r.JSON(t, &told)
			got := arrived()
			if len(got) != 1 || !slices.Equal(slices.Sorted(maps.Keys(got[0])), []privacy.Field{privacy.OrderNumber, privacy.RecipientName}) ||
				got[0][privacy.RecipientName] != recipient["name"] || got[0][privacy.OrderNumber] != mine.Number {
				t.Fatalf("the authority received %v; want exactly the recipient name and order %s's number", got, mine.Number)
			}
			if o.ID == mine.ID {
				t.Fatal("fixture")
			}
		})

		t.Run("PersonToldAndShown", func(t *testing.T) {
			if !hasNotice(t, e, auth, "authority:"+told.ID) {
				t.Fatal("the person was not told")
			}
			if !sharedWith(t, e, auth, told.ID) {
				t.Fatal("the sharing list does not show the disclosure to the authority")
			}
			r := e.Do(t, "GET", "/api/v1/account/authority-requests", nil, auth...)
			wantStatus(t, r, 200, "my authority requests")
			if !strings.Contains(string(r.Body), told.ID) || strings.Contains(string(r.Body), "AUTH-1") || strings.Contains(string(r.Body), `"operator"`) {
				t.Fatalf("my authority requests: %s", r.Body)
			}
		})

		t.Run("NoticeForbidden", func(t *testing.T) {
			body := req("order.recipient_phone")
			body["notice_forbidden"] = true
			r := e.Do(t, "POST", "/api/v1/ops/authority-requests", body, lh...)
			wantStatus(t, r, 201, "record, notice forbidden")
			r.JSON(t, &gagged)
			if got := arrived(); len(got) != 2 || len(got[1]) != 1 || got[1][privacy.RecipientPhone] == "" {
				t.Fatalf("the authority received %v", got)
			}
			if hasNotice(t, e, auth, "authority:"+gagged.ID) || sharedWith(t, e, auth, gagged.ID) {
				t.Fatal("the person was told while the law forbids it")
			}
			for _, path := range []string{"/api/v1/account/authority-requests", "/account/privacy/data"} {
				if r := e.Do(t, "GET", path, nil, auth...); r.Status != 200 || strings.Contains(string(r.Body), gagged.ID) {
					t.Fatalf("%s shows the withheld request (%d)", path, r.Status)
				}
			}
			var ops struct{ Requests []partner.AuthorityDisclosure }
			e.Do(t, "GET", "/api/v1/ops/authority-requests?subject="+string(buyer.Subject), nil, dpo...).JSON(t, &ops)
			if len(ops.Requests) != 2 || !ops.Requests[1].Withheld || ops.Requests[1].NotifiedAt != nil {
				t.Fatalf("the operators' list: %+v", ops.Requests)
			}
		})

		t.Run("ProhibitionLifted", func(t *testing.T) {
			wantStatus(t, e.Do(t, "POST", "/api/v1/ops/authority-requests/"+gagged.ID+"/lift", nil, operatorHeaders(t, e, minimall.RoleCustomerService, "AUTH-3")...), 403, "customer service lifts")
			wantStatus(t, e.Do(t, "POST", "/api/v1/ops/authority-requests/"+told.ID+"/lift", nil, dpo...), 409, "nothing to lift")
			wantStatus(t, e.Do(t, "POST", "/api/v1/ops/authority-requests/"+gagged.ID+"/lift", nil, dpo...), 200, "lift")
			if !hasNotice(t, e, auth, "authority:"+gagged.ID) || !sharedWith(t, e, auth, gagged.ID) {
				t.Fatal("after the prohibition was lifted the person is still not told")
			}
			page := e.Do(t, "GET", "/account/privacy/data", nil, auth...)
			if !strings.Contains(string(page.Body), "XH-2026-0042") {
				t.Fatal("the privacy centre does not show the authority's request")
			}
		})

		t.Run("Audited", func(t *testing.T) {
			accs, err := e.Kernel.AccessesByOthers(ctx, minimall.ShopperActor(buyer.Subject), 100)
			if err != nil {
				t.Fatal(err)
			}
			var acts, sent int
			for _, a := range accs {
				switch {
				case a.Decision == partner.DecisionAuthorityRequest:
					acts++
				case a.Decision == privacy.DecisionDisclose && a.By == "partner:authority":
					sent++
				}
			}
			if acts != 2 || sent != 2 {
				t.Fatalf("the audit log shows %d requests and %d disclosures; want 2 and 2: %+v", acts, sent, accs)
			}
		})
	})
}

// hasNotice reports whether the person's message centre holds a notice
// of kind.
func hasNotice(t *testing.T, e *testenv.Env, auth []string, kind string) bool {
	t.Helper()
	var n noticeList
	e.Do(t, "GET", "/api/v1/account/notifications", nil, auth...).JSON(t, &n)
	for _, x := range n.Notifications {
		if x.Kind == kind {
			return true
		}
	}
	return false
}

// sharedWith reports whether the person's sharing list shows the
// disclosure to the authority made for request id.
func sharedWith(t *testing.T, e *testenv.Env, auth []string, id string) bool {
	t.Helper()
	var list struct{ Disclosures []partner.Record }
	e.Do(t, "GET", "/api/v1/account/disclosures", nil, auth...).JSON(t, &list)
	for _, d := range list.Disclosures {
		if d.Partner == privacy.PartnerAuthority && d.RequestID == id {
			return true
		}
	}
	return false
}

// authorityRequest records, for the matrix, an authority's request about
// the owner's order whose notice the law forbids for now.
func (w *authzWorld) authorityRequest(t *testing.T, e *testenv.Env) string {
	t.Helper()
	dpo := append(testenv.Bearer(w.operators[minimall.RoleDPO]), "X-Access-Reason", "AUTH-MATRIX")
	r := e.Do(t, "POST", "/api/v1/ops/authority-requests", map[string]any{"subject": string(w.owner.Subject), "order_id": w.ids["order"],
		"authority_kind": "court", "authority": "矩阵人民法院", "authority_ref": "MATRIX-2026-1", "legal_basis": "《民事诉讼法》第六十七条",
		"fields": []string{"order.number"}, "notice_forbidden": true}, dpo...)
	wantStatus(t, r, 201, "authority request")
	return idOf(t, r)
}
