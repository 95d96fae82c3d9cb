package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/catalog"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/search"
)

// searchCatalogue seeds categories, one shop and the given items
// (title → category), and waits until the index holds them.
func searchCatalogue(t *testing.T, e *testenv.Env, items [][2]string, prices ...int64) (shop string, ids []string) {
	t.Helper()
	ctx := context.Background()
	sys := minimall.SystemActor("test")
	for _, c := range []catalog.Category{
		{ID: "women", Name: "女装"}, {ID: "dress", Parent: "women", Name: "连衣裙"}, {ID: "skirt", Parent: "women", Name: "半身裙"},
		{ID: "digital", Name: "数码"}, {ID: "earphone", Parent: "digital", Name: "耳机"},
		{ID: "baby", Name: "母婴"}, {ID: "toys", Parent: "baby", Name: "玩具"},
	} {
		if _, err := e.Catalog.CreateCategory(ctx, sys, c); err != nil {
			t.Fatal(err)
		}
	}
	sh, err := e.Catalog.ImportShop(ctx, "测试店", "")
	if err != nil {
		t.Fatal(err)
	}
	shops := make([]string, len(items))
	news := make([]catalog.NewItem, len(items))
	for i, it := range items {
		price := int64(10000 + i*100)
		if i < len(prices) {
			price = prices[i]
		}
		shops[i], news[i] = sh.ID, catalog.NewItem{Title: it[0], Category: it[1], PriceFen: price, Stock: 1}
	}
	if ids, err = e.Catalog.ImportItems(ctx, shops, news); err != nil {
		t.Fatal(err)
	}
	if err := e.Search.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	return sh.ID, ids
}

func searchTitles(t *testing.T, e *testenv.Env, query string, headers ...string) (*search.Result, []string) {
	t.Helper()
	r := e.Do(t, "GET", "/api/v1/search?"+query, nil, headers...)
	mustStatus(t, r, 200, "search "+query)
	var res search.Result
	r.JSON(t, &res)
	titles := make([]string, len(res.Items))
	for i, it := range res.Items {
		titles[i] = it.Title
	}
	return &res, titles
}

func q(s string) string { return "q=" + url.QueryEscape(s) }

// TestAPISearch (二(二)2): Chinese full-text search for visitors and
// shoppers, with filters, sort orders and pages; the index follows item
// changes through the change feed and is rebuilt from the database.
func TestAPISearch(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		shop, ids := searchCatalogue(t, e, [][2]string{
			{"夏季新款碎花连衣裙", "dress"}, {"法式复古女装连衣裙", "dress"}, {"牛仔半身裙 高腰", "skirt"},
			{"无线蓝牙耳机 主动降噪", "earphone"}, {"头戴式耳机", "earphone"}, {"儿童耳机玩具", "toys"},
		}, 29900, 19900, 9900, 39900, 15900, 4900)

		// 连衣裙 finds both dresses (CJK bigrams), not the skirt.
		_, titles := searchTitles(t, e, q("连衣裙"))
		if len(titles) != 2 || strings.Contains(strings.Join(titles, ","), "半身裙") {
			t.Fatalf("连衣裙: %v", titles)
		}
		// A two-character term works.
		if _, titles = searchTitles(t, e, q("耳机")); len(titles) != 3 {
			t.Fatalf("耳机: %v", titles)
		}
		// Words in another order still match (two thirds of the bigrams).
		if _, titles = searchTitles(t, e, q("降噪蓝牙耳机")); len(titles) != 1 || titles[0] != "无线蓝牙耳机 主动降噪" {
			t.Fatalf("降噪蓝牙耳机: %v", titles)
		}
		// Filters: a category (a parent covers its children), a price range, a shop.
		if _, titles = searchTitles(t, e, q("耳机")+"&category=digital"); len(titles) != 2 {
			t.Fatalf("category: %v", titles)
		}
		if _, titles = searchTitles(t, e, q("耳机")+"&min_price=10000&max_price=20000"); len(titles) != 1 || titles[0] != "头戴式耳机" {
			t.Fatalf("price range: %v", titles)
		}
		if _, titles = searchTitles(t, e, q("耳机")+"&shop=sh_other"); len(titles) != 0 {
			t.Fatalf("other shop: %v", titles)
		}
		if _, titles = searchTitles(t, e, "shop="+shop+"&sort=price_asc"); len(titles) != 6 || titles[0] != "儿童耳机玩具" || titles[5] != "无线蓝牙耳机 主动降噪" {
			t.Fatalf("price_asc: %v", titles)
		}
		if _, titles = searchTitles(t, e, q("耳机")+"&sort=price_desc"); titles[0] != "无线蓝牙耳机 主动降噪" {
			t.Fatalf("price_desc: %v", titles)
		}
		if _, titles = searchTitles(t, e, q("耳机")+"&sort=newest"); titles[0] != "儿童耳机玩具" {
			t.Fatalf("newest: %v", titles)
		}
		if res, titles := searchTitles(t, e, q("耳机")+"&page=2"); len(titles) != 0 || res.Total != 3 || res.NextPage != 0 {
			t.Fatalf("page 2: %+v", res)
		}
		for name, query := range map[string]string{
			"ErrNothing":   "",
			"ErrSort":      q("耳机") + "&sort=cheapest",
			"ErrPage":      q("耳机") + "&page=51",
			"ErrPageText":  q("耳机") + "&page=x",
			"ErrPrice":     q("耳机") + "&min_price=abc",
			"ErrRange":     q("耳机") + "&min_price=500&max_price=100",
			"ErrLongQuery": q(strings.Repeat("耳", 51)),
		} {
			t.Run(name, func(t *testing.T) {
				wantProblem(t, e.Do(t, "GET", "/api/v1/search?"+query, nil), 400, "invalid", "")
			})
		}

		// The index follows the change feed: a new title, a removal.
		seller := opsHeaders(t, e)
		mustStatus(t, e.Do(t, "PATCH", "/api/v1/items/"+ids[4], map[string]any{"title": "头戴式电竞耳麦"}, seller...), 200, "rename")
		mustStatus(t, e.Do(t, "DELETE", "/api/v1/items/"+ids[3], nil, seller...), 204, "delete")
		if err := e.Search.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, titles = searchTitles(t, e, q("耳机")); len(titles) != 1 || titles[0] != "儿童耳机玩具" {
			t.Fatalf("after changes: %v", titles)
		}
		if _, titles = searchTitles(t, e, q("电竞")); len(titles) != 1 {
			t.Fatalf("renamed: %v", titles)
		}

		// Rebuilt from the database, the index answers the same.
		stats, err := e.Search.Rebuild(context.Background())
		if err != nil || stats.Items != 5 {
			t.Fatalf("rebuild: %+v %v", stats, err)
		}
		if _, titles = searchTitles(t, e, q("耳机")); len(titles) != 1 {
			t.Fatalf("after rebuild: %v", titles)
		}
		if _, titles = searchTitles(t, e, q("连衣裙")); len(titles) != 2 {
			t.Fatalf("after rebuild: %v", titles)
		}
	})
}

