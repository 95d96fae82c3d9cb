package http

import (
	"context"
	"fmt"
	nethttp "net/http"
	"net/url"
	"strings"
	"time"

	"minimall"
	"minimall/account"
	"minimall/privacy"
)

type requestIDKey struct{}

// withRequestID gives every request an id of the server's own making and
// echoes it, so a person reporting a problem can quote it. A client's
// X-Request-ID is never used: it reaches the logs and consent evidence,
// and a client may put anything in it, a phone number included. The id a
// client gets back is the one to quote.
func (s *Server) withRequestID(next nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		id := newRequestID()
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// newRequestID returns "req_" and 13 characters of [a-z2-7] (64 random bits).
func newRequestID() string { return "req_" + minimall.RandomToken(8) }

func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	nethttp.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = nethttp.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() nethttp.ResponseWriter { return r.ResponseWriter }

// routeInfo is what the matched route learns about a request and the
// access log and metrics report. The outer middleware holds it by pointer
// because inner middleware derives new requests (r.WithContext), so the
// route and actor set on those never reach the outer *Request.
type routeInfo struct {
	route string
	actor minimall.ActorKind
}

type routeInfoKey struct{}

// observed wraps a route's handler so the access log and metrics learn its
// pattern and the authenticated actor.
func observed(pattern string, h nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if info, ok := r.Context().Value(routeInfoKey{}).(*routeInfo); ok {
			info.route, info.actor = pattern, minimall.ActorFromContext(r.Context()).Kind
		}
		h.ServeHTTP(w, r)
	})
}

// routeFrom returns the pattern of the route handling the request, once
// the mux has matched it.
func routeFrom(ctx context.Context) string {
	if info, ok := ctx.Value(routeInfoKey{}).(*routeInfo); ok {
		return info.route
	}
	return ""
}

// observe writes one access-log line and the metrics for every request,
// including those refused by middleware before routing. It logs the route
// pattern, never the path, query, IP address or user agent: those are
// personal information (policy 附录: 服务日志信息, 设备信息).
func (s *Server) observe(next nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		info := &routeInfo{}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), routeInfoKey{}, info)))
		status := rec.status
		if status == 0 {
			status = nethttp.StatusOK
		}
		route := info.route
		if route == "" {
			route = s.routeOf(r)
		}
		elapsed := time.Since(start)
		s.metrics.observe(route, status, elapsed)
		s.Logger.Info("request", "method", r.Method, "route", route, "status", status,
			"duration_ms", float64(elapsed.Microseconds())/1000,
			"request_id", requestIDFrom(r.Context()), "actor", info.actor.String())
	})
}

// routeOf names the route a request refused before routing would have
// reached. Paths no route matches share one label, so neither the log nor
// the metrics ever hold a path someone typed.
func (s *Server) routeOf(r *nethttp.Request) string {
	if _, pattern := s.mux.Handler(r); pattern != "" && pattern != "/" {
		return pattern
	}
	return "unmatched"
}

// recoverPanic turns a panic into a 500 problem; the panic value is logged,
// never sent.
func (s *Server) recoverPanic(next nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == nethttp.ErrAbortHandler {
					panic(v)
				}
				s.problem(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// limitBody caps every request body; a picture's upload may be larger.
func (s *Server) limitBody(next nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		limit := s.MaxBody
		if isUploadPath(r.URL.Path) {
			limit = maxUpload
		}
		if r.ContentLength > limit {
			s.problem(w, r, minimall.Errorf(minimall.TooLarge, "", "Request body too large. 请求体过大。"))
			return
		}
		r.Body = nethttp.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// authenticate sets the actor from "Authorization: Bearer <token>" or the
// session cookie. Operators must also state why they act, in
// X-Access-Reason. A cookie-authenticated request that changes something
// must come from this site (Origin check), against cross-site forgery.
func (s *Server) authenticate(next nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		token, fromCookie, err := s.credentials(r)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		if token == "" {
			next.ServeHTTP(w, r)
			return
		}
		a, err := s.authenticator(token).Authenticate(r.Context(), token)
		if err != nil && fromCookie && isPagePath(r.URL.Path) && minimall.ErrorCode(err) == minimall.Unauthorized {
			// A page with an ended session is a visitor's page; the
			// stale cookie goes.
			s.clearSession(w)
			next.ServeHTTP(w, r)
			return
		}
		if err != nil {
			s.problem(w, r, err)
			return
		}
		if fromCookie && r.Method != "GET" && r.Method != "HEAD" && !sameOrigin(r) {
			s.problem(w, r, minimall.Errorf(minimall.Denied, "", "Cross-site request refused. 拒绝跨站请求。"))
			return
		}
		if a.Kind == minimall.Operator && fromCookie && isPagePath(r.URL.Path) {
			// The console: the ticket the operator works on is kept in a
			// cookie, and each action's form names it again (console.go).
			a.Reason = ""
			if c, err := r.Cookie(reasonCookie); err == nil && privacy.ValidAccessReason(c.Value) {
				a.Reason = c.Value
			}
		} else if a.Kind == minimall.Operator {
			reason := r.Header.Get("X-Access-Reason")
			if !privacy.ValidAccessReason(reason) {
				s.problem(w, r, minimall.Errorf(minimall.Invalid, "", "Operator requests need X-Access-Reason: a ticket or request id (%s). 操作员请求须注明工单号。", privacy.AccessReasonRule))
				return
			}
			a.Reason = reason
		}
		next.ServeHTTP(w, r.WithContext(minimall.NewContextWithActor(r.Context(), a)))
	})
}

// credentials returns the bearer token, or else the session cookie.
func (s *Server) credentials(r *nethttp.Request) (token string, fromCookie bool, err error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		if r.URL.Path == tokenPath && strings.HasPrefix(auth, "Basic ") {
			// An app authenticating itself (RFC 6749 2.3.1): the token
			// endpoint reads it; it names no person.
			return "", false, nil
		}
		t, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || t == "" {
			return "", false, minimall.Errorf(minimall.Unauthorized, "", "Use a bearer token. 请使用 Bearer 令牌。")
		}
		return t, false, nil
	}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		return c.Value, true, nil
	}
	return "", false, nil
}

