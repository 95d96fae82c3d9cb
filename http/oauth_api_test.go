package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/oauth"
	"minimall/partner"
)

const (
	appRedirect = "https://app.example/cb"
	appVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-abc" // 47 unreserved characters
)

// oauthApp is a registered third-party app as the test drives it.
type oauthApp struct {
	ID, Secret string
}

func oauthOpsHeaders(t testing.TB, e *testenv.Env) []string {
	t.Helper()
	_, token, err := e.Kernel.Operators.Add(context.Background(), minimall.RoleOps)
	if err != nil {
		t.Fatal(err)
	}
	return []string{"Authorization", "Bearer " + token, "X-Access-Reason", "OAUTH-1"}
}

func registerApp(t testing.TB, e *testenv.Env, ops []string, name string, scopes ...string) oauthApp {
	t.Helper()
	r := e.Do(t, "POST", "/api/v1/ops/oauth/clients", map[string]any{"name": name, "redirect_uris": []string{appRedirect}, "scopes": scopes}, ops...)
	if r.Status != 201 {
		t.Fatalf("register app: %d %s", r.Status, r.Body)
	}
	var c oauth.Client
	r.JSON(t, &c)
	if c.ID == "" || c.Secret == "" {
		t.Fatalf("registration lacks id or secret: %s", r.Body)
	}
	return oauthApp{ID: c.ID, Secret: c.Secret}
}

// authQuery is a well-formed authorization request for app.
func authQuery(app oauthApp, scope string) url.Values {
	return url.Values{"response_type": {"code"}, "client_id": {app.ID}, "redirect_uri": {appRedirect}, "scope": {scope},
		"state": {"xyz-state"}, "code_challenge": {oauth.Challenge(appVerifier)}, "code_challenge_method": {"S256"}}
}

// decide posts the person's decision without following the redirect, as
// a browser would hand it to the app; it returns the answer and, for a
// 303, the query the app receives.
func decide(t testing.TB, e *testenv.Env, token string, q url.Values, approve bool, scopes ...string) (*testenv.Response, url.Values) {
	t.Helper()
	body := map[string]any{"approve": approve, "scopes": scopes}
	for k := range q {
		body[k] = q.Get(k)
	}
	buf, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", e.URL+"/api/v1/oauth/authorize", bytes.NewReader(buf))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := &testenv.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
	if r.Status != http.StatusSeeOther {
		return r, nil
	}
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, appRedirect+"?") {
		t.Fatalf("redirected to %q, not the registered URI", loc)
	}
	u, _ := url.Parse(loc)
	return r, u.Query()
}

// approve runs the consent and returns the code.
func approve(t testing.TB, e *testenv.Env, sh *testenv.Shopper, app oauthApp, scope string, scopes ...string) string {
	t.Helper()
	r, q := decide(t, e, sh.Token, authQuery(app, scope), true, scopes...)
	if r.Status != 303 || q.Get("code") == "" || q.Get("state") != "xyz-state" {
		t.Fatalf("approve: %d %s %v", r.Status, r.Body, q)
	}
	return q.Get("code")
}

func exchange(t testing.TB, e *testenv.Env, app oauthApp, code, verifier string) *testenv.Response {
	t.Helper()
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {appRedirect},
		"client_id": {app.ID}, "client_secret": {app.Secret}, "code_verifier": {verifier}}
	return e.Do(t, "POST", "/api/v1/oauth/token", f.Encode(), "Content-Type", "application/x-www-form-urlencoded")
}

