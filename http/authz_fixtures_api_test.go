package http_test

import (
	"strconv"
	"testing"

	"minimall"
	"minimall/account"
	"minimall/addressbook"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// authzWorld is the one set of people and things the authorization
// matrix asks about: the owner's resources of every kind, by fixture
// name, and the tokens of everyone who asks.
type authzWorld struct {
	owner, other, merchant *testenv.Shopper
	revoked                string                   // a session the owner signed out of
	operators              map[minimall.Role]string // bearer tokens by role
	ids                    map[string]string        // fixture name → the owner's id
	used                   map[string]bool          // fixtures a write used up
}

// newAuthzWorld builds the owner's resources through the API: a shop with
// an item, an order from another shop, a cart line, every kind of
// engagement, a rights request, a decision, a grant to an app, a device,
// a saved address, a complaint, an incident.
func newAuthzWorld(t *testing.T, e *testenv.Env, st *testkit.Store) *authzWorld {
	t.Helper()
	w := &authzWorld{ids: map[string]string{}, used: map[string]bool{}, operators: map[minimall.Role]string{}}
	w.owner = e.Register(t, "13879990001", "authz_owner")
	w.other = e.Register(t, "13879990002", "authz_other")
	for _, role := range minimall.Roles {
		_, token, err := e.Kernel.Operators.Add(t.Context(), role)
		if err != nil {
			t.Fatal(err)
		}
		w.operators[role] = token
	}
	auth := testenv.Bearer(w.owner.Token)
	w.sellerFixtures(t, e)
	w.shopperFixtures(t, e, auth)
	w.accountFixtures(t, e, st, auth)
	return w
}

// sellerFixtures: the owner's shop and item, bought by the merchant; the
// merchant's shop, which the owner buys from.
func (w *authzWorld) sellerFixtures(t *testing.T, e *testenv.Env) {
	t.Helper()
	fx := newShop(t, e, "13879990004", "authz_merchant")
	w.merchant = fx.seller
	w.ids["their_item"] = fx.item(t, e, "商家的茶", 1000, 50, nil)
	w.ids["their_shop"] = fx.shop
	own := e.Do(t, "POST", "/api/v1/shops", map[string]string{"name": "主人小店"}, testenv.Bearer(w.owner.Token)...)
	wantStatus(t, own, 201, "owner's shop")
	w.ids["shop"] = idOf(t, own)
	ownShop := &shopFixture{seller: w.owner, shop: w.ids["shop"]}
	w.ids["item"] = ownShop.item(t, e, "主人的茶", 1000, 50, nil)
	sold := placeOrder(t, e, w.merchant, buyNow(w.ids["item"], 1))
	w.ids["sold_order"] = sold.ID
	w.ids["category"] = "shopping_test"
	w.ids["spare_item"] = ownShop.item(t, e, "主人的备用茶", 1000, 50, nil)
	ops := append(testenv.Bearer(w.operators[minimall.RoleOps]), "X-Access-Reason", "CHANNEL-1")
	r := e.Do(t, "POST", "/api/v1/channels", map[string]any{"name": "矩阵频道", "items": []string{w.ids["item"]}}, ops...)
	wantStatus(t, r, 201, "channel")
	w.ids["channel"] = idOf(t, r)
}

// shopperFixtures: an order, a cart line, a search, every engagement.
func (w *authzWorld) shopperFixtures(t *testing.T, e *testenv.Env, auth []string) {
	t.Helper()
	w.ids["order"] = placeOrder(t, e, w.owner, buyNow(w.ids["their_item"], 1)).ID
	r := e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": w.ids["their_item"], "quantity": 1}, auth...)
	wantStatus(t, r, 201, "cart line")
	w.ids["cart_line"] = idOf(t, r)
	wantStatus(t, e.Do(t, "GET", "/api/v1/search?"+q("矩阵"), nil, auth...), 200, "search")
	var h struct{ History []struct{ ID string } }
	e.Do(t, "GET", "/api/v1/search/history", nil, auth...).JSON(t, &h)
	if len(h.History) != 1 {
		t.Fatalf("search history: %+v", h)
	}
	w.ids["search_entry"] = h.History[0].ID
	for kind, target := range map[string][2]string{"favourites": {"item", "their_item"}, "subscriptions": {"shop", "their_shop"},
		"footprints": {"item", "their_item"}, "follows": {"shop", "their_shop"}, "shares": {"item", "their_item"}, "likes": {"item", "their_item"}} {
		r := e.Do(t, "POST", "/api/v1/account/"+kind, map[string]string{"type": target[0], "target": w.ids[target[1]]}, auth...)
		wantStatus(t, r, 201, kind)
		w.ids[kind] = idOf(t, r)
	}
}

// accountFixtures: sessions, a device, a rights request, a decision, a
// grant, an address, a complaint, an incident.
func (w *authzWorld) accountFixtures(t *testing.T, e *testenv.Env, st *testkit.Store, auth []string) {
	t.Helper()
	w.ids["session"] = idOf(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": w.owner.MemberName, "password": w.owner.Password}))
	var gone struct{ Token string }
	e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": w.owner.MemberName, "password": w.owner.Password}).JSON(t, &gone)
	wantStatus(t, e.Do(t, "DELETE", "/api/v1/sessions/current", nil, testenv.Bearer(gone.Token)...), 204, "sign out")
	w.revoked = gone.Token
	r := e.Do(t, "POST", "/api/v1/security/devices", map[string]string{"device_id": "android-authz1"}, auth...)
	wantStatus(t, r, 201, "device")
	w.ids["device"] = idOf(t, r)
	r = e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "access"}, auth...)
	wantStatus(t, r, 201, "rights request")
	w.ids["rights_request"] = idOf(t, r)
	app := registerApp(t, e, oauthOpsHeaders(t, e), "矩阵应用")
	approve(t, e, w.owner, app, "")
	var grants struct{ Authorizations []struct{ ID string } }
	e.Do(t, "GET", "/api/v1/account/authorizations", nil, auth...).JSON(t, &grants)
	if len(grants.Authorizations) != 1 {
		t.Fatalf("grants: %+v", grants)
	}
	w.ids["grant"] = grants.Authorizations[0].ID
	r = e.Do(t, "POST", "/api/v1/complaints", map[string]string{"topic": "processing", "text": "矩阵投诉"}, auth...)
	wantStatus(t, r, 201, "complaint")
	w.ids["complaint"] = idOf(t, r)
	w.ids["address"] = w.address(t, e)
	w.ids["decision"] = w.decision(t, e, auth)
	w.ids["incident"] = recordIncident(t, e, st, w.owner)
	w.ids["policy_version"] = w.publishPolicy(t, e)
	w.ids["legal_hold"] = w.legalHold(t, e)
	w.ids["authority_request"] = w.authorityRequest(t, e)
	w.ids["member"] = string(w.owner.Subject)
	w.ids["static"] = "style.css"
}

