package http_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// TestPagesPickupPoints (二(八)1): the pick-up points are listed by city
// with their coordinates for the browser to sort by distance (the page
// carries no position of the person and asks for none itself); checkout
// can take a point's address; a declined location prompt is not offered
// again for 48 hours — in the consent ledger for an account, in a
// necessary cookie for a visitor — and ordering works as before.
func TestPagesPickupPoints(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		_, ids := searchCatalogue(t, e, [][2]string{{"主动降噪无线蓝牙耳机", "earphone"}})
		visitor := newBrowser(t, e, "zh-CN")
		p := visitor.get("/pickup-points")
		mustPage(t, p, 200, "pick-up points")
		if !strings.Contains(p.HTML, `data-ask="yes"`) || !strings.Contains(p.HTML, `data-lat="30.2819"`) || !strings.Contains(p.HTML, "/static/pickup.js") {
			t.Fatalf("the list lacks the prompt offer, coordinates or the script: %.1500s", p.HTML)
		}
		// By city: each city's points together.
		last, seen := "", map[string]bool{}
		for _, m := range regexp.MustCompile(`<span class="state">([^<]+)</span>`).FindAllStringSubmatch(p.HTML, -1) {
			if m[1] != last && seen[m[1]] {
				t.Fatalf("the points of %s are not together", m[1])
			}
			last, seen[m[1]] = m[1], true
		}
		if len(seen) != 5 {
			t.Fatalf("cities listed: %v", seen)
		}
		if js := visitor.get("/static/pickup.js"); js.Status != 200 || !strings.Contains(js.HTML, "getCurrentPosition") || strings.Contains(js.HTML, "coords.latitude +") {
			t.Fatalf("the script: %d", js.Status)
		}
		p = visitor.post("/pickup-points/location-refused", url.Values{"js": {"1"}})
		if p.Status != 204 || !strings.Contains(strings.Join(p.Header.Values("Set-Cookie"), ";"), "minimall_geo_refused=1") {
			t.Fatalf("a visitor's refusal: %d %v", p.Status, p.Header.Values("Set-Cookie"))
		}
		if p := visitor.get("/pickup-points"); !strings.Contains(p.HTML, `data-ask="no"`) {
			t.Fatal("a visitor who declined is offered the prompt again")
		}

		sh := e.Register(t, "13800138301", "pickup_member")
		b := newBrowserSignedIn(t, e, sh)
		b.get("/pickup-points?next=checkout")
		mustPage(t, b.post("/pickup-points/location-refused", url.Values{}), 303, "refuse")
		st0, rec, err := e.Kernel.Consents.State(t.Context(), sh.Subject, privacy.FeatureScope(privacy.FeatLocation))
		if err != nil || st0 != privacy.Withdrawn || rec.Evidence != "location_prompt_declined" {
			t.Fatalf("the refusal is not in the ledger: %v %+v %v", st0, rec, err)
		}
		if p := b.get("/pickup-points?next=checkout"); !strings.Contains(p.HTML, `data-ask="no"`) || !strings.Contains(p.HTML, `href="/checkout?pickup=pp_hz_wenyi"`) {
			t.Fatal("after declining: the prompt is offered again, or the points cannot be picked")
		}
		// Ordering works as before, to a pick-up point's address.
		b.get("/items/" + ids[0])
		b.post("/cart/items", url.Values{"item": {ids[0]}})
		p = b.get("/checkout?pickup=pp_hz_wenyi")
		if !strings.Contains(p.HTML, "文一西路 969 号 1 号门") || !strings.Contains(p.HTML, `href="/pickup-points?next=checkout"`) {
			t.Fatal("checkout does not take the pick-up point's address")
		}
		p = b.post("/checkout", url.Values{"name": {"张三"}, "address": {"浙江省杭州市余杭区文一西路 969 号 1 号门（minimall 驿站 · 文一西路）"}, "phone": {"13800138301"}})
		if p.Status != 303 {
			t.Fatalf("checkout to a pick-up point: %d", p.Status)
		}
		st.Clock.Advance(48*time.Hour + time.Minute)
		if p := b.get("/pickup-points"); !strings.Contains(p.HTML, `data-ask="yes"`) {
			t.Fatal("48 hours after declining, the prompt is still not offered")
		}
	})
}