// TestAPISearchHistory (二(二)2): a signed-in person's queries are kept
// sealed, listable and clearable by them alone; visitors leave none; the
// query is nowhere in clear: not in the database, the index or the logs.
func TestAPISearchHistory(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		searchCatalogue(t, e, [][2]string{{"夏季新款碎花连衣裙", "dress"}, {"头戴式耳机", "earphone"}})
		sh := e.Register(t, "13855550001", "searcher01")
		other := e.Register(t, "13855550002", "searcher02")
		auth := testenv.Bearer(sh.Token)
		const marker = "金丝雀搜索词"
		for _, query := range []string{"连衣裙", marker, "耳机", "连衣裙"} {
			searchTitles(t, e, q(query), auth...)
		}
		searchTitles(t, e, q("visitor-only"))

		var h struct{ History []search.HistoryEntry }
		e.Do(t, "GET", "/api/v1/search/history", nil, auth...).JSON(t, &h)
		if len(h.History) != 3 || h.History[0].Query != "连衣裙" || h.History[2].Query != marker {
			t.Fatalf("history %+v", h.History)
		}
		wantProblem(t, e.Do(t, "GET", "/api/v1/search/history", nil), 401, "unauthorized", "")
		var oh struct{ History []search.HistoryEntry }
		e.Do(t, "GET", "/api/v1/search/history", nil, testenv.Bearer(other.Token)...).JSON(t, &oh)
		if len(oh.History) != 0 {
			t.Fatalf("another person's history: %+v", oh)
		}

		// Nowhere in clear: database rows, the index folder, the logs.
		rows, err := st.DB.QueryContext(context.Background(), `SELECT query_sealed, activity_sealed FROM search_history`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var qs, as []byte
			rows.Scan(&qs, &as)
			if bytes.Contains(qs, []byte(marker)) || bytes.Contains(qs, []byte("连衣裙")) || bytes.Contains(as, []byte("dress")) {
				t.Fatalf("a query is stored in clear")
			}
		}
		rows.Close()
		filepath.WalkDir(filepath.Dir(st.DataDSN), func(p string, d fs.DirEntry, err error) error {
			if b, _ := os.ReadFile(p); err == nil && !d.IsDir() && bytes.Contains(b, []byte(marker)) {
				t.Errorf("marker in clear in %s", p)
			}
			return nil
		})
		if strings.Contains(e.Logs.String(), marker) || strings.Contains(e.Logs.String(), url.QueryEscape(marker)) {
			t.Fatalf("marker in the logs")
		}

		wantProblem(t, e.Do(t, "DELETE", "/api/v1/search/history/"+h.History[1].ID, nil, testenv.Bearer(other.Token)...), 404, "not_found", "")
		mustStatus(t, e.Do(t, "DELETE", "/api/v1/search/history/"+h.History[1].ID, nil, auth...), 204, "delete one")
		e.Do(t, "GET", "/api/v1/search/history", nil, auth...).JSON(t, &h)
		if len(h.History) != 2 {
			t.Fatalf("after deleting one: %+v", h.History)
		}
		wantProblem(t, e.Do(t, "DELETE", "/api/v1/search/history", nil), 401, "unauthorized", "")
		mustStatus(t, e.Do(t, "DELETE", "/api/v1/search/history", nil, auth...), 204, "clear")
		e.Do(t, "GET", "/api/v1/search/history", nil, auth...).JSON(t, &h)
		if len(h.History) != 0 {
			t.Fatalf("after clearing: %+v", h.History)
		}
	})
}

