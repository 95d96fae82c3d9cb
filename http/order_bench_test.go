package http_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"minimall/account"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// Checkout throughput through the API on loopback, on the embedded store:
//
//	go test -run '^$' -bench Checkout -benchtime 3s ./http/
//
// "order" places a one-item buy-now order (stock reserved, every personal
// field sealed, one transaction); "paid" is the whole checkout the load
// tool drives: add to cart, order from the cart, start the payment at the
// payment sandbox, pay there, and the sandbox's signed notice makes the
// order paid.
func BenchmarkAPICheckout(b *testing.B) {
	e := testenv.StartWith(b, testkit.MustOpenSQLite(b), func(c *account.Config) {
		c.PasswordMemoryKiB, c.PasswordTime = 64, 1
		c.CodesPerHour, c.LoginsPerMinute = 1<<20, 1<<20 // 40 buyers from one address
	})
	fx := newShop(b, e, "13877770001", "bench_seller")
	item := fx.item(b, e, "基准测试商品", 1000, 10_000_000, nil)
	buyers := make([]*testenv.Shopper, 40) // one per client, so no two share a cart
	for i := range buyers {
		buyers[i] = e.Register(b, fmt.Sprintf("138777701%02d", i), fmt.Sprintf("bench_buyer%d", i))
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	call := func(method, url, token string, body any) (int, []byte) {
		var rd io.Reader
		if body != nil {
			buf, _ := json.Marshal(body)
			rd = bytes.NewReader(buf)
		}
		req, _ := http.NewRequest(method, url, rd)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out
	}
	var next atomic.Int64
	b.Run("order", func(b *testing.B) {
		b.SetParallelism(16) // 32 clients on 2 cores, as the load tool runs
		b.RunParallel(func(pb *testing.PB) {
			sh := buyers[next.Add(1)%int64(len(buyers))]
			for pb.Next() {
				if st, body := call("POST", e.URL+"/api/v1/orders", sh.Token, buyNow(item, 1)); st != 201 {
					b.Errorf("order: %d %s", st, body)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
	})
	b.Run("paid", func(b *testing.B) {
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			sh := buyers[next.Add(1)%int64(len(buyers))]
			for pb.Next() {
				if st, body := call("POST", e.URL+"/api/v1/cart/items", sh.Token, map[string]any{"item": item}); st != 201 {
					b.Errorf("cart: %d %s", st, body)
					return
				}
				st, body := call("POST", e.URL+"/api/v1/orders", sh.Token, map[string]any{"from_cart": true, "recipient": recipient})
				var placed struct{ Orders []struct{ ID string } }
				if json.Unmarshal(body, &placed); st != 201 || len(placed.Orders) != 1 {
					b.Errorf("order: %d %s", st, body)
					return
				}
				st, body = call("POST", e.URL+"/api/v1/orders/"+placed.Orders[0].ID+"/payments", sh.Token, nil)
				var p struct {
					PayURL string `json:"pay_url"`
				}
				if json.Unmarshal(body, &p); st != 201 {
					b.Errorf("payment: %d %s", st, body)
					return
				}
				if st, body = call("POST", p.PayURL, "", nil); st != 200 || !bytes.Contains(body, []byte(`"notified":200`)) {
					b.Errorf("pay: %d %s", st, body)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checkouts/s")
	})
}
