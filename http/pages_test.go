package http_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/catalog"
	"minimall/decision"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/privacy/policy"
)

// browser is a cookie-keeping client that does not follow redirects, so a
// test sees each answer as a browser receives it.
type browser struct {
	t    *testing.T
	e    *testenv.Env
	c    *http.Client
	lang string // Accept-Language
	last string // the last page's HTML, for its form token
}

func newBrowser(t *testing.T, e *testenv.Env, lang string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, e: e, lang: lang, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	Status int
	Header http.Header
	HTML   string
}

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	req.Header.Set("Accept-Language", b.lang)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := &page{Status: resp.StatusCode, Header: resp.Header, HTML: string(body)}
	// Every cookie a page sets is declared in the registry (privacy/cookies.go).
	for _, c := range resp.Cookies() {
		if !privacy.CookieDeclared(c.Name) {
			b.t.Errorf("%s %s set the undeclared cookie %q", req.Method, req.URL.Path, c.Name)
		}
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		b.last = p.HTML
	}
	return p
}

func (b *browser) get(path string) *page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.e.URL+path, nil)
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// post submits a form with the token of the last page shown, as the
// page's own form would.
func (b *browser) post(path string, form url.Values) *page {
	b.t.Helper()
	if m := csrfField.FindStringSubmatch(b.last); m != nil && !form.Has("csrf") {
		form.Set("csrf", m[1])
	}
	req, _ := http.NewRequest("POST", b.e.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.e.URL)
	return b.do(req)
}

func mustPage(t *testing.T, p *page, status int, what string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: got %d, want %d: %.400s", what, p.Status, status, p.HTML)
	}
}

// TestPagesShop: a visitor reaches the shop at / and browses a category
// and an item, in Chinese or English as the browser asks; each page is
// whole (no message key left untranslated) and carries the pages' security
// headers.
func TestPagesShop(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		_, ids := searchCatalogue(t, e, [][2]string{{"主动降噪无线蓝牙耳机", "earphone"}, {"碎花连衣裙", "dress"}})
		for _, tc := range []struct{ accept, htmlLang, home, category string }{
			{"zh-CN,zh;q=0.9", `lang="zh-CN"`, "为你推荐", "耳机"},
			{"en-GB,en;q=0.8", `lang="en"`, "Recommended", "耳机"},
			{"", `lang="zh-CN"`, "为你推荐", "耳机"},
		} {
			b := newBrowser(t, e, tc.accept)
			for _, path := range []string{"/", "/categories/earphone", "/items/" + ids[0], "/signin", "/search"} {
				p := b.get(path)
				mustPage(t, p, 200, path)
				if !strings.Contains(p.HTML, tc.htmlLang) {
					t.Errorf("%s for %q: want %s", path, tc.accept, tc.htmlLang)
				}
				if m := untranslated.FindString(p.HTML); m != "" {
					t.Errorf("%s for %q shows a message key: %s", path, tc.accept, m)
				}
				checkPageHeaders(t, path, p.Header)
			}
			if p := b.get("/"); !strings.Contains(p.HTML, tc.home) || !strings.Contains(p.HTML, "/categories/digital") {
				t.Errorf("home for %q lacks %q or the categories", tc.accept, tc.home)
			}
			if p := b.get("/categories/earphone"); !strings.Contains(p.HTML, "主动降噪无线蓝牙耳机") || strings.Contains(p.HTML, "碎花连衣裙") {
				t.Errorf("the earphone category page does not list exactly its item")
			}
			if p := b.get("/items/" + ids[0]); !strings.Contains(p.HTML, "¥100.00") || !strings.Contains(p.HTML, `src="/images/items/`+ids[0]+`"`) {
				t.Errorf("the item page lacks its price or its picture from this site")
			}
		}
		// The item's details are rendered once per version: a new price shows at once.
		price := int64(12345)
		if _, err := e.Catalog.UpdateItem(context.Background(), minimall.SystemActor("test"), ids[0], catalog.ItemUpdate{PriceFen: &price}); err != nil {
			t.Fatal(err)
		}
		if p := newBrowser(t, e, "zh-CN").get("/items/" + ids[0]); !strings.Contains(p.HTML, "¥123.45") || strings.Contains(p.HTML, "¥100.00") {
			t.Error("the item page shows the price before the change")
		}
		b := newBrowser(t, e, "en")
		img := b.get("/images/items/" + ids[0])
		if img.Status != 200 || img.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(img.HTML, "<svg") {
			t.Errorf("item image: %d %s", img.Status, img.Header.Get("Content-Type"))
		}
		if p := b.get("/static/style.css"); p.Status != 200 || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/css") {
			t.Errorf("stylesheet: %d %s", p.Status, p.Header.Get("Content-Type"))
		}
		for _, path := range []string{"/items/nope", "/no/such/page"} {
			p := b.get(path)
			if p.Status != 404 || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") || !strings.Contains(p.HTML, "no such") && !strings.Contains(p.HTML, "not") {
				t.Errorf("%s: want an HTML 404 page, got %d %s", path, p.Status, p.Header.Get("Content-Type"))
			}
		}
		// The page's path goes into the header's language switch: escaped.
		if p := b.get("/no/%22%3E%3Cscript%3Ealert(1)%3C/script%3E"); p.Status != 404 || strings.Contains(p.HTML, "<script>") {
			t.Errorf("a path with markup in it: %d, escaped? %v", p.Status, !strings.Contains(p.HTML, "<script>"))
		}
		if r := e.Do(t, "GET", "/api/v1/no-such", nil); r.Status != 404 || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("an unknown API path must still answer problem details, got %s", r.Header.Get("Content-Type"))
		}
	})
}

// untranslated matches a message key left in a page: "home.title" shape
// inside text.
var untranslated = regexp.MustCompile(`>[a-z]+\.[a-z_.]+<`)

func checkPageHeaders(t *testing.T, path string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %q", path, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("%s: CSP allows inline code: %q", path, csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" {
		t.Errorf("%s: nosniff %q, referrer policy %q", path, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
	}
	if h.Get("Strict-Transport-Security") != "" {
		t.Errorf("%s: HSTS sent over plain HTTP", path)
	}
	for _, c := range h.Values("Set-Cookie") {
		if !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
			t.Errorf("%s: cookie without HttpOnly and SameSite: %s", path, c)
		}
	}
}

// TestPagesSearch (二(二)2): a visitor searches 耳机 from any page; the
// query never appears in an address (a person's searches are personal
// information, and addresses reach logs and referrers), the results and
// their pages and sorts work, and a form without its token is refused.
func TestPagesSearch(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		items := [][2]string{}
		for i := 0; i < 25; i++ {
			items = append(items, [2]string{"无线蓝牙耳机 款" + string(rune('A'+i)), "earphone"})
		}
		items = append(items, [2]string{"碎花连衣裙", "dress"})
		searchCatalogue(t, e, items)
		b := newBrowser(t, e, "zh-CN")
		b.get("/")
		if p := b.post("/search", url.Values{"q": {"耳机"}, "csrf": {"forged-token-forged-tokn"}}); p.Status != 403 {
			t.Fatalf("a search with a forged token: %d", p.Status)
		}
		p := b.post("/search", url.Values{"q": {"耳机"}})
		mustPage(t, p, 303, "search")
		loc := p.Header.Get("Location")
		for _, leak := range []string{"耳机", url.QueryEscape("耳机"), url.PathEscape("耳机")} {
			if strings.Contains(loc, leak) {
				t.Fatalf("the query is in the address: %s", loc)
			}
		}
		p = b.get(loc)
		mustPage(t, p, 200, "results")
		if !strings.Contains(p.HTML, "无线蓝牙耳机") || strings.Contains(p.HTML, "碎花连衣裙") || !strings.Contains(p.HTML, `value="耳机"`) {
			t.Fatalf("results page: %.600s", p.HTML)
		}
		next := regexp.MustCompile(`href="(/search\?[^"]*page=2[^"]*)"`).FindStringSubmatch(p.HTML)
		if next == nil {
			t.Fatal("no link to the second page of 25 results")
		}
		if p2 := b.get(strings.ReplaceAll(next[1], "&amp;", "&")); p2.Status != 200 || strings.Count(p2.HTML, `class="card"`) != 5 {
			t.Errorf("second page: %d, %d cards", p2.Status, strings.Count(p2.HTML, `class="card"`))
		}
		sorted := regexp.MustCompile(`href="(/search\?[^"]*sort=price_desc[^"]*)"`).FindStringSubmatch(p.HTML)
		if sorted == nil {
			t.Fatal("no link to sort by price")
		}
		if p3 := b.get(strings.ReplaceAll(sorted[1], "&amp;", "&")); p3.Status != 200 || !strings.Contains(p3.HTML, `aria-current="true">价格从高到低`) {
			t.Errorf("sorted page: %d", p3.Status)
		}
		if p := b.get("/search?r=tampered"); p.Status != 200 || !strings.Contains(p.HTML, "已失效") {
			t.Errorf("a tampered search link: %d", p.Status)
		}
		if p := b.get(loc + "&sort=cheapest"); p.Status != 400 || !strings.Contains(p.HTML, "排序方式") {
			t.Errorf("a bad sort: %d", p.Status)
		}
	})
}

