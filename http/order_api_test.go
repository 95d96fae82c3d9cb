package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/order"
	"minimall/partner"
	"minimall/privacy"
	"minimall/sqldb"
)

// recipient is a valid recipient for tests.
var recipient = map[string]any{"name": "李四", "address": "浙江省杭州市西湖区文三路100号", "phone": "13966660001"}

type orderView struct {
	ID     string
	Number string
	Status string
	Shop   string
	Items  []struct {
		Item, Title        string
		PriceFen, Quantity int64
	}
	TotalFen        int64 `json:"total_fen"`
	AmountFen       int64 `json:"amount_fen"`
	Discounts       []any
	Remark          string
	ForSomeoneElse  bool `json:"for_someone_else"`
	CustomsDeclared bool `json:"customs_declared"`
	Recipient       map[string]string
	Invoice         map[string]string
	Payment         *struct {
		ID, Status, TradeNo, Kind string
		PayURL                    string `json:"pay_url"`
		AmountFen                 int64  `json:"amount_fen"`
	}
	Shipment *struct {
		ID        string
		WaybillNo string `json:"waybill_no"`
		Events    []struct{ Status string }
	}
}

// placeOrder posts an order and returns the one it made.
func placeOrder(t testing.TB, e *testenv.Env, sh *testenv.Shopper, body map[string]any, headers ...string) orderView {
	t.Helper()
	r := e.Do(t, "POST", "/api/v1/orders", body, append(testenv.Bearer(sh.Token), headers...)...)
	wantStatus(t, r, 201, "place order")
	var got struct{ Orders []orderView }
	r.JSON(t, &got)
	if len(got.Orders) != 1 {
		t.Fatalf("want one order: %s", r.Body)
	}
	return got.Orders[0]
}

func buyNow(item string, qty int) map[string]any {
	return map[string]any{"items": []map[string]any{{"item": item, "quantity": qty}}, "recipient": recipient}
}

