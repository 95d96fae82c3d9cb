package http

import (
	"context"
	"encoding/json"
	"mime"
	nethttp "net/http"
	"net/url"
	"strings"

	"minimall"
	"minimall/oauth"
)

func (s *Server) registerOAuthRoutes() {
	// An app's access token is neither a session nor an operator token;
	// the apps' authenticator takes its prefix and hands the rest on.
	if _, done := s.Operators.(appTokens); !done {
		s.Operators = appTokens{apps: s.OAuth, next: s.Operators}
	}
	s.handleFunc("POST /api/v1/ops/oauth/clients", s.handleOAuthClientCreate)
	s.handleFunc("GET /api/v1/oauth/authorize", s.handleOAuthAuthorizeGet)
	s.handleFunc("POST /api/v1/oauth/authorize", s.handleOAuthAuthorizeDecide)
	s.handleFunc("POST "+tokenPath, s.handleOAuthToken)
	s.handleFunc("GET /.well-known/oauth-authorization-server", s.handleOAuthMetadata)
	s.handleFunc("GET /api/v1/oauth/userinfo", s.handleOAuthUserInfo)
	s.handleFunc("GET /api/v1/account/authorizations", s.handleOAuthAuthorizationList)
	s.handleFunc("DELETE /api/v1/account/authorizations/{id}", s.handleOAuthAuthorizationRevoke)
}

// appTokens routes app access tokens to the OAuth service and every other
// token to next (the operators).
type appTokens struct {
	apps *oauth.Service
	next Authenticator
}

func (t appTokens) Authenticate(ctx context.Context, token string) (minimall.Actor, error) {
	if strings.HasPrefix(token, oauth.TokenPrefix) {
		return t.apps.Authenticate(ctx, token)
	}
	if t.next == nil {
		return noAuthenticator{}.Authenticate(ctx, token)
	}
	return t.next.Authenticate(ctx, token)
}

// handleOAuthClientCreate handles "POST /api/v1/ops/oauth/clients": an
// operator of the ops role registers a third-party app. The secret is in
// this answer only.
func (s *Server) handleOAuthClientCreate(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req oauth.NewClient
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	c, err := s.OAuth.RegisterClient(r.Context(), minimall.ActorFromContext(r.Context()), req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, nethttp.StatusCreated, c)
}

// handleOAuthAuthorizeGet handles "GET /api/v1/oauth/authorize": the
// consent screen for a signed-in person, as JSON.
func (s *Server) handleOAuthAuthorizeGet(w nethttp.ResponseWriter, r *nethttp.Request) {
	q := r.URL.Query()
	req := oauth.AuthRequest{ResponseType: q.Get("response_type"), ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"),
		Scope: q.Get("scope"), State: q.Get("state"), CodeChallenge: q.Get("code_challenge"), CodeChallengeMethod: q.Get("code_challenge_method")}
	screen, err := s.OAuth.Authorize(r.Context(), minimall.ActorFromContext(r.Context()), req)
	if err != nil {
		s.oauthProblem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, screen)
}

type redirectAnswer struct {
	RedirectTo string `json:"redirect_to"`
}

// handleOAuthAuthorizeDecide handles "POST /api/v1/oauth/authorize": the
// person's decision. The answer is a 303 to the app with a code or an
// error, and the same address in the body for script clients; a wrong
// client or redirect URI gets a problem instead and is never redirected to.
func (s *Server) handleOAuthAuthorizeDecide(w nethttp.ResponseWriter, r *nethttp.Request) {
	var d oauth.Decision
	if err := decodeJSON(r, &d); err != nil {
		s.problem(w, r, err)
		return
	}
	to, err := s.OAuth.Decide(r.Context(), minimall.ActorFromContext(r.Context()), d, requestIDFrom(r.Context()))
	if err != nil {
		s.oauthProblem(w, r, err)
		return
	}
	w.Header().Set("Location", to)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, nethttp.StatusSeeOther, redirectAnswer{RedirectTo: to})
}