// TestPagesSignIn: a person signs in through the page and out again; the
// session ends on the server, and a page with an ended session's cookie is
// a visitor's page, not an error.
func TestPagesSignIn(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13800138111", "page_member")
		b := newBrowser(t, e, "en")
		b.get("/signin?next=/search")
		p := b.post("/signin", url.Values{"login": {sh.MemberName}, "password": {"wrong-password"}, "next": {"/search"}})
		if p.Status != 401 || !strings.Contains(p.HTML, `role="alert"`) || strings.Contains(p.HTML, "wrong-password") {
			t.Fatalf("a wrong password: %d", p.Status)
		}
		if strings.Contains(p.HTML, "请") {
			t.Errorf("an English page shows a Chinese error")
		}
		p = b.post("/signin", url.Values{"login": {sh.MemberName}, "password": {sh.Password}, "next": {"https://evil.example/"}})
		mustPage(t, p, 303, "sign in")
		if loc := p.Header.Get("Location"); loc != "/" {
			t.Errorf("sign-in sent the browser to %q; only paths on this site are followed", loc)
		}
		var session string
		for _, c := range p.Header.Values("Set-Cookie") {
			if v, ok := strings.CutPrefix(c, "minimall_session="); ok {
				session, _, _ = strings.Cut(v, ";")
			}
		}
		if session == "" {
			t.Fatal("no session cookie")
		}
		if home := b.get("/"); !strings.Contains(home.HTML, "Sign out") {
			t.Fatal("signed in, the page offers no sign-out")
		}
		mustPage(t, b.post("/signout", url.Values{}), 303, "sign out")
		if r := e.Do(t, "GET", "/api/v1/account", nil, testenv.Bearer(session)...); r.Status != 401 {
			t.Errorf("the signed-out session still works: %d", r.Status)
		}
		stale := newBrowser(t, e, "en")
		u, _ := url.Parse(e.URL)
		stale.c.Jar.SetCookies(u, []*http.Cookie{{Name: "minimall_session", Value: session}})
		p = stale.get("/")
		if p.Status != 200 || !strings.Contains(p.HTML, "Sign in") {
			t.Errorf("a page with an ended session: %d", p.Status)
		}
		if r := e.Do(t, "GET", "/api/v1/account", nil, "Cookie", "minimall_session="+session); r.Status != 401 {
			t.Errorf("the API with an ended session's cookie: %d, want 401", r.Status)
		}
		// Or with a texted code.
		byCode := newBrowser(t, e, "en")
		byCode.get("/signin")
		p = byCode.post("/signin/code", url.Values{"phone": {sh.Phone}})
		if p.Status != 200 || !strings.Contains(p.HTML, `name="code"`) {
			t.Fatalf("asking for a sign-in code: %d", p.Status)
		}
		if p := byCode.post("/signin", url.Values{"phone": {sh.Phone}, "code": {"000000"}}); p.Status != 401 {
			t.Errorf("a wrong code: %d", p.Status)
		}
		byCode.post("/signin/code", url.Values{"phone": {sh.Phone}})
		mustPage(t, byCode.post("/signin", url.Values{"phone": {sh.Phone}, "code": {e.SMS.Code(t, sh.Phone)}}), 303, "sign in with a code")
		if home := byCode.get("/"); !strings.Contains(home.HTML, "Sign out") {
			t.Error("signed in with a code, the page offers no sign-out")
		}
	})
}

// TestPagesLanguageSwitch: the switch keeps the choice in a necessary
// cookie and returns to the same page; it outranks Accept-Language.
func TestPagesLanguageSwitch(t *testing.T) {
	e := testenv.Start(t, testkit.MustOpenSQLite(t))
	b := newBrowser(t, e, "zh-CN")
	b.get("/signin")
	p := b.post("/lang", url.Values{"lang": {"en"}, "next": {"/signin"}})
	mustPage(t, p, 303, "switch")
	if p.Header.Get("Location") != "/signin" {
		t.Errorf("switch went to %q", p.Header.Get("Location"))
	}
	if p := b.get("/signin"); !strings.Contains(p.HTML, `lang="en"`) || !strings.Contains(p.HTML, "Password") {
		t.Errorf("after switching to English: %.300s", p.HTML)
	}
	if p := b.post("/lang", url.Values{"lang": {"fr"}}); p.Status != 400 {
		t.Errorf("an unknown language: %d", p.Status)
	}
	// A "next" that a browser would read as another site (it drops tabs
	// and newlines from a URL) goes home instead.
	for _, next := range []string{"//evil.example", "/\\evil.example", "/\t/evil.example", "/\n\\evil.example", "/\x7f/x"} {
		b.get("/signin")
		p := b.post("/lang", url.Values{"lang": {"en"}, "next": {next}})
		if loc := p.Header.Get("Location"); p.Status != 303 || loc != "/" {
			t.Errorf("next %q: %d to %q; want 303 to /", next, p.Status, loc)
		}
	}
}