func accessToken(t testing.TB, e *testenv.Env, app oauthApp, code string) string {
	t.Helper()
	r := exchange(t, e, app, code, appVerifier)
	var tok oauth.Token
	if r.Status != 200 {
		t.Fatalf("token: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &tok)
	if !strings.HasPrefix(tok.AccessToken, oauth.TokenPrefix) || tok.TokenType != "Bearer" || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token answer: %s %v", r.Body, r.Header)
	}
	return tok.AccessToken
}

func userInfo(t *testing.T, e *testenv.Env, token string) *testenv.Response {
	t.Helper()
	return e.Do(t, "GET", "/api/v1/oauth/userinfo", nil, testenv.Bearer(token)...)
}

func oauthError(t *testing.T, r *testenv.Response) string {
	t.Helper()
	var p struct {
		Error string `json:"error"`
	}
	r.JSON(t, &p)
	return p.Error
}

func consentState(t *testing.T, e *testenv.Env, sh *testenv.Shopper, feature string) string {
	t.Helper()
	r := e.Do(t, "GET", "/api/v1/consents", nil, testenv.Bearer(sh.Token)...)
	var list struct {
		Features []struct{ Feature, State string }
	}
	r.JSON(t, &list)
	for _, f := range list.Features {
		if f.Feature == feature {
			return f.State
		}
	}
	t.Fatalf("no feature %s in %s", feature, r.Body)
	return ""
}

// TestAPIOAuthFlow (二(一)2): an ops operator registers an app; the person
// sees what it would get, consents separately to the login and to the
// phone for binding; the app gets a code, a token and exactly those
// fields, each hand-over logged; the person lists and revokes, and the
// token stops at the next call while the ledger records the withdrawal.
func TestAPIOAuthFlow(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ops := oauthOpsHeaders(t, e)
		sh := e.Register(t, "13855550001", "oauthuser01")
		e.Do(t, "PATCH", "/api/v1/account/profile", map[string]string{"nickname": "授权小花", "avatar": "https://img.example/flower.png"}, testenv.Bearer(sh.Token)...)
		app := registerApp(t, e, ops, "好物比价", "phone")

		r := e.Do(t, "GET", "/api/v1/oauth/authorize?"+authQuery(app, "profile phone").Encode(), nil, testenv.Bearer(sh.Token)...)
		var screen oauth.ConsentScreen
		r.JSON(t, &screen)
		if r.Status != 200 || screen.AppName != "好物比价" || len(screen.Scopes) != 2 || !screen.Scopes[0].Required || screen.Scopes[1].Required ||
			!strings.Contains(string(r.Body), `"profile.avatar"`) || !strings.Contains(string(r.Body), `"profile.nickname"`) || !strings.Contains(string(r.Body), `"account.phone"`) {
			t.Fatalf("consent screen: %d %s", r.Status, r.Body)
		}
		if got := consentState(t, e, sh, "authorized_login"); got != "never_asked" {
			t.Fatalf("consent before deciding: %s", got)
		}

		token := accessToken(t, e, app, approve(t, e, sh, app, "profile phone", "phone"))
		for _, f := range []string{"authorized_login", "account_binding"} {
			if got := consentState(t, e, sh, f); got != "granted" {
				t.Fatalf("%s after approving: %s", f, got)
			}
		}
		r = userInfo(t, e, token)
		var info oauth.UserInfo
		r.JSON(t, &info)
		if r.Status != 200 || info.Nickname != "授权小花" || info.Avatar != "https://img.example/flower.png" || info.Phone != sh.Phone || info.Sub == "" || info.Sub == string(sh.Subject) {
			t.Fatalf("userinfo: %d %s", r.Status, r.Body)
		}

		// Every hand-over is in the person's sharing list, by purpose.
		r = e.Do(t, "GET", "/api/v1/account/disclosures", nil, testenv.Bearer(sh.Token)...)
		var sharing struct{ Disclosures []partner.Record }
		r.JSON(t, &sharing)
		got := map[string]string{}
		for _, d := range sharing.Disclosures {
			if d.Partner == "third_app" {
				got[string(d.Purpose)] = strings.TrimSpace(strings.Join([]string{string(d.Fields[0]), fieldAt(d, 1)}, " "))
				if d.Operation != "oauth/"+app.ID+"/userinfo" {
					t.Errorf("operation %q", d.Operation)
				}
			}
		}
		if got["authorized_login"] != "profile.avatar profile.nickname" || got["account_binding"] != "account.phone" {
			t.Fatalf("disclosures: %v (%s)", got, r.Body)
		}

		// A second app: revoking one leaves the other working, and the
		// ledger keeps the consent while an app still holds it.
		app2 := registerApp(t, e, ops, "旅行助手")
		token2 := accessToken(t, e, app2, approve(t, e, sh, app2, ""))
		r = e.Do(t, "GET", "/api/v1/account/authorizations", nil, testenv.Bearer(sh.Token)...)
		var list struct{ Authorizations []oauth.Authorization }
		r.JSON(t, &list)
		if len(list.Authorizations) != 2 || list.Authorizations[0].Status != "active" || list.Authorizations[0].AppName != "好物比价" {
			t.Fatalf("authorizations: %s", r.Body)
		}
		first := list.Authorizations[0].ID
		if r := e.Do(t, "DELETE", "/api/v1/account/authorizations/"+first, nil, testenv.Bearer(sh.Token)...); r.Status != 204 {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		if r := userInfo(t, e, token); r.Status != 401 {
			t.Fatalf("revoked token still works: %d %s", r.Status, r.Body)
		}
		if r := userInfo(t, e, token2); r.Status != 200 {
			t.Fatalf("other app stopped: %d %s", r.Status, r.Body)
		}
		if a, b := consentState(t, e, sh, "authorized_login"), consentState(t, e, sh, "account_binding"); a != "granted" || b != "withdrawn" {
			t.Fatalf("ledger after first revocation: login %s, binding %s", a, b)
		}
		if r := e.Do(t, "DELETE", "/api/v1/account/authorizations/"+first, nil, testenv.Bearer(sh.Token)...); r.Status != 404 {
			t.Fatalf("revoke twice: %d", r.Status)
		}
		other := e.Register(t, "13855550002", "oauthuser02")
		if r := e.Do(t, "DELETE", "/api/v1/account/authorizations/"+list.Authorizations[1].ID, nil, testenv.Bearer(other.Token)...); r.Status != 404 {
			t.Fatalf("someone else's authorization: %d", r.Status)
		}

		// Withdrawing the feature through the consent API stops every app.
		if r := e.Do(t, "POST", "/api/v1/consents", map[string]string{"feature": "authorized_login", "action": "withdraw"}, testenv.Bearer(sh.Token)...); r.Status != 201 {
			t.Fatalf("withdraw: %d %s", r.Status, r.Body)
		}
		if r := userInfo(t, e, token2); r.Status != 401 || oauthError(t, r) != "invalid_token" {
			t.Fatalf("after withdrawal: %d %s", r.Status, r.Body)
		}
		r = e.Do(t, "GET", "/api/v1/account/authorizations", nil, testenv.Bearer(sh.Token)...)
		r.JSON(t, &list)
		if list.Authorizations[0].Status != "revoked" || list.Authorizations[0].RevokedAt == nil {
			t.Fatalf("revoked one listed: %s", r.Body)
		}
	})
}