// tokenPath is the token endpoint, the one route that reads an app's own
// credentials from an Authorization: Basic header.
const tokenPath = "/api/v1/oauth/token"

// handleOAuthToken handles "POST /api/v1/oauth/token" (RFC 6749 4.1.3), a
// form post from the app's server, the app authenticating with HTTP Basic
// (client_secret_basic, which 2.3.1 says a server must support) or with
// client_id and client_secret in the form (client_secret_post), never
// both. Errors are RFC 6749 5.2 JSON, which OAuth clients read.
func (s *Server) handleOAuthToken(w nethttp.ResponseWriter, r *nethttp.Request) {
	req, err := tokenRequest(r)
	if err == nil {
		var tok *oauth.Token
		if tok, err = s.OAuth.Exchange(r.Context(), req); err == nil {
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Pragma", "no-cache")
			writeJSON(w, nethttp.StatusOK, tok)
			return
		}
	}
	s.tokenError(w, r, err)
}

// tokenRequest reads the token endpoint's form and the app's credentials.
func tokenRequest(r *nethttp.Request) (oauth.TokenRequest, error) {
	const op = "http.oauthToken"
	invalid := func(msg string) error {
		return &minimall.Error{Code: minimall.Invalid, Op: op, Message: msg, Err: oauth.ErrInvalidRequest}
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return oauth.TokenRequest{}, invalid("Send a form: application/x-www-form-urlencoded. 请以表单提交。")
	}
	if err := r.ParseForm(); err != nil {
		return oauth.TokenRequest{}, invalid("Malformed form. 表单格式错误。")
	}
	f := r.PostForm
	for _, vs := range f {
		if len(vs) > 1 { // RFC 6749 3.2: no parameter twice
			return oauth.TokenRequest{}, invalid("A parameter is repeated. 参数重复。")
		}
	}
	req := oauth.TokenRequest{GrantType: f.Get("grant_type"), Code: f.Get("code"), RedirectURI: f.Get("redirect_uri"),
		ClientID: f.Get("client_id"), ClientSecret: f.Get("client_secret"), CodeVerifier: f.Get("code_verifier")}
	if _, _, basic := r.BasicAuth(); basic || r.Header.Get("Authorization") != "" {
		id, secret, ok := basicClient(r)
		switch {
		case !ok:
			return req, &minimall.Error{Code: minimall.Unauthorized, Op: op, Message: "Malformed Basic credentials. 应用认证格式错误。", Err: oauth.ErrInvalidClient}
		case req.ClientSecret != "" || req.ClientID != "" && req.ClientID != id:
			return req, invalid("Authenticate the app one way: HTTP Basic or the form, not both. 应用认证方式只能选一种。")
		}
		req.ClientID, req.ClientSecret = id, secret
	}
	return req, nil
}

// basicClient reads client_secret_basic: the id and secret are each
// form-encoded before they are joined and base64-encoded (RFC 6749 2.3.1).
func basicClient(r *nethttp.Request) (id, secret string, ok bool) {
	rawID, rawSecret, ok := r.BasicAuth()
	if !ok {
		return "", "", false
	}
	id, err1 := url.QueryUnescape(rawID)
	secret, err2 := url.QueryUnescape(rawSecret)
	return id, secret, ok && err1 == nil && err2 == nil && id != ""
}