func (w *authzWorld) address(t *testing.T, e *testenv.Env) string {
	t.Helper()
	a, err := e.AddressBook.Add(t.Context(), minimall.ShopperActor(w.owner.Subject),
		addressbook.Address{Name: "王五", Address: "上海市黄浦区南京东路1号", Phone: "13966661234"})
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// decision: five wrong passwords leave the owner a throttling decision.
func (w *authzWorld) decision(t *testing.T, e *testenv.Env, auth []string) string {
	t.Helper()
	for i := range 5 {
		e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": w.owner.MemberName, "password": "wrong-pass" + strconv.Itoa(i)})
	}
	list := decisionList(t, e, auth)
	if len(list) != 1 {
		t.Fatalf("decisions: %+v", list)
	}
	return list[0].ID
}

// publishPolicy publishes the running policy as the first version, so
// the version routes have one to show.
func (w *authzWorld) publishPolicy(t *testing.T, e *testenv.Env) string {
	t.Helper()
	r := e.Do(t, "POST", "/api/v1/policy/versions", nil, append(testenv.Bearer(w.operators[minimall.RoleDPO]), "X-Access-Reason", "POLICY-1")...)
	wantStatus(t, r, 201, "publish policy")
	var v struct{ Version int }
	r.JSON(t, &v)
	return strconv.Itoa(v.Version)
}

// signIn gives the person a new session, as its own client so the sign-in
// throttle of the matrix's many requests does not hold it back. An
// account its holder locked keeps its old session.
func signIn(t *testing.T, e *testenv.Env, sh *testenv.Shopper) {
	t.Helper()
	s, err := e.Accounts.Login(t.Context(), account.LoginRequest{Login: sh.MemberName, Password: sh.Password}, "authz-"+minimall.RandomToken(4))
	switch {
	case minimall.IsCode(err, minimall.Denied):
	case err != nil:
		t.Fatal(err)
	default:
		sh.Token = s.Token
	}
}

// idOf returns the "id" of a JSON answer.
func idOf(t *testing.T, r *testenv.Response) string {
	t.Helper()
	var v struct{ ID string }
	r.JSON(t, &v)
	if v.ID == "" {
		t.Fatalf("no id in %d %s", r.Status, r.Body)
	}
	return v.ID
}
