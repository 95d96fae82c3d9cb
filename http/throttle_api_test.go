package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/account"
	"minimall/decision"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// signInFrom tries a password sign-in from a loopback address of its own
// (127.0.0.x), which the server counts as a client of its own.
func signInFrom(t *testing.T, e *testenv.Env, from, login, password string) *testenv.Response {
	t.Helper()
	return postFrom(t, e, from, map[string]string{"login": login, "password": password})
}

func postFrom(t *testing.T, e *testenv.Env, from string, body any) *testenv.Response {
	t.Helper()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	defer c.CloseIdleConnections()
	b, _ := json.Marshal(body)
	resp, err := c.Post(e.URL+"/api/v1/sessions", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return &testenv.Response{Status: resp.StatusCode, Header: resp.Header, Body: out}
}

// wantWait checks a 429 whose Retry-After is secs.
func wantWait(t *testing.T, r *testenv.Response, secs int, what string) {
	t.Helper()
	wantProblem(t, r, 429, "too_many", "")
	if got := r.Header.Get("Retry-After"); got != strconv.Itoa(secs) {
		t.Fatalf("%s: Retry-After %q, want %d: %s", what, got, secs, r.Body)
	}
}

// TestAPIThrottleGrowingWaits (五(三)4): wrong passwords never lock an
// account. After five for one name from one client, each password try from
// there waits, 30 s, then twice as long after every further wrong one, at
// most 15 minutes, answered 429 with Retry-After; the right password is
// refused like any other while the wait runs, and tries refused so are
// not counted. Another client is not held back; the holder's sign-in
// there ends the wait of all clients together but not the guesser's own;
// the holder's sign-in after the wait starts the count again.
func TestAPIThrottleGrowingWaits(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13833335555", "waiting01")
		for i := range 5 {
			r := signInFrom(t, e, "127.0.0.1", sh.MemberName, "wrong-pass1")
			wantProblem(t, r, 401, "unauthorized", "")
			if r.Header.Get("Retry-After") != "" {
				t.Fatalf("wrong password %d carries Retry-After", i+1)
			}
		}
		for _, secs := range []int{30, 60, 120, 240, 480, 900, 900} {
			wantWait(t, signInFrom(t, e, "127.0.0.1", sh.MemberName, sh.Password), secs, "right password while waiting")
			st.Clock.Advance(time.Duration(secs-1) * time.Second)
			wantWait(t, signInFrom(t, e, "127.0.0.1", sh.MemberName, "wrong-pass1"), 1, "a second before the end")
			st.Clock.Advance(time.Second)
			wantProblem(t, signInFrom(t, e, "127.0.0.1", sh.MemberName, "wrong-pass1"), 401, "unauthorized", "")
		}

		t.Run("OtherClientNotHeldBack", func(t *testing.T) {
			wantStatus(t, signInFrom(t, e, "127.0.0.2", sh.MemberName, sh.Password), 201, "another client")
			wantWait(t, signInFrom(t, e, "127.0.0.1", sh.MemberName, sh.Password), 900, "the guesser's client after the holder signed in elsewhere")
		})
		t.Run("SignInAfterTheWaitStartsAgain", func(t *testing.T) {
			st.Clock.Advance(15 * time.Minute)
			wantStatus(t, signInFrom(t, e, "127.0.0.1", sh.MemberName, sh.Password), 201, "after the wait")
			wantProblem(t, signInFrom(t, e, "127.0.0.1", sh.MemberName, "wrong-pass1"), 401, "unauthorized", "")
			wantStatus(t, signInFrom(t, e, "127.0.0.1", sh.MemberName, sh.Password), 201, "one wrong password after a fresh start")
		})
	})
}

// TestAPIThrottleAllClients: wrong passwords for one name from every
// client together make every client wait, a client that never tried
// included; a code texted to the phone signs in at once and ends the wait.
func TestAPIThrottleAllClients(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.StartWith(t, st, func(c *account.Config) {
			c.PasswordMemoryKiB, c.PasswordTime = 64, 1
			c.ThrottleAfter, c.ThrottleAfterAll = 3, 5
		})
		sh := e.Register(t, "13833336666", "spread01")
		for _, from := range []string{"127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.3", "127.0.0.4"} {
			wantProblem(t, signInFrom(t, e, from, sh.Phone, "wrong-pass1"), 401, "unauthorized", "")
		}
		wantWait(t, signInFrom(t, e, "127.0.0.5", sh.Phone, sh.Password), 30, "a fresh client")

		wantStatus(t, e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": sh.Phone, "purpose": "login"}), 202, "send code")
		r := postFrom(t, e, "127.0.0.5", map[string]string{"phone": sh.Phone, "code": e.SMS.Code(t, sh.Phone)})
		wantStatus(t, r, 201, "code sign-in while passwords wait")
		wantStatus(t, signInFrom(t, e, "127.0.0.5", sh.Phone, sh.Password), 201, "password after the code sign-in")
	})
}

