package http_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// The browser journeys drive Debian's chromium through the pages, as a
// person would. They skip where no browser is installed, except under
// CI=true, where a missing browser fails the run (.ci/run installs it).

// The accessibility journey visits every page in one budget, about 60 of
// them since the console grew: 120 s leaves room on a loaded machine.
var journeyBudget = flag.Duration("journey-budget", 120*time.Second, "time allowed for one browser journey; raise it for slow machines")

// chromiumPath finds the browser, or skips (fails under CI=true).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true and no chromium: .ci/run installs it")
	}
	t.Skip("no chromium on this machine: the browser journeys skip")
	return ""
}

// journey is one browser tab on a running platform. On failure it keeps a
// screenshot and the page's HTML and names them.
type journey struct {
	t   *testing.T
	e   *testenv.Env
	ctx context.Context // the tab under the journey's budget
	tab context.Context
}

func startJourney(t *testing.T, e *testenv.Env, lang string) *journey {
	t.Helper()
	exe := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", lang),
		chromedp.Flag("accept-lang", lang),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(412, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(actx)
	// The browser starts with the first action and lives as long as the
	// context that action ran under: the tab's, not the budget's, so the
	// page can still be captured once the budget is spent.
	if err := chromedp.Do(tab); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTime := context.WithTimeout(tab, *journeyBudget)
	j := &journey{t: t, e: e, ctx: ctx, tab: tab}
	t.Cleanup(func() {
		if t.Failed() {
			j.keepEvidence()
		}
		cancelTime()
		cancelTab()
		cancelAlloc()
	})
	return j
}

// run runs the steps; a failing step fails the test with what it was.
func (j *journey) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	j.t.Helper()
	if err := chromedp.Do(j.ctx, steps...); err != nil {
		j.t.Fatalf("%s: %v", what, err)
	}
}

