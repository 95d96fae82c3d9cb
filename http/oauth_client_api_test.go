package http_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/oauth"
)

// TestAPIOAuthStandardClient (二(一)2; RFC 6749, 6750, 7636, 8414): a
// third-party app built on golang.org/x/oauth2 finds the endpoints in the
// server's metadata, sends the person through authorization with PKCE,
// exchanges the code authenticating with HTTP Basic (client_secret_basic,
// which RFC 6749 2.3.1 says a server must support) or with the form, and
// reads userinfo. A reused code, a wrong verifier and a wrong secret come
// back as RFC 6749 errors the library reads; after the person revokes the
// app, and for an unknown token, userinfo answers 401 with a Bearer
// invalid_token challenge.
func TestAPIOAuthStandardClient(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := context.Background()
		app := registerApp(t, e, oauthOpsHeaders(t, e), "比价助手")
		sh := e.Register(t, "13877790001", "oauth_std")

		var meta struct {
			Issuer, AuthorizationEndpoint, TokenEndpoint, UserinfoEndpoint string
			GrantTypes                                                     []string `json:"grant_types_supported"`
			AuthMethods                                                    []string `json:"token_endpoint_auth_methods_supported"`
			Challenges                                                     []string `json:"code_challenge_methods_supported"`
		}
		e.Do(t, "GET", "/.well-known/oauth-authorization-server", nil).JSON(t, &meta)
		meta.AuthorizationEndpoint, meta.TokenEndpoint, meta.UserinfoEndpoint = field(t, e, "authorization_endpoint"), field(t, e, "token_endpoint"), field(t, e, "userinfo_endpoint")
		if meta.TokenEndpoint != e.URL+"/api/v1/oauth/token" || !slices.Contains(meta.AuthMethods, "client_secret_basic") ||
			!slices.Equal(meta.GrantTypes, []string{"authorization_code"}) || !slices.Equal(meta.Challenges, []string{"S256"}) {
			t.Fatalf("metadata: %+v", meta)
		}
		cfg := oauth2.Config{ClientID: app.ID, ClientSecret: app.Secret, RedirectURL: appRedirect, Scopes: []string{"profile"},
			Endpoint: oauth2.Endpoint{AuthURL: meta.AuthorizationEndpoint, TokenURL: meta.TokenEndpoint, AuthStyle: oauth2.AuthStyleInHeader}}
		code := func(verifier string) string {
			t.Helper()
			u, err := url.Parse(cfg.AuthCodeURL("state-7", oauth2.S256ChallengeOption(verifier)))
			if err != nil {
				t.Fatal(err)
			}
			r, q := decide(t, e, sh.Token, u.Query(), true)
			if r.Status != 303 || q.Get("code") == "" || q.Get("state") != "state-7" {
				t.Fatalf("authorization: %d %s %v", r.Status, r.Body, q)
			}
			return q.Get("code")
		}
		wantOAuthError := func(err error, status int, errCode string) *oauth2.RetrieveError {
			t.Helper()
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.Response.StatusCode != status || re.ErrorCode != errCode ||
				re.Response.Header.Get("Content-Type") != "application/json" || strings.ContainsAny(re.ErrorDescription, "\"\\") {
				t.Fatalf("want %d %s from the token endpoint, got %v", status, errCode, err)
			}
			return re
		}

		verifier := oauth2.GenerateVerifier()
		c := code(verifier)
		tok, err := cfg.Exchange(ctx, c, oauth2.VerifierOption(verifier))
		if err != nil || !strings.HasPrefix(tok.AccessToken, oauth.TokenPrefix) || tok.Expiry.IsZero() {
			t.Fatalf("exchange with HTTP Basic: %+v, %v", tok, err)
		}
		resp, err := cfg.Client(ctx, tok).Get(meta.UserinfoEndpoint)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"sub"`) {
			t.Fatalf("userinfo: %d %s", resp.StatusCode, body)
		}
		wantOAuthError(func() error { _, err := cfg.Exchange(ctx, c, oauth2.VerifierOption(verifier)); return err }(), 400, "invalid_grant")
		wantOAuthError(func() error {
			_, err := cfg.Exchange(ctx, code(oauth2.GenerateVerifier()), oauth2.VerifierOption(verifier))
			return err
		}(), 400, "invalid_grant")
		wrong := cfg
		wrong.ClientSecret = "not-the-secret"
		re := wantOAuthError(func() error {
			_, err := wrong.Exchange(ctx, code(verifier), oauth2.VerifierOption(verifier))
			return err
		}(), 401, "invalid_client")
		if !strings.HasPrefix(re.Response.Header.Get("WWW-Authenticate"), "Basic ") {
			t.Fatalf("invalid_client over Basic without a Basic challenge: %v", re.Response.Header)
		}
		inForm := cfg
		inForm.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		if _, err := inForm.Exchange(ctx, code(verifier), oauth2.VerifierOption(verifier)); err != nil {
			t.Fatalf("exchange with the secret in the form: %v", err)
		}

		var list struct{ Authorizations []oauth.Authorization }
		e.Do(t, "GET", "/api/v1/account/authorizations", nil, testenv.Bearer(sh.Token)...).JSON(t, &list)
		revoked := 0
		for _, a := range list.Authorizations {
			if a.Status == "active" {
				wantStatus(t, e.Do(t, "DELETE", "/api/v1/account/authorizations/"+a.ID, nil, testenv.Bearer(sh.Token)...), 204, "revoke")
				revoked++
			}
		}
		if revoked == 0 {
			t.Fatalf("no active authorization to revoke: %+v", list.Authorizations)
		}
		for name, token := range map[string]string{"revoked": tok.AccessToken, "unknown": oauth.TokenPrefix + "nosuchtoken"} {
			req, _ := http.NewRequest("GET", meta.UserinfoEndpoint, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if ch := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != 401 || !strings.HasPrefix(ch, "Bearer ") || !strings.Contains(ch, `error="invalid_token"`) {
				t.Fatalf("%s token at userinfo: %d, WWW-Authenticate %q", name, resp.StatusCode, ch)
			}
		}
	})
}

// field reads one member of the server's OAuth metadata.
func field(t *testing.T, e *testenv.Env, name string) string {
	t.Helper()
	var m map[string]any
	e.Do(t, "GET", "/.well-known/oauth-authorization-server", nil).JSON(t, &m)
	s, _ := m[name].(string)
	return s
}
