package http_test

import (
	"context"
	"fmt"
	"testing"

	"minimall"
	"minimall/catalog"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// opsHeaders returns the headers of a new ops operator, who runs the
// catalogue (and may open no personal information).
func opsHeaders(t *testing.T, e *testenv.Env) []string {
	t.Helper()
	_, token, err := e.Kernel.Operators.Add(context.Background(), minimall.RoleOps)
	if err != nil {
		t.Fatal(err)
	}
	return []string{"Authorization", "Bearer " + token, "X-Access-Reason", "CAT-1"}
}

func mustStatus(t *testing.T, r *testenv.Response, status int, what string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: got %d, want %d: %s", what, r.Status, status, r.Body)
	}
}

// TestAPICatalogue (二(二)): ops operators keep categories and channels,
// sellers their shops' items; everyone, visitors included, browses a
// category page of 20 items, an item and a shop; bad input is a problem.
func TestAPICatalogue(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ops := opsHeaders(t, e)
		seller := e.Register(t, "13844440001", "seller01")
		buyer := e.Register(t, "13844440002", "buyer01")
		sellerAuth, buyerAuth := testenv.Bearer(seller.Token), testenv.Bearer(buyer.Token)

		mustStatus(t, e.Do(t, "POST", "/api/v1/categories", map[string]any{"id": "digital", "name": "数码"}, ops...), 201, "top category")
		mustStatus(t, e.Do(t, "POST", "/api/v1/categories", map[string]any{"id": "earphone", "parent": "digital", "name": "耳机"}, ops...), 201, "subcategory")
		for name, tc := range map[string]struct {
			body    any
			headers []string
			status  int
		}{
			"ErrVisitor":     {map[string]any{"id": "x1", "name": "x"}, nil, 401},
			"ErrShopper":     {map[string]any{"id": "x1", "name": "x"}, buyerAuth, 403},
			"ErrBadID":       {map[string]any{"id": "Bad ID", "name": "x"}, ops, 400},
			"ErrThreeLevels": {map[string]any{"id": "deep", "parent": "earphone", "name": "x"}, ops, 400},
			"ErrNoParent":    {map[string]any{"id": "orphan", "parent": "nope", "name": "x"}, ops, 404},
			"ErrDuplicate":   {map[string]any{"id": "digital", "name": "数码"}, ops, 409},
		} {
			t.Run("Category"+name, func(t *testing.T) {
				mustStatus(t, e.Do(t, "POST", "/api/v1/categories", tc.body, tc.headers...), tc.status, name)
			})
		}

		mustStatus(t, e.Do(t, "POST", "/api/v1/shops", map[string]string{"name": "声悦数码专营店"}), 401, "visitor opens a shop")
		var shop catalog.Shop
		r := e.Do(t, "POST", "/api/v1/shops", map[string]string{"name": "声悦数码专营店", "description": "耳机音箱"}, sellerAuth...)
		mustStatus(t, r, 201, "open shop")
		r.JSON(t, &shop)

		item := map[string]any{"category": "earphone", "title": "无线蓝牙耳机 主动降噪", "description": "超长续航", "price_fen": 19900, "stock": 10,
			"attributes": map[string]string{"颜色": "白色"}, "images": []string{"https://img.example/1.jpg"}}
		var it catalog.Item
		r = e.Do(t, "POST", "/api/v1/shops/"+shop.ID+"/items", item, sellerAuth...)
		mustStatus(t, r, 201, "create item")
		r.JSON(t, &it)
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for a, b := range item {
				m[a] = b
			}
			m[k] = v
			return m
		}
		for name, tc := range map[string]struct {
			body    any
			headers []string
			status  int
		}{
			"ErrVisitor":         {item, nil, 401},
			"ErrNotTheSeller":    {item, buyerAuth, 403},
			"ErrZeroPrice":       {with("price_fen", 0), sellerAuth, 400},
			"ErrFractionalPrice": {with("price_fen", 19.9), sellerAuth, 400},
			"ErrNoTitle":         {with("title", ""), sellerAuth, 400},
			"ErrBadImage":        {with("images", []string{"javascript:alert(1)"}), sellerAuth, 400},
			"ErrUnknownCategory": {with("category", "nope"), sellerAuth, 404},
			"ErrUnknownField":    {with("seller_phone", "13800000000"), sellerAuth, 400},
		} {
			t.Run("Item"+name, func(t *testing.T) {
				mustStatus(t, e.Do(t, "POST", "/api/v1/shops/"+shop.ID+"/items", tc.body, tc.headers...), tc.status, name)
			})
		}
		mustStatus(t, e.Do(t, "POST", "/api/v1/shops/sh_nope/items", item, sellerAuth...), 404, "unknown shop")

		// Visitors and shoppers see the same item at the same price (PIPL art. 24).
		var seen [3]catalog.Item
		for i, h := range [][]string{nil, sellerAuth, buyerAuth} {
			r := e.Do(t, "GET", "/api/v1/items/"+it.ID, nil, h...)
			mustStatus(t, r, 200, "item detail")
			r.JSON(t, &seen[i])
		}
		if seen[0].PriceFen != 19900 || seen[1].PriceFen != seen[0].PriceFen || seen[2].PriceFen != seen[0].PriceFen || seen[0].ShopName != "声悦数码专营店" {
			t.Fatalf("item as seen: %+v", seen)
		}

		mustStatus(t, e.Do(t, "PATCH", "/api/v1/items/"+it.ID, map[string]any{"price_fen": 100}, buyerAuth...), 403, "buyer changes the price")
		r = e.Do(t, "PATCH", "/api/v1/items/"+it.ID, map[string]any{"price_fen": 17900, "stock": 5}, sellerAuth...)
		mustStatus(t, r, 200, "seller changes the price")
		r.JSON(t, &it)
		if it.PriceFen != 17900 || it.Stock != 5 || it.Title != "无线蓝牙耳机 主动降噪" {
			t.Fatalf("after update: %+v", it)
		}
		mustStatus(t, e.Do(t, "PATCH", "/api/v1/items/"+it.ID, map[string]any{"status": "removed"}, sellerAuth...), 400, "remove by status")

		// A category page holds 20 items, newest first; the parent
		// category shows its subcategories' items.
		shops := make([]string, 24)
		items := make([]catalog.NewItem, 24)
		for i := range items {
			shops[i] = shop.ID
			items[i] = catalog.NewItem{Category: "earphone", Title: fmt.Sprintf("头戴式耳机 %d号", i), PriceFen: 9900, Stock: 1}
		}
		if _, err := e.Catalog.ImportItems(context.Background(), shops, items); err != nil {
			t.Fatal(err)
		}
		var page catalog.Page
		r = e.Do(t, "GET", "/api/v1/categories/digital/items", nil)
		mustStatus(t, r, 200, "category page")
		r.JSON(t, &page)
		if len(page.Items) != 20 || page.NextPage != 2 || page.Items[0].Title != "头戴式耳机 23号" {
			t.Fatalf("page 1: %d items, next %d, first %q", len(page.Items), page.NextPage, page.Items[0].Title)
		}
		e.Do(t, "GET", "/api/v1/categories/earphone/items?page=2", nil).JSON(t, &page)
		if len(page.Items) != 5 || page.NextPage != 0 {
			t.Fatalf("page 2: %d items, next %d", len(page.Items), page.NextPage)
		}
		mustStatus(t, e.Do(t, "GET", "/api/v1/categories/earphone/items?page=abc", nil), 400, "bad page")
		mustStatus(t, e.Do(t, "GET", "/api/v1/categories/earphone/items?page=0", nil), 400, "page 0")
		mustStatus(t, e.Do(t, "GET", "/api/v1/categories/nope/items", nil), 404, "unknown category")

		var sp struct {
			ID    string
			Name  string
			Items []catalog.Item
			Owner string
		}
		r = e.Do(t, "GET", "/api/v1/shops/"+shop.ID, nil)
		mustStatus(t, r, 200, "shop page")
		r.JSON(t, &sp)
		if sp.Name != "声悦数码专营店" || len(sp.Items) != 20 || sp.Owner != "" {
			t.Fatalf("shop page: %+v", sp)
		}

		var tree struct{ Categories []catalog.Category }
		e.Do(t, "GET", "/api/v1/categories", nil).JSON(t, &tree)
		if len(tree.Categories) != 1 || len(tree.Categories[0].Children) != 1 {
			t.Fatalf("tree %+v", tree)
		}

		mustStatus(t, e.Do(t, "POST", "/api/v1/channels", map[string]any{"name": "好物推荐", "items": []string{it.ID}}, buyerAuth...), 403, "shopper makes a channel")
		mustStatus(t, e.Do(t, "POST", "/api/v1/channels", map[string]any{"name": "好物推荐", "items": []string{"it_nope"}}, ops...), 404, "channel of an unknown item")
		var ch catalog.Channel
		r = e.Do(t, "POST", "/api/v1/channels", map[string]any{"id": "good_things", "name": "好物推荐", "items": []string{it.ID}}, ops...)
		mustStatus(t, r, 201, "create channel")
		r.JSON(t, &ch)
		var chv struct{ Items []catalog.Item }
		e.Do(t, "GET", "/api/v1/channels/good_things", nil).JSON(t, &chv)
		if len(chv.Items) != 1 || chv.Items[0].ID != it.ID {
			t.Fatalf("channel %+v", chv)
		}
		mustStatus(t, e.Do(t, "GET", "/api/v1/channels", nil), 200, "channels")

		mustStatus(t, e.Do(t, "DELETE", "/api/v1/items/"+it.ID, nil, buyerAuth...), 403, "buyer deletes")
		mustStatus(t, e.Do(t, "DELETE", "/api/v1/items/"+it.ID, nil, sellerAuth...), 204, "seller deletes")
		mustStatus(t, e.Do(t, "GET", "/api/v1/items/"+it.ID, nil), 404, "deleted item")
		mustStatus(t, e.Do(t, "GET", "/api/v1/items/it_nope", nil), 404, "unknown item")
	})
}