// TestAPIOrders (二(三)2): an order from the cart and one bought now carry
// the order number, time, items, discounts and amount payable in fen; the
// optional fields, ordering for someone else and an invoice are kept;
// "my orders" lists them; another person's order does not exist for them;
// the seller sees only what shipping needs.
func TestAPIOrders(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13866660001", "order_seller")
		tea := fx.item(t, e, "西湖龙井 250克", 12800, 10, nil)
		cup := fx.item(t, e, "青瓷茶杯", 3900, 10, nil)
		buyer := e.Register(t, "13866660002", "order_buyer")
		other := e.Register(t, "13866660003", "order_other")
		auth := testenv.Bearer(buyer.Token)

		wantStatus(t, e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": tea, "quantity": 2}, auth...), 201, "cart tea")
		wantStatus(t, e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": cup, "quantity": 1}, auth...), 201, "cart cup")
		fromCart := placeOrder(t, e, buyer, map[string]any{"from_cart": true,
			"recipient": map[string]any{"name": "王五", "address": "上海市浦东新区世纪大道1号", "phone": "13966660002",
				"extra_phone": "021-12345678", "delivery_time": "工作日白天"},
			"remark": "请勿按门铃", "for_someone_else": true, "recipient_agreed": true,
			"invoice_requested": true, "invoice": map[string]any{"title": "杭州某某科技有限公司", "taxpayer_id": "91330100MA2XXXXX1X", "email": "fapiao@example.com"}})
		if fromCart.AmountFen != 2*12800+3900 || fromCart.TotalFen != fromCart.AmountFen || len(fromCart.Items) != 2 || fromCart.Number == "" ||
			fromCart.Status != "pending_payment" || fromCart.Discounts == nil || !fromCart.ForSomeoneElse || fromCart.Remark != "请勿按门铃" ||
			fromCart.Recipient["extra_phone"] != "021-12345678" || fromCart.Invoice["taxpayer_id"] != "91330100MA2XXXXX1X" {
			t.Fatalf("order from cart: %+v", fromCart)
		}
		var c cartView
		e.Do(t, "GET", "/api/v1/cart", nil, auth...).JSON(t, &c)
		if len(c.Items) != 0 {
			t.Fatalf("the cart keeps ordered lines: %+v", c)
		}
		if got := itemStock(t, e, tea); got != 8 {
			t.Fatalf("stock of tea: %d, want 8", got)
		}
		now := placeOrder(t, e, buyer, buyNow(cup, 3))
		if now.AmountFen != 3*3900 || now.Invoice != nil || now.ForSomeoneElse {
			t.Fatalf("buy now: %+v", now)
		}

		r := e.Do(t, "GET", "/api/v1/orders", nil, auth...)
		wantStatus(t, r, 200, "my orders")
		var list struct {
			Orders []struct {
				ID        string
				AmountFen int64 `json:"amount_fen"`
				ItemCount int64 `json:"item_count"`
			}
		}
		r.JSON(t, &list)
		if len(list.Orders) != 2 || list.Orders[0].ID != now.ID || list.Orders[1].ItemCount != 3 {
			t.Fatalf("my orders: %s", r.Body)
		}
		r = e.Do(t, "GET", "/api/v1/orders/"+fromCart.ID, nil, auth...)
		wantStatus(t, r, 200, "show")

		// Another person: not found, not forbidden (no existence leak).
		wantStatus(t, e.Do(t, "GET", "/api/v1/orders/"+fromCart.ID, nil, testenv.Bearer(other.Token)...), 404, "other's order")
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders/"+fromCart.ID+"/payments", nil, testenv.Bearer(other.Token)...), 404, "pay other's order")
		wantStatus(t, e.Do(t, "GET", "/api/v1/orders/"+fromCart.ID, nil), 401, "visitor")
		r = e.Do(t, "GET", "/api/v1/orders", nil, testenv.Bearer(other.Token)...)
		if !strings.Contains(string(r.Body), `"orders":[]`) {
			t.Fatalf("another person's list: %s", r.Body)
		}

		// The seller sees the recipient and the items, nothing else.
		r = e.Do(t, "GET", "/api/v1/seller/orders/"+fromCart.ID, nil, testenv.Bearer(fx.seller.Token)...)
		wantStatus(t, r, 200, "seller view")
		var sv map[string]any
		r.JSON(t, &sv)
		keys := make([]string, 0, len(sv))
		for k := range sv {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if strings.Join(keys, ",") != "id,items,recipient,shop,status" {
			t.Fatalf("seller sees %v", keys)
		}
		for _, secret := range []string{"请勿按门铃", "fapiao@example.com", "91330100MA2XXXXX1X", buyer.Phone, string(buyer.Subject), fromCart.Number} {
			if strings.Contains(string(r.Body), secret) {
				t.Fatalf("seller view holds %q: %s", secret, r.Body)
			}
		}
		wantStatus(t, e.Do(t, "GET", "/api/v1/seller/orders/"+fromCart.ID, nil, testenv.Bearer(other.Token)...), 404, "not the seller")
		wantStatus(t, e.Do(t, "GET", "/api/v1/seller/shops/"+fx.shop+"/orders", nil, testenv.Bearer(fx.seller.Token)...), 200, "shop orders")
		wantStatus(t, e.Do(t, "GET", "/api/v1/seller/shops/"+fx.shop+"/orders", nil, testenv.Bearer(other.Token)...), 404, "not the shop's seller")

		// Every value is sealed: the recipient's phone is not in the database.
		var n int
		if err := st.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM orders WHERE recipient_phone_sealed = ?`, []byte("13966660002")).Scan(&n); err != nil || n != 0 {
			t.Fatalf("recipient phone stored in clear: %d %v", n, err)
		}
	})
}

// TestAPIOrderRefusals: what the policy says is taken only when needed is
// refused otherwise, and bad input is a problem that changes nothing.
func TestAPIOrderRefusals(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13866660011", "refuse_seller")
		plain := fx.item(t, e, "帆布包", 5900, 5, nil)
		imported := fx.item(t, e, "进口奶粉", 29900, 5, map[string]string{"跨境": "是"})
		buyer := e.Register(t, "13866660012", "refuse_buyer")
		auth := testenv.Bearer(buyer.Token)
		invoice := map[string]any{"title": "个人", "taxpayer_id": "91330100MA2XXXXX1X", "email": "a@example.com"}
		customs := map[string]any{"name": "李四", "number": "11010519491231002X"}
		with := func(base map[string]any, kv ...any) map[string]any {
			m := map[string]any{}
			for k, v := range base {
				m[k] = v
			}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		}
		for name, tc := range map[string]struct {
			body   any
			status int
		}{
			"ErrInvoiceWithoutInvoice":  {with(buyNow(plain, 1), "invoice", invoice), 400},
			"ErrInvoiceIncomplete":      {with(buyNow(plain, 1), "invoice_requested", true), 400},
			"ErrCustomsNotCrossBorder":  {with(buyNow(plain, 1), "customs_id", customs), 400},
			"ErrCrossBorderNoCustoms":   {buyNow(imported, 1), 400},
			"ErrBadCustomsID":           {with(buyNow(imported, 1), "customs_id", map[string]any{"name": "李四", "number": "123"}), 400},
			"ErrEmptyCart":              {map[string]any{"from_cart": true, "recipient": recipient}, 400},
			"ErrNothing":                {map[string]any{"recipient": recipient}, 400},
			"ErrUnknownItem":            {buyNow("it_nope", 1), 404},
			"ErrUnknownCartLine":        {map[string]any{"from_cart": true, "cart_items": []string{"ci_nope"}, "recipient": recipient}, 404},
			"ErrOutOfStock":             {buyNow(plain, 6), 409},
			"ErrNoRecipient":            {map[string]any{"items": []map[string]any{{"item": plain, "quantity": 1}}}, 400},
			"ErrBadPhone":               {with(buyNow(plain, 1), "recipient", map[string]any{"name": "李四", "address": "浙江省杭州市西湖区", "phone": "12345"}), 400},
			"ErrSomeoneElseNoAgreement": {with(buyNow(plain, 1), "for_someone_else", true), 400},
			"ErrAgreementNotNeeded":     {with(buyNow(plain, 1), "recipient_agreed", true), 400},
			"ErrBadQuantity":            {buyNow(plain, 0), 400},
			"ErrBadJSON":                {`{"items": [`, 400},
			"ErrUnknownField":           {with(buyNow(plain, 1), "price_fen", 1), 400},
		} {
			t.Run(name, func(t *testing.T) {
				r := e.Do(t, "POST", "/api/v1/orders", tc.body, auth...)
				wantStatus(t, r, tc.status, name)
				if r.Header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("not a problem: %s", r.Body)
				}
			})
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders", buyNow(plain, 1)), 401, "visitor")
		if got := itemStock(t, e, plain); got != 5 {
			t.Fatalf("a refused order took stock: %d left", got)
		}
		var n int
		st.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM orders`).Scan(&n)
		if n != 0 {
			t.Fatalf("refused orders were stored: %d", n)
		}
		// With cross-border goods, the customs ID is taken, sealed, and not shown back.
		o := placeOrder(t, e, buyer, with(buyNow(imported, 1), "customs_id", customs))
		if !o.CustomsDeclared {
			t.Fatalf("customs not declared: %+v", o)
		}
		r := e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...)
		if strings.Contains(string(r.Body), "11010519491231002X") {
			t.Fatalf("the order view shows the ID number: %s", r.Body)
		}
	})
}

// TestAPIOrderNoOversell: 50 concurrent checkouts for the last 10 units
// make exactly 10 orders; the rest are refused and stock ends at zero.
func TestAPIOrderNoOversell(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13866660021", "oversell_seller")
		last := fx.item(t, e, "限量版手办", 99900, 10, nil)
		buyers := make([]*testenv.Shopper, 5)
		for i := range buyers {
			buyers[i] = e.Register(t, fmt.Sprintf("1386666003%d", i), fmt.Sprintf("oversell_b%d", i))
		}
		var wg sync.WaitGroup
		statuses := make([]int, 50)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b, _ := json.Marshal(buyNow(last, 1))
				req, _ := http.NewRequest("POST", e.URL+"/api/v1/orders", strings.NewReader(string(b)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+buyers[i%5].Token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return
				}
				resp.Body.Close()
				statuses[i] = resp.StatusCode
			}()
		}
		wg.Wait()
		count := map[int]int{}
		for _, s := range statuses {
			count[s]++
		}
		if count[201] != 10 || count[409] != 40 {
			t.Fatalf("statuses: %v", count)
		}
		if got := itemStock(t, e, last); got != 0 {
			t.Fatalf("stock left: %d", got)
		}
		var n int
		st.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM orders`).Scan(&n)
		if n != 10 {
			t.Fatalf("orders: %d, want 10", n)
		}
	})
}

// TestAPIOrderIdempotency: a retried order or payment with the same
// Idempotency-Key makes one order and one payment; the key reused for a
// different request is a conflict.
func TestAPIOrderIdempotency(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13866660041", "idem_seller")
		it := fx.item(t, e, "保温杯", 8900, 10, nil)
		buyer := e.Register(t, "13866660042", "idem_buyer")
		auth := testenv.Bearer(buyer.Token)
		key := []string{"Idempotency-Key", "order-key-0001"}
		first := placeOrder(t, e, buyer, buyNow(it, 2), key...)
		for range 3 {
			r := e.Do(t, "POST", "/api/v1/orders", buyNow(it, 2), append(auth, key...)...)
			wantStatus(t, r, 201, "retry")
			if r.Header.Get("Idempotent-Replayed") != "true" || !strings.Contains(string(r.Body), first.ID) {
				t.Fatalf("retry made another order: %s", r.Body)
			}
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders", buyNow(it, 3), append(auth, key...)...), 409, "same key, other order")
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders", buyNow(it, 1), append(auth, "Idempotency-Key", "bad key")...), 400, "malformed key")
		if got := itemStock(t, e, it); got != 8 {
			t.Fatalf("stock after retries: %d, want 8", got)
		}

		payKey := []string{"Idempotency-Key", "pay-key-0001"}
		r := e.Do(t, "POST", "/api/v1/orders/"+first.ID+"/payments", nil, append(auth, payKey...)...)
		wantStatus(t, r, 201, "pay")
		var p1, p2 struct{ ID, TradeNo string }
		r.JSON(t, &p1)
		r = e.Do(t, "POST", "/api/v1/orders/"+first.ID+"/payments", nil, append(auth, payKey...)...)
		wantStatus(t, r, 201, "pay retry")
		r.JSON(t, &p2)
		if p1.ID != p2.ID || r.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("payment retry: %s vs %s", p1.ID, p2.ID)
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders/"+first.ID+"/payments", nil, append(auth, "Idempotency-Key", "pay-key-0002")...), 409, "second payment")
		created := 0
		for _, q := range e.Sandbox.Payment.Requests() {
			if q.Operation == "payment/create" {
				created++
			}
		}
		if created != 1 {
			t.Fatalf("the payment institution got %d payments", created)
		}
	})
}

// TestAPIPaymentAndDelivery (二(三)3, 三(一)5(1)): payment at the payment
// sandbox, its signed notice back, shipping through the logistics sandbox,
// which receives exactly the recipient's name, address, phone and the
// parcel contents, and its signed tracking reports back; a refund; a
// pay-for-me request; unsigned callbacks are refused.
func TestAPIPaymentAndDelivery(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13866660051", "pay_seller")
		it := fx.item(t, e, "无线鼠标", 4900, 10, nil)
		buyer := e.Register(t, "13866660052", "pay_buyer")
		auth := testenv.Bearer(buyer.Token)
		o := placeOrder(t, e, buyer, buyNow(it, 2))

		wantStatus(t, e.Do(t, "POST", "/api/v1/seller/orders/"+o.ID+"/shipments", nil, testenv.Bearer(fx.seller.Token)...), 409, "ship unpaid")
		r := e.Do(t, "POST", "/api/v1/orders/"+o.ID+"/payments", map[string]any{"channel": "alipay"}, auth...)
		wantStatus(t, r, 201, "pay")
		var p struct {
			TradeNo string `json:"trade_no"`
			PayURL  string `json:"pay_url"`
		}
		r.JSON(t, &p)
		resp, err := http.Post(p.PayURL, "application/json", nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("pay at the sandbox: %v %v", resp, err)
		}
		resp.Body.Close()
		var got orderView
		e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...).JSON(t, &got)
		if got.Status != "paid" || got.Payment == nil || got.Payment.Status != "paid" || got.Payment.AmountFen != 9800 {
			t.Fatalf("after paying: %+v", got)
		}
		for _, q := range e.Sandbox.Payment.Requests() {
			for f := range q.Fields {
				if f != privacy.OrderNumber && f != privacy.PaymentAmount {
					t.Fatalf("the payment partner got %s", f)
				}
			}
		}

		r = e.Do(t, "POST", "/api/v1/seller/orders/"+o.ID+"/shipments", nil, testenv.Bearer(fx.seller.Token)...)
		wantStatus(t, r, 201, "ship")
		var sh struct {
			WaybillNo string `json:"waybill_no"`
		}
		r.JSON(t, &sh)
		// What the logistics partner received, as anyone can read it.
		resp, err = http.Get(e.Sandbox.Logistics.URL() + "/requests")
		if err != nil {
			t.Fatal(err)
		}
		var reqs []struct {
			Operation string
			Fields    map[string]string
			Params    map[string]any
		}
		json.NewDecoder(resp.Body).Decode(&reqs)
		resp.Body.Close()
		if len(reqs) != 1 || reqs[0].Operation != "logistics/shipments" {
			t.Fatalf("logistics requests: %+v", reqs)
		}
		keys := make([]string, 0)
		for k := range reqs[0].Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if strings.Join(keys, ",") != "order.items,order.recipient_address,order.recipient_name,order.recipient_phone" {
			t.Fatalf("logistics got fields %v", keys)
		}
		if reqs[0].Fields["order.recipient_phone"] != recipient["phone"] || !strings.Contains(reqs[0].Fields["order.items"], "无线鼠标 ×2") {
			t.Fatalf("logistics payload: %+v", reqs[0].Fields)
		}
		all, _ := json.Marshal(reqs)
		for _, secret := range []string{buyer.Phone, string(buyer.Subject), o.Number, "4900"} {
			if strings.Contains(string(all), secret) {
				t.Fatalf("the logistics partner holds %q", secret)
			}
		}

		for _, step := range []string{"in_transit", "delivered"} {
			resp, err := http.Post(e.Sandbox.Logistics.URL()+"/logistics/advance", "application/json",
				strings.NewReader(fmt.Sprintf(`{"waybill_no":%q,"status":%q,"description":"杭州转运中心"}`, sh.WaybillNo, step)))
			if err != nil {
				t.Fatal(err)
			}
			var ans struct{ Notified int }
			json.NewDecoder(resp.Body).Decode(&ans)
			resp.Body.Close()
			if ans.Notified != 200 {
				t.Fatalf("%s: minimall answered %d", step, ans.Notified)
			}
		}
		got = orderView{}
		e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...).JSON(t, &got)
		if got.Status != "delivered" || got.Shipment == nil || len(got.Shipment.Events) != 3 {
			t.Fatalf("after delivery: %+v", got)
		}
		// A delivered order counts toward the account level.
		var level struct {
			Usage struct {
				CompletedOrders int `json:"completed_orders"`
			} `json:"usage"`
		}
		e.Do(t, "GET", "/api/v1/account/level", nil, auth...).JSON(t, &level)
		if level.Usage.CompletedOrders != 1 {
			t.Fatalf("completed orders in the level: %d, want 1", level.Usage.CompletedOrders)
		}

		// Refund of a paid order that has not shipped puts the stock back.
		o2 := placeOrder(t, e, buyer, buyNow(it, 1))
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders/"+o2.ID+"/refund", nil, auth...), 409, "refund unpaid")
		r = e.Do(t, "POST", "/api/v1/orders/"+o2.ID+"/payments", nil, auth...)
		r.JSON(t, &p)
		resp, _ = http.Post(p.PayURL, "application/json", nil)
		resp.Body.Close()
		before := itemStock(t, e, it)
		r = e.Do(t, "POST", "/api/v1/orders/"+o2.ID+"/refund", nil, auth...)
		wantStatus(t, r, 200, "refund")
		if !strings.Contains(string(r.Body), `"status":"refunded"`) || itemStock(t, e, it) != before+1 {
			t.Fatalf("refund: %s", r.Body)
		}

		// Cancel an unpaid order.
		o3 := placeOrder(t, e, buyer, buyNow(it, 1))
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders/"+o3.ID+"/cancel", nil, auth...), 200, "cancel")
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders/"+o3.ID+"/payments", nil, auth...), 409, "pay cancelled")

		// Pay for me: the payer's phone goes to the payment institution;
		// the payer's Alipay account needs the separate consent first.
		o4 := placeOrder(t, e, buyer, buyNow(it, 1))
		r = e.Do(t, "POST", "/api/v1/orders/"+o4.ID+"/payments", map[string]any{"pay_for_me": map[string]any{"payer_account": "payer@example.com"}}, auth...)
		wantStatus(t, r, 403, "payer account without separate consent")
		r = e.Do(t, "POST", "/api/v1/orders/"+o4.ID+"/payments", map[string]any{"pay_for_me": map[string]any{"payer_phone": "13977770000"}}, auth...)
		wantStatus(t, r, 201, "pay for me")
		reqsP := e.Sandbox.Payment.Requests()
		lastP := reqsP[len(reqsP)-1]
		if lastP.Operation != "payment/pay-for-me" || lastP.Fields[privacy.PayerPhone] != "13977770000" {
			t.Fatalf("pay-for-me request: %+v", lastP)
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders/"+o4.ID+"/payments", nil, auth...), 409, "second payment")

		// Callbacks must carry the partner's signature.
		notice := fmt.Sprintf(`{"payment_id":"x","trade_no":%q,"status":"paid","amount_fen":4900}`, p.TradeNo)
		wantStatus(t, e.Do(t, "POST", "/api/v1/partners/payment/notify", notice), 401, "unsigned notify")
		wantStatus(t, e.Do(t, "POST", "/api/v1/partners/payment/notify", notice,
			partner.HeaderPartnerTimestamp, partner.Timestamp(st.Clock.Now()), partner.HeaderPartnerSignature, strings.Repeat("ab", 32)), 401, "forged notify")
		wantStatus(t, e.Do(t, "POST", "/api/v1/partners/logistics/tracking", `{}`), 401, "unsigned tracking")
		// Signed with minimall's own key to the partner (the wrong key): refused.
		wantStatus(t, sendNotice(t, e, st, e.Sandbox.Payment.Endpoint().SignKey, notice), 401, "wrong key")
	})
}

// TestAPITrackingReportsAtOnce: reports on one parcel arriving at once
// are all kept.
func TestAPITrackingReportsAtOnce(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13866660061", "track_seller")
		it := fx.item(t, e, "机械键盘", 29900, 10, nil)
		buyer := e.Register(t, "13866660062", "track_buyer")
		auth := testenv.Bearer(buyer.Token)
		o := placeOrder(t, e, buyer, buyNow(it, 1))
		waybill := payAndShip(t, e, buyer, fx.seller, o.ID)
		notified := make([]int, 5)
		var wg sync.WaitGroup
		for i := range notified {
			wg.Go(func() {
				body := fmt.Sprintf(`{"waybill_no":%q,"status":"in_transit","description":"转运中心 %d"}`, waybill, i)
				resp, err := http.Post(e.Sandbox.Logistics.URL()+"/logistics/advance", "application/json", strings.NewReader(body))
				if err != nil {
					return
				}
				var ans struct{ Notified int }
				json.NewDecoder(resp.Body).Decode(&ans)
				resp.Body.Close()
				notified[i] = ans.Notified
			})
		}
		wg.Wait()
		var got orderView
		e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...).JSON(t, &got)
		if got.Shipment == nil || len(got.Shipment.Events) != 1+len(notified) {
			t.Fatalf("minimall answered %v; shipment %+v", notified, got.Shipment)
		}
	})
}

// TestAPIPaymentNoticeFillsTradeNumber: Pay writes the institution's trade
// number behind its answer; if that write is lost, the signed notice
// carries the number again and the payment is recorded with it.
func TestAPIPaymentNoticeFillsTradeNumber(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		o, p, auth := startPayment(t, e, "1386666006", "trade", "蓝牙音箱", 12900)
		if p.TradeNo == "" {
			t.Fatal("no trade number in Pay's answer")
		}
		// Lose the write behind the answer (it commits before this one).
		if err := e.Store.DB.Write(t.Context(), func(ctx context.Context, tx *sqldb.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE payments SET trade_no = '' WHERE id = ? AND trade_no = ?`, p.ID, p.TradeNo)
			if n, _ := res.RowsAffected(); err == nil && n != 1 {
				t.Errorf("the trade number was not written behind Pay's answer")
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(p.PayURL, "application/json", nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("pay at the sandbox: %v %v", resp, err)
		}
		resp.Body.Close()
		var got struct {
			Status  string
			Payment struct {
				Status  string
				TradeNo string `json:"trade_no"`
			}
		}
		e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...).JSON(t, &got)
		if got.Status != "paid" || got.Payment.Status != "paid" || got.Payment.TradeNo != p.TradeNo {
			t.Fatalf("after the notice: %+v, want paid with trade number %s", got, p.TradeNo)
		}
		// A notice naming another trade number for it is refused now.
		notice := fmt.Sprintf(`{"payment_id":%q,"trade_no":"T-other","status":"paid","amount_fen":12900}`, p.ID)
		wantStatus(t, sendNotice(t, e, st, e.Sandbox.Payment.Endpoint().VerifyKey, notice), 404, "another trade number")
	})
}