// value runs one action that reads something, failing the test if it fails.
func value[T any](j *journey, what string, a chromedp.Action[T]) T {
	j.t.Helper()
	v, err := chromedp.Run(j.ctx, a)
	if err != nil {
		j.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// text returns the text of the first element matching the CSS selector.
func (j *journey) text(sel string) string {
	j.t.Helper()
	return value(j, "read "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// signIn signs the browser in through the sign-in page.
func (j *journey) signIn(login, password string) {
	j.t.Helper()
	j.run("sign in",
		chromedp.Navigate(j.e.URL+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#login"), login),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signout"]`)))
}

// keepEvidence saves a screenshot and the HTML of the page shown when the
// journey failed, in a folder that outlives the test, and names them.
func (j *journey) keepEvidence() {
	dir, err := os.MkdirTemp("", "minimall-journey-")
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(j.tab, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		j.t.Logf("the failed journey's page could not be captured: %v", err)
		return
	}
	html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	name := strings.NewReplacer("/", "_", " ", "_").Replace(j.t.Name())
	shot, page := filepath.Join(dir, name+".png"), filepath.Join(dir, name+".html")
	os.WriteFile(shot, png, 0o644)
	os.WriteFile(page, []byte(html), 0o644)
	j.t.Logf("the failed journey's page: %s and %s", shot, page)
}

// TestJourneyVisitorSearches (二(一)1, 二(二)2): a visitor who never saw the
// API opens the shop, picks a category, searches 耳机 with the keyboard
// and opens an item from the results.
func TestJourneyVisitorSearches(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		searchCatalogue(t, e, [][2]string{{"主动降噪无线蓝牙耳机", "earphone"}, {"头戴式耳机", "earphone"}, {"碎花连衣裙", "dress"}})
		j := startJourney(t, e, "zh-CN")
		j.run("open the shop", chromedp.Navigate(e.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`a[href="/categories/digital"]`)))
		j.run("pick a category", chromedp.Click(chromedp.CSS(`a[href="/categories/digital"]`)), chromedp.WaitVisible(chromedp.CSS("h1")))
		if h := j.text("h1"); h != "数码" {
			t.Fatalf("category page heading %q", h)
		}
		j.run("search 耳机",
			chromedp.SendKeys(chromedp.CSS("#q"), "耳机"),
			chromedp.SendKeys(chromedp.CSS("#q"), "\r"),
			chromedp.WaitVisible(chromedp.CSS("#q2")), // the results page's own search box
			chromedp.WaitVisible(chromedp.CSS(".cards")))
		loc := value(j, "read the address", chromedp.Location())
		results := j.text(".cards")
		if strings.Contains(loc, "耳机") || strings.Contains(loc, "%E8%80%B3") {
			t.Errorf("the query is in the address bar: %s", loc)
		}
		if !strings.Contains(results, "主动降噪无线蓝牙耳机") || !strings.Contains(results, "头戴式耳机") || strings.Contains(results, "碎花连衣裙") {
			t.Fatalf("results: %q", results)
		}
		j.run("open an item", chromedp.Click(chromedp.CSS(".card a")), chromedp.WaitVisible(chromedp.CSS(".item .price")))
		if p := j.text(".item .price"); !strings.HasPrefix(p, "¥") {
			t.Errorf("item price %q", p)
		}
	})
}

// TestJourneyShopperBuys (二(一)1, 二(三)1, 三(五)1): a person registers
// with the code the SMS sandbox received, adds an item to the cart, checks
// out giving only a name, an address and a phone, pays on the payment
// sandbox's own cashier page and comes back to the order, paid.
func TestJourneyShopperBuys(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		_, ids := searchCatalogue(t, e, [][2]string{{"主动降噪无线蓝牙耳机", "earphone"}})
		j := startJourney(t, e, "zh-CN")
		const phone = "13800138333"
		j.run("ask for a code",
			chromedp.Navigate(e.URL+"/register"),
			chromedp.SendKeys(chromedp.CSS("#phone"), phone),
			chromedp.Submit(chromedp.CSS("#phone")),
			chromedp.WaitVisible(chromedp.CSS("#code")))
		j.run("register",
			chromedp.SendKeys(chromedp.CSS("#code"), e.SMS.Code(t, phone)),
			chromedp.SendKeys(chromedp.CSS("#member_name"), "journey_buyer"),
			chromedp.SendKeys(chromedp.CSS("#password"), "secret-pass1"),
			chromedp.Click(chromedp.CSS("#accept_policy")),
			chromedp.Submit(chromedp.CSS("#password")),
			chromedp.WaitVisible(chromedp.CSS("#functions")))
		j.run("add to cart",
			chromedp.Navigate(e.URL+"/items/"+ids[0]),
			chromedp.Click(chromedp.CSS(".buy button")),
			chromedp.WaitVisible(chromedp.CSS(".lines")))
		if cart := j.text(".lines"); !strings.Contains(cart, "主动降噪无线蓝牙耳机") {
			t.Fatalf("cart: %q", cart)
		}
		j.run("check out",
			chromedp.Click(chromedp.CSS(`a[href="/checkout"]`)),
			chromedp.WaitVisible(chromedp.CSS("#name")),
			chromedp.SendKeys(chromedp.CSS("#name"), "张三"),
			chromedp.SendKeys(chromedp.CSS("#address"), "浙江省杭州市西湖区文三路100号"),
			chromedp.SendKeys(chromedp.CSS("#phone"), "13900009999"),
			chromedp.Submit(chromedp.CSS("#name")),
			chromedp.WaitVisible(chromedp.CSS(`form[action$="/pay"] button`)))
		if s := j.text(".status"); s != "等待付款" {
			t.Fatalf("a new order's status: %q", s)
		}
		j.run("pay at the cashier",
			chromedp.Click(chromedp.CSS(`form[action$="/pay"] button`)),
			chromedp.WaitVisible(chromedp.CSS(".amount")))
		if loc := value(j, "cashier address", chromedp.Location()); !strings.HasPrefix(loc, e.Sandbox.Payment.URL()) {
			t.Fatalf("the pay button led to %s, not the payment sandbox", loc)
		}
		j.run("confirm the payment",
			chromedp.Click(chromedp.CSS("button")),
			chromedp.WaitVisible(chromedp.CSS(".status")))
		if s := j.text(".status"); s != "已付款，等待发货" {
			t.Fatalf("back from the cashier, the order is %q", s)
		}
		j.run("my orders", chromedp.Navigate(e.URL+"/orders"), chromedp.WaitVisible(chromedp.CSS(".lines")))
		if list := j.text(".lines"); !strings.Contains(list, "已付款") {
			t.Errorf("my orders: %q", list)
		}
	})
}

// tabTo presses Tab until the focused element matches the CSS selector,
// as a keyboard user moves through a page; it fails if the element cannot
// be reached in 60 presses.
func (j *journey) tabTo(sel string) {
	j.t.Helper()
	for range 60 {
		j.run("press Tab", chromedp.KeyEvent("\t"))
		if value(j, "focus", chromedp.Evaluate[bool](`document.activeElement && document.activeElement.matches(`+strconvQuote(sel)+`)`)) {
			return
		}
	}
	j.t.Fatalf("%s cannot be reached with the Tab key", sel)
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestJourneyKeyboardCheckout: a checkout with the keyboard alone — Tab to
// move, typing to fill in, Enter to act — from the item page to the order.
func TestJourneyKeyboardCheckout(t *testing.T) {
	e := testenv.Start(t, testkit.MustOpenSQLite(t))
	_, ids := searchCatalogue(t, e, [][2]string{{"主动降噪无线蓝牙耳机", "earphone"}})
	sh := e.Register(t, "13800138666", "keyboard_buyer")
	j := startJourney(t, e, "en")
	j.run("open the sign-in page", chromedp.Navigate(e.URL+"/signin?next=/items/"+ids[0]))
	j.tabTo("#login")
	j.run("type the member name", chromedp.KeyEvent(sh.MemberName))
	j.tabTo("#password")
	j.run("type the password and press Enter", chromedp.KeyEvent(sh.Password), chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(".buy button")))
	j.tabTo(".buy button")
	j.run("add to cart", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS(`a[href="/checkout"]`)))
	j.tabTo(`main a[href="/checkout"]`)
	j.run("go to checkout", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS("#name")))
	for _, f := range []struct{ sel, text string }{{"#name", "Zhang San"}, {"#address", "100 Wensan Road, Hangzhou"}, {"#phone", "13900009999"}} {
		j.tabTo(f.sel)
		j.run("type "+f.sel, chromedp.KeyEvent(f.text))
	}
	j.tabTo(`form[action="/checkout"] button[type="submit"]`)
	j.run("place the order", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS(".status")))
	if s := j.text(".status"); s != "Awaiting payment" {
		t.Fatalf("after a keyboard checkout the page shows %q", s)
	}
}

