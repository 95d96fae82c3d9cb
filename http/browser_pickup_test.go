package http_test

import (
	"context"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// TestJourneyPickupDistance (二(八)1): the browser asks for its location
// only when the person taps "sort by distance", sorts the pick-up points
// itself and sends nothing (no request leaves the page); when the person
// declines, the page reports the refusal, holding no position, and does
// not offer the prompt again.
func TestJourneyPickupDistance(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		j := startJourney(t, e, "zh-CN")
		permission := func(setting cdpbrowser.PermissionSetting) chromedp.Action[chromedp.Void] {
			return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
					Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: setting, Origin: e.URL})
				return err
			})
		}
		lat, lng, accuracy := 30.2753, 120.1229, 10.0 // by the 西溪 point
		j.run("stand in Hangzhou and allow the location",
			permission(cdpbrowser.PermissionSettingGranted),
			chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := chromedp.Call(ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lng, Accuracy: &accuracy})
				return err
			}))
		j.run("sort by distance",
			chromedp.Navigate(e.URL+"/pickup-points"),
			chromedp.WaitVisible(chromedp.CSS("#by-distance")),
			chromedp.Click(chromedp.CSS("#by-distance")),
			chromedp.WaitReady(chromedp.CSS(`#points[data-sorted="distance"]`)))
		if first := j.text("#points li strong"); first != "minimall 驿站 · 西溪" {
			t.Fatalf("the nearest point first: got %q", first)
		}
		if d := j.text("#points li .distance"); !strings.HasSuffix(d, " m") && !strings.HasSuffix(d, " km") {
			t.Fatalf("the distance shown: %q", d)
		}
		sent := `performance.getEntriesByType("resource").filter(e => e.initiatorType === "fetch" || e.initiatorType === "xmlhttprequest").map(e => e.name)`
		if got := value(j, "requests the page made", chromedp.Evaluate[[]string](sent)); len(got) != 0 {
			t.Fatalf("sorting by distance sent requests: %v", got)
		}
		j.run("decline the location",
			permission(cdpbrowser.PermissionSettingDenied),
			chromedp.Navigate(e.URL+"/pickup-points"),
			chromedp.WaitVisible(chromedp.CSS("#by-distance")),
			chromedp.Click(chromedp.CSS("#by-distance")))
		reported := value(j, "the refusal reported", chromedp.Evaluate[[]string](`new Promise(done => {
			const look = () => {
				const got = performance.getEntriesByType("resource").filter(e => e.initiatorType === "fetch").map(e => e.name);
				got.length ? done(got) : setTimeout(look, 50);
			};
			look();
		})`, chromedp.EvalAwaitPromise))
		if len(reported) != 1 || !strings.HasSuffix(reported[0], "/pickup-points/location-refused") {
			t.Fatalf("after declining, the page sent %v", reported)
		}
		j.run("come back", chromedp.Navigate(e.URL+"/pickup-points"), chromedp.WaitReady(chromedp.CSS(`#points[data-ask="no"]`)))
		if shown := value(j, "is the button offered", chromedp.Evaluate[bool](`!document.getElementById("by-distance").hidden`)); shown {
			t.Fatal("after declining, the prompt is offered again")
		}
	})
}