// TestPagesRegister (二(一)1, 四(四)): sign-up takes a phone number, the
// code texted to it, a member name and a password; accepting the policy
// is the one act it asks for, and every additional function stays off
// until the person turns it on in the privacy centre. Off again, the home
// page's feed is exactly a visitor's.
func TestPagesRegister(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		searchCatalogue(t, e, [][2]string{{"主动降噪无线蓝牙耳机", "earphone"}, {"碎花连衣裙", "dress"}, {"头戴式耳机", "earphone"}})
		b := newBrowser(t, e, "zh-CN")
		b.get("/register")
		mustPage(t, b.post("/register/code", url.Values{"phone": {"12"}}), 400, "a malformed phone")
		p := b.post("/register/code", url.Values{"phone": {"13800138222"}})
		mustPage(t, p, 200, "send the code")
		if !strings.Contains(p.HTML, `name="code"`) || strings.Contains(p.HTML, `name="accept_policy" type="checkbox" value="yes" checked`) {
			t.Fatal("the second step lacks the code field, or ticks the policy for the person")
		}
		if strings.Contains(p.HTML, `checked`) {
			t.Error("a choice on the sign-up page is ticked in advance")
		}
		code := e.SMS.Code(t, "13800138222")
		form := url.Values{"phone": {"13800138222"}, "code": {code}, "member_name": {"page_new"}, "password": {"secret-pass1"},
			"policy_version": {itoa(e.Kernel.PolicyVersion())}}
		p = b.post("/register", form)
		if p.Status != 400 || !strings.Contains(p.HTML, "同意隐私政策") {
			t.Fatalf("registering without accepting the policy: %d", p.Status)
		}
		form.Set("accept_policy", "yes")
		p = b.post("/register", form)
		mustPage(t, p, 303, "register")
		if p.Header.Get("Location") != "/account/privacy" {
			t.Errorf("after sign-up the browser goes to %q", p.Header.Get("Location"))
		}
		p = b.get("/account/privacy")
		mustPage(t, p, 200, "privacy centre")
		if !strings.Contains(p.HTML, "个性化推荐") || strings.Contains(p.HTML, "已开启") {
			t.Fatalf("after sign-up an additional function is on, or none is listed: %.2000s", p.HTML)
		}
		visitor := newBrowser(t, e, "zh-CN")
		want := feedOf(visitor.get("/").HTML)
		if got := feedOf(b.get("/").HTML); got != want {
			t.Errorf("with recommendations off, the feed is not a visitor's:\n%s\n%s", got, want)
		}
		b.get("/account/privacy")
		mustPage(t, b.post("/account/privacy/functions", url.Values{"feature": {"recommendation"}, "action": {"grant"}}), 303, "turn on")
		if p := b.get("/account/privacy"); strings.Count(p.HTML, "已开启") != 1 {
			t.Errorf("after turning recommendations on, %d functions are on", strings.Count(p.HTML, "已开启"))
		}
		if home := b.get("/"); !strings.Contains(home.HTML, "猜你喜欢") {
			t.Error("with recommendations on, the home page does not say its feed is personalised")
		}
		mustPage(t, b.post("/account/privacy/functions", url.Values{"feature": {"recommendation"}, "action": {"withdraw"}}), 303, "turn off")
		if got := feedOf(b.get("/").HTML); got != want {
			t.Errorf("recommendations off again, the feed is not a visitor's:\n%s\n%s", got, want)
		}
		if p := visitor.get("/account/privacy"); p.Status != 303 || !strings.HasPrefix(p.Header.Get("Location"), "/signin") {
			t.Errorf("a visitor at the privacy centre: %d %s", p.Status, p.Header.Get("Location"))
		}
	})
}

// feedOf returns the item links of a home page's feed section.
func feedOf(html string) string {
	_, feed, _ := strings.Cut(html, `id="feed"`)
	return strings.Join(regexp.MustCompile(`href="/items/[^"]+"`).FindAllString(feed, -1), " ")
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestPagesBuy (二(三)1): add to cart, check out with only the recipient's
// name, address and phone, pay at the payment sandbox's cashier page and
// come back to the order, paid. The optional inputs stay folded away, the
// invoice's fields are inside its own fold, and no customs ID is asked for
// goods that are not cross-border.
func TestPagesBuy(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		_, ids := searchCatalogue(t, e, [][2]string{{"主动降噪无线蓝牙耳机", "earphone"}})
		sh := e.Register(t, "13800138444", "page_buyer")
		b := newBrowser(t, e, "zh-CN")
		b.get("/items/" + ids[0])
		if p := b.post("/cart/items", url.Values{"item": {ids[0]}}); p.Status != 303 || !strings.HasPrefix(p.Header.Get("Location"), "/signin?") {
			t.Fatalf("a visitor's add to cart: %d %s", p.Status, p.Header.Get("Location"))
		}
		b.get("/signin")
		mustPage(t, b.post("/signin", url.Values{"login": {sh.MemberName}, "password": {sh.Password}}), 303, "sign in")
		b.get("/items/" + ids[0])
		p := b.post("/cart/items", url.Values{"item": {ids[0]}, "quantity": {"1"}})
		mustPage(t, p, 303, "add to cart")
		p = b.get("/cart")
		mustPage(t, p, 200, "cart")
		if !strings.Contains(p.HTML, "主动降噪无线蓝牙耳机") {
			t.Fatalf("cart lacks the item: %.1500s", p.HTML)
		}
		p = b.get("/checkout")
		mustPage(t, p, 200, "checkout")
		required := regexp.MustCompile(`name="([a-z_]+)"[^>]*required`).FindAllStringSubmatch(p.HTML, -1)
		var names []string
		for _, m := range required {
			if m[1] != "q" { // the search box in every page's header
				names = append(names, m[1])
			}
		}
		if strings.Join(names, ",") != "name,address,phone" {
			t.Errorf("checkout requires %v; only the recipient's name, address and phone", names)
		}
		if strings.Contains(p.HTML, "customs") {
			t.Error("checkout asks for a customs ID for goods that are not cross-border")
		}
		if !regexp.MustCompile(`(?s)<details>\s*<summary>[^<]*发票`).MatchString(p.HTML) {
			t.Error("the invoice's fields are not folded away")
		}
		p = b.post("/checkout", url.Values{"name": {"张三"}, "address": {"浙江省杭州市西湖区文三路100号"}, "phone": {"12"}})
		if p.Status != 400 || !strings.Contains(p.HTML, `value="张三"`) {
			t.Fatalf("a bad phone at checkout: %d; the form must come back filled in", p.Status)
		}
		p = b.post("/checkout", url.Values{"name": {"张三"}, "address": {"浙江省杭州市西湖区文三路100号"}, "phone": {"13900009999"}})
		mustPage(t, p, 303, "place")
		orderPage := p.Header.Get("Location")
		p = b.get(orderPage)
		mustPage(t, p, 200, "order")
		if !strings.Contains(p.HTML, "等待付款") || !strings.Contains(p.HTML, "张三") {
			t.Fatalf("order page: %.1500s", p.HTML)
		}
		p = b.post(orderPage+"/pay", url.Values{})
		mustPage(t, p, 303, "pay")
		cashier := p.Header.Get("Location")
		if !strings.HasPrefix(cashier, e.Sandbox.Payment.URL()) {
			t.Fatalf("pay led to %s", cashier)
		}
		// The cashier is the institution's page: a browser on it posts its form.
		resp, err := b.c.Get(cashier)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("cashier page: %v %v", err, resp)
		}
		resp.Body.Close()
		trade := strings.TrimPrefix(cashier[strings.Index(cashier, "trade_no="):], "trade_no=")
		resp, err = b.c.PostForm(e.Sandbox.Payment.URL()+"/payment/pay", url.Values{"trade_no": {trade}})
		if err != nil || resp.StatusCode != 303 || !strings.HasSuffix(resp.Header.Get("Location"), orderPage) {
			t.Fatalf("paying at the cashier: %v %v", err, resp)
		}
		resp.Body.Close()
		if p := b.get(orderPage); !strings.Contains(p.HTML, "已付款") {
			t.Errorf("back from the cashier the order is not paid")
		}
		if p := b.get("/orders"); !strings.Contains(p.HTML, orderPage) {
			t.Errorf("my orders do not list the order")
		}
	})
}