func fieldAt(d partner.Record, i int) string {
	if i < len(d.Fields) {
		return string(d.Fields[i])
	}
	return ""
}

// TestAPIOAuthRefusals: every refusal the protocol names, and none
// redirects to an address the app did not register.
func TestAPIOAuthRefusals(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ops := oauthOpsHeaders(t, e)
		sh := e.Register(t, "13855550011", "oauthuser11")
		app := registerApp(t, e, ops, "只要头像")
		auth := testenv.Bearer(sh.Token)

		t.Run("ErrRegistration", func(t *testing.T) {
			for name, c := range map[string]struct {
				body    map[string]any
				headers []string
				status  int
			}{
				"Shopper":      {map[string]any{"name": "x", "redirect_uris": []string{appRedirect}}, auth, 403},
				"Visitor":      {map[string]any{"name": "x", "redirect_uris": []string{appRedirect}}, nil, 401},
				"HTTP":         {map[string]any{"name": "x", "redirect_uris": []string{"http://app.example/cb"}}, ops, 400},
				"Fragment":     {map[string]any{"name": "x", "redirect_uris": []string{appRedirect + "#f"}}, ops, 400},
				"NoRedirect":   {map[string]any{"name": "x", "redirect_uris": []string{}}, ops, 400},
				"UnknownScope": {map[string]any{"name": "x", "redirect_uris": []string{appRedirect}, "scopes": []string{"id_number"}}, ops, 400},
				"NoName":       {map[string]any{"name": " ", "redirect_uris": []string{appRedirect}}, ops, 400},
			} {
				if r := e.Do(t, "POST", "/api/v1/ops/oauth/clients", c.body, c.headers...); r.Status != c.status {
					t.Errorf("%s: %d %s", name, r.Status, r.Body)
				}
			}
		})

		t.Run("ErrNeverRedirected", func(t *testing.T) {
			for name, change := range map[string]func(url.Values){
				"UnknownClient":   func(q url.Values) { q.Set("client_id", "mmc_nosuchapp") },
				"OtherRedirect":   func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") },
				"RedirectPrefix":  func(q url.Values) { q.Set("redirect_uri", appRedirect+"/more") },
				"RedirectQuery":   func(q url.Values) { q.Set("redirect_uri", appRedirect+"?next=x") },
				"MissingRedirect": func(q url.Values) { q.Del("redirect_uri") },
			} {
				q := authQuery(app, "")
				change(q)
				if r := e.Do(t, "GET", "/api/v1/oauth/authorize?"+q.Encode(), nil, auth...); r.Status != 400 {
					t.Errorf("GET %s: %d %s", name, r.Status, r.Body)
				}
				if r, _ := decide(t, e, sh.Token, q, true); r.Status != 400 || r.Header.Get("Location") != "" {
					t.Errorf("POST %s: %d %v %s", name, r.Status, r.Header, r.Body)
				}
			}
		})

		t.Run("ErrRedirectedWithError", func(t *testing.T) {
			for name, c := range map[string]struct {
				change func(url.Values)
				want   string
			}{
				"NoPKCE":        {func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, "invalid_request"},
				"PlainPKCE":     {func(q url.Values) { q.Set("code_challenge_method", "plain") }, "invalid_request"},
				"DefaultPlain":  {func(q url.Values) { q.Del("code_challenge_method") }, "invalid_request"},
				"BadChallenge":  {func(q url.Values) { q.Set("code_challenge", "short") }, "invalid_request"},
				"NotRegistered": {func(q url.Values) { q.Set("scope", "profile phone") }, "invalid_scope"},
				"ResponseType":  {func(q url.Values) { q.Set("response_type", "token") }, "unsupported_response_type"},
			} {
				q := authQuery(app, "")
				c.change(q)
				r := e.Do(t, "GET", "/api/v1/oauth/authorize?"+q.Encode(), nil, auth...)
				if r.Status != 400 || oauthError(t, r) != c.want {
					t.Errorf("GET %s: %d %s", name, r.Status, r.Body)
				}
				r, got := decide(t, e, sh.Token, q, true)
				if r.Status != 303 || got.Get("error") != c.want || got.Get("code") != "" || got.Get("state") != "xyz-state" {
					t.Errorf("POST %s: %d %v", name, r.Status, got)
				}
			}
		})

		t.Run("ErrAccessDenied", func(t *testing.T) {
			r, q := decide(t, e, sh.Token, authQuery(app, ""), false)
			if r.Status != 303 || q.Get("error") != "access_denied" || q.Get("code") != "" {
				t.Fatalf("deny: %d %v", r.Status, q)
			}
			if got := consentState(t, e, sh, "authorized_login"); got != "never_asked" {
				t.Fatalf("refusing recorded consent: %s", got)
			}
		})

		t.Run("ErrSignedOut", func(t *testing.T) {
			if r := e.Do(t, "GET", "/api/v1/oauth/authorize?"+authQuery(app, "").Encode(), nil); r.Status != 401 {
				t.Fatalf("visitor consent screen: %d", r.Status)
			}
			if r, _ := decide(t, e, "", authQuery(app, ""), true); r.Status != 401 {
				t.Fatalf("visitor decision: %d", r.Status)
			}
		})

		t.Run("ErrScopeNotAsked", func(t *testing.T) {
			if r, _ := decide(t, e, sh.Token, authQuery(app, ""), true, "phone"); r.Status != 400 {
				t.Fatalf("agreeing to more than asked: %d %s", r.Status, r.Body)
			}
		})

		t.Run("ErrToken", func(t *testing.T) {
			other := registerApp(t, e, ops, "别的应用")
			code := approve(t, e, sh, app, "")
			if r := exchange(t, e, oauthApp{ID: app.ID, Secret: "mmcs_wrong"}, code, appVerifier); r.Status != 401 || oauthError(t, r) != "invalid_client" {
				t.Fatalf("wrong secret: %d %s", r.Status, r.Body)
			}
			if r := exchange(t, e, other, code, appVerifier); r.Status != 400 || oauthError(t, r) != "invalid_grant" {
				t.Fatalf("another app's code: %d %s", r.Status, r.Body)
			}
			// The first use spent it, even though it failed.
			if r := exchange(t, e, app, code, appVerifier); r.Status != 400 || oauthError(t, r) != "invalid_grant" {
				t.Fatalf("code after a failed use: %d %s", r.Status, r.Body)
			}

			code = approve(t, e, sh, app, "")
			if r := exchange(t, e, app, code, appVerifier+"x"); r.Status != 400 || oauthError(t, r) != "invalid_grant" {
				t.Fatalf("wrong verifier: %d %s", r.Status, r.Body)
			}
			if r := exchange(t, e, app, code, "short"); r.Status != 400 {
				t.Fatalf("malformed verifier: %d %s", r.Status, r.Body)
			}

			code = approve(t, e, sh, app, "")
			tok := accessToken(t, e, app, code)
			if r := exchange(t, e, app, code, appVerifier); r.Status != 400 || oauthError(t, r) != "invalid_grant" {
				t.Fatalf("reused code: %d %s", r.Status, r.Body)
			}
			if r := userInfo(t, e, tok); r.Status != 401 {
				t.Fatalf("token of a replayed code still works: %d", r.Status)
			}

			code = approve(t, e, sh, app, "")
			st.Clock.Advance(2 * time.Minute)
			if r := exchange(t, e, app, code, appVerifier); r.Status != 400 || oauthError(t, r) != "invalid_grant" {
				t.Fatalf("expired code: %d %s", r.Status, r.Body)
			}

			code = approve(t, e, sh, app, "")
			f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"https://app.example/other"},
				"client_id": {app.ID}, "client_secret": {app.Secret}, "code_verifier": {appVerifier}}
			if r := e.Do(t, "POST", "/api/v1/oauth/token", f.Encode(), "Content-Type", "application/x-www-form-urlencoded"); r.Status != 400 || oauthError(t, r) != "invalid_grant" {
				t.Fatalf("redirect mismatch: %d %s", r.Status, r.Body)
			}
			f.Set("grant_type", "password")
			if r := e.Do(t, "POST", "/api/v1/oauth/token", f.Encode(), "Content-Type", "application/x-www-form-urlencoded"); r.Status != 400 || oauthError(t, r) != "unsupported_grant_type" {
				t.Fatalf("grant type: %d %s", r.Status, r.Body)
			}
			if r := e.Do(t, "POST", "/api/v1/oauth/token", map[string]string{"grant_type": "authorization_code"}); r.Status != 400 || oauthError(t, r) != "invalid_request" {
				t.Fatalf("JSON body: %d %s", r.Status, r.Body)
			}

			tok = accessToken(t, e, app, approve(t, e, sh, app, ""))
			if r := e.Do(t, "GET", "/api/v1/account", nil, testenv.Bearer(tok)...); r.Status != 401 {
				t.Fatalf("an app token acting as the person: %d %s", r.Status, r.Body)
			}
			st.Clock.Advance(2 * time.Hour)
			if r := userInfo(t, e, tok); r.Status != 401 {
				t.Fatalf("expired token: %d", r.Status)
			}
			if r := userInfo(t, e, "mmat_nosuchtoken"); r.Status != 401 {
				t.Fatalf("unknown token: %d", r.Status)
			}
		})
	})
}