// TestAPIPaymentNoticeRepeated: the institution may send its notice more
// than once, even at once; each is answered 200 and the order is paid
// once. The notices here are all checked while a write holds the order
// (SQLite: the writer; PostgreSQL: the row), so each finds it awaiting
// payment and only the write tells them apart.
func TestAPIPaymentNoticeRepeated(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		o, p, auth := startPayment(t, e, "1386666007", "repeat", "机械键盘", 39900)
		notice := fmt.Sprintf(`{"payment_id":%q,"trade_no":%q,"status":"paid","amount_fen":39900,"paid_at":"2026-11-29T10:00:00Z"}`, p.ID, p.TradeNo)
		running, release := make(chan struct{}), make(chan struct{})
		held := make(chan error, 1)
		go func() {
			held <- st.DB.Write(t.Context(), func(ctx context.Context, tx *sqldb.Tx) error {
				if _, err := tx.ExecContext(ctx, `UPDATE orders SET updated_at = updated_at WHERE id = ?`, o.ID); err != nil {
					return err
				}
				close(running)
				<-release
				return nil
			})
		}()
		<-running
		var wg sync.WaitGroup
		codes := make([]int, 4)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = sendNotice(t, e, st, e.Sandbox.Payment.Endpoint().VerifyKey, notice).Status
			}()
		}
		time.Sleep(300 * time.Millisecond) // all four checked the order and wait to write
		close(release)
		wg.Wait()
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		for i, c := range codes {
			if c != 200 {
				t.Fatalf("notice %d answered %d, want 200", i, c)
			}
		}
		var got orderView
		e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...).JSON(t, &got)
		if got.Status != "paid" || got.Payment == nil || got.Payment.Status != "paid" {
			t.Fatalf("after the notices: %+v", got)
		}
		var paidEvents int
		if err := st.DB.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM outbox WHERE topic = ? AND payload LIKE ?`,
			order.TopicChanged, "%"+o.ID+"%").Scan(&paidEvents); err != nil {
			t.Fatal(err)
		}
		if paidEvents != 1 {
			t.Fatalf("%d order.changed events for four notices, want one", paidEvents)
		}
	})
}

// startedPayment is Pay's answer.
type startedPayment struct {
	ID      string
	TradeNo string `json:"trade_no"`
	PayURL  string `json:"pay_url"`
}

// startPayment opens a shop selling one item at priceFen, has a new buyer
// order one and start paying for it, and returns the order, the payment and
// the buyer's auth headers. phone is ten digits; the seller gets 1, the
// buyer 2 appended, and names are prefixed by name.
func startPayment(t *testing.T, e *testenv.Env, phone, name, title string, priceFen int64) (orderView, startedPayment, []string) {
	t.Helper()
	fx := newShop(t, e, phone+"1", name+"_seller")
	it := fx.item(t, e, title, priceFen, 5, nil)
	buyer := e.Register(t, phone+"2", name+"_buyer")
	auth := testenv.Bearer(buyer.Token)
	o := placeOrder(t, e, buyer, buyNow(it, 1))
	r := e.Do(t, "POST", "/api/v1/orders/"+o.ID+"/payments", nil, auth...)
	wantStatus(t, r, 201, "pay")
	var p startedPayment
	r.JSON(t, &p)
	return o, p, auth
}

// sendNotice posts a payment notice signed with key.
func sendNotice(t *testing.T, e *testenv.Env, st *testkit.Store, key []byte, notice string) *testenv.Response {
	t.Helper()
	ts, nonce := partner.Timestamp(st.Clock.Now()), partner.NewNonce()
	sig := partner.SignRequest(key, ts, nonce, "POST", "/api/v1/partners/payment/notify", []byte(notice))
	return e.Do(t, "POST", "/api/v1/partners/payment/notify", notice, partner.HeaderPartnerTimestamp, ts,
		partner.HeaderPartnerNonce, nonce, partner.HeaderPartnerSignature, sig)
}
