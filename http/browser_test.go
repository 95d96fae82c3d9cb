package http_test

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// The browser journeys drive Debian's chromium through the pages, as a
// person would. They skip where no browser is installed, except under
// CI=true, where a missing browser fails the run (.ci/run installs it).

var journeyBudget = flag.Duration("journey-budget", 90*time.Second, "time allowed for one browser journey; raise it for slow machines")

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
	ctx context.Context
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
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, *journeyBudget)
	j := &journey{t: t, e: e, ctx: ctx}
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

// keepEvidence saves a screenshot and the HTML of the page shown when the
// journey failed, in a folder that outlives the test, and names them.
func (j *journey) keepEvidence() {
	dir, err := os.MkdirTemp("", "minimall-journey-")
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(j.ctx), 10*time.Second)
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
