package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"minimall"
	"minimall/catalog"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/recommend"
)

// recoCatalogue seeds six leaf categories under two roots, two shops and
// perCat items of each category in each shop; it returns item ids by category.
func recoCatalogue(t testing.TB, e *testenv.Env, perCat int) map[string][]string {
	t.Helper()
	ctx := context.Background()
	sys := minimall.SystemActor("test")
	cats := []catalog.Category{{ID: "women", Name: "女装"}, {ID: "dress", Parent: "women", Name: "连衣裙"}, {ID: "skirt", Parent: "women", Name: "半身裙"},
		{ID: "coat", Parent: "women", Name: "外套"}, {ID: "digital", Name: "数码"}, {ID: "earphone", Parent: "digital", Name: "耳机"},
		{ID: "phone", Parent: "digital", Name: "手机"}, {ID: "watch", Parent: "digital", Name: "手表"}}
	for _, c := range cats {
		if _, err := e.Catalog.CreateCategory(ctx, sys, c); err != nil {
			t.Fatal(err)
		}
	}
	var shops []string
	var news []catalog.NewItem
	for _, name := range []string{"甲店", "乙店"} {
		sh, err := e.Catalog.ImportShop(ctx, name, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cats {
			if c.Parent == "" {
				continue
			}
			for i := range perCat {
				shops = append(shops, sh.ID)
				news = append(news, catalog.NewItem{Title: fmt.Sprintf("%s%s%d", name, c.Name, i), Category: c.ID, PriceFen: int64(1000 + i), Stock: 100})
			}
		}
	}
	ids, err := e.Catalog.ImportItems(ctx, shops, news)
	if err != nil {
		t.Fatal(err)
	}
	byCat := map[string][]string{}
	for i, id := range ids {
		byCat[news[i].Category] = append(byCat[news[i].Category], id)
	}
	return byCat
}

func recommendations(t testing.TB, e *testenv.Env, page int, headers ...string) *recommend.List {
	t.Helper()
	r := e.Do(t, "GET", fmt.Sprintf("/api/v1/recommendations?page=%d", page), nil, headers...)
	if r.Status != 200 {
		t.Fatalf("recommendations: %d %s", r.Status, r.Body)
	}
	var l recommend.List
	r.JSON(t, &l)
	return &l
}

// allPages returns every recommended item, checking the diversity rule on
// each page as it goes.
func allPages(t *testing.T, e *testenv.Env, headers ...string) ([]*catalog.Item, bool) {
	t.Helper()
	var out []*catalog.Item
	personalised := false
	for page := 1; page != 0; {
		l := recommendations(t, e, page, headers...)
		count := map[string]int{}
		for _, it := range l.Items {
			if count[it.Category]++; count[it.Category] > recommend.MaxPerCategory {
				t.Fatalf("page %d holds more than %d items of %s", page, recommend.MaxPerCategory, it.Category)
			}
		}
		out, personalised, page = append(out, l.Items...), l.Personalised, l.NextPage
	}
	return out, personalised
}

func setReco(t testing.TB, e *testenv.Env, sh *testenv.Shopper, body map[string]bool) recommend.Settings {
	t.Helper()
	r := e.Do(t, "PUT", "/api/v1/recommendations/settings", body, testenv.Bearer(sh.Token)...)
	if r.Status != 200 {
		t.Fatalf("settings: %d %s", r.Status, r.Body)
	}
	var s recommend.Settings
	r.JSON(t, &s)
	return s
}

func syncReco(t testing.TB, e *testenv.Env) {
	t.Helper()
	if err := e.Recommend.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestAPIRecommendations (二(二)4): behaviour shapes the list in real time,
// no category crowds a page, blocks hold at once, prices are everyone's,
// and with the switch off the list reads nothing of the person.
func TestAPIRecommendations(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		byCat := recoCatalogue(t, e, 6)
		a := e.Register(t, "13900010001", "reco_a")
		b := e.Register(t, "13900010002", "reco_b")
		ha, hb := testenv.Bearer(a.Token), testenv.Bearer(b.Token)

		t.Run("ErrBadPage", func(t *testing.T) {
			for _, p := range []string{"0", "6", "x"} {
				r := e.Do(t, "GET", "/api/v1/recommendations?page="+p, nil)
				wantStatus(t, r, 400, "page "+p)
			}
		})
		t.Run("VisitorGetsHotList", func(t *testing.T) {
			items, personalised := allPages(t, e)
			if personalised || len(items) == 0 {
				t.Fatalf("visitor: personalised=%v, %d items", personalised, len(items))
			}
		})
		for _, sh := range []*testenv.Shopper{a, b} {
			if s := setReco(t, e, sh, map[string]bool{"recommendation": true}); !s.Recommendation {
				t.Fatalf("switch on: %+v", s)
			}
		}
		// a favourites dresses (engage's change feed), b clicks earphones
		// (the feedback route): real-time feedback, 实时反馈.
		for _, id := range byCat["dress"][:3] {
			wantStatus(t, e.Do(t, "POST", "/api/v1/account/favourites", map[string]string{"target": id}, ha...), 201, "favourite")
		}
		for _, id := range byCat["earphone"][:3] {
			wantStatus(t, e.Do(t, "POST", "/api/v1/recommendations/feedback", map[string]string{"item": id, "kind": "click"}, hb...), 202, "feedback")
		}
		syncReco(t, e)
		since := time.Now().Add(-time.Second)

		t.Run("PersonalisedAndDiverse", func(t *testing.T) {
			la := recommendations(t, e, 1, ha...)
			lb := recommendations(t, e, 1, hb...)
			if !la.Personalised || !lb.Personalised {
				t.Fatal("consented shoppers get a non-personalised list")
			}
			if la.Items[0].Category != "dress" || lb.Items[0].Category != "earphone" {
				t.Errorf("first items: a %s, b %s; want dress, earphone", la.Items[0].Category, lb.Items[0].Category)
			}
			allPages(t, e, ha...) // checks at most MaxPerCategory per category on each page
		})
		t.Run("SamePriceForEveryone", func(t *testing.T) {
			ia, _ := allPages(t, e, ha...)
			ib, _ := allPages(t, e, hb...)
			price := map[string]int64{}
			for _, it := range ia {
				price[it.ID] = it.PriceFen
			}
			common := 0
			for _, it := range ib {
				if p, ok := price[it.ID]; ok {
					common++
					if p != it.PriceFen {
						t.Errorf("item %s: a sees %d, b sees %d", it.ID, p, it.PriceFen)
					}
				}
				var cat catalog.Item
				e.Do(t, "GET", "/api/v1/items/"+it.ID, nil).JSON(t, &cat)
				if cat.PriceFen != it.PriceFen {
					t.Errorf("item %s: recommended at %d, catalogue says %d", it.ID, it.PriceFen, cat.PriceFen)
				}
			}
			if common == 0 {
				t.Fatal("no item in common to compare")
			}
		})
		t.Run("BlockCategoryAtOnce", func(t *testing.T) {
			r := e.Do(t, "POST", "/api/v1/recommendations/blocks", map[string]string{"category": "women"}, ha...)
			wantStatus(t, r, 201, "block")
			items, _ := allPages(t, e, ha...)
			for _, it := range items {
				if it.Category == "dress" || it.Category == "skirt" || it.Category == "coat" {
					t.Fatalf("blocked category %s still recommended", it.Category)
				}
			}
			if len(items) == 0 {
				t.Fatal("nothing left at all")
			}
			// b's list still has them: blocks are a's alone.
			ib, _ := allPages(t, e, hb...)
			if !hasCategory(ib, "dress") {
				t.Error("b lost dresses through a's block")
			}
		})
		t.Run("BlockSimilar", func(t *testing.T) {
			first := recommendations(t, e, 1, hb...).Items[0]
			wantStatus(t, e.Do(t, "POST", "/api/v1/recommendations/blocks", map[string]string{"similar_to": first.ID}, hb...), 201, "block similar")
			items, _ := allPages(t, e, hb...)
			for _, it := range items {
				if it.Category == first.Category && it.Shop == first.Shop {
					t.Fatalf("item %s like the blocked one is still recommended", it.ID)
				}
			}
			var bl recommend.Blocks
			e.Do(t, "GET", "/api/v1/recommendations/blocks", nil, hb...).JSON(t, &bl)
			if len(bl.Similar) != 1 || bl.Similar[0].Item != first.ID {
				t.Errorf("blocks: %+v", bl)
			}
		})
		t.Run("ErrBlock", func(t *testing.T) {
			wantStatus(t, e.Do(t, "POST", "/api/v1/recommendations/blocks", map[string]string{}, ha...), 400, "neither")
			wantStatus(t, e.Do(t, "POST", "/api/v1/recommendations/blocks", map[string]string{"category": "nope"}, ha...), 404, "unknown category")
			wantStatus(t, e.Do(t, "POST", "/api/v1/recommendations/blocks", map[string]string{"category": "women"}), 401, "visitor")
			wantStatus(t, e.Do(t, "POST", "/api/v1/recommendations/feedback", map[string]string{"item": "nope", "kind": "click"}, ha...), 404, "unknown item")
			wantStatus(t, e.Do(t, "POST", "/api/v1/recommendations/feedback", map[string]string{"item": byCat["dress"][0], "kind": "order"}, ha...), 400, "kind")
		})
		t.Run("ProfileReadOnlyWhenOn", func(t *testing.T) {
			if !auditHas(t, e, a.Subject, since, privacy.PreferenceFeatures) {
				t.Fatal("the profile read is not in the audit log")
			}
		})
		t.Run("SwitchOffIdenticalAndUnread", func(t *testing.T) {
			for _, sh := range []*testenv.Shopper{a, b} {
				setReco(t, e, sh, map[string]bool{"recommendation": false})
			}
			off := time.Now()
			// Feedback while off keeps nothing of the person.
			wantStatus(t, e.Do(t, "POST", "/api/v1/recommendations/feedback", map[string]string{"item": byCat["phone"][0], "kind": "click"}, ha...), 202, "feedback off")
			wantStatus(t, e.Do(t, "POST", "/api/v1/account/favourites", map[string]string{"target": byCat["phone"][1]}, ha...), 201, "favourite off")
			syncReco(t, e)
			// The profile tables are out of reach: a list that touched them would fail.
			if _, err := st.DB.ExecContext(t.Context(), `ALTER TABLE recommend_profiles RENAME TO recommend_profiles_away`); err != nil {
				t.Fatal(err)
			}
			ia, pa := allPages(t, e, ha...)
			ib, pb := allPages(t, e, hb...)
			if _, err := st.DB.ExecContext(t.Context(), `ALTER TABLE recommend_profiles_away RENAME TO recommend_profiles`); err != nil {
				t.Fatal(err)
			}
			if pa || pb {
				t.Fatal("personalised with the switch off")
			}
			ja, _ := json.Marshal(ia)
			jb, _ := json.Marshal(ib)
			if string(ja) != string(jb) {
				t.Fatalf("switch off, lists differ:\n%s\n%s", ja, jb)
			}
			for _, f := range []privacy.Field{privacy.PreferenceFeatures, privacy.RecommendationBlocks, privacy.Favourite, privacy.Footprint} {
				if auditHas(t, e, a.Subject, off, f) {
					t.Errorf("%s read for recommendation with the switch off", f)
				}
			}
			// Withdrawal deleted the profile and blocks (PIPL art. 47).
			pseud, _ := e.Kernel.Pseudonym(t.Context(), a.Subject, "recommend")
			var n int
			st.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM recommend_profiles WHERE pseudonym = ?`, pseud).Scan(&n)
			if n != 0 {
				t.Error("profile kept after the switch went off")
			}
			wantStatus(t, e.Do(t, "POST", "/api/v1/recommendations/blocks", map[string]string{"category": "women"}, ha...), 409, "block while off")
		})
		t.Run("HotListAggregatesOnly", func(t *testing.T) {
			var hot struct{ Items []*catalog.Item }
			e.Do(t, "GET", "/api/v1/recommendations/hot", nil).JSON(t, &hot)
			if len(hot.Items) == 0 {
				t.Fatal("empty hot list")
			}
			var n int
			st.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM recommend_stats`).Scan(&n)
			if n == 0 {
				t.Error("no aggregates counted")
			}
		})
	})
}