// TestJourneyDataAndDeregistration (四(二), 四(五)): in the browser, a
// person downloads a copy of their data after entering the texted code,
// reads it, and deregisters.
func TestJourneyDataAndDeregistration(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13800138888", "journey_leaver")
		j := startJourney(t, e, "zh-CN")
		j.signIn(sh.MemberName, sh.Password)
		j.run("open my data",
			chromedp.Navigate(e.URL+"/account/privacy"),
			chromedp.Click(chromedp.CSS(`a[href="/account/privacy/data"]`)),
			chromedp.WaitVisible(chromedp.CSS(`form[action="/account/privacy/requests"] button`)))
		j.run("ask for a copy",
			chromedp.Click(chromedp.CSS(`form[action="/account/privacy/requests"] button`)),
			chromedp.WaitVisible(chromedp.CSS("#code")))
		j.run("enter the code",
			chromedp.SendKeys(chromedp.CSS("#code"), e.SMS.Code(t, sh.Phone)),
			chromedp.Submit(chromedp.CSS("#code")),
			chromedp.WaitVisible(chromedp.CSS("a[download]")))
		copyJSON := value(j, "fetch the JSON copy", chromedp.Evaluate[string](
			`fetch(document.querySelector("a[download]").href).then(r => r.text())`, chromedp.EvalAwaitPromise))
		if !strings.Contains(copyJSON, sh.MemberName) || !strings.HasPrefix(strings.TrimSpace(copyJSON), "{") {
			t.Fatalf("the downloaded copy: %.300s", copyJSON)
		}
		j.run("read the copy", chromedp.Click(chromedp.CSS(`a[href$="format=html"]`)), chromedp.WaitVisible(chromedp.CSS("table")))
		if body := j.text("body"); !strings.Contains(body, sh.MemberName) {
			t.Errorf("the readable copy lacks the member name")
		}
		j.run("deregister",
			chromedp.Navigate(e.URL+"/account/deregister"),
			chromedp.Click(chromedp.CSS(`form[action="/account/privacy/requests"] button`)),
			chromedp.WaitVisible(chromedp.CSS("#code")))
		j.run("confirm with the code",
			chromedp.SendKeys(chromedp.CSS("#code"), e.SMS.Code(t, sh.Phone)),
			chromedp.Submit(chromedp.CSS("#code")),
			chromedp.WaitVisible(chromedp.CSS("h1#deregistered")))
		if h := j.text("h1"); h != "账户已注销" {
			t.Fatalf("after confirming: %q", h)
		}
		j.run("back home", chromedp.Navigate(e.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`a[href="/signin"]`)))
	})
}