// problemShape is what must not differ between two answers: the status,
// the body's fields but the request id, and the headers' names, with the
// values of those that say something about the account.
func problemShape(t *testing.T, r *testenv.Response) string {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("not JSON: %s", r.Body)
	}
	delete(body, "request_id")
	b, _ := json.Marshal(body)
	var names []string
	for k := range r.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	return strconv.Itoa(r.Status) + " " + string(b) + " " + strings.Join(names, ",") +
		" retry=" + r.Header.Get("Retry-After") + " type=" + r.Header.Get("Content-Type")
}

// TestAPIThrottleSameAnswer: a registered name and one nobody has get the
// same answers, try for try — the same status, body and headers, the
// waits included — by member name and by phone number; nothing is ever
// "locked"; and the counters hold no typed name and no address in clear.
func TestAPIThrottleSameAnswer(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.StartWith(t, st, func(c *account.Config) {
			c.PasswordMemoryKiB, c.PasswordTime = 64, 1
			c.LoginsPerMinute = 0 // no per-client limit in the way of 32 tries
		})
		sh := e.Register(t, "13833337777", "known01")
		for _, pair := range [][2]string{{sh.MemberName, "ghost_user01"}, {sh.Phone, "13833337778"}} {
			for i := range 7 {
				known := signInFrom(t, e, "127.0.0.1", pair[0], "wrong-pass1")
				unknown := signInFrom(t, e, "127.0.0.1", pair[1], "wrong-pass1")
				if a, b := problemShape(t, known), problemShape(t, unknown); a != b {
					t.Fatalf("try %d for %s: known %s\nunknown %s", i+1, pair[0], a, b)
				}
				if strings.Contains(strings.ToLower(string(known.Body)), "lock") || strings.Contains(string(known.Body), "锁定") {
					t.Fatalf("try %d says locked: %s", i+1, known.Body)
				}
			}
			// The right password while waiting: the same as any guess.
			known := signInFrom(t, e, "127.0.0.1", pair[0], sh.Password)
			unknown := signInFrom(t, e, "127.0.0.1", pair[1], sh.Password)
			if a, b := problemShape(t, known), problemShape(t, unknown); a != b || known.Status != 429 {
				t.Fatalf("right password while waiting: known %s\nunknown %s", a, b)
			}
		}
		rows, err := st.DB.QueryContext(context.Background(), `SELECT name_key, client_key FROM login_throttle`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var key []byte
			var client string
			if err := rows.Scan(&key, &client); err != nil {
				t.Fatal(err)
			}
			n++
			for _, clear := range []string{"ghost_user01", "known01", "13833337778", "13833337777", "127.0.0.1"} {
				if bytes.Contains(key, []byte(clear)) || strings.Contains(client, clear) {
					t.Fatalf("a counter holds %q in clear", clear)
				}
			}
		}
		if n != 8 { // four names, each from this client and from all
			t.Fatalf("%d counters, want 8", n)
		}
	})
}