func hasCategory(items []*catalog.Item, cat string) bool {
	for _, it := range items {
		if it.Category == cat {
			return true
		}
	}
	return false
}

// auditHas reports whether the guard let field f of s be read for
// recommendation since t.
func auditHas(t *testing.T, e *testenv.Env, s minimall.SubjectID, since time.Time, f privacy.Field) bool {
	t.Helper()
	if err := e.Kernel.AuditFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	entries, err := e.Kernel.AuditFind(t.Context(), s, since, time.Now().Add(time.Minute), 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if en.Field == string(f) && en.Purpose == string(privacy.ForRecommendation) && en.Decision == privacy.DecisionAllow {
			return true
		}
	}
	return false
}

// TestAPIRecommendationSettings (二(二)4 措施4): a visitor's switches stay
// on their device; after sign-in they are asked again, and the account's
// switches are consents in the ledger.
func TestAPIRecommendationSettings(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		// A visitor's switches live in an optional cookie: only after
		// optional cookies are allowed.
		wantStatus(t, e.Do(t, "PUT", "/api/v1/recommendations/settings", map[string]bool{"personalised_ads": true}), 409, "visitor set before allowing")
		r := e.Do(t, "PUT", "/api/v1/recommendations/settings", map[string]bool{"recommendation": false, "personalised_ads": true}, "Cookie", "minimall_cookie_choice=yes")
		wantStatus(t, r, 200, "visitor set")
		var cookie string
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if c.Name == "mm_reco" {
				cookie = c.Name + "=" + c.Value
			}
		}
		if cookie != "mm_reco=r0a1" {
			t.Fatalf("device cookie %q", cookie)
		}
		var dev recommend.Settings
		cookie += "; minimall_cookie_choice=yes"
		e.Do(t, "GET", "/api/v1/recommendations/settings", nil, "Cookie", cookie).JSON(t, &dev)
		if dev.Scope != "device" || dev.Recommendation || !dev.PersonalisedAds {
			t.Fatalf("device settings %+v", dev)
		}
		sh := e.Register(t, "13900020001", "reco_login")
		var acc recommend.Settings
		e.Do(t, "GET", "/api/v1/recommendations/settings", nil, "Cookie", cookie, "Authorization", "Bearer "+sh.Token).JSON(t, &acc)
		if acc.Scope != "account" || !acc.Ask || acc.PersonalisedAds {
			t.Fatalf("after sign-in: %+v; want asked again, nothing carried over", acc)
		}
		set := setReco(t, e, sh, map[string]bool{"recommendation": true, "personalised_ads": false})
		if set.Ask || !set.Recommendation || set.PersonalisedAds {
			t.Fatalf("account settings %+v", set)
		}
		if consentState(t, e, sh, "recommendation") != "granted" || consentState(t, e, sh, "personalised_ads") != "withdrawn" {
			t.Error("switches not in the consent ledger")
		}
		wantStatus(t, e.Do(t, "PUT", "/api/v1/recommendations/settings", "{bad", testenv.Bearer(sh.Token)...), 400, "bad body")
	})
}

