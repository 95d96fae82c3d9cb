package http_test

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// TestAPICanaryShopping carries the canary through the shopping path: a
// search query, a recipient (name, address, phones, delivery time, remark),
// an invoice (title, taxpayer id, e-mail) and a customs ID, each a marker
// sent through the API; then no marker is in plaintext under the data
// folder, in the search index, in the logs, or in any partner's records
// beyond what the registry lets that partner receive (the logistics partner
// gets the recipient's name, address and phone, to deliver); and the change
// feed holds no marker, no sealed value and no (buyer, item) pair.
func TestAPICanaryShopping(t *testing.T) {
	st := testkit.MustOpenSQLite(t)
	e := testenv.Start(t, st)
	fx := newShop(t, e, "13855550001", "canary_seller")
	plain := fx.item(t, e, "金丝雀测试帆布包", 5900, 5, nil)
	imported := fx.item(t, e, "金丝雀进口奶粉", 29900, 5, map[string]string{"跨境": "是"})
	buyer := e.Register(t, "13855550002", "canary_buyer")
	auth := testenv.Bearer(buyer.Token)

	const query = "金丝雀查询词Qx7"
	recipient := map[string]any{"name": "金丝雀收件人", "address": "金丝雀市金丝雀路77号", "phone": "13799990077",
		"extra_phone": "13799990078", "delivery_time": "金丝雀送达时段"}
	invoice := map[string]any{"title": "金丝雀发票抬头", "taxpayer_id": "91330100CANARY77X", "email": "canary77@invoice.example"}
	customs := map[string]any{"name": "金丝雀报关人", "number": residentID("19850607", "771")}
	markers := []string{query, "金丝雀收件人", "金丝雀市金丝雀路77号", "13799990077", "13799990078", "金丝雀送达时段", "金丝雀备注R",
		"金丝雀发票抬头", "91330100CANARY77X", "canary77@invoice.example", "金丝雀报关人", customs["number"].(string),
		"金丝雀地址簿收件人", "金丝雀地址簿路88号", "13799990088"}

	// The address book, which a person meets on its page.
	book := newBrowserSignedIn(t, e, buyer)
	book.get("/account/addresses")
	if p := book.post("/account/addresses", url.Values{"name": {"金丝雀地址簿收件人"}, "address": {"金丝雀地址簿路88号"}, "phone": {"13799990088"}}); p.Status != 303 {
		t.Fatalf("save an address: %d", p.Status)
	}
	if p := book.get("/account/addresses"); !strings.Contains(p.HTML, "金丝雀地址簿路88号") {
		t.Fatal("the address book does not show the saved address")
	}

	if r := e.Do(t, "GET", "/api/v1/search?q="+query, nil, auth...); r.Status != 200 {
		t.Fatalf("search: %d %s", r.Status, r.Body)
	}
	if r := e.Do(t, "GET", "/api/v1/items/"+plain, nil, auth...); r.Status != 200 {
		t.Fatalf("item page: %d %s", r.Status, r.Body)
	}
	if r := e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": imported}, auth...); r.Status != 201 {
		t.Fatalf("cart add: %d %s", r.Status, r.Body)
	}
	withInvoice := map[string]any{"items": []map[string]any{{"item": plain, "quantity": 1}}, "recipient": recipient,
		"remark": "金丝雀备注R", "invoice_requested": true, "invoice": invoice}
	o := placeOrder(t, e, buyer, withInvoice)
	placeOrder(t, e, buyer, map[string]any{"items": []map[string]any{{"item": imported, "quantity": 1}}, "recipient": recipient, "customs_id": customs})

	// Pay and ship the first, so the payment and logistics partners get
	// what they need.
	r := e.Do(t, "POST", "/api/v1/orders/"+o.ID+"/payments", nil, auth...)
	var pay struct {
		PayURL string `json:"pay_url"`
	}
	if r.JSON(t, &pay); r.Status != 201 {
		t.Fatalf("payment: %d %s", r.Status, r.Body)
	}
	if resp, err := http.Post(pay.PayURL, "application/json", nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("pay at the sandbox: %v %v", resp, err)
	}
	if r := e.Do(t, "POST", "/api/v1/seller/orders/"+o.ID+"/shipments", nil, testenv.Bearer(fx.seller.Token)...); r.Status != 201 {
		t.Fatalf("ship: %d %s", r.Status, r.Body)
	}
	// The person sees it all back, so the markers really were stored.
	if r := e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...); !strings.Contains(string(r.Body), "金丝雀发票抬头") {
		t.Fatalf("the order does not show its invoice: %s", r.Body)
	}
	if r := e.Do(t, "GET", "/api/v1/search/history", nil, auth...); !strings.Contains(string(r.Body), query) {
		t.Fatalf("the search history does not show the query: %s", r.Body)
	}
	if err := e.Kernel.AuditFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := e.Search.Close(); err != nil { // flush the index to its files
		t.Fatal(err)
	}

	outboxClean(t, e, st, markers, buyer.Subject, plain, imported)
	for _, dir := range []string{st.DataDir, e.SearchDir} {
		err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range markers {
				if bytes.Contains(b, []byte(m)) {
					t.Errorf("%s holds %q in plaintext", p, m)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range markers {
		if strings.Contains(e.Logs.String(), m) {
			t.Errorf("logs hold %q", m)
		}
	}
	allowed := map[privacy.PartnerID][]string{
		privacy.PartnerLogistics: {"金丝雀收件人", "金丝雀市金丝雀路77号", "13799990077"},
	}
	for _, sb := range e.Sandbox.All() {
		b, err := os.ReadFile(filepath.Join(sb.Dir(), "requests.jsonl"))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, m := range allowed[sb.Name()] {
			if !bytes.Contains(b, []byte(m)) {
				t.Errorf("partner %s never got %q: is the canary looking at the right file?", sb.Name(), m)
			}
			b = bytes.ReplaceAll(b, []byte(m), nil)
		}
		for _, m := range markers {
			if bytes.Contains(b, []byte(m)) {
				t.Errorf("partner %s holds %q", sb.Name(), m)
			}
		}
	}
}