// noAuthenticator refuses every token.
type noAuthenticator struct{}

func (noAuthenticator) Authenticate(context.Context, string) (minimall.Actor, error) {
	return minimall.Actor{}, minimall.Errorf(minimall.Unauthorized, "", "Unknown token. 令牌无效。")
}

// authenticator picks who checks a token by its prefix.
func (s *Server) authenticator(token string) Authenticator {
	switch {
	case strings.HasPrefix(token, account.TokenPrefix) && s.Accounts != nil:
		return s.Accounts
	case s.Operators != nil && !strings.HasPrefix(token, account.TokenPrefix):
		return s.Operators
	}
	return noAuthenticator{}
}

// sameOrigin reports whether a browser request comes from this site: an
// Origin header, when present, must name this host.
func sameOrigin(r *nethttp.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true // not a browser cross-site request; SameSite=Lax covers the rest
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

// publicAnswers are the API routes whose answer to a visitor holds no
// one's data and is the same for every visitor: the catalogue, the policy
// and the API document. A browser or a proxy may keep those.
var publicAnswers = map[string]bool{
	"GET /api/v1/ping":                      true,
	"GET /api/v1/openapi.json":              true,
	"GET /api/v1/contact":                   true,
	"GET /api/v1/categories":                true,
	"GET /api/v1/categories/{id}/items":     true,
	"GET /api/v1/channels":                  true,
	"GET /api/v1/channels/{id}":             true,
	"GET /api/v1/items/{id}":                true,
	"GET /api/v1/shops/{id}":                true,
	"GET /api/v1/recommendations/hot":       true,
	"GET /api/v1/cross-border/notice":       true,
	"GET /api/v1/policy":                    true,
	"GET /api/v1/policy/text":               true,
	"GET /api/v1/policy/lists":              true,
	"GET /api/v1/policy/changes":            true,
	"GET /api/v1/policy/versions":           true,
	"GET /api/v1/policy/versions/{n}":       true,
	"GET /api/v1/policy/disclosure-grounds": true,
}

// privateAnswers marks an API route's answers Cache-Control: no-store, so
// no browser, proxy or shared cache keeps what may be personal
// information (an account, an order, a session token, a member's page).
// The rule is the simplest sound one: every /api/ answer is no-store,
// except a visitor's GET of a route in publicAnswers. A signed-in or
// operator request is never public, since what it gets may be about the
// person or personalised; a route missing from the list is private, so a
// new route is safe by default.
func privateAnswers(pattern string, next nethttp.Handler) nethttp.Handler {
	if !strings.Contains(pattern, " /api/") {
		return next
	}
	public := publicAnswers[pattern]
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if !public || minimall.ActorFromContext(r.Context()).Kind != minimall.Anonymous {
			w.Header().Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// requireOperator returns the operator actor, or an error to answer with.
func requireOperator(r *nethttp.Request) (minimall.Actor, error) {
	a := minimall.ActorFromContext(r.Context())
	switch a.Kind {
	case minimall.Operator:
		return a, nil
	case minimall.Anonymous:
		return a, minimall.SignedIn(a, "")
	}
	return a, minimall.Errorf(minimall.Denied, "", "Operators only. 仅限操作人员。")
}