// TestAPIAds (二(二)4 措施4, 三(一)5(2)): the ads partner gets a pseudonymous
// ad id only while personalised ads are on, and nothing identifying otherwise.
func TestAPIAds(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13900030001", "ads_user")
		h := testenv.Bearer(sh.Token)
		fill := func(headers ...string) recommend.AdFill {
			r := e.Do(t, "GET", "/api/v1/ads?slot=home_banner", nil, headers...)
			wantStatus(t, r, 200, "ads")
			var f recommend.AdFill
			r.JSON(t, &f)
			if len(f.Ads) == 0 {
				t.Fatal("empty slot")
			}
			return f
		}
		wantStatus(t, e.Do(t, "GET", "/api/v1/ads?slot=nowhere", nil), 400, "bad slot")
		if fill().Personalised || fill(h...).Personalised {
			t.Fatal("personalised without consent")
		}
		setReco(t, e, sh, map[string]bool{"personalised_ads": true})
		if !fill(h...).Personalised || !fill(h...).Personalised {
			t.Fatal("not personalised with consent")
		}
		setReco(t, e, sh, map[string]bool{"personalised_ads": false})
		if fill(h...).Personalised {
			t.Fatal("personalised after the switch went off")
		}
		reqs := e.Sandbox.Ads.Requests()
		if len(reqs) != 5 {
			t.Fatalf("%d requests at the ads partner, want 5", len(reqs))
		}
		var adIDs []string
		refs := map[string]bool{}
		for i, q := range reqs {
			raw, _ := json.Marshal(q)
			if strings.Contains(string(raw), string(sh.Subject)) || strings.Contains(string(raw), sh.Phone) || strings.Contains(string(raw), sh.MemberName) {
				t.Fatalf("request %d identifies the person: %s", i, raw)
			}
			on := i == 2 || i == 3 // a visitor, then the person: off, off, on, on, off
			if !on {
				if len(q.Fields) != 0 || q.Purpose != privacy.ForAdServing || refs[q.PartnerRef] {
					t.Fatalf("request %d with ads off carries %v / %s / a reused ref", i, q.Fields, q.Purpose)
				}
				refs[q.PartnerRef] = true
				continue
			}
			if len(q.Fields) != 1 || q.Fields[privacy.AdID] == "" || q.Purpose != privacy.ForPersonalisedAds {
				t.Fatalf("request %d with ads on: %+v", i, q)
			}
			adIDs = append(adIDs, q.Fields[privacy.AdID])
		}
		if adIDs[0] != adIDs[1] {
			t.Error("the ad id is not stable")
		}
	})
}

