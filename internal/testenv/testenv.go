// Package testenv starts the whole platform for API tests: the kernel and
// services on a test store, and the HTTP server on loopback, so tests meet
// every rule where a person would, through the API.
package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"minimall"
	"minimall/account"
	"minimall/app"
	mhttp "minimall/http"
	"minimall/internal/testkit"
	"minimall/partner/sandbox"
)

// Env is a running platform: the application as the binary builds it
// (package app), on a test store, with the sandbox partners.
type Env struct {
	*app.App
	Store     *testkit.Store
	SearchDir string // the search index's folder, so a test can look inside it
	URL       string
	Sandbox   *sandbox.Set     // the partners, each on its own loopback port
	Overseas  *sandbox.Sandbox // the overseas recipient of cross-border waybills
	SMS       *SMSReader       // reads texts from the SMS sandbox, as a phone would
	Logs      *SyncBuffer      // everything the server logged
	Server    *mhttp.Server
}

// Start runs the platform on st until the test ends, with cheap password
// hashing.
func Start(tb testing.TB, st *testkit.Store) *Env {
	tb.Helper()
	return StartWith(tb, st, func(c *account.Config) {
		c.PasswordMemoryKiB, c.PasswordTime = 64, 1 // cheap in tests; production cost is benchmarked
	})
}

// StartWith is Start with the account rules adjusted by tune.
func StartWith(tb testing.TB, st *testkit.Store, tune func(*account.Config)) *Env {
	tb.Helper()
	return StartConfigured(tb, st, tune, func(*app.Config) {})
}

// StartConfigured is StartWith with the application's configuration
// adjusted by tuneApp too (a partner timeout, say).
func StartConfigured(tb testing.TB, st *testkit.Store, tune func(*account.Config), tuneApp func(*app.Config)) *Env {
	tb.Helper()
	set, err := sandbox.StartAll(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { set.Close() })
	e := &Env{Store: st, Sandbox: set, Overseas: set.Overseas, SMS: &SMSReader{URL: set.SMS.URL()}, Logs: &SyncBuffer{}, SearchDir: tb.TempDir() + "/search"}
	cfg := account.DefaultConfig()
	cfg.CodeCooldown = 0
	tune(&cfg)
	conf := app.Config{
		DB: st.DB, KeysDB: st.KeysDB, KeysDir: st.KeysDir, Node: "test", FakeClock: st.Clock,
		Partners: set.Endpoints(), SearchDir: e.SearchDir,
		Accounts: cfg, DPOContact: "dpo@minimall.example",
		Addr: "127.0.0.1:0", Logger: slog.New(slog.NewJSONHandler(e.Logs, nil)),
		// Followers poll often, so what the feed carries shows at once.
		FollowEvery: 50 * time.Millisecond, FollowGrace: 200 * time.Millisecond,
	}
	tuneApp(&conf)
	e.App, err = app.New(context.Background(), conf)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.App.Close() })
	e.Server, e.URL = e.App.HTTP, e.App.URL()
	return e
}

// SyncBuffer is a log sink safe for concurrent writes.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// SMSReader reads the texts the SMS sandbox "sent", through its test
// route GET /sms/last, the way a person reads their phone.
type SMSReader struct{ URL string }

var sixDigits = regexp.MustCompile(`\d{6}`)

// Text returns the last text sent to phone, or "" if none was.
func (s *SMSReader) Text(tb testing.TB, phone string) string {
	tb.Helper()
	resp, err := http.Get(s.URL + "/sms/last?phone=" + url.QueryEscape(phone))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return ""
	}
	var last struct{ Text string }
	if err := json.NewDecoder(resp.Body).Decode(&last); err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("read SMS sandbox: %d %v", resp.StatusCode, err)
	}
	return last.Text
}

// Code returns the one-time code last sent to phone.
func (s *SMSReader) Code(tb testing.TB, phone string) string {
	tb.Helper()
	c := sixDigits.FindString(s.Text(tb, phone))
	if c == "" {
		tb.Fatalf("no code was sent to the number")
	}
	return c
}

// Response is an HTTP answer, read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r *Response) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Problem decodes a problem-details body.
func (r *Response) Problem(tb testing.TB) mhttp.Problem {
	tb.Helper()
	var p mhttp.Problem
	r.JSON(tb, &p)
	return p
}

// Do sends a request; body is encoded as JSON unless it is nil or a string
// (sent as is). headers come in name, value pairs.
func (e *Env) Do(tb testing.TB, method, path string, body any, headers ...string) *Response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Bearer returns the Authorization header pair for a token.
func Bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// Shopper is a registered, signed-in person.
type Shopper struct {
	Subject    minimall.SubjectID
	Phone      string
	MemberName string
	Password   string
	Token      string
}

// Register registers and signs in a shopper through the API.
func (e *Env) Register(tb testing.TB, phone, memberName string) *Shopper {
	tb.Helper()
	sh := &Shopper{Phone: phone, MemberName: memberName, Password: "secret-pass1"}
	if r := e.Do(tb, "POST", "/api/v1/accounts/codes", map[string]string{"phone": phone, "purpose": "register"}); r.Status != 202 {
		tb.Fatalf("send code: %d %s", r.Status, r.Body)
	}
	r := e.Do(tb, "POST", "/api/v1/accounts", map[string]any{"phone": phone, "code": e.SMS.Code(tb, phone), "member_name": memberName,
		"password": sh.Password, "accept_policy_version": e.Kernel.PolicyVersion()})
	if r.Status != 201 {
		tb.Fatalf("register: %d %s", r.Status, r.Body)
	}
	var a account.Account
	r.JSON(tb, &a)
	sh.Subject = a.Subject
	r = e.Do(tb, "POST", "/api/v1/sessions", map[string]string{"login": memberName, "password": sh.Password})
	if r.Status != 201 {
		tb.Fatalf("sign in: %d %s", r.Status, r.Body)
	}
	var sess account.Session
	r.JSON(tb, &sess)
	sh.Token = sess.Token
	return sh
}
