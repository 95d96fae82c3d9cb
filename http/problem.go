package http

import (
	"encoding/json"
	nethttp "net/http"
	"strconv"
	"strings"
	"time"

	"minimall"
)

// statuses maps platform error codes to HTTP statuses: the one table.
var statuses = map[minimall.Code]int{
	minimall.Internal:         nethttp.StatusInternalServerError,
	minimall.Invalid:          nethttp.StatusBadRequest,
	minimall.NotFound:         nethttp.StatusNotFound,
	minimall.Conflict:         nethttp.StatusConflict,
	minimall.Unauthorized:     nethttp.StatusUnauthorized,
	minimall.Denied:           nethttp.StatusForbidden,
	minimall.TooMany:          nethttp.StatusTooManyRequests,
	minimall.TooLarge:         nethttp.StatusRequestEntityTooLarge,
	minimall.Unavailable:      nethttp.StatusServiceUnavailable,
	minimall.Gone:             nethttp.StatusGone,
	minimall.MethodNotAllowed: nethttp.StatusMethodNotAllowed,
	// A full or read-only store: 503 like Unavailable, with a type of its
	// own so a client knows nothing was saved and an operator what broke.
	minimall.StorageUnavailable: nethttp.StatusServiceUnavailable,
}

// Problem is an RFC 9457 problem-details body.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Instance  string `json:"instance"`
	Code      string `json:"code"`
	RequestID string `json:"request_id"`
	// Reason carries the guard's denial reason when there is one.
	Reason string `json:"reason,omitempty"`
	// Field names the request field a validation problem blames, as the
	// client spelt it ("recipient.phone"), and Rule the rule it broke
	// ("format"), so a form can point at the field (RFC 9457 extension
	// members). Neither ever holds a value the client sent.
	Field string `json:"field,omitempty"`
	Rule  string `json:"rule,omitempty"`
}

// problem writes err as application/problem+json. The detail is the
// error's safe message; the cause is logged for internal errors only and
// never sent.
func (s *Server) problem(w nethttp.ResponseWriter, r *nethttp.Request, err error) {
	code := minimall.ErrorCode(err)
	status := statuses[code]
	if code == minimall.Internal && r.Context().Err() != nil {
		// The client went away mid-request; nothing failed on our side,
		// and nobody reads the answer (nginx's 499 Client Closed Request).
		s.Logger.Debug("client gone", "request_id", requestIDFrom(r.Context()), "route", routeFrom(r.Context()))
		w.WriteHeader(499)
		return
	}
	if code == minimall.Internal {
		s.Logger.Error("internal error", "request_id", requestIDFrom(r.Context()), "route", routeFrom(r.Context()), "err", err)
	}
	field, rule := minimall.ErrorField(err)
	p := Problem{
		Type:      "https://minimall.example/problems/" + code.String(),
		Title:     nethttp.StatusText(status),
		Status:    status,
		Detail:    minimall.ErrorMessage(err),
		Instance:  r.URL.Path,
		Code:      code.String(),
		RequestID: requestIDFrom(r.Context()),
		Reason:    denialReason(err),
		Field:     field,
		Rule:      string(rule),
	}
	if status == nethttp.StatusTooManyRequests || status == nethttp.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfter(err))
	}
	if code == minimall.StorageUnavailable {
		// The cause (the engine's message) is for the operator only.
		s.Logger.Warn("storage unavailable", "request_id", requestIDFrom(r.Context()), "route", routeFrom(r.Context()))
	}
	if status == nethttp.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", challenge(r))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p)
}

// challenge is a 401's WWW-Authenticate (RFC 7235 3.1, RFC 6750 3): a
// bearer token was sent and refused (unknown, expired, revoked), or none
// was sent.
func challenge(r *nethttp.Request) string {
	if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		return `Bearer realm="minimall", error="invalid_token"`
	}
	return `Bearer realm="minimall"`
}

// retryAfter is a 429's or 503's Retry-After in whole seconds, rounded
// up: the wait the refusing rule (the failed partner call, the refusing
// store) names, or a minute when it names none.
func retryAfter(err error) string {
	d := minimall.RetryAfter(err)
	if d <= 0 {
		d = time.Minute
	}
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}

// handleNotFound answers requests no route matches: 405 with Allow if the
// path exists under other methods, 404 otherwise.
func (s *Server) handleNotFound(w nethttp.ResponseWriter, r *nethttp.Request) {
	var allow []string
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" && m != r.Method {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.problem(w, r, minimall.Errorf(minimall.MethodNotAllowed, "", "Method not allowed. 不支持该请求方法。"))
		return
	}
	if isPagePath(r.URL.Path) && r.Method == "GET" {
		s.pageHeaders(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
			s.pageError(w, r, minimall.Errorf(minimall.NotFound, "", "There is no such page. 页面不存在。"))
		})).ServeHTTP(w, r)
		return
	}
	s.problem(w, r, minimall.Errorf(minimall.NotFound, "", "No such resource. 资源不存在。"))
}

// isPagePath reports whether a path is a page's rather than the API's,
// health's or metrics': those answer problem details, pages answer HTML.
func isPagePath(p string) bool {
	for _, prefix := range []string{"/api/", "/healthz", "/readyz", "/metrics", "/oauth/", "/.well-known/"} {
		if strings.HasPrefix(p, prefix) {
			return false
		}
	}
	return true
}