// Recommendations through the API on loopback, on the embedded store,
// 300 items in 6 categories:
//
//	go test -run '^$' -bench Recommendations -benchmem ./http/
//
// "personalised" reads a consented shopper's sealed profile and blocks
// through the guard; "off" is the switch-off list (hot list, aggregates only).
func BenchmarkAPIRecommendations(b *testing.B) {
	e := testenv.Start(b, testkit.MustOpenSQLite(b))
	byCat := recoCatalogue(b, e, 25)
	on := e.Register(b, "13900040001", "bench_reco_on")
	off := e.Register(b, "13900040002", "bench_reco_off")
	setReco(b, e, on, map[string]bool{"recommendation": true})
	for _, id := range byCat["watch"][:5] {
		if err := e.Recommend.Observe(b.Context(), minimall.ShopperActor(on.Subject), recommend.Signal{Kind: recommend.Cart, Item: id}); err != nil {
			b.Fatal(err)
		}
	}
	syncReco(b, e)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	for _, c := range []struct {
		name  string
		token string
	}{{"personalised", on.Token}, {"off", off.Token}} {
		b.Run(c.name, func(b *testing.B) {
			var fails atomic.Int64
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest("GET", e.URL+"/api/v1/recommendations", nil)
					req.Header.Set("Authorization", "Bearer "+c.token)
					resp, err := client.Do(req)
					if err != nil {
						fails.Add(1)
						continue
					}
					var l recommend.List
					if json.NewDecoder(resp.Body).Decode(&l) != nil || resp.StatusCode != 200 || len(l.Items) == 0 {
						fails.Add(1)
					}
					resp.Body.Close()
				}
			})
			if fails.Load() > 0 {
				b.Fatalf("%d failed requests", fails.Load())
			}
		})
	}
}

