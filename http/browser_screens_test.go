package http_test

import (
	"context"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minimall"
	"minimall/catalog/seed"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

var screens = flag.String("screens", "", "write the README's screenshots (home, item, checkout, privacy centre, console; Chinese and English) to this folder")

// TestScreens refreshes the screenshots under docs/screens:
//
//	go test ./http -run TestScreens -screens ../docs/screens
//
// Without -screens it does nothing.
func TestScreens(t *testing.T) {
	if *screens == "" {
		t.Skip("-screens not given")
	}
	ctx := context.Background()
	e := testenv.Start(t, testkit.MustOpenSQLite(t))
	if _, err := seed.Catalog(ctx, e.Catalog, seed.Options{Items: 120, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if err := e.Search.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	items, err := e.Catalog.ScanItems(ctx, "", 1)
	if err != nil || len(items) == 0 {
		t.Fatal(err)
	}
	sh := e.Register(t, "13800138100", "screen_member")
	// A function turned on, so the console's consent chart has a bar.
	if r := e.Do(t, "PUT", "/api/v1/recommendations/settings", map[string]bool{"recommendation": true}, testenv.Bearer(sh.Token)...); r.Status != 200 {
		t.Fatalf("turn recommendations on: %d %s", r.Status, r.Body)
	}
	_, dpo, err := e.Kernel.Operators.Add(ctx, minimall.RoleDPO)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(*screens, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		j := startJourney(t, e, lang)
		shot := func(name string) {
			// Lazy pictures load once scrolled to: scroll through first.
			value(j, "scroll down", chromedp.Evaluate[bool](`window.scrollTo(0, document.body.scrollHeight), true`))
			j.run("let the pictures load", chromedp.Sleep(500*time.Millisecond))
			value(j, "scroll up", chromedp.Evaluate[bool](`window.scrollTo(0, 0), true`))
			png := value(j, "screenshot "+name, chromedp.FullScreenshot(100)) // 100: PNG
			file := filepath.Join(*screens, name+"-"+lang[:2]+".png")
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", file)
		}
		j.run("home", chromedp.Navigate(e.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".cards")))
		shot("home")
		j.signIn(sh.MemberName, sh.Password)
		j.run("item", chromedp.Navigate(e.URL+"/items/"+url.PathEscape(items[0].ID)), chromedp.WaitVisible(chromedp.CSS(".buy")))
		shot("item")
		j.run("add to cart and check out", chromedp.Click(chromedp.CSS(".buy button")), chromedp.WaitVisible(chromedp.CSS(".lines")),
			chromedp.Navigate(e.URL+"/checkout"), chromedp.WaitVisible(chromedp.CSS("#name")))
		shot("checkout")
		j.run("privacy centre", chromedp.Navigate(e.URL+"/account/privacy"), chromedp.WaitVisible(chromedp.CSS("#functions")))
		shot("privacy")
		j.run("my data", chromedp.Navigate(e.URL+"/account/privacy/data"), chromedp.WaitVisible(chromedp.CSS("#tracker-h")))
		shot("mydata")
		j.run("interests", chromedp.Navigate(e.URL+"/account/interests"), chromedp.WaitVisible(chromedp.CSS("h1")))
		shot("interests")
		j.run("pick-up points", chromedp.Navigate(e.URL+"/pickup-points"), chromedp.WaitVisible(chromedp.CSS("#points")))
		shot("pickup")
		j.run("console", chromedp.Navigate(e.URL+"/console/signin"),
			chromedp.SendKeys(chromedp.CSS("#token"), dpo), chromedp.SendKeys(chromedp.CSS("#ticket"), "DPO-1"),
			chromedp.Submit(chromedp.CSS("#token")), chromedp.WaitVisible(chromedp.CSS(`a[href="/console/rights"]`)),
			chromedp.Navigate(e.URL+"/console/rights"), chromedp.WaitVisible(chromedp.CSS("h1")))
		shot("console")
		j.run("console charts", chromedp.Navigate(e.URL+"/console/consents"), chromedp.WaitVisible(chromedp.CSS("h1")))
		shot("console-consents")
	}
}