// TestPagesMyData (四(一), 四(二), 四(五)): the person sees who other than
// themselves opened their data — an operator by role and ticket, never by
// name — and what went to partners; downloads a copy after proving it is
// them with a texted code; and deregisters, conditions first.
func TestPagesMyData(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := context.Background()
		sh := e.Register(t, "13800138777", "data_member")
		// Customer service opens the person's recipient phone on a ticket.
		sealed, err := e.Kernel.Guard().Seal(ctx, sh.Subject, privacy.RecipientPhone, "o_test", []byte("13900001111"))
		if err != nil {
			t.Fatal(err)
		}
		cs := minimall.Actor{Kind: minimall.Operator, ID: "op_alice", Role: minimall.RoleCustomerService, Reason: "TICKET-42"}
		if _, err := e.Kernel.Guard().Open(ctx, cs, sh.Subject, privacy.RecipientPhone, privacy.ForCustomerService, "o_test", sealed); err != nil {
			t.Fatal(err)
		}
		if err := e.Kernel.AuditFlush(ctx); err != nil {
			t.Fatal(err)
		}
		b := newBrowserSignedIn(t, e, sh, "en")
		p := b.get("/account/privacy/data")
		mustPage(t, p, 200, "my data")
		_, tracker, _ := strings.Cut(p.HTML, `id="tracker-h"`)
		tracker, _, _ = strings.Cut(tracker, `id="shared-h"`)
		if !strings.Contains(tracker, "operator/customer_service") || !strings.Contains(tracker, "TICKET-42") || !strings.Contains(tracker, "phone") {
			t.Fatalf("the tracker does not show customer service's access: %s", tracker)
		}
		if strings.Contains(p.HTML, "op_alice") {
			t.Error("the tracker names the operator")
		}
		if strings.Count(tracker, "<tr>") != 2 { // the head and one access: the person's own acts are not listed
			t.Errorf("the tracker lists %d rows, want the one access by someone else", strings.Count(tracker, "<tr>")-1)
		}
		// Download: a code to the phone, then the JSON and the readable page.
		p = b.post("/account/privacy/requests", url.Values{"kind": {"copy"}})
		mustPage(t, p, 303, "ask for a copy")
		reqPage := p.Header.Get("Location")
		b.get(reqPage)
		if p := b.post(reqPage+"/verify", url.Values{"code": {"000000"}}); p.Status != 400 || !strings.Contains(p.HTML, `role="alert"`) {
			t.Fatalf("a wrong code: %d", p.Status)
		}
		mustPage(t, b.post(reqPage+"/verify", url.Values{"code": {e.SMS.Code(t, sh.Phone)}}), 303, "verify")
		p = b.get(reqPage + "/export")
		if p.Status != 200 || !strings.Contains(p.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(p.HTML, sh.MemberName) {
			t.Fatalf("the JSON copy: %d %s", p.Status, p.Header.Get("Content-Disposition"))
		}
		if p := b.get(reqPage + "/export?format=html"); p.Status != 200 || !strings.Contains(p.HTML, sh.MemberName) || !strings.Contains(p.Header.Get("Content-Security-Policy"), "style-src 'sha256-") {
			t.Errorf("the readable copy: %d %s", p.Status, p.Header.Get("Content-Security-Policy"))
		}
		// Deregistration: conditions first, a code, then the account is gone.
		p = b.get("/account/deregister")
		mustPage(t, p, 200, "deregister")
		p = b.post("/account/privacy/requests", url.Values{"kind": {"deregister"}})
		mustPage(t, p, 303, "ask to deregister")
		reqPage = p.Header.Get("Location")
		b.get(reqPage)
		p = b.post(reqPage+"/verify", url.Values{"code": {e.SMS.Code(t, sh.Phone)}})
		mustPage(t, p, 200, "deregistered")
		if !strings.Contains(p.HTML, "Account deregistered") || !strings.Contains(strings.Join(p.Header.Values("Set-Cookie"), " "), "minimall_session=;") {
			t.Fatalf("after deregistering: %.500s %v", p.HTML, p.Header.Values("Set-Cookie"))
		}
		if r := e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": sh.Password}); r.Status != 401 {
			t.Errorf("signing in after deregistration: %d", r.Status)
		}
	})
}

// TestPagesConsole: the console refuses an unknown token and a missing
// ticket; an action without a ticket, or by a role that may not take it,
// is refused and changes nothing.
func TestPagesConsole(t *testing.T) {
	st := testkit.MustOpenSQLite(t)
	e := testenv.Start(t, st)
	ctx := context.Background()
	_, cs, err := e.Kernel.Operators.Add(ctx, minimall.RoleCustomerService)
	if err != nil {
		t.Fatal(err)
	}
	sh := e.Register(t, "13800138131", "console_target")
	r := e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "delete", "all": true, "ground": "no_consent"}, testenv.Bearer(sh.Token)...)
	var filed struct{ ID string }
	r.JSON(t, &filed)
	e.Do(t, "POST", "/api/v1/rights/requests/"+filed.ID+"/verify", map[string]string{"code": e.SMS.Code(t, sh.Phone)}, testenv.Bearer(sh.Token)...)
	b := newBrowser(t, e, "en")
	if p := b.get("/console"); p.Status != 303 || p.Header.Get("Location") != "/console/signin" {
		t.Fatalf("the console without signing in: %d %s", p.Status, p.Header.Get("Location"))
	}
	b.get("/console/signin")
	if p := b.post("/console/signin", url.Values{"token": {"mmo_nope"}, "ticket": {"T-1"}}); p.Status != 401 {
		t.Errorf("an unknown token: %d", p.Status)
	}
	if p := b.post("/console/signin", url.Values{"token": {cs}, "ticket": {"张三 asked"}}); p.Status != 401 || strings.Contains(p.HTML, cs) {
		t.Errorf("a ticket that is free text: %d (and the token must not come back)", p.Status)
	}
	mustPage(t, b.post("/console/signin", url.Values{"token": {cs}, "ticket": {"CS-9"}}), 303, "console sign-in")
	b.get("/console/rights/" + filed.ID)
	if p := b.post("/console/rights/"+filed.ID+"/answer", url.Values{}); p.Status != 400 {
		t.Errorf("an action without a ticket: %d", p.Status)
	}
	if p := b.post("/console/rights/"+filed.ID+"/answer", url.Values{"ticket": {"CS-9"}}); p.Status != 403 {
		t.Errorf("customer service answering a deletion: %d, want 403 (the DPO's)", p.Status)
	}
	var req struct{ State string }
	r = e.Do(t, "GET", "/api/v1/rights/requests/"+filed.ID, nil, testenv.Bearer(sh.Token)...)
	r.JSON(t, &req)
	if req.State == "answered" {
		t.Error("a refused console action answered the request")
	}
	consoleSessionEnds(t, e, st, b, cs)
}

