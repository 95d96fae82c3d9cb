package http_test

import (
	"net/http"
	"strings"
	"testing"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// TestAPIProfile: nickname, gender, avatar and birthday are optional; the
// nickname and avatar are shown publicly (二(一)1) while the profile consent
// stands; withdrawing it hides them from others at once, and the holder
// still sees their own.
func TestAPIProfile(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13811112222", "profile01")
		auth := testenv.Bearer(sh.Token)

		if r := e.Do(t, "GET", "/api/v1/account/profile", nil, auth...); r.Status != 200 || string(r.Body) != "{}\n" {
			t.Fatalf("empty profile: %d %s", r.Status, r.Body)
		}
		r := e.Do(t, "PATCH", "/api/v1/account/profile", map[string]string{"nickname": "小花", "avatar": "https://img.example/a.png", "gender": "female", "birthday": "03-14"}, auth...)
		if r.Status != 200 || !strings.Contains(string(r.Body), `"birthday":"03-14"`) {
			t.Fatalf("set profile: %d %s", r.Status, r.Body)
		}
		pub := e.Do(t, "GET", "/api/v1/members/"+string(sh.Subject), nil)
		if pub.Status != 200 || !strings.Contains(string(pub.Body), "小花") || strings.Contains(string(pub.Body), "03-14") || strings.Contains(string(pub.Body), "female") {
			t.Fatalf("public profile shows only nickname and avatar: %s", pub.Body)
		}
		for name, body := range map[string]map[string]string{
			"ErrGender": {"gender": "robot"}, "ErrBirthday": {"birthday": "1990-03-14"}, "ErrAvatar": {"avatar": "javascript:alert(1)"},
			"ErrNicknameLength": {"nickname": strings.Repeat("长", 21)},
		} {
			t.Run(name, func(t *testing.T) {
				if r := e.Do(t, "PATCH", "/api/v1/account/profile", body, auth...); r.Status != 400 {
					t.Fatalf("%d %s", r.Status, r.Body)
				}
			})
		}
		if r := e.Do(t, "PATCH", "/api/v1/account/profile", nil, auth...); r.Status != 400 {
			t.Fatalf("no body: %d", r.Status)
		}
		// Withdraw: others see nothing at once; the holder still sees theirs.
		if r := e.Do(t, "POST", "/api/v1/consents", map[string]string{"feature": "profile", "action": "withdraw"}, auth...); r.Status != 201 {
			t.Fatalf("withdraw: %d %s", r.Status, r.Body)
		}
		if pub := e.Do(t, "GET", "/api/v1/members/"+string(sh.Subject), nil); string(pub.Body) != "{}\n" {
			t.Fatalf("public profile after withdrawal: %s", pub.Body)
		}
		if r := e.Do(t, "GET", "/api/v1/account/profile", nil, auth...); !strings.Contains(string(r.Body), "小花") {
			t.Fatalf("own profile after withdrawal: %s", r.Body)
		}
		if r := e.Do(t, "PATCH", "/api/v1/account/profile", map[string]string{"nickname": "新名"}, auth...); r.Status != 403 {
			t.Fatalf("new value after withdrawal: %d %s", r.Status, r.Body)
		}
		// Deleting a field removes it.
		if r := e.Do(t, "PATCH", "/api/v1/account/profile", map[string]string{"nickname": "", "avatar": ""}, auth...); r.Status != 200 || strings.Contains(string(r.Body), "小花") {
			t.Fatalf("delete fields: %d %s", r.Status, r.Body)
		}
	})
}

