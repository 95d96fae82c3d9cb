package http_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/addressbook"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/rights"
	"minimall/transfer"
)

// TestAPIRightsExportEveryPart (四(一)(二), PIPL art. 45): one value put
// into each wired part through the API comes back in the export under
// that part, so an export that leaves out any one area's values fails
// here, not only in the broad canaries. A part wired without a row here
// fails too.
func TestAPIRightsExportEveryPart(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13877771001", "parts_user")
		fillEveryPart(t, e, st, sh)
		ex := verifiedExport(t, e, sh)
		for _, p := range e.Rights.Parts() {
			want, ok := partValues[p.Name()]
			if !ok {
				t.Errorf("part %s is wired but this test puts nothing in it: add a row to partValues", p.Name())
				continue
			}
			if !exportHas(ex, p.Name(), want) {
				t.Errorf("the export has no %s = %q under part %s", want.field, want.value, p.Name())
			}
		}
		if !hasConsent(ex, "recommendation") {
			t.Errorf("the export's consents lack the recommendation grant: %+v", ex.Consents.Current)
		}
	})
}

// partValue is what fillEveryPart puts into one part: a field (a record
// kind for a part holding records) and its value, or a part of it.
type partValue struct{ field, value string }

// partValues lists, per wired part, the value fillEveryPart puts there.
var partValues = map[string]partValue{
	"account":     {"profile.nickname", "分区小红"},
	"addressbook": {"addressbook.address", "上海市黄浦区南京东路1号"},
	"search":      {"search.query", "分区茶叶"},
	"engage":      {"engage.favourite", `"t":"item"`},
	"cart":        {"cart.item", `"price_fen":1000`},
	"order":       {"order.recipient_name", "李四"},
	"security":    {"security.device_id", "android-parts1"},
	"identity":    {"verification.real_name", "张三"},
	"oauth":       {"oauth.grant", "分区应用"},
	"decision":    {"decision.factors", "failed_passwords"},
	"rights":      {"rights.identity_proof", "session+sms_code"},
	"transfer":    {"record:cross_border_transfer", ""},
	"incident":    {"record:security_incident", ""},
}

// exportHas reports whether the export holds want under part: a field's
// value containing want.value, or for "record:kind" a record of that kind
// from the part.
func exportHas(ex rights.Export, part string, want partValue) bool {
	if kind, ok := strings.CutPrefix(want.field, "record:"); ok {
		for _, r := range ex.Records {
			if r.Part == part && r.Kind == kind {
				return true
			}
		}
		return false
	}
	for _, f := range ex.Fields {
		if f.HeldBy != part || string(f.Field) != want.field {
			continue
		}
		for _, v := range f.Values {
			if strings.Contains(v.Value, want.value) {
				return true
			}
		}
	}
	return false
}

// hasConsent reports whether the export's current consents grant feature.
func hasConsent(ex rights.Export, feature string) bool {
	for _, c := range ex.Consents.Current {
		if c.Scope == privacy.FeatureScope(privacy.FeatureID(feature)) && c.State == "granted" {
			return true
		}
	}
	return false
}

// fillEveryPart gives sh one value in every area that holds personal
// information.
func fillEveryPart(t *testing.T, e *testenv.Env, st *testkit.Store, sh *testenv.Shopper) {
	t.Helper()
	auth := testenv.Bearer(sh.Token)
	ctx := context.Background()
	wantStatus(t, e.Do(t, "POST", "/api/v1/consents", map[string]string{"feature": "recommendation", "action": "grant"}, auth...), 201, "consent")
	recordIncident(t, e, st, sh)
	wantStatus(t, e.Do(t, "PATCH", "/api/v1/account/profile", map[string]any{"nickname": "分区小红"}, auth...), 200, "profile")
	if _, err := e.AddressBook.Add(ctx, minimall.Actor{Kind: minimall.Shopper, Subject: sh.Subject, ID: string(sh.Subject)},
		addressbook.Address{Name: "王五", Address: "上海市黄浦区南京东路1号", Phone: "13966661234"}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e.Do(t, "GET", "/api/v1/search?"+q("分区茶叶"), nil, auth...), 200, "search")
	fx := newShop(t, e, "13877771002", "parts_seller")
	item := fx.item(t, e, "分区龙井", 1000, 10, nil)
	wantStatus(t, e.Do(t, "POST", "/api/v1/account/favourites", map[string]string{"target": item}, auth...), 201, "favourite")
	wantStatus(t, e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": item, "quantity": 2}, auth...), 201, "cart line")
	placeOrder(t, e, sh, buyNow(item, 1))
	abroad := buyNow(fx.item(t, e, "分区奶粉", 2000, 5, map[string]string{"跨境": "是"}), 1)
	abroad["customs_id"] = map[string]any{"name": "李四", "number": "11010519491231002X"}
	cross := placeOrder(t, e, sh, abroad)
	wantStatus(t, e.Do(t, "POST", "/api/v1/cross-border/consents", map[string]string{"notice_version": transfer.NoticeVersion()}, auth...), 201, "cross-border consent")
	wantStatus(t, e.Do(t, "POST", "/api/v1/cross-border/transfers", map[string]string{"order": cross.ID}, auth...), 201, "transfer")
	wantStatus(t, e.Do(t, "POST", "/api/v1/security/devices", map[string]string{"device_id": "android-parts1"}, auth...), 201, "device")
	wantStatus(t, e.Do(t, "POST", "/api/v1/identity/real-name", map[string]string{"real_name": "张三", "id_number": residentID("19900307", "123")}, auth...), 200, "real name")
	app := registerApp(t, e, oauthOpsHeaders(t, e), "分区应用")
	approve(t, e, sh, app, "")
	for i := 0; i < 5; i++ {
		e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": "wrong-pass" + strconv.Itoa(i)})
	}
}

// recordIncident records a security incident that reached sh's phone
// number: sh's own look at it falls inside the incident's window.
func recordIncident(t *testing.T, e *testenv.Env, st *testkit.Store, sh *testenv.Shopper) (id string) {
	t.Helper()
	flush := func() {
		if err := e.Kernel.AuditFlush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	flush()
	start := st.Clock.Advance(time.Hour)
	wantStatus(t, e.Do(t, "GET", "/api/v1/account?full=true", nil, testenv.Bearer(sh.Token)...), 200, "account")
	flush()
	end := st.Clock.Advance(time.Hour)
	body := map[string]any{"title": "分区事件", "what": "客服账号被盗用。", "impact": "手机号可能泄露。", "measures": "已停用该账号。",
		"advice": "请警惕来电。", "since": start.Format(time.RFC3339Nano), "until": end.Format(time.RFC3339Nano), "fields": []string{"account.phone"}}
	r := e.Do(t, "POST", "/api/v1/ops/incidents", body, operatorHeaders(t, e, minimall.RoleSecurity, "INC-9")...)
	wantStatus(t, r, 201, "incident")
	return idOf(t, r)
}

// verifiedExport files an access request, confirms it and returns the
// export.
func verifiedExport(t *testing.T, e *testenv.Env, sh *testenv.Shopper) rights.Export {
	t.Helper()
	req := fileVerified(t, e, sh, map[string]any{"kind": "access"})
	r := e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export", nil, testenv.Bearer(sh.Token)...)
	wantStatus(t, r, 200, "export")
	var ex rights.Export
	r.JSON(t, &ex)
	return ex
}