// consoleSessionEnds: the browser keeps a console session, never the
// operator's token; the session ends at sign-out (a copied cookie stops
// working), after its 8 hours, and when the operator is disabled.
func consoleSessionEnds(t *testing.T, e *testenv.Env, st *testkit.Store, b *browser, token string) {
	ctx := context.Background()
	session := func(b *browser) string {
		u, _ := url.Parse(e.URL)
		for _, c := range b.c.Jar.Cookies(u) {
			if c.Name == "minimall_session" {
				return c.Value
			}
		}
		return ""
	}
	copied := session(b)
	if copied == "" || copied == token || strings.Contains(copied, token) || !strings.HasPrefix(copied, privacy.ConsoleTokenPrefix) {
		t.Fatalf("the console cookie must be a console session, not the operator token: %q", copied)
	}
	withCookie := func(v string) int {
		req, _ := http.NewRequest("GET", e.URL+"/console", nil)
		req.AddCookie(&http.Cookie{Name: "minimall_session", Value: v})
		req.AddCookie(&http.Cookie{Name: "minimall_ticket", Value: "CS-9"})
		return newBrowser(t, e, "en").do(req).Status
	}
	if st := withCookie(copied); st != 200 {
		t.Fatalf("the console with its session: %d", st)
	}
	b.get("/console")
	mustPage(t, b.post("/console/signout", url.Values{}), 303, "console sign-out")
	if st := withCookie(copied); st != 303 {
		t.Fatalf("a copied console cookie after sign-out: %d, want 303 to the sign-in", st)
	}
	// Eight hours later the session is over, whatever the cookie says.
	b2 := newBrowser(t, e, "en")
	b2.get("/console/signin")
	mustPage(t, b2.post("/console/signin", url.Values{"token": {token}, "ticket": {"CS-9"}}), 303, "sign in again")
	later := session(b2)
	st.Clock.Advance(8*time.Hour + time.Minute)
	if st := withCookie(later); st != 303 {
		t.Fatalf("a console session after 8 hours: %d", st)
	}
	// Disabling the operator ends the sessions at once.
	b3 := newBrowser(t, e, "en")
	b3.get("/console/signin")
	mustPage(t, b3.post("/console/signin", url.Values{"token": {token}, "ticket": {"CS-9"}}), 303, "sign in a third time")
	a, err := e.Kernel.Operators.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Kernel.Operators.Disable(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if st := withCookie(session(b3)); st != 303 {
		t.Fatalf("a console session of a disabled operator: %d", st)
	}
	// A console session is no way into the sign-in itself.
	b4 := newBrowser(t, e, "en")
	b4.get("/console/signin")
	if p := b4.post("/console/signin", url.Values{"token": {later}, "ticket": {"CS-9"}}); p.Status != 401 {
		t.Fatalf("signing in with a console session: %d", p.Status)
	}
}

// TestPagesHistory (二(二)1, 二(二)2, 四(四), 四(六), 八): footprints and
// searches are listed and cleared; the consent history shows a grant; an
// automated decision is explained and appealed; a complaint is filed with
// its deadline.
func TestPagesHistory(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := context.Background()
		_, ids := searchCatalogue(t, e, [][2]string{{"主动降噪无线蓝牙耳机", "earphone"}, {"碎花连衣裙", "dress"}})
		sh := e.Register(t, "13800138141", "history_member")
		b := newBrowserSignedIn(t, e, sh)
		b.get("/items/" + ids[0])
		p := b.get("/account/footprints")
		if !strings.Contains(p.HTML, "主动降噪无线蓝牙耳机") {
			t.Fatalf("footprints lack the item viewed: %.1500s", p.HTML)
		}
		b.get("/items/" + ids[1])
		mustPage(t, b.post("/account/favourites", url.Values{"item": {ids[1]}}), 303, "favourite")
		if p := b.get("/account/favourites"); !strings.Contains(p.HTML, "碎花连衣裙") {
			t.Error("favourites lack the item saved")
		}
		mustPage(t, b.post("/account/footprints/clear", url.Values{}), 303, "clear footprints")
		if p := b.get("/account/footprints"); strings.Contains(p.HTML, "主动降噪无线蓝牙耳机") {
			t.Error("footprints still listed after clearing")
		}
		// With recommendations on, a search ranked by the earlier ones is an
		// automated decision.
		b.get("/account/privacy")
		b.post("/account/privacy/functions", url.Values{"feature": {"recommendation"}, "action": {"grant"}})
		loc := b.post("/search", url.Values{"q": {"耳机"}}).Header.Get("Location")
		b.get(loc)
		b.get(loc)
		if p := b.get("/account/searches"); !strings.Contains(p.HTML, "耳机") {
			t.Errorf("the search history lacks the search")
		}
		mustPage(t, b.post("/account/searches/clear", url.Values{}), 303, "clear searches")
		if p := b.get("/account/searches"); strings.Contains(p.HTML, "<span>耳机</span>") {
			t.Error("the search history still lists the search after clearing")
		}
		if p := b.get("/account/consents"); !strings.Contains(p.HTML, "recommendation") || !strings.Contains(p.HTML, "grant") {
			t.Errorf("the consent history lacks the grant")
		}
		list, err := e.Decisions.List(ctx, minimall.ShopperActor(sh.Subject))
		if err != nil || len(list) == 0 {
			t.Fatalf("no automated decision to look at (%v)", err)
		}
		p = b.get("/account/decisions/" + list[0].ID)
		mustPage(t, p, 200, "decision")
		if !strings.Contains(p.HTML, `name="reason"`) {
			t.Fatal("the decision page offers no appeal")
		}
		mustPage(t, b.post("/account/decisions/"+list[0].ID+"/appeal", url.Values{"reason": {decision.ReasonWantHuman}}), 303, "appeal")
		if p := b.get("/account/decisions/" + list[0].ID); !strings.Contains(p.HTML, "已申诉") || strings.Contains(p.HTML, `name="reason"`) {
			t.Error("after appealing, the decision page does not say so")
		}
		b.get("/contact")
		p = b.post("/contact/complaints", url.Values{"topic": {"processing"}, "text": {"推荐太多了"}})
		if p.Status != 201 || !strings.Contains(p.HTML, "投诉已受理") {
			t.Errorf("a complaint: %d", p.Status)
		}
		if p := newBrowser(t, e, "en").get("/contact"); !strings.Contains(p.HTML, "dpo@minimall.example") || strings.Contains(p.HTML, `name="text"`) {
			t.Error("a visitor at the contact page: the DPO's address, and no form")
		}
	})
}

// TestPagesPolicyChange (六): after a major change every page a signed-in
// person opens carries the banner; the acceptance page lists what changed
// and does not turn paused functions back on unless asked; the archive
// lists both versions.
func TestPagesPolicyChange(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		dpo := operatorHeaders(t, e, minimall.RoleDPO, "POL-9")
		mustStatus(t, e.Do(t, "POST", "/api/v1/policy/versions", nil, dpo...), 201, "publish v1")
		sh := e.Register(t, "13800138151", "policy_page_member")
		b := newBrowserSignedIn(t, e, sh)
		b.get("/account/privacy")
		b.post("/account/privacy/functions", url.Values{"feature": {"recommendation"}, "action": {"grant"}})
		if p := b.get("/"); strings.Contains(p.HTML, `class="banner"`) {
			t.Fatal("a banner before any change")
		}
		e.Policy.ChangeContact(policy.Contact{DPO: "new-dpo@minimall.example"})
		mustStatus(t, e.Do(t, "POST", "/api/v1/policy/versions", nil, dpo...), 201, "publish v2")
		for _, path := range []string{"/", "/account/privacy", "/cart"} {
			if p := b.get(path); !strings.Contains(p.HTML, `class="banner"`) || !strings.Contains(p.HTML, `href="/policy/accept"`) {
				t.Errorf("%s after a major change shows no banner", path)
			}
		}
		if p := newBrowser(t, e, "zh-CN").get("/"); strings.Contains(p.HTML, `href="/policy/accept"`) {
			t.Error("a visitor sees the policy banner")
		}
		p := b.get("/policy/accept")
		mustPage(t, p, 200, "accept page")
		if !strings.Contains(p.HTML, "联络方式") || strings.Contains(p.HTML, `name="renew" type="checkbox" value="yes" checked`) {
			t.Fatalf("the acceptance page: %.2000s", p.HTML)
		}
		mustPage(t, b.post("/policy/accept", url.Values{"version": {"2"}}), 303, "accept")
		if p := b.get("/"); strings.Contains(p.HTML, `class="banner"`) {
			t.Error("the banner stays after accepting")
		}
		if p := b.get("/account/privacy"); strings.Contains(p.HTML, "已开启") {
			t.Error("accepting without the box turned a paused function back on")
		}
		p = b.get("/policy/versions")
		if !strings.Contains(p.HTML, `href="/policy/versions/1"`) || !strings.Contains(p.HTML, `href="/policy/versions/2"`) || !strings.Contains(p.HTML, "重大变更") {
			t.Errorf("the archive: %.1500s", p.HTML)
		}
		if p := b.get("/policy/versions/2"); !strings.Contains(p.HTML, "new-dpo@minimall.example") {
			t.Error("version 2 does not say what changed")
		}
		if p := b.get("/policy/versions/9"); p.Status != 404 {
			t.Errorf("an unknown version: %d", p.Status)
		}
	})
}