// TestJourneyConsoleAnswers (四(八)): a DPO signs in to the console with
// their token and a ticket, finds a verified request in the rights queue
// and answers it before its deadline; the audit log keeps the ticket, and
// the person's data page shows the DPO by role.
func TestJourneyConsoleAnswers(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13800138999", "console_subject")
		// Deleting everything on a ground waits, once verified, for the DPO.
		r := e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "delete", "all": true, "ground": "no_consent"}, testenv.Bearer(sh.Token)...)
		if r.Status != 201 {
			t.Fatalf("file a request: %d %s", r.Status, r.Body)
		}
		var filed struct{ ID string }
		r.JSON(t, &filed)
		if r := e.Do(t, "POST", "/api/v1/rights/requests/"+filed.ID+"/verify", map[string]string{"code": e.SMS.Code(t, sh.Phone)}, testenv.Bearer(sh.Token)...); r.Status != 200 {
			t.Fatalf("verify: %d %s", r.Status, r.Body)
		}
		_, token, err := e.Kernel.Operators.Add(context.Background(), minimall.RoleDPO)
		if err != nil {
			t.Fatal(err)
		}
		j := startJourney(t, e, "en")
		j.run("sign in to the console",
			chromedp.Navigate(e.URL+"/console/signin"),
			chromedp.SendKeys(chromedp.CSS("#token"), token),
			chromedp.SendKeys(chromedp.CSS("#ticket"), "DPO-2026-17"),
			chromedp.Submit(chromedp.CSS("#token")),
			chromedp.WaitVisible(chromedp.CSS(`a[href="/console/rights"]`)))
		j.run("open the queue",
			chromedp.Click(chromedp.CSS(`a[href="/console/rights"]`)),
			chromedp.WaitVisible(chromedp.CSS(`a[href="/console/rights/`+filed.ID+`"]`)))
		j.run("open the request",
			chromedp.Click(chromedp.CSS(`a[href="/console/rights/`+filed.ID+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(".status")))
		if s := j.text(".status"); s != "In progress" {
			t.Fatalf("the request's state: %q", s)
		}
		j.run("answer it",
			chromedp.Click(chromedp.CSS(`form[action$="/answer"] button`)),
			chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/answer"]`)))
		if s := j.text(".status"); s != "Answered" {
			t.Fatalf("after answering, the state shown is %q", s)
		}
		var req struct {
			State        string    `json:"state"`
			DueAt        time.Time `json:"due_at"`
			ClosedAt     time.Time `json:"closed_at"`
			AnsweredLate bool      `json:"answered_late"`
		}
		e.Do(t, "GET", "/api/v1/ops/rights/requests/"+filed.ID, nil, "Authorization", "Bearer "+token, "X-Access-Reason", "DPO-2026-17").JSON(t, &req)
		if req.State != "answered" || req.AnsweredLate || !req.ClosedAt.Before(req.DueAt) {
			t.Errorf("the request: %+v; want answered before its deadline", req)
		}
		// The answer is in the audit log under the ticket the console named.
		if err := e.Kernel.AuditFlush(context.Background()); err != nil {
			t.Fatal(err)
		}
		recs, err := e.Kernel.AuditFind(context.Background(), sh.Subject, time.Time{}, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, rec := range recs {
			found = found || strings.HasPrefix(rec.Actor, "operator:") && strings.Contains(rec.Ref, "DPO-2026-17")
		}
		if !found {
			t.Error("no audit entry of the DPO's answer carries the console's ticket")
		}
	})
}

// TestItemPageWeight: the item page's HTML, stylesheet and scripts
// together stay under 60 KB (images aside), and its first contentful
// paint, from the browser's Performance API, is reported.
func TestItemPageWeight(t *testing.T) {
	e := testenv.Start(t, testkit.MustOpenSQLite(t))
	_, ids := searchCatalogue(t, e, [][2]string{{"主动降噪无线蓝牙耳机", "earphone"}})
	sh := e.Register(t, "13800138121", "weight_member")
	j := startJourney(t, e, "zh-CN")
	j.signIn(sh.MemberName, sh.Password)
	j.run("open an item", chromedp.Navigate(e.URL+"/items/"+ids[0]), chromedp.WaitVisible(chromedp.CSS(".buy")))
	type resource struct {
		Name, Type string
		Size       float64
	}
	res := value(j, "resources", chromedp.Evaluate[[]resource](`[
		...performance.getEntriesByType("navigation").map(e => ({Name: e.name, Type: "document", Size: e.decodedBodySize})),
		...performance.getEntriesByType("resource").map(e => ({Name: e.name, Type: e.initiatorType, Size: e.decodedBodySize})),
	]`))
	total := 0.0
	for _, r := range res {
		if r.Type == "img" || strings.Contains(r.Name, "/images/") {
			continue
		}
		total += r.Size
		t.Logf("%s %s: %.0f bytes", r.Type, r.Name, r.Size)
	}
	if total == 0 || total > 60*1024 {
		t.Errorf("the item page's HTML, CSS and scripts weigh %.0f bytes; the budget is 60 KB", total)
	}
	// The paint entry may come after the load: wait for it (the budget bounds the wait).
	fcp := value(j, "first contentful paint", chromedp.Evaluate[float64](`new Promise(done => new PerformanceObserver(list => {
			for (const e of list.getEntries()) if (e.name === "first-contentful-paint") done(e.startTime);
		}).observe({type: "paint", buffered: true}))`, chromedp.EvalAwaitPromise))
	t.Logf("item page: %.1f KB without images, first contentful paint %.0f ms", total/1024, fcp)
	if fcp < 0 {
		t.Error("the browser reported no first contentful paint")
	}
}
