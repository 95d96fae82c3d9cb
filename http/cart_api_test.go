package http_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"minimall"
	"minimall/catalog"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// shopFixture is a seller with a shop, made through the API.
type shopFixture struct {
	seller *testenv.Shopper
	shop   string
}

func wantStatus(t testing.TB, r *testenv.Response, status int, what string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: got %d, want %d: %s", what, r.Status, status, r.Body)
	}
}

// newShop registers a seller and opens a shop in a test category.
func newShop(t testing.TB, e *testenv.Env, phone, member string) *shopFixture {
	t.Helper()
	if _, err := e.Catalog.CreateCategory(context.Background(), minimall.SystemActor("test"), catalog.Category{ID: "shopping_test", Name: "测试"}); err != nil && !minimall.IsCode(err, minimall.Conflict) {
		t.Fatal(err)
	}
	fx := &shopFixture{seller: e.Register(t, phone, member)}
	r := e.Do(t, "POST", "/api/v1/shops", map[string]string{"name": "小店" + member}, testenv.Bearer(fx.seller.Token)...)
	wantStatus(t, r, 201, "open shop")
	var sh struct{ ID string }
	r.JSON(t, &sh)
	fx.shop = sh.ID
	return fx
}

// item lists an item in the shop and returns its id.
func (fx *shopFixture) item(t testing.TB, e *testenv.Env, title string, priceFen, stock int64, attrs map[string]string) string {
	t.Helper()
	r := e.Do(t, "POST", "/api/v1/shops/"+fx.shop+"/items", map[string]any{"category": "shopping_test", "title": title,
		"price_fen": priceFen, "stock": stock, "attributes": attrs}, testenv.Bearer(fx.seller.Token)...)
	wantStatus(t, r, 201, "list item")
	var it struct{ ID string }
	r.JSON(t, &it)
	return it.ID
}

func itemStock(t testing.TB, e *testenv.Env, id string) int64 {
	t.Helper()
	r := e.Do(t, "GET", "/api/v1/items/"+id, nil)
	wantStatus(t, r, 200, "item")
	var it struct{ Stock int64 }
	r.JSON(t, &it)
	return it.Stock
}

type cartView struct {
	Items []struct {
		ID            string
		Item          string
		Quantity      int64
		PriceFen      int64 `json:"price_fen"`
		AddedPriceFen int64 `json:"added_price_fen"`
		PriceDropped  bool  `json:"price_dropped"`
	}
	TotalFen int64 `json:"total_fen"`
}

// TestAPICart (二(三)1): add, add again, change the quantity, remove, list;
// another person's line is not found; bad input is a problem.
func TestAPICart(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13855550001", "cart_seller")
		tea := fx.item(t, e, "西湖龙井 250克", 12800, 100, nil)
		cup := fx.item(t, e, "青瓷茶杯", 3900, 100, nil)
		buyer := e.Register(t, "13855550002", "cart_buyer")
		other := e.Register(t, "13855550003", "cart_other")
		auth := testenv.Bearer(buyer.Token)

		wantStatus(t, e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": tea, "quantity": 1}, auth...), 201, "add")
		r := e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": tea, "quantity": 2}, auth...)
		wantStatus(t, r, 201, "add again")
		var line struct {
			ID       string
			Quantity int64
		}
		r.JSON(t, &line)
		if line.Quantity != 3 {
			t.Fatalf("adding again: quantity %d, want 3", line.Quantity)
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": cup}, auth...), 201, "add cup")
		wantStatus(t, e.Do(t, "PATCH", "/api/v1/cart/items/"+line.ID, map[string]any{"quantity": 5}, auth...), 200, "quantity")

		var c cartView
		r = e.Do(t, "GET", "/api/v1/cart", nil, auth...)
		wantStatus(t, r, 200, "cart")
		r.JSON(t, &c)
		if len(c.Items) != 2 || c.TotalFen != 5*12800+3900 {
			t.Fatalf("cart: %s", r.Body)
		}

		// Someone else's line does not exist for them, nor the reverse.
		wantStatus(t, e.Do(t, "PATCH", "/api/v1/cart/items/"+line.ID, map[string]any{"quantity": 1}, testenv.Bearer(other.Token)...), 404, "other's line")
		wantStatus(t, e.Do(t, "DELETE", "/api/v1/cart/items/"+line.ID, nil, testenv.Bearer(other.Token)...), 404, "other's delete")
		r = e.Do(t, "GET", "/api/v1/cart", nil, testenv.Bearer(other.Token)...)
		var oc cartView
		r.JSON(t, &oc)
		if len(oc.Items) != 0 {
			t.Fatalf("another person sees lines: %s", r.Body)
		}

		wantStatus(t, e.Do(t, "DELETE", "/api/v1/cart/items/"+line.ID, nil, auth...), 204, "remove")
		r = e.Do(t, "GET", "/api/v1/cart", nil, auth...)
		c = cartView{}
		r.JSON(t, &c)
		if len(c.Items) != 1 || c.Items[0].Item != cup {
			t.Fatalf("after remove: %s", r.Body)
		}

		for name, tc := range map[string]struct {
			method, path string
			body         any
			auth         []string
			status       int
		}{
			"ErrVisitor":      {"GET", "/api/v1/cart", nil, nil, 401},
			"ErrVisitorAdd":   {"POST", "/api/v1/cart/items", map[string]any{"item": tea}, nil, 401},
			"ErrUnknownItem":  {"POST", "/api/v1/cart/items", map[string]any{"item": "it_nope"}, auth, 404},
			"ErrQuantity":     {"POST", "/api/v1/cart/items", map[string]any{"item": tea, "quantity": 1000}, auth, 400},
			"ErrNegative":     {"PATCH", "/api/v1/cart/items/" + line.ID, map[string]any{"quantity": -1}, auth, 400},
			"ErrBadJSON":      {"POST", "/api/v1/cart/items", `{"item":`, auth, 400},
			"ErrUnknownField": {"POST", "/api/v1/cart/items", map[string]any{"item": tea, "price_fen": 1}, auth, 400},
			"ErrNoLine":       {"DELETE", "/api/v1/cart/items/ci_nope", nil, auth, 404},
		} {
			t.Run(name, func(t *testing.T) {
				r := e.Do(t, tc.method, tc.path, tc.body, tc.auth...)
				wantStatus(t, r, tc.status, name)
				if r.Header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("%s: not a problem: %s", name, r.Header.Get("Content-Type"))
				}
			})
		}
	})
}