// TestPagesSecurity (二(一)4, 二(九)): the security centre lists the
// sessions signed in, ends one (the API's token stops working), takes a
// fraud report and locks the account at once.
func TestPagesSecurity(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13800138161", "security_member") // an API session
		b := newBrowserSignedIn(t, e, sh, "en")
		p := b.get("/account/security")
		mustPage(t, p, 200, "security centre")
		forms := regexp.MustCompile(`action="(/account/security/sessions/[^"]+/revoke)"`).FindAllStringSubmatch(p.HTML, -1)
		if len(forms) != 2 || !strings.Contains(p.HTML, "this one") {
			t.Fatalf("want two sessions, this one marked; got %d", len(forms))
		}
		// End the session that is not this browser's: the API token's.
		var other string
		for _, f := range forms {
			if !strings.Contains(p.HTML[strings.Index(p.HTML, f[1])-200:strings.Index(p.HTML, f[1])], "this one") {
				other = f[1]
			}
		}
		mustPage(t, b.post(other, url.Values{}), 303, "end the other session")
		if r := e.Do(t, "GET", "/api/v1/account", nil, testenv.Bearer(sh.Token)...); r.Status != 401 {
			t.Errorf("the ended session's token: %d", r.Status)
		}
		b.get("/account/security")
		if p := b.post("/account/security/fraud-reports", url.Values{"text": {""}}); p.Status != 400 {
			t.Errorf("an empty fraud report: %d", p.Status)
		}
		mustPage(t, b.post("/account/security/fraud-reports", url.Values{"text": {"A caller asked for my code"}}), 303, "fraud report")
		if p := b.get("/account/security"); !strings.Contains(p.HTML, "received") {
			t.Errorf("the fraud report is not listed")
		}
		p = b.post("/account/security/lock", url.Values{})
		if p.Status != 200 || !strings.Contains(p.HTML, `id="locked"`) {
			t.Fatalf("lock: %d", p.Status)
		}
		if r := e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": sh.Password}); r.Status == 201 {
			t.Error("a locked account signed in with its password")
		}
	})
}

// TestPagesSeller (三(五)1): a seller opens a shop and adds an item through
// the pages (a bad price is refused and the form comes back), sees the
// paid order with only what shipping needs, and ships it.
func TestPagesSeller(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		searchCatalogue(t, e, nil) // the categories
		seller := e.Register(t, "13800138171", "page_seller")
		b := newBrowserSignedIn(t, e, seller)
		b.get("/seller")
		p := b.post("/seller/shops", url.Values{"name": {"声悦数码"}})
		mustPage(t, p, 303, "open a shop")
		shopPage := p.Header.Get("Location")
		b.get(shopPage)
		if p := b.post(shopPage+"/items", url.Values{"title": {"头戴式降噪耳机"}, "category": {"earphone"}, "price": {"cheap"}, "stock": {"5"}}); p.Status != 400 || !strings.Contains(p.HTML, "价格") {
			t.Fatalf("a bad price: %d", p.Status)
		}
		mustPage(t, b.post(shopPage+"/items", url.Values{"title": {"头戴式降噪耳机"}, "category": {"earphone"}, "price": {"299.50"}, "stock": {"5"}}), 303, "add an item")
		p = b.get(shopPage)
		m := regexp.MustCompile(`href="/items/([^"]+)"`).FindStringSubmatch(p.HTML)
		if m == nil || !strings.Contains(p.HTML, "¥299.50") {
			t.Fatalf("the shop page lacks the new item: %.1500s", p.HTML)
		}
		buyer := e.Register(t, "13800138172", "page_buyer2")
		o := placeOrder(t, e, buyer, buyNow(m[1], 1))
		r := e.Do(t, "POST", "/api/v1/orders/"+o.ID+"/payments", map[string]any{}, testenv.Bearer(buyer.Token)...)
		var pay struct {
			PayURL string `json:"pay_url"`
		}
		r.JSON(t, &pay)
		resp, err := http.Post(pay.PayURL, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if p := b.get(shopPage); !strings.Contains(p.HTML, "/seller/orders/"+o.ID) {
			t.Fatal("the shop page does not list the paid order")
		}
		p = b.get("/seller/orders/" + o.ID)
		mustPage(t, p, 200, "order to ship")
		if !strings.Contains(p.HTML, recipient["name"].(string)) || strings.Contains(p.HTML, buyer.MemberName) || strings.Contains(p.HTML, buyer.Phone) {
			t.Errorf("the seller sees more or less than shipping needs")
		}
		mustPage(t, b.post("/seller/orders/"+o.ID+"/ship", url.Values{}), 303, "ship")
		if p := b.get("/seller/orders/" + o.ID); !strings.Contains(p.HTML, "已发货") {
			t.Error("after shipping the order is not shipped")
		}
		// Another person is no seller of this shop.
		if p := newBrowserSignedIn(t, e, buyer).get(shopPage); p.Status != 404 {
			t.Errorf("someone else at the seller's shop page: %d", p.Status)
		}
	})
}

// newBrowserSignedIn is a browser signed in as sh through the page.
func newBrowserSignedIn(t *testing.T, e *testenv.Env, sh *testenv.Shopper, lang ...string) *browser {
	t.Helper()
	b := newBrowser(t, e, append(lang, "zh-CN")[0])
	b.get("/signin")
	mustPage(t, b.post("/signin", url.Values{"login": {sh.MemberName}, "password": {sh.Password}}), 303, "sign in")
	return b
}

// TestPagesItemPicture: a seller uploads an item's picture; what is served
// is a JPEG written anew, without the uploaded file's metadata (a location
// in its EXIF); something not a picture is refused, and so is another
// person's upload.
func TestPagesItemPicture(t *testing.T) {
	e := testenv.Start(t, testkit.MustOpenSQLite(t))
	searchCatalogue(t, e, nil)
	seller := e.Register(t, "13800138181", "picture_seller")
	b := newBrowserSignedIn(t, e, seller)
	b.get("/seller")
	shopPage := b.post("/seller/shops", url.Values{"name": {"图片小店"}}).Header.Get("Location")
	b.get(shopPage)
	b.post(shopPage+"/items", url.Values{"title": {"蓝牙耳机"}, "category": {"earphone"}, "price": {"99"}, "stock": {"3"}})
	item := regexp.MustCompile(`href="/items/([^"]+)"`).FindStringSubmatch(b.get(shopPage).HTML)[1]

	const marker = "GPS 30.2741N 120.1551E"
	var pic bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	if err := jpeg.Encode(&pic, img, nil); err != nil {
		t.Fatal(err)
	}
	exif := append([]byte("Exif\x00\x00"), marker...)
	withExif := append([]byte{0xFF, 0xD8, 0xFF, 0xE1, byte((len(exif) + 2) >> 8), byte(len(exif) + 2)}, exif...)
	withExif = append(withExif, pic.Bytes()[2:]...)

	upload := func(b *browser, data []byte) *page {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", csrfField.FindStringSubmatch(b.last)[1])
		fw, _ := mw.CreateFormFile("picture", "photo.jpg")
		fw.Write(data)
		mw.Close()
		req, _ := http.NewRequest("POST", e.URL+"/seller/items/"+item+"/picture", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", e.URL)
		return b.do(req)
	}
	b.get(shopPage)
	if p := upload(b, []byte("not a picture")); p.Status != 400 {
		t.Errorf("a file that is not a picture: %d", p.Status)
	}
	b.get(shopPage)
	mustPage(t, upload(b, withExif), 303, "upload")
	p := b.get("/images/items/" + item)
	if p.Status != 200 || p.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("the picture: %d %s", p.Status, p.Header.Get("Content-Type"))
	}
	if strings.Contains(p.HTML, marker) || strings.Contains(p.HTML, "Exif") {
		t.Error("the served picture keeps the uploaded file's metadata")
	}
	if _, err := jpeg.Decode(strings.NewReader(p.HTML)); err != nil {
		t.Errorf("the served picture is no JPEG: %v", err)
	}
	other := newBrowserSignedIn(t, e, e.Register(t, "13800138182", "not_the_seller"))
	other.get("/")
	if p := upload(other, pic.Bytes()); p.Status != 403 {
		t.Errorf("someone else's upload: %d", p.Status)
	}
}