// TestAPIThrottleDecisionOverturned (四(六)): the wait is an automated
// decision about the account, explained with its factors — the code
// sign-in that gets past it included; overturned on appeal, the wait ends
// at once.
func TestAPIThrottleDecisionOverturned(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13833338888", "appealer01")
		for range 5 {
			e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.Phone, "password": "wrong-pass1"})
		}
		wantWait(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.Phone, "password": sh.Password}), 30, "waiting")
		list := decisionList(t, e, testenv.Bearer(sh.Token))
		if len(list) != 1 || list[0].Kind != decision.LoginThrottled {
			t.Fatalf("decisions: %+v", list)
		}
		id := list[0].ID
		r := e.Do(t, "GET", "/api/v1/account/decisions/"+id, nil, testenv.Bearer(sh.Token)...)
		wantStatus(t, r, 200, "explain")
		for _, want := range []string{"30 秒", "短信验证码", "15 分钟", "同一网络地址", "a texted code signs in"} {
			if !strings.Contains(string(r.Body), want) {
				t.Fatalf("explanation lacks %q: %s", want, r.Body)
			}
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/account/decisions/"+id+"/appeal", map[string]string{"reason": decision.ReasonItWasMe}, testenv.Bearer(sh.Token)...), 200, "appeal")
		wantStatus(t, e.Do(t, "POST", "/api/v1/ops/decisions/"+id+"/answer", map[string]string{"outcome": decision.Overturned}, rightsOperator(t, e, minimall.RoleSecurity)...), 200, "overturn")
		wantStatus(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.Phone, "password": sh.Password}), 201, "after the overturn")
	})
}

// TestAPIThrottleRateLimitRetryAfter: the per-client limit on sign-in
// attempts answers 429 with the seconds left in its minute, in the API and
// on the page.
func TestAPIThrottleRateLimitRetryAfter(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.StartWith(t, st, func(c *account.Config) {
			c.PasswordMemoryKiB, c.PasswordTime = 64, 1
			c.LoginsPerMinute = 2
		})
		for range 2 {
			e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": "nobody01", "password": "x"})
		}
		st.Clock.Advance(20 * time.Second)
		wantWait(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": "nobody01", "password": "x"}), 40, "past the limit")
		// The sign-in page, from the same client, says so too.
		b := newBrowser(t, e, "en")
		b.get("/signin")
		if p := b.post("/signin", url.Values{"login": {"nobody01"}, "password": {"x"}}); p.Status != 429 || p.Header.Get("Retry-After") != "40" {
			t.Fatalf("the page past the limit: %d %q", p.Status, p.Header.Get("Retry-After"))
		}
	})
}

// TestPagesSignInThrottled: the sign-in page says plainly, in Chinese or
// English, how long password tries wait, answers 429 with Retry-After, and
// offers the code sign-in with the number filled in; the code signs in.
func TestPagesSignInThrottled(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		for i, c := range []struct{ lang, want string }{{"zh-CN", "请 30 秒后再用密码登录"}, {"en", "try the password again in 30 seconds"}} {
			sh := e.Register(t, "1383333990"+strconv.Itoa(i), "pagewait0"+strconv.Itoa(i))
			b := newBrowser(t, e, c.lang)
			b.get("/signin")
			for range 5 {
				mustPage(t, b.post("/signin", url.Values{"login": {sh.Phone}, "password": {"wrong-pass1"}}), 401, "wrong password")
			}
			p := b.post("/signin", url.Values{"login": {sh.Phone}, "password": {sh.Password}})
			if p.Status != 429 || p.Header.Get("Retry-After") != "30" || !strings.Contains(p.HTML, c.want) {
				t.Fatalf("%s: %d %q: %s", c.lang, p.Status, p.Header.Get("Retry-After"), p.HTML)
			}
			if !strings.Contains(p.HTML, `value="`+sh.Phone+`"`) || !strings.Contains(p.HTML, `href="#bycode"`) {
				t.Fatalf("%s: the code sign-in is not offered with the number", c.lang)
			}
			mustPage(t, b.post("/signin/code", url.Values{"phone": {sh.Phone}}), 200, "ask for a code")
			mustPage(t, b.post("/signin", url.Values{"phone": {sh.Phone}, "code": {e.SMS.Code(t, sh.Phone)}}), 303, "code sign-in while waiting")
		}
	})
}

// TestAPIHolderLockToldOnlyWithPassword: an account its holder locked
// answers a wrong password as a name nobody has does; only the right
// password hears that it is locked.
func TestAPIHolderLockToldOnlyWithPassword(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13833330001", "selflocked01")
		wantStatus(t, e.Do(t, "POST", "/api/v1/security/lock", nil, testenv.Bearer(sh.Token)...), 204, "lock")
		locked := e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": "wrong-pass1"})
		nobody := e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": "nobody_here01", "password": "wrong-pass1"})
		if a, b := problemShape(t, locked), problemShape(t, nobody); a != b {
			t.Fatalf("a wrong password for a locked account: %s\nfor nobody: %s", a, b)
		}
		wantProblem(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": sh.Password}), 403, "denied", "")
	})
}
