package search_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"minimall"
	"minimall/catalog"
	"minimall/catalog/seed"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/search"
)

// seeded is a seeded catalogue with its index.
type seeded struct {
	svc    *search.Service
	report *seed.Report
	build  time.Duration
}

// mustSeed seeds n items on SQLite and builds the index from the
// database, timing the build.
func mustSeed(tb testing.TB, n int) *seeded {
	tb.Helper()
	ctx := context.Background()
	st := testkit.MustOpenSQLite(tb)
	k, err := privacy.Open(ctx, privacy.Config{Data: st.DB, Keys: st.KeysDB, KeysDir: st.KeysDir, Clock: st.Clock, Chain: "test"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { k.Close() })
	cat := catalog.NewService(st.DB)
	rep, err := seed.Catalog(ctx, cat, seed.Options{Items: n, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	svc, err := search.Open(ctx, st.DB, k, cat, search.Config{Dir: filepath.Join(tb.TempDir(), "search")})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { svc.Close() })
	return &seeded{svc: svc, report: rep, build: time.Since(start)}
}

var benchQueries = []string{"连衣裙", "耳机", "无线蓝牙耳机", "空气炸锅", "防晒霜", "跑步鞋", "坚果", "四件套", "口红", "智能手表"}

// BenchmarkSearch measures one visitor search (query, rank, first page
// of 20, items loaded from the catalogue) on 10,000 seeded items:
//
//	go test -run '^$' -bench BenchmarkSearch -benchmem ./search/
func BenchmarkSearch(b *testing.B) {
	s := mustSeed(b, 10_000)
	b.Logf("index of %d items built in %s", s.report.Items, s.build)
	ctx := context.Background()
	visitor := minimall.Actor{}
	b.Run("Relevance", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := s.svc.Search(ctx, visitor, search.Request{Query: benchQueries[i%len(benchQueries)]}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("FilteredByPrice", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			r := search.Request{Query: benchQueries[i%len(benchQueries)], MinPriceFen: 5000, MaxPriceFen: 50000, Sort: search.ByPriceAsc}
			if _, err := s.svc.Search(ctx, visitor, r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := s.svc.Search(ctx, visitor, search.Request{Query: benchQueries[i%len(benchQueries)]}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	})
}

// TestSearchQuality: on a seeded catalogue of 10,000 items, Chinese
// queries whose relevant items are known (their subcategory, from the
// seed), with recall@10 reported: the share of the first ten results that
// are relevant, out of the ten (or fewer) relevant items there are.
func TestSearchQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,000 items")
	}
	s := mustSeed(t, 10_000)
	t.Logf("index of %d items built in %s", s.report.Items, s.build)
	for _, tc := range []struct {
		query    string
		relevant []string // subcategories
	}{
		{"连衣裙", []string{"dress"}},
		{"耳机", []string{"earphone"}},
		{"蓝牙耳机", []string{"earphone"}},
		{"空气炸锅", []string{"air_fryer"}},
		{"防晒", []string{"sunscreen"}},
		{"男士衬衫", []string{"shirt"}},
		{"跑步鞋", []string{"running_shoes"}},
		{"坚果零食", []string{"nuts", "snacks"}},
		{"儿童玩具", []string{"toys"}},
		{"护眼台灯", []string{"lamp"}},
		{"扫地机器人", []string{"robot_vacuum"}},
		{"咖啡", []string{"coffee"}},
	} {
		res, err := s.svc.Search(context.Background(), minimall.Actor{}, search.Request{Query: tc.query})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, l := range tc.relevant {
			want[l] = true
		}
		total := 0
		for _, l := range s.report.LeafOf {
			if want[l] {
				total++
			}
		}
		hits := 0
		for i, it := range res.Items {
			if i < 10 && want[s.report.LeafOf[it.ID]] {
				hits++
			}
		}
		recall := float64(hits) / float64(min(10, total))
		t.Logf("recall@10 %-6s %.2f  (%d results, %d relevant in the catalogue)", tc.query, recall, res.Total, total)
		if recall < 0.8 {
			t.Errorf("recall@10 for %s is %.2f, want at least 0.8", tc.query, recall)
		}
	}
}

// TestIndexResumesFromItsOwnOffset: reopened, the index catches up on
// changes made while it was closed, from the offset it keeps itself.
func TestIndexResumesFromItsOwnOffset(t *testing.T) {
	ctx := context.Background()
	st := testkit.MustOpenSQLite(t)
	k, err := privacy.Open(ctx, privacy.Config{Data: st.DB, Keys: st.KeysDB, KeysDir: st.KeysDir, Clock: st.Clock, Chain: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	cat := catalog.NewService(st.DB)
	if _, err := seed.Catalog(ctx, cat, seed.Options{Items: 50, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	cfg := search.Config{Dir: filepath.Join(t.TempDir(), "search")}
	svc, err := search.Open(ctx, st.DB, k, cat, cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc.Close()
	sh, _ := cat.ImportShop(ctx, "后来的店", "")
	if _, err := cat.ImportItems(ctx, []string{sh.ID}, []catalog.NewItem{{Category: "earphone", Title: "后来上架的骨传导耳机", PriceFen: 100, Stock: 1}}); err != nil {
		t.Fatal(err)
	}
	if svc, err = search.Open(ctx, st.DB, k, cat, cfg); err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if err := svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Search(ctx, minimall.Actor{}, search.Request{Query: "骨传导耳机 后来上架"})
	if err != nil || len(res.Items) == 0 || res.Items[0].Title != "后来上架的骨传导耳机" {
		t.Fatalf("after reopening: %+v %v", res, err)
	}
}