// TestPagesAddressBook (二(三)2): saved recipients are checked like an
// order's, offered at checkout and filled in when picked, in the person's
// export, and removed; another person cannot remove them.
func TestPagesAddressBook(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		_, ids := searchCatalogue(t, e, [][2]string{{"主动降噪无线蓝牙耳机", "earphone"}})
		sh := e.Register(t, "13800138191", "book_member")
		b := newBrowserSignedIn(t, e, sh)
		b.get("/account/addresses")
		if p := b.post("/account/addresses", url.Values{"name": {"王五"}, "address": {"上海市黄浦区南京东路1号"}, "phone": {"12"}}); p.Status != 400 || !strings.Contains(p.HTML, `value="王五"`) {
			t.Fatalf("a bad phone: %d; the form must come back filled in", p.Status)
		}
		mustPage(t, b.post("/account/addresses", url.Values{"name": {"王五"}, "address": {"上海市黄浦区南京东路1号"}, "phone": {"13900001234"}}), 303, "save")
		p := b.get("/account/addresses")
		remove := regexp.MustCompile(`action="(/account/addresses/[^"]+/remove)"`).FindStringSubmatch(p.HTML)
		if remove == nil || !strings.Contains(p.HTML, "南京东路1号") {
			t.Fatalf("the book: %.1500s", p.HTML)
		}
		b.get("/items/" + ids[0])
		b.post("/cart/items", url.Values{"item": {ids[0]}})
		p = b.get("/checkout")
		use := regexp.MustCompile(`href="(/checkout\?address=[^"]+)"`).FindStringSubmatch(p.HTML)
		if use == nil {
			t.Fatal("checkout does not offer the saved address")
		}
		if p := b.get(strings.ReplaceAll(use[1], "&amp;", "&")); !strings.Contains(p.HTML, `value="王五"`) || !strings.Contains(p.HTML, "13900001234") {
			t.Error("picking the saved address does not fill in the form")
		}
		// In the export.
		b.get("/account/privacy/data")
		req := b.post("/account/privacy/requests", url.Values{"kind": {"copy"}}).Header.Get("Location")
		b.get(req)
		b.post(req+"/verify", url.Values{"code": {e.SMS.Code(t, sh.Phone)}})
		if p := b.get(req + "/export"); !strings.Contains(p.HTML, "南京东路1号") || !strings.Contains(p.HTML, "addressbook") {
			t.Error("the export lacks the address book")
		}
		other := newBrowserSignedIn(t, e, e.Register(t, "13800138192", "book_other"))
		other.get("/")
		if p := other.post(remove[1], url.Values{}); p.Status != 404 {
			t.Errorf("another person removing the address: %d", p.Status)
		}
		b.get("/account/addresses")
		mustPage(t, b.post(remove[1], url.Values{}), 303, "remove")
		if p := b.get("/account/addresses"); strings.Contains(p.HTML, "南京东路1号") {
			t.Error("the address is still there after removing it")
		}
	})
}

// TestPagesOptionalCookie: before a choice, and after a no, a visitor
// gets no optional cookie; after a yes, viewing items keeps them on the
// device and the home page shows them; withdrawing deletes the cookie.
func TestPagesOptionalCookie(t *testing.T) {
	e := testenv.Start(t, testkit.MustOpenSQLite(t))
	_, ids := searchCatalogue(t, e, [][2]string{{"主动降噪无线蓝牙耳机", "earphone"}, {"碎花连衣裙", "dress"}})
	// optional reports whether a page set any optional cookie the
	// registry declares (deleting one does not count).
	optional := func(p *page) bool {
		for _, c := range p.Header.Values("Set-Cookie") {
			for _, d := range privacy.Cookies() {
				if !d.Necessary && strings.HasPrefix(c, d.Name+"=") && !strings.Contains(c, "Max-Age=0") {
					return true
				}
			}
		}
		return false
	}
	b := newBrowser(t, e, "zh-CN")
	p := b.get("/")
	if !strings.Contains(p.HTML, `action="/cookies/choice"`) || optional(p) {
		t.Fatal("a new visitor is not asked, or gets the optional cookie")
	}
	if optional(b.get("/items/" + ids[0])) {
		t.Error("an item view before a choice set the optional cookie")
	}
	// A visitor's recommendation switch is an optional cookie too.
	b.get("/cookies")
	if p := b.post("/cookies/switches", url.Values{"recommendation": {"on"}}); p.Status != 409 || optional(p) {
		t.Errorf("the switches before a choice: %d", p.Status)
	}
	if r := e.Do(t, "PUT", "/api/v1/recommendations/settings", map[string]bool{"recommendation": true}); r.Status != 409 || strings.Contains(r.Header.Get("Set-Cookie"), "mm_reco=r") {
		t.Errorf("the API's visitor switches before a choice: %d %q", r.Status, r.Header.Get("Set-Cookie"))
	}
	mustPage(t, b.post("/cookies/choice", url.Values{"choice": {"no"}, "next": {"/"}}), 303, "no")
	if p := b.get("/items/" + ids[0]); optional(p) || strings.Contains(p.HTML, `action="/cookies/choice"`) {
		t.Error("after a no: the optional cookie, or the question again")
	}
	mustPage(t, b.post("/cookies/choice", url.Values{"choice": {"yes"}, "next": {"/"}}), 303, "yes")
	if !optional(b.get("/items/" + ids[0])) {
		t.Fatal("after a yes, an item view did not keep the item")
	}
	b.get("/items/" + ids[1])
	p = b.get("/")
	if !strings.Contains(p.HTML, `id="recent"`) || !strings.Contains(p.HTML, "碎花连衣裙") {
		t.Error("the home page does not show the recently viewed items")
	}
	const deviceNote = "根据本设备上保存的最近浏览推荐"
	if strings.Contains(p.HTML, deviceNote) {
		t.Error("the feed is ranked by recent views before the switch is on")
	}
	// With the switch on, the feed is ranked by the recent views the
	// device keeps, and says which one brought each item.
	b.get("/cookies")
	if p := b.post("/cookies/switches", url.Values{"recommendation": {"on"}}); p.Status != 303 || !optional(p) {
		t.Fatalf("saving the switches: %d %v", p.Status, p.Header.Values("Set-Cookie"))
	}
	if p := b.get("/cookies"); !strings.Contains(p.HTML, `name="recommendation" checked`) {
		t.Error("the cookies page does not show the switch on")
	}
	if p := b.get("/"); !strings.Contains(p.HTML, deviceNote) || !strings.Contains(p.HTML, "因为您对") {
		t.Errorf("the visitor's feed with the switch on: %.1500s", feedOf(p.HTML))
	}
	p = b.post("/cookies/choice", url.Values{"choice": {"no"}, "next": {"/cookies"}})
	for _, name := range []string{"minimall_recent", "mm_reco"} {
		deleted := false
		for _, c := range p.Header.Values("Set-Cookie") {
			deleted = deleted || strings.HasPrefix(c, name+"=;") && strings.Contains(c, "Max-Age=0")
		}
		if !deleted {
			t.Errorf("withdrawing does not delete %s: %v", name, p.Header.Values("Set-Cookie"))
		}
	}
	if p := b.get("/"); strings.Contains(p.HTML, `id="recent"`) || strings.Contains(p.HTML, deviceNote) {
		t.Error("after withdrawing, the home page still uses the recent items")
	}
}

// TestPagesApps (三(一)4): the authorized apps are listed with what each
// may read, and a revocation on the page stops the app's token at once.
func TestPagesApps(t *testing.T) {
	e := testenv.Start(t, testkit.MustOpenSQLite(t))
	ops := oauthOpsHeaders(t, e)
	sh := e.Register(t, "13800138201", "apps_member")
	app := registerApp(t, e, ops, "好物比价")
	token := accessToken(t, e, app, approve(t, e, sh, app, ""))
	if r := userInfo(t, e, token); r.Status != 200 {
		t.Fatalf("userinfo before revoking: %d", r.Status)
	}
	b := newBrowserSignedIn(t, e, sh)
	p := b.get("/account/apps")
	revoke := regexp.MustCompile(`action="(/account/apps/[^"]+/revoke)"`).FindStringSubmatch(p.HTML)
	if revoke == nil || !strings.Contains(p.HTML, "好物比价") {
		t.Fatalf("the apps page: %.1500s", p.HTML)
	}
	mustPage(t, b.post(revoke[1], url.Values{}), 303, "revoke")
	if r := userInfo(t, e, token); r.Status != 401 {
		t.Errorf("the app's token after revoking: %d", r.Status)
	}
	if p := b.get("/account/apps"); strings.Contains(p.HTML, revoke[1]) {
		t.Error("a revoked app can be revoked again")
	}
}

