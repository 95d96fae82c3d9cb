// Package seed fills a store with realistic Chinese-language demo and
// benchmark data: a category tree, shops and items made from the words
// of each category (夏季新款碎花连衣裙, 主动降噪无线蓝牙耳机 …), and shopper
// accounts whose passwords a load tool can derive. The data is made from a
// seeded random source, so a given seed gives the same catalogue.
package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"minimall"
	"minimall/catalog"
)

// Options say how much to seed.
type Options struct {
	Items int
	Seed  uint64
	// Progress, if set, is told how many items are done so far.
	Progress func(done, total int)
}

// Report says what was seeded.
type Report struct {
	Categories int
	Shops      int
	Items      int
	// LeafOf maps each new item to its subcategory: the ground truth of
	// the search-quality test.
	LeafOf map[string]string
}

// Leaves returns the ids and names of every subcategory.
func Leaves() map[string]string {
	out := map[string]string{}
	for _, t := range tree {
		for _, l := range t.Leaves {
			out[l.ID] = l.Name
		}
	}
	return out
}

// Categories creates the category tree, skipping categories that exist.
func Categories(ctx context.Context, svc *catalog.Service) (int, error) {
	sys := minimall.SystemActor("seed")
	n := 0
	for i, t := range tree {
		if _, err := svc.CreateCategory(ctx, sys, catalog.Category{ID: t.ID, Name: t.Name, Position: i}); err != nil && !minimall.IsCode(err, minimall.Conflict) {
			return n, err
		}
		n++
		for j, l := range t.Leaves {
			if _, err := svc.CreateCategory(ctx, sys, catalog.Category{ID: l.ID, Parent: t.ID, Name: l.Name, Position: j}); err != nil && !minimall.IsCode(err, minimall.Conflict) {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// Catalog seeds the category tree, about one shop per 50 items (5 to
// 2,000) and o.Items items, in batches of 1,000 per transaction.
func Catalog(ctx context.Context, svc *catalog.Service, o Options) (*Report, error) {
	r := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	rep := &Report{LeafOf: make(map[string]string, o.Items)}
	var err error
	if rep.Categories, err = Categories(ctx, svc); err != nil {
		return nil, err
	}
	shops, err := seedShops(ctx, svc, r, max(len(tree), min(2000, o.Items/50)))
	if err != nil {
		return nil, err
	}
	rep.Shops = len(tree) * len(shops[tree[0].ID])
	for done := 0; done < o.Items; {
		n := min(1000, o.Items-done)
		shopOf, items, leaves := make([]string, n), make([]catalog.NewItem, n), make([]string, n)
		for i := range n {
			t := &tree[r.IntN(len(tree))]
			l := &t.Leaves[r.IntN(len(t.Leaves))]
			list := shops[t.ID]
			shopOf[i], items[i], leaves[i] = list[r.IntN(len(list))], Item(r, t, l), l.ID
		}
		ids, err := svc.ImportItems(ctx, shopOf, items)
		if err != nil {
			return nil, err
		}
		for i, id := range ids {
			rep.LeafOf[id] = leaves[i]
		}
		done += n
		rep.Items = done
		if o.Progress != nil {
			o.Progress(done, o.Items)
		}
	}
	return rep, nil
}

// seedShops opens n shops run by the platform, spread over the top-level
// categories; it returns their ids by category.
func seedShops(ctx context.Context, svc *catalog.Service, r *rand.Rand, n int) (map[string][]string, error) {
	per := max(1, n/len(tree))
	out := map[string][]string{}
	for i := range tree {
		t := &tree[i]
		for j := range per {
			brand := t.Brands[j%len(t.Brands)]
			name := brand + shopKinds[r.IntN(len(shopKinds))]
			if j >= len(t.Brands) {
				name = fmt.Sprintf("%s%s%d号店", brand, t.Name, j/len(t.Brands)+1)
			}
			sh, err := svc.ImportShop(ctx, name, t.Name+"好物，"+selling[r.IntN(len(selling))])
			if err != nil {
				return nil, err
			}
			out[t.ID] = append(out[t.ID], sh.ID)
		}
	}
	return out, nil
}

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// Item makes one item of subcategory l: a title like a marketplace's
// ("声悦 新款主动降噪无线蓝牙耳机 超长续航"), a description, attributes,
// a price in whole yuan or ending in .9, and image URLs.
func Item(r *rand.Rand, t *top, l *leaf) catalog.NewItem {
	brand, noun := pick(r, t.Brands), pick(r, l.Nouns)
	m1, m2 := pick(r, l.Mods), pick(r, l.Mods)
	title := brand + " " + pick(r, titlePrefixes) + m1 + noun
	if m2 != m1 {
		title += " " + m2
	}
	yuan := l.MinYuan + r.Int64N(l.Max-l.MinYuan+1)
	price := yuan * 100
	if r.IntN(2) == 0 {
		price -= 10 // ¥xx.90
	}
	desc := fmt.Sprintf("%s%s，%s。%s，%s。", m1, noun, strings.TrimSpace(m2), pick(r, selling), pick(r, selling))
	images := make([]string, 1+r.IntN(4))
	for i := range images {
		images[i] = fmt.Sprintf("https://img.minimall.example/%s/%d.jpg", l.ID, r.IntN(10000))
	}
	return catalog.NewItem{
		Category: l.ID, Title: title, Description: desc, PriceFen: price, Stock: int64(r.IntN(5000)),
		Attributes: map[string]string{"品牌": brand, "颜色": pick(r, colours), "产地": pick(r, origins)},
		Images:     images, Status: catalog.OnSale,
	}
}