// TestAPISearchNonPersonalised (二(二)4 措施2, PIPL art. 24): personalised
// ranking may lift the categories of a person's own recent searches; with
// the 去个性化排序 switch on, two people with different histories get
// identical results, the same as a visitor, and the guard's audit shows
// no read of their history.
func TestAPISearchNonPersonalised(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		// Two items equally relevant to 耳机, in different categories.
		searchCatalogue(t, e, [][2]string{{"耳机甲款", "earphone"}, {"耳机乙款", "toys"}, {"积木玩具", "toys"}, {"降噪器", "earphone"}})
		toyFan := e.Register(t, "13866660001", "toyfan01")
		audioFan := e.Register(t, "13866660002", "audiofan01")
		people := [][]string{testenv.Bearer(toyFan.Token), testenv.Bearer(audioFan.Token)}
		for _, h := range people {
			mustStatus(t, e.Do(t, "POST", "/api/v1/consents", map[string]string{"feature": "recommendation", "action": "grant"}, h...), 201, "consent")
		}
		searchTitles(t, e, q("玩具"), people[0]...)
		searchTitles(t, e, q("降噪"), people[1]...)

		// Personalised (the default): each sees their own interest first.
		r0, t0 := searchTitles(t, e, q("耳机"), people[0]...)
		r1, t1 := searchTitles(t, e, q("耳机"), people[1]...)
		if !r0.Personalised || !r1.Personalised || t0[0] != "耳机乙款" || t1[0] != "耳机甲款" {
			t.Fatalf("personalised: %v %v / %v %v", r0.Personalised, t0, r1.Personalised, t1)
		}

		// The switch on: identical results, and no read of their history.
		for _, h := range people {
			mustStatus(t, e.Do(t, "PUT", "/api/v1/search/settings", map[string]bool{"non_personalised": true}, h...), 200, "switch on")
			var set search.Settings
			e.Do(t, "GET", "/api/v1/search/settings", nil, h...).JSON(t, &set)
			if !set.NonPersonalised {
				t.Fatalf("setting not kept")
			}
		}
		// The earlier searches, which fed recommendations after their
		// answers, are through the recommendation area, and everything
		// audited so far is durable, before the clock is read.
		time.Sleep(100 * time.Millisecond)
		if err := e.Recommend.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := e.Kernel.AuditFlush(context.Background()); err != nil {
			t.Fatal(err)
		}
		since := st.Clock.Now()
		var bodies [3]string
		for i, h := range append(people, nil) {
			r := e.Do(t, "GET", "/api/v1/search?"+q("耳机"), nil, h...)
			mustStatus(t, r, 200, "search")
			var res search.Result
			r.JSON(t, &res)
			if res.Personalised {
				t.Fatalf("person %d: still personalised", i)
			}
			items, _ := jsonString(res.Items)
			bodies[i] = items
		}
		if bodies[0] != bodies[1] || bodies[0] != bodies[2] {
			t.Fatalf("results differ with the switch on:\n%s\n%s\n%s", bodies[0], bodies[1], bodies[2])
		}
		if err := e.Kernel.AuditFlush(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, sh := range []*testenv.Shopper{toyFan, audioFan} {
			entries, err := e.Kernel.AuditFind(context.Background(), sh.Subject, since, st.Clock.Now().Add(time.Hour), 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, en := range entries {
				if en.Purpose == string(privacy.ForRecommendation) || (en.Decision != privacy.DecisionSeal && strings.HasPrefix(en.Field, "search.")) {
					t.Fatalf("history read with the switch on: %+v", en.Entry)
				}
			}
		}
		wantProblem(t, e.Do(t, "PUT", "/api/v1/search/settings", map[string]bool{"non_personalised": true}), 401, "unauthorized", "")
		wantProblem(t, e.Do(t, "PUT", "/api/v1/search/settings", `{"non_personalised": "yes"}`, people[0]...), 400, "invalid", "")
	})
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