// TestPagesCorrect (四(二)): a person corrects their member name through
// the page; a texted code proves it is them, and the new name signs in.
func TestPagesCorrect(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13800138211", "correct_member")
		b := newBrowserSignedIn(t, e, sh)
		p := b.get("/account/correct")
		if !strings.Contains(p.HTML, `name="account.member_name"`) || strings.Contains(p.HTML, "password") {
			t.Fatalf("the correction page: %.1500s", p.HTML)
		}
		if p := b.post("/account/correct", url.Values{}); p.Status != 400 {
			t.Errorf("a correction with nothing in it: %d", p.Status)
		}
		p = b.post("/account/correct", url.Values{"account.member_name": {"corrected_member"}})
		mustPage(t, p, 303, "file the correction")
		req := p.Header.Get("Location")
		b.get(req)
		mustPage(t, b.post(req+"/verify", url.Values{"code": {e.SMS.Code(t, sh.Phone)}}), 303, "verify")
		if r := e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": "corrected_member", "password": sh.Password}); r.Status != 201 {
			t.Errorf("signing in with the corrected name: %d %s", r.Status, r.Body)
		}
	})
}

// TestPagesConsoleComplaints (八): the DPO sees a person's complaint in the
// console with its deadline, takes it and answers it; the person sees the
// answer in their complaints.
func TestPagesConsoleComplaints(t *testing.T) {
	e := testenv.Start(t, testkit.MustOpenSQLite(t))
	sh := e.Register(t, "13800138221", "complaint_member")
	person := newBrowserSignedIn(t, e, sh)
	person.get("/contact")
	mustPage(t, person.post("/contact/complaints", url.Values{"topic": {"processing"}, "text": {"推荐太多了"}}), 201, "complain")
	_, dpo, err := e.Kernel.Operators.Add(context.Background(), minimall.RoleDPO)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, e, "zh-CN")
	b.get("/console/signin")
	mustPage(t, b.post("/console/signin", url.Values{"token": {dpo}, "ticket": {"CMP-1"}}), 303, "console sign-in")
	p := b.get("/console/complaints")
	action := regexp.MustCompile(`action="(/console/complaints/[^"]+)"`).FindStringSubmatch(p.HTML)
	if action == nil || !strings.Contains(p.HTML, "推荐太多了") {
		t.Fatalf("the complaints queue: %.1500s", p.HTML)
	}
	if p := b.post(action[1], url.Values{"state": {"answered"}, "ticket": {"CMP-1"}}); p.Status != 400 {
		t.Errorf("an answer without text: %d", p.Status)
	}
	mustPage(t, b.post(action[1], url.Values{"state": {"identity_checked"}, "ticket": {"CMP-1"}}), 303, "identity checked")
	b.get("/console/complaints")
	mustPage(t, b.post(action[1], url.Values{"state": {"in_progress"}, "ticket": {"CMP-1"}}), 303, "take it")
	b.get("/console/complaints")
	mustPage(t, b.post(action[1], url.Values{"state": {"answered"}, "ticket": {"CMP-1"}, "answer": {"已为你关闭个性化推荐的说明"}}), 303, "answer")
	r := e.Do(t, "GET", "/api/v1/complaints", nil, testenv.Bearer(sh.Token)...)
	if !strings.Contains(string(r.Body), "已为你关闭个性化推荐的说明") || !strings.Contains(string(r.Body), `"answered"`) {
		t.Errorf("the person's complaints: %s", r.Body)
	}
}

// TestPagesConsoleRetention (五(一)): ops run a retention sweep from the
// console (naming a ticket) and see its report; customer service may not.
func TestPagesConsoleRetention(t *testing.T) {
	e := testenv.Start(t, testkit.MustOpenSQLite(t))
	ctx := context.Background()
	_, ops, err := e.Kernel.Operators.Add(ctx, minimall.RoleOps)
	if err != nil {
		t.Fatal(err)
	}
	_, cs, err := e.Kernel.Operators.Add(ctx, minimall.RoleCustomerService)
	if err != nil {
		t.Fatal(err)
	}
	console := func(token string) *browser {
		b := newBrowser(t, e, "en")
		b.get("/console/signin")
		mustPage(t, b.post("/console/signin", url.Values{"token": {token}, "ticket": {"RET-1"}}), 303, "console sign-in")
		return b
	}
	b := console(ops)
	if p := b.get("/console/retention"); !strings.Contains(p.HTML, "It has not run yet") {
		t.Fatalf("before any sweep: %.800s", p.HTML)
	}
	mustPage(t, b.post("/console/retention/run", url.Values{"ticket": {"RET-1"}}), 303, "run now")
	if p := b.get("/console/retention"); !strings.Contains(p.HTML, "Last run:") {
		t.Error("after a sweep the page shows no report")
	}
	other := console(cs)
	other.get("/console/retention")
	if p := other.post("/console/retention/run", url.Values{"ticket": {"RET-1"}}); p.Status != 403 {
		t.Errorf("customer service running a sweep: %d", p.Status)
	}
}

// TestPagesConsoleAudit (五(三)1): the DPO verifies the audit log from the
// console; customer service may not.
func TestPagesConsoleAudit(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		e.Register(t, "13800138231", "audit_member") // a few entries
		ctx := context.Background()
		console := func(role minimall.Role) *browser {
			_, token, err := e.Kernel.Operators.Add(ctx, role)
			if err != nil {
				t.Fatal(err)
			}
			b := newBrowser(t, e, "en")
			b.get("/console/signin")
			mustPage(t, b.post("/console/signin", url.Values{"token": {token}, "ticket": {"AUD-1"}}), 303, "console sign-in")
			b.get("/console/audit")
			return b
		}
		p := console(minimall.RoleDPO).post("/console/audit/verify", url.Values{"ticket": {"AUD-1"}})
		if p.Status != 200 || !strings.Contains(p.HTML, "Verified: no problem") {
			t.Fatalf("verify: %d %.800s", p.Status, p.HTML)
		}
		if p := console(minimall.RoleCustomerService).post("/console/audit/verify", url.Values{"ticket": {"AUD-1"}}); p.Status != 403 {
			t.Errorf("customer service verifying: %d", p.Status)
		}
	})
}

// TestPagesSellerAccessEnds (三(五)1): once the parcel is delivered, the
// seller's order page shows what was bought, no longer who it went to.
func TestPagesSellerAccessEnds(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13800138241", "ending_seller")
		item := fx.item(t, e, "安吉白茶 100克", 6800, 5, nil)
		buyer := e.Register(t, "13800138242", "ending_buyer")
		o := placeOrder(t, e, buyer, buyNow(item, 1))
		b := newBrowserSignedIn(t, e, fx.seller)
		waybill := payAndShip(t, e, buyer, fx.seller, o.ID)
		if p := b.get("/seller/orders/" + o.ID); !strings.Contains(p.HTML, recipient["name"].(string)) {
			t.Fatal("while shipping, the seller does not see the recipient")
		}
		resp, err := http.Post(e.Sandbox.Logistics.URL()+"/logistics/advance", "application/json",
			strings.NewReader(fmt.Sprintf(`{"waybill_no":%q,"status":"delivered","description":"签收"}`, waybill)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		p := b.get("/seller/orders/" + o.ID)
		if p.Status != 200 || !strings.Contains(p.HTML, "安吉白茶") {
			t.Fatalf("after delivery the seller's order page: %d", p.Status)
		}
		for _, v := range []string{recipient["name"].(string), recipient["address"].(string), recipient["phone"].(string)} {
			if strings.Contains(p.HTML, v) {
				t.Errorf("after delivery the seller still sees %q", v)
			}
		}
	})
}