// TestAPIRecommendationsFollowShopping (二(二)4): searching, filling a
// cart and ordering shape the person's recommendations in real time, as
// browsing does — only with their recommendation consent.
func TestAPIRecommendationsFollowShopping(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		byCat := recoCatalogue(t, e, 6)
		c := e.Register(t, "13900010011", "reco_cart")
		o := e.Register(t, "13900010012", "reco_order")
		off := e.Register(t, "13900010013", "reco_off")
		for _, sh := range []*testenv.Shopper{c, o} {
			setReco(t, e, sh, map[string]bool{"recommendation": true})
		}
		hc, ho, hoff := testenv.Bearer(c.Token), testenv.Bearer(o.Token), testenv.Bearer(off.Token)
		for _, id := range byCat["coat"][:2] {
			wantStatus(t, e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": id}, hc...), 201, "cart")
			wantStatus(t, e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": id}, hoff...), 201, "cart, switch off")
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders", buyNow(byCat["earphone"][0], 1), ho...), 201, "order")
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders", buyNow(byCat["earphone"][1], 1), ho...), 201, "order")
		// The signals are sent once the answers are written; wait for them
		// to reach the change feed, then for the follower.
		deadline := time.Now().Add(5 * time.Second)
		for {
			syncReco(t, e)
			lc, lo := recommendations(t, e, 1, hc...), recommendations(t, e, 1, ho...)
			if len(lc.Items) > 0 && lc.Items[0].Category == "coat" && len(lo.Items) > 0 && lo.Items[0].Category == "earphone" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("recommendations do not follow the cart (%v) or the order (%v)", lc.Items[0].Category, lo.Items[0].Category)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if l := recommendations(t, e, 1, hoff...); l.Personalised {
			t.Fatal("a person without the recommendation consent got a personalised list from their cart")
		}
		// 二(二)3: the hot list is counted from everyone's acts, linked to no
		// one, so the cart add of a person with the switch off counts too.
		lone := byCat["earphone"][2]
		wantStatus(t, e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": lone}, hoff...), 201, "cart, switch off")
		syncReco(t, e)
		var score float64
		st.DB.QueryRowContext(t.Context(), `SELECT score FROM recommend_stats WHERE item = ?`, lone).Scan(&score)
		if score <= 0 {
			t.Fatal("a cart add of a person without the recommendation consent did not count for the hot list")
		}
	})
}