// TestAPIOAuthCanary: every profile field set to a marker; an app that
// registered the phone scope, refused by the person, receives the avatar
// and nickname and nothing else — not in the answer, not in the sharing
// list — and no marker reaches the server log.
func TestAPIOAuthCanary(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ops := oauthOpsHeaders(t, e)
		sh := e.Register(t, "13855550021", "canarymember21")
		nick, avatar := "金丝雀昵称", "https://img.example/canary-avatar.png"
		if r := e.Do(t, "PATCH", "/api/v1/account/profile", map[string]string{"nickname": nick, "avatar": avatar, "gender": "female", "birthday": "07-29"}, testenv.Bearer(sh.Token)...); r.Status != 200 {
			t.Fatalf("profile: %d %s", r.Status, r.Body)
		}
		app := registerApp(t, e, ops, "金丝雀应用", "phone")
		tok := accessToken(t, e, app, approve(t, e, sh, app, "profile phone")) // phone left out
		r := userInfo(t, e, tok)
		body := string(r.Body)
		if r.Status != 200 || !strings.Contains(body, nick) || !strings.Contains(body, avatar) {
			t.Fatalf("userinfo: %d %s", r.Status, body)
		}
		for _, unconsented := range []string{sh.Phone, sh.MemberName, "female", "07-29", string(sh.Subject), "phone"} {
			if strings.Contains(body, unconsented) {
				t.Errorf("userinfo holds unconsented %q: %s", unconsented, body)
			}
		}
		if got := consentState(t, e, sh, "account_binding"); got != "never_asked" {
			t.Errorf("binding consent without agreeing: %s", got)
		}
		// The app's disclosures name the profile fields and never the phone
		// (the phone in the list went to the SMS partner, for codes).
		r = e.Do(t, "GET", "/api/v1/account/disclosures", nil, testenv.Bearer(sh.Token)...)
		var shared struct {
			Disclosures []struct {
				Partner string   `json:"partner"`
				Fields  []string `json:"fields"`
			} `json:"disclosures"`
		}
		r.JSON(t, &shared)
		toApp := ""
		for _, d := range shared.Disclosures {
			if d.Partner != "sms" {
				toApp += strings.Join(d.Fields, ",") + ";"
			}
		}
		if !strings.Contains(toApp, "profile.nickname") || strings.Contains(toApp, "account.phone") {
			t.Errorf("sharing list: %s", r.Body)
		}
		logs := e.Logs.String()
		for _, marker := range []string{nick, avatar, sh.Phone, tok, app.Secret} {
			if strings.Contains(logs, marker) {
				t.Errorf("log holds %q", marker)
			}
		}
	})
}

// BenchmarkAPIOAuthUserInfo measures an app's userinfo call over loopback
// on SQLite: token check, guard checks and opens, and the disclosure log
// (row, change-feed event, durable audit entry) before the answer.
func BenchmarkAPIOAuthUserInfo(b *testing.B) {
	st := testkit.MustOpenSQLite(b)
	e := testenv.Start(b, st)
	sh := e.Register(b, "13855550031", "benchuser31")
	e.Do(b, "PATCH", "/api/v1/account/profile", map[string]string{"nickname": "基准", "avatar": "https://img.example/b.png"}, testenv.Bearer(sh.Token)...)
	app := registerApp(b, e, oauthOpsHeaders(b, e), "bench")
	token := accessToken(b, e, app, approve(b, e, sh, app, ""))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := e.Do(b, "GET", "/api/v1/oauth/userinfo", nil, testenv.Bearer(token)...); r.Status != 200 {
			b.Fatalf("userinfo: %d %s", r.Status, r.Body)
		}
	}
}