// tokenError answers the token endpoint's errors as RFC 6749 5.2 says: a
// JSON object with error and an ASCII error_description, 400, or 401 with
// a challenge for a client that failed to authenticate. The problem
// members ride along, so the answer reads like every other here.
func (s *Server) tokenError(w nethttp.ResponseWriter, r *nethttp.Request, err error) {
	pe := oauth.Protocol(err)
	if pe == "" {
		s.problem(w, r, err)
		return
	}
	status := nethttp.StatusBadRequest
	if pe == oauth.ErrInvalidClient {
		status = nethttp.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Basic realm="minimall", charset="UTF-8"`)
	}
	code := minimall.ErrorCode(err)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, status, tokenErrorBody{Error: string(pe), Description: asciiPart(minimall.ErrorMessage(err)), Problem: Problem{
		Type: "https://minimall.example/problems/" + code.String(), Title: nethttp.StatusText(status), Status: status,
		Detail: minimall.ErrorMessage(err), Instance: r.URL.Path, Code: code.String(), RequestID: requestIDFrom(r.Context()),
	}})
}

type tokenErrorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
	Problem
}

// asciiPart is the English half of a bilingual message: error_description
// may hold printable ASCII only, without " or \ (RFC 6749 5.2).
func asciiPart(msg string) string {
	var b strings.Builder
	for _, c := range msg {
		if c < 0x20 || c > 0x7e {
			break
		}
		if c != '"' && c != '\\' {
			b.WriteRune(c)
		}
	}
	return strings.TrimSpace(b.String())
}

// handleOAuthMetadata handles "GET /.well-known/oauth-authorization-server"
// (RFC 8414): where a standard client finds the endpoints and what they
// support. No refresh tokens: an access token lasts an hour and an app
// comes back through the person's authorization, so nothing lets an app
// go on reading after the person stopped using it.
func (s *Server) handleOAuthMetadata(w nethttp.ResponseWriter, r *nethttp.Request) {
	base := "http://" + r.Host
	if r.TLS != nil {
		base = "https://" + r.Host
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{
		"issuer":                                base,
		"authorization_endpoint":                base + "/api/v1/oauth/authorize",
		"token_endpoint":                        base + tokenPath,
		"userinfo_endpoint":                     base + "/api/v1/oauth/userinfo",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"scopes_supported":                      scopeNames(),
		"service_documentation":                 base + "/api/v1/openapi.json",
	})
}

// handleOAuthUserInfo handles "GET /api/v1/oauth/userinfo" with the app's
// bearer token: the person's avatar, nickname and other consented fields.
func (s *Server) handleOAuthUserInfo(w nethttp.ResponseWriter, r *nethttp.Request) {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	info, err := s.OAuth.UserInfo(r.Context(), token, requestIDFrom(r.Context()))
	if err != nil {
		s.oauthProblem(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, nethttp.StatusOK, info)
}

// handleOAuthAuthorizationList handles "GET /api/v1/account/authorizations".
func (s *Server) handleOAuthAuthorizationList(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.OAuth.Authorizations(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"authorizations": list})
}

// handleOAuthAuthorizationRevoke handles "DELETE /api/v1/account/authorizations/{id}".
func (s *Server) handleOAuthAuthorizationRevoke(w nethttp.ResponseWriter, r *nethttp.Request) {
	if err := s.OAuth.Revoke(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id")); err != nil {
		s.problem(w, r, err)
		return
	}
	w.WriteHeader(nethttp.StatusNoContent)
}

// oauthProblem is a problem-details answer that also carries the OAuth
// error code, so a standard OAuth client understands it (RFC 6749 5.2,
// RFC 6750 3).
type oauthProblem struct {
	Problem
	Error string `json:"error"`
}

func (s *Server) oauthProblem(w nethttp.ResponseWriter, r *nethttp.Request, err error) {
	pe := oauth.Protocol(err)
	if pe == "" {
		s.problem(w, r, err)
		return
	}
	code := minimall.ErrorCode(err)
	status := statuses[code]
	if pe == oauth.ErrInvalidToken {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(oauthProblem{Problem: Problem{
		Type: "https://minimall.example/problems/" + code.String(), Title: nethttp.StatusText(status), Status: status,
		Detail: minimall.ErrorMessage(err), Instance: r.URL.Path, Code: code.String(), RequestID: requestIDFrom(r.Context()),
		Reason: denialReason(err),
	}, Error: string(pe)})
}

func scopeNames() []string {
	var out []string
	for _, sc := range oauth.Scopes() {
		out = append(out, sc.Name)
	}
	return out
}
