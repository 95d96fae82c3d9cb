package http

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	nethttp "net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"minimall"
)

// fakeOperators knows one token.
type fakeOperators struct{}

func (fakeOperators) Authenticate(ctx context.Context, token string) (minimall.Actor, error) {
	if token == "good" {
		return minimall.Actor{Kind: minimall.Operator, ID: "op1", Role: minimall.RoleOps}, nil
	}
	return minimall.Actor{}, minimall.Errorf(minimall.Unauthorized, "", "Unknown token.")
}

func newTestServer(t *testing.T, fake bool) (*Server, *httptest.Server, *bytes.Buffer) {
	t.Helper()
	logs := &bytes.Buffer{}
	s := &Server{Operators: fakeOperators{}, Logger: slog.New(slog.NewJSONHandler(logs, nil)), MaxBody: 1024}
	if fake {
		s.FakeClock = &minimall.FakeClock{}
		s.Clock = s.FakeClock
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts, logs
}

type call struct {
	method, path, body string
	headers            map[string]string
}

func do(t *testing.T, ts *httptest.Server, c call) (*nethttp.Response, []byte) {
	t.Helper()
	req, err := nethttp.NewRequest(c.method, ts.URL+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

var operator = map[string]string{"Authorization": "Bearer good", "X-Access-Reason": "TICKET-1"}

func TestProblems(t *testing.T) {
	_, ts, _ := newTestServer(t, true)
	tests := []struct {
		name   string
		call   call
		status int
		code   string
	}{
		{"NotFound", call{method: "GET", path: "/api/v1/nope"}, 404, "not_found"}, // a page path answers an HTML page (pages_test.go)
		{"MethodNotAllowed", call{method: "DELETE", path: "/healthz"}, 405, "method_not_allowed"},
		{"Unauthorized", call{method: "POST", path: "/api/v1/ops/clock/advance", body: `{"seconds":1}`}, 401, "unauthorized"},
		{"BadToken", call{method: "POST", path: "/api/v1/ops/clock/advance", body: `{"seconds":1}`, headers: map[string]string{"Authorization": "Bearer bad", "X-Access-Reason": "T-1"}}, 401, "unauthorized"},
		{"NotBearer", call{method: "GET", path: "/healthz", headers: map[string]string{"Authorization": "Basic abc"}}, 401, "unauthorized"},
		{"ReasonMissing", call{method: "POST", path: "/api/v1/ops/clock/advance", body: `{"seconds":1}`, headers: map[string]string{"Authorization": "Bearer good"}}, 400, "invalid"},
		// A reason is a ticket id: free text (which could carry a name) is refused.
		{"ReasonFreeText", call{method: "POST", path: "/api/v1/ops/clock/advance", body: `{"seconds":1}`, headers: map[string]string{"Authorization": "Bearer good", "X-Access-Reason": "张三 asked"}}, 400, "invalid"},
		{"MalformedJSON", call{method: "POST", path: "/api/v1/ops/clock/advance", body: `{"seconds":`, headers: operator}, 400, "invalid"},
		{"UnknownField", call{method: "POST", path: "/api/v1/ops/clock/advance", body: `{"seconds":1,"x":2}`, headers: operator}, 400, "invalid"},
		{"TrailingData", call{method: "POST", path: "/api/v1/ops/clock/advance", body: `{"seconds":1}{}`, headers: operator}, 400, "invalid"},
		{"WrongType", call{method: "POST", path: "/api/v1/ops/clock/advance", body: `{"seconds":"soon"}`, headers: operator}, 400, "invalid"},
		{"Backwards", call{method: "POST", path: "/api/v1/ops/clock/advance", body: `{"seconds":-5}`, headers: operator}, 400, "invalid"},
		{"TooLarge", call{method: "POST", path: "/api/v1/ops/clock/advance", body: `{"seconds":1,"pad":"` + strings.Repeat("x", 2000) + `"}`, headers: operator}, 413, "too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, ts, tt.call)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("content type %q", ct)
			}
			var p Problem
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Code != tt.code || p.Status != tt.status || p.Detail == "" || p.RequestID != resp.Header.Get("X-Request-ID") || p.Type == "" {
				t.Fatalf("problem %+v", p)
			}
		})
	}
}

func TestWrongContentType(t *testing.T) {
	_, ts, _ := newTestServer(t, true)
	req, _ := nethttp.NewRequest("POST", ts.URL+"/api/v1/ops/clock/advance", strings.NewReader(`{"seconds":1}`))
	req.Header.Set("Content-Type", "text/plain")
	for k, v := range operator {
		req.Header.Set(k, v)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestClockAdvance(t *testing.T) {
	s, ts, _ := newTestServer(t, true)
	before := s.Clock.Now()
	resp, body := do(t, ts, call{method: "POST", path: "/api/v1/ops/clock/advance", body: `{"seconds":86400}`, headers: operator})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if got := s.Clock.Now().Sub(before).Hours(); got < 24 || got > 24.1 {
		t.Fatalf("clock moved %.2f h, want 24", got)
	}
	t.Run("ErrOffWithoutFakeClock", func(t *testing.T) {
		_, ts, _ := newTestServer(t, false)
		resp, _ := do(t, ts, call{method: "POST", path: "/api/v1/ops/clock/advance", body: `{"seconds":1}`, headers: operator})
		if resp.StatusCode != 404 {
			t.Fatalf("status %d, want 404 without --fake-clock", resp.StatusCode)
		}
	})
}

// TestPanicBecomesProblem: a panicking handler is answered with a 500
// problem that does not echo the panic, and still gets its access-log line.
func TestPanicBecomesProblem(t *testing.T) {
	logs := &bytes.Buffer{}
	s := &Server{Logger: slog.New(slog.NewJSONHandler(logs, nil))}
	h := s.Handler()
	s.handleFunc("GET /panic", func(w nethttp.ResponseWriter, r *nethttp.Request) {
		panic("secret 13800138000")
	})
	ts := httptest.NewServer(h)
	defer ts.Close()
	resp, body := do(t, ts, call{method: "GET", path: "/panic"})
	if resp.StatusCode != 500 || resp.Header.Get("Content-Type") != "application/problem+json" || strings.Contains(string(body), "secret") {
		t.Fatalf("panic answer %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var p Problem
	if err := json.Unmarshal(body, &p); err != nil || p.Code != "internal" || p.Status != 500 || p.RequestID == "" {
		t.Fatalf("problem %+v, %v", p, err)
	}
	if !strings.Contains(logs.String(), `"msg":"internal error","request_id":"`+p.RequestID+`","route":"GET /panic"`) || !strings.Contains(logs.String(), `"route":"GET /panic","status":500`) {
		t.Fatalf("panic not logged:\n%s", logs)
	}
}

// TestRequestID: every answer carries an id of the server's own making; a
// client's X-Request-ID, well-formed or not, is never echoed or logged.
func TestRequestID(t *testing.T) {
	_, ts, logs := newTestServer(t, false)
	serverID := regexp.MustCompile(`^req_[a-z2-7]{13}$`)
	for _, sent := range []string{"abc-123", "13999998888-evil", "bad id with spaces", ""} {
		resp, _ := do(t, ts, call{method: "GET", path: "/healthz", headers: map[string]string{"X-Request-ID": sent}})
		if id := resp.Header.Get("X-Request-ID"); !serverID.MatchString(id) {
			t.Fatalf("sent %q, answered id %q: want the server's own", sent, id)
		}
	}
	if strings.Contains(logs.String(), "13999998888") || strings.Contains(logs.String(), "abc-123") {
		t.Fatalf("a client's request id reached the log:\n%s", logs)
	}
}

// TestLogsHoldNoPI: the access log names the route, never the path, query,
// client address or user agent.
func TestLogsHoldNoPI(t *testing.T) {
	_, ts, logs := newTestServer(t, false)
	do(t, ts, call{method: "GET", path: "/healthz?q=%E8%BF%9E%E8%A1%A3%E8%A3%99&phone=13800138000", headers: map[string]string{"User-Agent": "CanaryAgent/1.0", "X-Forwarded-For": "203.0.113.9"}})
	do(t, ts, call{method: "GET", path: "/users/13800138000"})
	out := logs.String()
	for _, leak := range []string{"13800138000", "连衣裙", "CanaryAgent", "127.0.0.1", "203.0.113.9", "/users/"} {
		if strings.Contains(out, leak) {
			t.Errorf("log holds %q:\n%s", leak, out)
		}
	}
	if !strings.Contains(out, `"route":"GET /healthz"`) {
		t.Fatalf("no access log line:\n%s", out)
	}
}

// TestAccessLogRouteAndActor: the log line of an authenticated request
// names its route and actor kind, although the auth middleware derives a
// new request; a request refused before routing still names its route,
// and an unknown path is not echoed.
func TestAccessLogRouteAndActor(t *testing.T) {
	_, ts, logs := newTestServer(t, true)
	do(t, ts, call{method: "POST", path: "/api/v1/ops/clock/advance", body: `{"seconds":1}`, headers: operator})
	do(t, ts, call{method: "POST", path: "/api/v1/ops/clock/advance", body: `{"seconds":1}`, headers: map[string]string{"Authorization": "Bearer good"}})
	do(t, ts, call{method: "GET", path: "/no/such/13800138000"})
	out := logs.String()
	for _, want := range []string{
		`"route":"POST /api/v1/ops/clock/advance","status":200,`,
		`"actor":"operator"`,
		`"route":"POST /api/v1/ops/clock/advance","status":400,`, // no X-Access-Reason: refused by middleware
		`"route":"unmatched","status":404,`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "13800138000") {
		t.Errorf("log echoes a path:\n%s", out)
	}
}

func TestMetrics(t *testing.T) {
	_, ts, _ := newTestServer(t, true)
	do(t, ts, call{method: "GET", path: "/healthz"})
	// Refused by the auth middleware before routing: counted all the same.
	do(t, ts, call{method: "POST", path: "/api/v1/ops/clock/advance", body: `{"seconds":1}`, headers: map[string]string{"Authorization": "Bearer bad"}})
	resp, body := do(t, ts, call{method: "GET", path: "/metrics"})
	for _, want := range []string{
		`minimall_http_requests_total{route="GET /healthz",status="200"} 1`,
		`minimall_http_requests_total{route="POST /api/v1/ops/clock/advance",status="401"} 1`,
		`minimall_http_request_duration_seconds_count{route="GET /healthz",status="200"} 1`,
		`go_goroutines`,
	} {
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestOpenAPIDocument: the served document is valid JSON, identical to
// docs/openapi.json, and describes every registered route.
func TestOpenAPIDocument(t *testing.T) {
	s, ts, _ := newTestServer(t, false)
	resp, body := do(t, ts, call{method: "GET", path: "/api/v1/openapi.json"})
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	docs, err := os.ReadFile("../docs/openapi.json")
	if err != nil || !bytes.Equal(docs, body) {
		t.Fatalf("docs/openapi.json differs from http/openapi.json (%v)", err)
	}
	for _, route := range s.Routes() {
		method, path, _ := strings.Cut(route, " ")
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("route %s is not in the OpenAPI document", route)
		}
	}
	var ops struct {
		Paths map[string]map[string]struct {
			Security  *[]map[string][]string `json:"security"`
			Responses map[string]any         `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(body, &ops); err != nil {
		t.Fatal(err)
	}
	// Every operation says who may call it (security: [] when anyone
	// may), and answers 401 at least: the middleware refuses a bad token
	// on every route.
	for path, methods := range ops.Paths {
		for method, op := range methods {
			if op.Security == nil || op.Responses["401"] == nil {
				t.Errorf("%s %s: security declared %v, 401 declared %v", method, path, op.Security != nil, op.Responses["401"] != nil)
			}
		}
	}
}
