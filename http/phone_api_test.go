package http_test

import (
	"testing"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// badPhones are refused wherever a person gives a mobile number.
var badPhones = []string{
	"12345",
	"12800138000",     // no mainland mobile starts 12
	"+1 380 0138 000", // a country code, but not China's
	"+852 9123 4567",  // Hong Kong
	"138.0013.8000",   // dots are not a separator people type here
}

// TestAPIPhoneOneRule: a mobile number follows one rule wherever a person
// gives one (their account, an order's recipient, a guardian): the forms
// registration accepts an order's recipient accepts too, each is stored in
// the one canonical form, and a bad number is refused in all three places.
func TestAPIPhoneOneRule(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)

		// An account registered as "+86 …" and "0086 …" signs in as the
		// eleven digits: that is what is stored.
		const own = "13866660075"
		mustStatus(t, e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": "+86 138 6666 0075", "purpose": "register"}), 202, "code")
		mustStatus(t, e.Do(t, "POST", "/api/v1/accounts", map[string]any{"phone": "0086 138-6666-0075", "code": e.SMS.Code(t, own),
			"member_name": "phone_owner", "password": "secret-pass1", "accept_policy_version": e.Kernel.PolicyVersion()}), 201, "register")
		mustStatus(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": own, "password": "secret-pass1"}), 201, "sign in")

		fx := newShop(t, e, "13866660071", "phone_seller")
		it := fx.item(t, e, "数据线", 1900, 10, nil)
		buyer := e.Register(t, "13866660072", "phone_buyer")
		order := func(phone string) map[string]any {
			body := buyNow(it, 1)
			body["recipient"] = map[string]any{"name": "李四", "address": "浙江省杭州市西湖区文三路100号", "phone": phone, "extra_phone": "１３９ ６６６６ ００７４"}
			return body
		}
		o := placeOrder(t, e, buyer, order("+86 139-6666-0073"))
		for who, path := range map[string]string{"buyer": "/api/v1/orders/" + o.ID, "seller": "/api/v1/seller/orders/" + o.ID} {
			tok := buyer.Token
			if who == "seller" {
				tok = fx.seller.Token
			}
			var got orderView
			e.Do(t, "GET", path, nil, testenv.Bearer(tok)...).JSON(t, &got)
			if got.Recipient["phone"] != "13966660073" || got.Recipient["extra_phone"] != "13966660074" {
				t.Fatalf("%s sees the recipient as %+v", who, got.Recipient)
			}
		}

		child := registerChild(t, e, "13822225075", "kid75")
		for _, bad := range badPhones {
			t.Run(bad, func(t *testing.T) {
				wantProblem(t, e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": bad, "purpose": "register"}), 400, "invalid", "")
				wantProblem(t, e.Do(t, "POST", "/api/v1/accounts", map[string]any{"phone": bad, "code": "123456", "member_name": "phone_bad",
					"password": "secret-pass1", "accept_policy_version": e.Kernel.PolicyVersion()}), 400, "invalid", "")
				wantProblem(t, e.Do(t, "POST", "/api/v1/orders", order(bad), testenv.Bearer(buyer.Token)...), 400, "invalid", "")
				wantProblem(t, e.Do(t, "POST", "/api/v1/guardian-consents", map[string]any{"guardian_token": child.GuardianToken, "guardian_phone": bad,
					"code": "123456", "guardian_real_name": "张三", "guardian_id_number": "11010519491231002X",
					"accept_policy_version": e.Kernel.PolicyVersion(), "agree": true}), 400, "invalid", "")
			})
		}
	})
}
