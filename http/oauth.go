package http

import (
	"context"
	"encoding/json"
	"mime"
	nethttp "net/http"
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
	s.handleFunc("POST /api/v1/oauth/token", s.handleOAuthToken)
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

// handleOAuthToken handles "POST /api/v1/oauth/token" (RFC 6749 4.1.3), a
// form post from the app's server with client_secret_post authentication.
func (s *Server) handleOAuthToken(w nethttp.ResponseWriter, r *nethttp.Request) {
	const op = "http.oauthToken"
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		s.oauthProblem(w, r, &minimall.Error{Code: minimall.Invalid, Op: op, Message: "Send a form: application/x-www-form-urlencoded. 请以表单提交。", Err: oauth.ErrInvalidRequest})
		return
	}
	if err := r.ParseForm(); err != nil {
		s.oauthProblem(w, r, &minimall.Error{Code: minimall.Invalid, Op: op, Message: "Malformed form. 表单格式错误。", Err: oauth.ErrInvalidRequest})
		return
	}
	f := r.PostForm
	for _, vs := range f {
		if len(vs) > 1 { // RFC 6749 3.2: no parameter twice
			s.oauthProblem(w, r, &minimall.Error{Code: minimall.Invalid, Op: op, Message: "A parameter is repeated. 参数重复。", Err: oauth.ErrInvalidRequest})
			return
		}
	}
	tok, err := s.OAuth.Exchange(r.Context(), oauth.TokenRequest{GrantType: f.Get("grant_type"), Code: f.Get("code"), RedirectURI: f.Get("redirect_uri"),
		ClientID: f.Get("client_id"), ClientSecret: f.Get("client_secret"), CodeVerifier: f.Get("code_verifier")})
	if err != nil {
		s.oauthProblem(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, nethttp.StatusOK, tok)
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
