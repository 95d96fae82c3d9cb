package http_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// axeViolation is what axe-core reports of one rule a page breaks.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// TestAccessibility: every page the server registers, in Chinese and in
// English, passes axe-core with no serious or critical violation. The test
// lists the registered page routes and fails on any it did not visit.
func TestAccessibility(t *testing.T) {
	axe, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	st := testkit.MustOpenSQLite(t)
	e := testenv.Start(t, st)
	_, ids := searchCatalogue(t, e, [][2]string{{"主动降噪无线蓝牙耳机", "earphone"}, {"碎花连衣裙", "dress"}})
	dpo := operatorHeaders(t, e, minimall.RoleDPO, "AXE-0")
	if r := e.Do(t, "POST", "/api/v1/policy/versions", nil, dpo...); r.Status != 201 {
		t.Fatalf("publish the policy: %d", r.Status)
	}
	sh := e.Register(t, "13800138555", "axe_member")
	// A cart line and an order, so the cart, checkout and order pages
	// have something to show.
	b := newBrowser(t, e, "zh-CN")
	b.get("/signin")
	b.post("/signin", url.Values{"login": {sh.MemberName}, "password": {sh.Password}})
	b.get("/items/" + ids[0])
	b.post("/cart/items", url.Values{"item": {ids[0]}})
	b.get("/checkout")
	placed := b.post("/checkout", url.Values{"name": {"张三"}, "address": {"浙江省杭州市西湖区文三路100号"}, "phone": {"13900009999"}})
	b.get("/items/" + ids[1])
	b.post("/cart/items", url.Values{"item": {ids[1]}})
	b.get("/account/privacy")
	b.post("/account/privacy/functions", url.Values{"feature": {"recommendation"}, "action": {"grant"}})
	searched := b.post("/search", url.Values{"q": {"耳机"}})
	b.get(searched.Header.Get("Location"))
	b.get(searched.Header.Get("Location")) // ranked by the first search: an automated decision
	decisions, err := e.Decisions.List(context.Background(), minimall.ShopperActor(sh.Subject))
	if err != nil || len(decisions) == 0 {
		t.Fatalf("no automated decision for the decision page (%v)", err)
	}
	b.get("/seller")
	shopPage := b.post("/seller/shops", url.Values{"name": {"无障碍小店"}}).Header.Get("Location")
	b.get(shopPage)
	b.post(shopPage+"/items", url.Values{"title": {"头戴式降噪耳机"}, "category": {"earphone"}, "price": {"299"}, "stock": {"5"}})
	own := regexp.MustCompile(`href="/items/([^"]+)"`).FindStringSubmatch(b.get(shopPage).HTML)
	if own == nil {
		t.Fatal("the seller's item is not on the shop page")
	}
	sold := placeOrder(t, e, e.Register(t, "13800138556", "axe_buyer"), buyNow(own[1], 1))
	b.get("/account/privacy/data")
	copyRequest := b.post("/account/privacy/requests", url.Values{"kind": {"copy"}}).Header.Get("Location")
	b.get(copyRequest)
	b.post(copyRequest+"/verify", url.Values{"code": {e.SMS.Code(t, sh.Phone)}})
	// An appeal and an incident, so the console's queues show one.
	appealed := e.Do(t, "POST", "/api/v1/account/decisions/"+decisions[0].ID+"/appeal", map[string]any{"reason": "refuse_personalised"}, testenv.Bearer(sh.Token)...)
	wantStatus(t, appealed, 200, "appeal")
	incidentID := recordIncident(t, e, st, sh)
	// The address each page route is checked at; routes that answer no
	// page (a stylesheet, an image, a form's target that redirects) say why.
	visit := map[string][]string{
		"GET /{$}":                           {"/"},
		"GET /categories/{id}":               {"/categories/digital", "/categories/earphone"},
		"GET /items/{id}":                    {"/items/" + ids[0]},
		"GET /search":                        {"/search", searched.Header.Get("Location")},
		"GET /signin":                        {"/signin"},
		"GET /register":                      {"/register"},
		"GET /policy":                        {"/policy"},
		"GET /account/privacy":               {"/account/privacy"},
		"GET /cart":                          {"/cart"},
		"GET /checkout":                      {"/checkout"},
		"GET /orders":                        {"/orders"},
		"GET /orders/{id}":                   {placed.Header.Get("Location")},
		"GET /account/privacy/data":          {"/account/privacy/data"},
		"GET /account/privacy/requests/{id}": {copyRequest},
		"GET /account/privacy/requests/{id}/export": {copyRequest + "/export?format=html"}, // the JSON copy is no page
		"GET /account/deregister":                   {"/account/deregister"},
		"GET /console/signin":                       {"/console/signin"},
		"GET /console":                              {"/console"},
		"GET /console/rights":                       {"/console/rights"},
		"GET /console/rights/{id}":                  {"/console/rights/" + path.Base(copyRequest)},
		"GET /cookies":                              {"/cookies"},
		"GET /account/footprints":                   {"/account/footprints"},
		"GET /account/searches":                     {"/account/searches"},
		"GET /account/interests":                    {"/account/interests"},
		"GET /pickup-points":                        {"/pickup-points"},
		"GET /recipient":                            {"/recipient"},
		"GET /guardian":                             {"/guardian"},
		"GET /account/consents":                     {"/account/consents"},
		"GET /account/decisions":                    {"/account/decisions"},
		"GET /account/decisions/{id}":               {"/account/decisions/" + decisions[0].ID},
		"GET /contact":                              {"/contact"},
		"GET /policy/versions":                      {"/policy/versions"},
		"GET /policy/versions/{n}":                  {"/policy/versions/1"},
		"GET /policy/accept":                        {"/policy/accept"}, // up to date: it leads to /policy
		"GET /account/favourites":                   {"/account/favourites"},
		"GET /account/security":                     {"/account/security"},
		"GET /seller":                               {"/seller"},
		"GET /seller/shops/{id}":                    {shopPage},
		"GET /seller/orders/{id}":                   {"/seller/orders/" + sold.ID},
		"GET /account/addresses":                    {"/account/addresses"},
		"GET /account/apps":                         {"/account/apps"},
		"GET /account/correct":                      {"/account/correct"},
		"GET /console/complaints":                   {"/console/complaints"},
		"GET /console/retention":                    {"/console/retention"},
		"GET /console/audit":                        {"/console/audit"},
		"GET /console/appeals":                      {"/console/appeals"},
		"GET /console/incidents":                    {"/console/incidents"},
		"GET /console/incidents/{id}":               {"/console/incidents/" + incidentID},
		"GET /console/disclosures":                  {"/console/disclosures", "/console/disclosures?ground=legal_duty"},
		"GET /console/lists":                        {"/console/lists"},
		"GET /console/sharing":                      {"/console/sharing"},
		"GET /console/consents":                     {"/console/consents"},
		"GET /no/such/page":                         {"/no/such/page"}, // the 404 page; not a route
		"GET /static/{file}":                        nil,               // the stylesheet
		"GET /images/items/{id}":                    nil,               // an item's picture
	}
	for _, route := range e.Server.PageRoutes() {
		if strings.HasPrefix(route, "POST ") {
			continue // a form's target: it redirects, or shows the form's page again
		}
		if _, ok := visit[route]; !ok {
			t.Errorf("page route %s is not checked for accessibility", route)
		}
	}
	var paths []string
	for _, ps := range visit {
		paths = append(paths, ps...)
	}
	sort.Strings(paths)
	_, dpoToken, err := e.Kernel.Operators.Add(context.Background(), minimall.RoleDPO)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		j := startJourney(t, e, lang)
		j.signIn(sh.MemberName, sh.Password)
		for _, path := range paths {
			if strings.HasPrefix(path, "/console") {
				continue // below, signed in as an operator
			}
			j.run("open "+path, chromedp.Navigate(e.URL+path), chromedp.WaitReady(chromedp.CSS("body")))
			checkAxe(t, path, lang, runAxe(j, string(axe), path))
		}
		j.run("sign in to the console", chromedp.Navigate(e.URL+"/console/signin"))
		checkAxe(t, "/console/signin", lang, runAxe(j, string(axe), "/console/signin"))
		j.run("console sign-in",
			chromedp.SendKeys(chromedp.CSS("#token"), dpoToken),
			chromedp.SendKeys(chromedp.CSS("#ticket"), "AXE-1"),
			chromedp.Submit(chromedp.CSS("#token")),
			chromedp.WaitVisible(chromedp.CSS(`a[href="/console/rights"]`)))
		for _, path := range paths {
			if strings.HasPrefix(path, "/console") && path != "/console/signin" {
				j.run("open "+path, chromedp.Navigate(e.URL+path), chromedp.WaitReady(chromedp.CSS("body")))
				checkAxe(t, path, lang, runAxe(j, string(axe), path))
			}
		}
	}
}

// runAxe runs axe-core on the page shown and returns its violations, JSON.
func runAxe(j *journey, axe, path string) string {
	return value(j, "axe on "+path, chromedp.Evaluate[string](axe+`;
		(async () => JSON.stringify((await axe.run(document, {resultTypes: ["violations"]})).violations))()`,
		chromedp.EvalAwaitPromise))
}

// checkAxe fails the test for each serious or critical violation.
func checkAxe(t *testing.T, path, lang, raw string) {
	t.Helper()
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("axe on %s: %v", path, err)
	}
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("%s (%s): %s %s — %s, at %v", path, lang, v.Impact, v.ID, v.Help, v.Nodes)
		}
	}
}