// TestAPICartPriceDrop (二(三)1 降价提醒): the price when added is kept;
// an item whose price fell since is listed, one whose price rose is not.
func TestAPICartPriceDrop(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13855550011", "drop_seller")
		falls := fx.item(t, e, "蓝牙耳机", 19900, 10, nil)
		rises := fx.item(t, e, "充电宝", 9900, 10, nil)
		buyer := e.Register(t, "13855550012", "drop_buyer")
		auth := testenv.Bearer(buyer.Token)
		for _, it := range []string{falls, rises} {
			wantStatus(t, e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": it}, auth...), 201, "add")
		}
		r := e.Do(t, "GET", "/api/v1/cart/price-drops", nil, auth...)
		wantStatus(t, r, 200, "no drops yet")
		var drops cartView
		r.JSON(t, &drops)
		if len(drops.Items) != 0 {
			t.Fatalf("drops before any change: %s", r.Body)
		}
		seller := testenv.Bearer(fx.seller.Token)
		wantStatus(t, e.Do(t, "PATCH", "/api/v1/items/"+falls, map[string]any{"price_fen": 15900}, seller...), 200, "lower price")
		wantStatus(t, e.Do(t, "PATCH", "/api/v1/items/"+rises, map[string]any{"price_fen": 10900}, seller...), 200, "raise price")
		r = e.Do(t, "GET", "/api/v1/cart/price-drops", nil, auth...)
		wantStatus(t, r, 200, "drops")
		drops = cartView{}
		r.JSON(t, &drops)
		if len(drops.Items) != 1 || drops.Items[0].Item != falls || drops.Items[0].PriceFen != 15900 || drops.Items[0].AddedPriceFen != 19900 || !drops.Items[0].PriceDropped {
			t.Fatalf("drops: %s", r.Body)
		}
		// Adding more later keeps the price first remembered.
		r = e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": falls}, auth...)
		if !jsonHas(r.Body, `"added_price_fen":19900`) {
			t.Fatalf("re-add forgot the first price: %s", r.Body)
		}
	})
}

func jsonHas(body []byte, s string) bool { return strings.Contains(string(body), s) }

// TestAPICartConcurrentAdds: adds of one item at once make one line with
// every add counted, and the quantity stops at 999.
func TestAPICartConcurrentAdds(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13855550021", "adds_seller")
		tea := fx.item(t, e, "白毫银针 100克", 26800, 100, nil)
		buyer := e.Register(t, "13855550022", "adds_buyer")
		statuses := make([]int, 12)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Go(func() {
				req, _ := http.NewRequest("POST", e.URL+"/api/v1/cart/items", strings.NewReader(`{"item":"`+tea+`","quantity":1}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+buyer.Token)
				if resp, err := http.DefaultClient.Do(req); err == nil {
					resp.Body.Close()
					statuses[i] = resp.StatusCode
				}
			})
		}
		wg.Wait()
		auth := testenv.Bearer(buyer.Token)
		var c cartView
		e.Do(t, "GET", "/api/v1/cart", nil, auth...).JSON(t, &c)
		if len(c.Items) != 1 || c.Items[0].Quantity != 12 {
			t.Fatalf("statuses %v, cart %+v", statuses, c)
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": tea, "quantity": 999}, auth...), 201, "add to the cap")
		c = cartView{}
		e.Do(t, "GET", "/api/v1/cart", nil, auth...).JSON(t, &c)
		if c.Items[0].Quantity != 999 {
			t.Fatalf("quantity past the cap: %+v", c)
		}
	})
}