// TestAPIRefuseEverythingOptional: an account that gives no optional field
// and refuses every additional function still completes the account steps
// of a purchase (register, sign in, see its account, manage sessions); a
// basic function cannot be withdrawn piecemeal and says so plainly.
func TestAPIRefuseEverythingOptional(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13822223333", "minimal01")
		auth := testenv.Bearer(sh.Token)
		for _, f := range privacy.Features() {
			if f.Basic {
				r := e.Do(t, "POST", "/api/v1/consents", map[string]string{"feature": string(f.ID), "action": "withdraw"}, auth...)
				if r.Status != 409 || !strings.Contains(r.Problem(t).Detail, "basic function") {
					t.Fatalf("withdrawing basic %s: %d %s", f.ID, r.Status, r.Body)
				}
				continue
			}
			if r := e.Do(t, "POST", "/api/v1/consents", map[string]string{"feature": string(f.ID), "action": "withdraw"}, auth...); r.Status != 201 {
				t.Fatalf("refusing %s: %d %s", f.ID, r.Status, r.Body)
			}
		}
		var list struct {
			Features []struct {
				Feature string
				Basic   bool
				State   string
			}
		}
		e.Do(t, "GET", "/api/v1/consents", nil, auth...).JSON(t, &list)
		for _, f := range list.Features {
			if !f.Basic && f.State != "withdrawn" {
				t.Fatalf("%s is %s", f.Feature, f.State)
			}
		}
		for _, step := range []struct{ method, path string }{
			{"GET", "/api/v1/account"}, {"GET", "/api/v1/account/profile"}, {"GET", "/api/v1/sessions"}, {"GET", "/api/v1/policy"},
		} {
			if r := e.Do(t, step.method, step.path, nil, auth...); r.Status != 200 {
				t.Fatalf("%s %s with everything refused: %d %s", step.method, step.path, r.Status, r.Body)
			}
		}
		r := e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": sh.Password})
		if r.Status != 201 {
			t.Fatalf("sign in with everything refused: %d %s", r.Status, r.Body)
		}
		// The purchase path: browse, search, cart, order, pay, my orders,
		// with no profile field and no additional function.
		fx := newShop(t, e, "13822224444", "minimal_seller")
		item := fx.item(t, e, "极简测试耳机", 9900, 5, nil)
		for _, path := range []string{"/api/v1/categories/shopping_test/items", "/api/v1/items/" + item} {
			if r := e.Do(t, "GET", path, nil, auth...); r.Status != 200 {
				t.Fatalf("browse %s: %d %s", path, r.Status, r.Body)
			}
		}
		if r := e.Do(t, "GET", "/api/v1/search?q=%E8%80%B3%E6%9C%BA", nil, auth...); r.Status != 200 {
			t.Fatalf("search: %d %s", r.Status, r.Body)
		}
		if r := e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": item}, auth...); r.Status != 201 {
			t.Fatalf("add to cart: %d %s", r.Status, r.Body)
		}
		r = e.Do(t, "POST", "/api/v1/orders", map[string]any{"from_cart": true, "recipient": recipient}, auth...)
		var placed struct{ Orders []struct{ ID string } }
		if r.JSON(t, &placed); r.Status != 201 || len(placed.Orders) != 1 {
			t.Fatalf("order: %d %s", r.Status, r.Body)
		}
		r = e.Do(t, "POST", "/api/v1/orders/"+placed.Orders[0].ID+"/payments", nil, auth...)
		var pay struct {
			PayURL string `json:"pay_url"`
		}
		if r.JSON(t, &pay); r.Status != 201 || pay.PayURL == "" {
			t.Fatalf("payment: %d %s", r.Status, r.Body)
		}
		if resp, err := http.Post(pay.PayURL, "application/json", nil); err != nil || resp.StatusCode != 200 {
			t.Fatalf("pay at the sandbox: %v %v", resp, err)
		}
		if r := e.Do(t, "GET", "/api/v1/orders/"+placed.Orders[0].ID, nil, auth...); r.Status != 200 || !strings.Contains(string(r.Body), `"status":"paid"`) {
			t.Fatalf("my order after paying: %d %s", r.Status, r.Body)
		}
		if r := e.Do(t, "POST", "/api/v1/consents", map[string]string{"feature": "mind_reading", "action": "grant"}, auth...); r.Status != 400 {
			t.Fatalf("unknown feature: %d", r.Status)
		}
	})
}
