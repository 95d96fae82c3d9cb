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
	"minimall/cart"
	"minimall/catalog"
	"minimall/decision"
	"minimall/engage"
	mhttp "minimall/http"
	"minimall/identity"
	"minimall/incident"
	"minimall/internal/testkit"
	"minimall/lifecycle"
	"minimall/oauth"
	"minimall/order"
	"minimall/partner"
	"minimall/partner/sandbox"
	"minimall/privacy"
	"minimall/privacy/policy"
	"minimall/recommend"
	"minimall/rights"
	"minimall/search"
	"minimall/security"
	"minimall/transfer"
)

// Env is a running platform.
type Env struct {
	Store     *testkit.Store
	Kernel    *privacy.Kernel
	Accounts  *account.Service
	Security  *security.Service
	Identity  *identity.Service
	OAuth     *oauth.Service
	Catalog   *catalog.Service
	Search    *search.Service // its index lives in a temporary folder of its own
	SearchDir string          // that folder, so a test can look inside the index
	Carts     *cart.Service
	Recommend *recommend.Service
	Orders    *order.Service
	Engage    *engage.Service // its catalogue check is wired to Catalog
	Lifecycle *lifecycle.Service
	Policy    *policy.Service // policy versions, complaints, public disclosures
	Rights    *rights.Service // rights requests over every area's part
	Server    *mhttp.Server
	URL       string
	Partners  *partner.Gateway
	Sandbox   *sandbox.Set      // the partners, each on its own loopback port
	Overseas  *sandbox.Sandbox  // the overseas recipient of cross-border waybills
	Transfers *transfer.Service // cross-border transfers (五(二))
	Incidents *incident.Service // security incidents (五(三)3)
	Decisions *decision.Service // automated decisions (四(六))
	SMS       *SMSReader        // reads texts from the SMS sandbox, as a phone would
	Logs      *SyncBuffer       // everything the server logged
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
	ctx := context.Background()
	k, err := privacy.Open(ctx, privacy.Config{Data: st.DB, Keys: st.KeysDB, KeysDir: st.KeysDir, Clock: st.Clock, Chain: "test"})
	if err != nil {
		tb.Fatal(err)
	}
	set, err := sandbox.StartAll(tb.TempDir())
	if err != nil {
		k.Close()
		tb.Fatal(err)
	}
	e := &Env{Store: st, Kernel: k, Sandbox: set, SMS: &SMSReader{URL: set.SMS.URL()}, Logs: &SyncBuffer{}}
	eps := set.Endpoints()
	e.Overseas = set.Overseas
	e.Partners = partner.NewGateway(st.DB, k, eps, nil)
	cfg := account.DefaultConfig()
	cfg.CodeCooldown = 0
	tune(&cfg)
	e.Accounts = account.NewService(st.DB, k, partner.SMS{Gateway: e.Partners}, cfg)
	e.Accounts.UsePhoneChecker(partner.Carrier{Gateway: e.Partners})
	e.Security = security.NewService(st.DB, k)
	e.Identity = identity.NewService(st.DB, k, e.Partners, e.Accounts)
	e.OAuth = oauth.NewService(st.DB, k, e.Partners, e.Accounts, oauth.DefaultConfig())
	e.Catalog = catalog.NewService(st.DB)
	e.SearchDir = tb.TempDir() + "/search"
	if e.Search, err = search.Open(ctx, st.DB, k, e.Catalog, search.Config{Dir: e.SearchDir, Node: "test", Interval: 50 * time.Millisecond, Grace: 200 * time.Millisecond}); err != nil {
		tb.Fatal(err)
	}
	e.Search.Follow()
	stock := e.Catalog.Stock()
	e.Engage = engage.NewService(st.DB, k, engageCatalog{e.Catalog, stock})
	e.Engage.UseMembers(e.Accounts)
	e.Carts = cart.NewService(st.DB, k, stock)
	e.Orders = order.NewService(st.DB, k, stock, e.Carts, e.Partners,
		order.Config{PaymentKey: set.Payment.Endpoint().VerifyKey, LogisticsKey: set.Logistics.Endpoint().VerifyKey})
	e.Accounts.UseOrderHistory(e.Orders)
	if e.Recommend, err = recommend.NewService(ctx, st.DB, k, e.Catalog, e.Partners, recommend.Config{Interval: 50 * time.Millisecond, Grace: 200 * time.Millisecond}); err != nil {
		tb.Fatal(err)
	}
	e.Recommend.UseEngage(e.Engage)
	e.Recommend.Follow()
	e.Policy = policy.NewService(st.DB, k, policy.Contact{DPO: "dpo@minimall.example"})
	if err := e.Policy.Load(ctx); err != nil {
		tb.Fatal(err)
	}
	e.Server = &mhttp.Server{Addr: "127.0.0.1:0", Policy: e.Policy, DB: st.DB, Kernel: k, Operators: k.Operators, Accounts: e.Accounts, Security: e.Security, Partners: e.Partners, Identity: e.Identity, OAuth: e.OAuth,
		Catalog: e.Catalog, Search: e.Search, Carts: e.Carts, Orders: e.Orders, Engage: e.Engage, Recommend: e.Recommend,
		Clock: st.Clock, FakeClock: st.Clock, Logger: slog.New(slog.NewJSONHandler(e.Logs, nil))}
	e.Lifecycle = newLifecycle(st.DB, k, e.Engage, e.Search) // lifecycle.go
	e.Server.Lifecycle = e.Lifecycle
	e.Decisions = decision.NewService(st.DB, k)
	e.Decisions.UseReverser(e.Accounts, decision.CodeLoginRefused, decision.LoginLocked)
	e.Accounts.UseDecisions(e.Decisions)
	e.Search.UseDecisions(e.Decisions)
	e.Transfers = transfer.NewService(st.DB, k, e.Orders, e.Partners)
	e.Server.Transfers = e.Transfers
	e.Incidents = incident.NewService(st.DB, k, e.Lifecycle)
	e.Server.Incidents = e.Incidents
	e.Rights = rights.NewService(st.DB, k, e.Accounts, e.Partners, e.Accounts.RightsPart(), e.Identity.RightsPart(), e.Security.RightsPart(),
		e.Search.RightsPart(), e.Carts.RightsPart(), e.Orders.RightsPart(), e.OAuth.RightsPart(), e.Decisions.RightsPart(), e.Engage.RightsPart(),
		e.Transfers.RightsPart(), e.Incidents.RightsPart())
	e.Decisions.UseAppeals(e.Rights) // appeals join the rights queue (15-day deadline)
	e.Rights.Logger = e.Server.Logger
	e.Rights.Decisions = e.Decisions
	e.Server.Decisions = e.Decisions
	e.Server.Rights = e.Rights
	if err := e.Server.Open(); err != nil {
		tb.Fatal(err)
	}
	e.URL = e.Server.URL()
	e.Orders.SetCallbackBase(e.URL) // partners call back here
	tb.Cleanup(func() {
		e.Server.Close()
		e.Engage.Close()
		e.Search.Close()
		e.Recommend.Close()
		set.Close()
		k.Close()
	})
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

// engageCatalog answers engage's existence checks from the catalogue.
type engageCatalog struct {
	items *catalog.Service
	shops *catalog.Stock
}

func (c engageCatalog) ItemExists(ctx context.Context, id string) (bool, error) {
	_, err := c.items.Item(ctx, id)
	return found(err)
}

func (c engageCatalog) ShopExists(ctx context.Context, id string) (bool, error) {
	_, err := c.shops.ShopOwner(ctx, id)
	return found(err)
}

func found(err error) (bool, error) {
	if minimall.IsCode(err, minimall.NotFound) {
		return false, nil
	}
	return err == nil, err
}
