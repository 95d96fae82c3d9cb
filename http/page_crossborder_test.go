package http_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// TestPagesCrossBorder (五(二)): the page of an order with cross-border
// goods shows the notice — recipient abroad and its contact, purpose,
// method, data, de-identification, rights — and a separate consent; the
// waybill is sent only after it, once, and the page lists what was sent;
// the consent can be withdrawn there. A domestic order shows none of it.
func TestPagesCrossBorder(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13866661101", "cbp_seller")
		imported := fx.item(t, e, "进口奶粉", 29900, 5, map[string]string{"跨境": "是"})
		plain := fx.item(t, e, "帆布包", 5900, 5, nil)
		buyer := e.Register(t, "13866661102", "cbp_buyer")
		order := buyNow(imported, 1)
		order["customs_id"] = map[string]any{"name": "李四", "number": "11010519491231002X"}
		cross := placeOrder(t, e, buyer, order)
		domestic := placeOrder(t, e, buyer, buyNow(plain, 1))
		b := newBrowserSignedIn(t, e, buyer)

		if p := b.get("/orders/" + domestic.ID); strings.Contains(p.HTML, `id="cross-border"`) {
			t.Fatal("a domestic order shows the cross-border notice")
		}
		p := b.get("/orders/" + cross.ID)
		for _, want := range []string{`id="cross-border"`, "去标识化", "你尚未同意", `action="/orders/` + cross.ID + `/cross-border/consent"`} {
			if !strings.Contains(p.HTML, want) {
				t.Fatalf("the cross-border order page lacks %q", want)
			}
		}
		if strings.Contains(p.HTML, "/cross-border/send") {
			t.Fatal("the page offers to send before consent")
		}
		if p := b.post("/orders/"+cross.ID+"/cross-border/send", url.Values{}); p.Status != 403 || len(sandboxRequests(t, e.Overseas)) != 0 {
			t.Fatalf("sending without consent: %d", p.Status)
		}
		version := regexFind(t, p.HTML, `name="notice_version" value="([^"]+)"`)
		mustPage(t, b.post("/orders/"+cross.ID+"/cross-border/consent", url.Values{"action": {"grant"}, "notice_version": {version}}), 303, "consent")
		p = b.get("/orders/" + cross.ID)
		if !strings.Contains(p.HTML, "你已单独同意") || !strings.Contains(p.HTML, "/cross-border/send") {
			t.Fatal("after consenting, the page does not say so or offer to send")
		}
		mustPage(t, b.post("/orders/"+cross.ID+"/cross-border/send", url.Values{}), 303, "send")
		if got := sandboxRequests(t, e.Overseas); len(got) != 1 {
			t.Fatalf("the recipient got %d waybills, want 1", len(got))
		}
		p = b.get("/orders/" + cross.ID)
		if !strings.Contains(p.HTML, "已发送") || strings.Contains(p.HTML, "/cross-border/send") {
			t.Fatal("after sending, the page does not list it, or offers to send again")
		}
		mustPage(t, b.post("/orders/"+cross.ID+"/cross-border/consent", url.Values{"action": {"withdraw"}}), 303, "withdraw")
		if p := b.get("/orders/" + cross.ID); !strings.Contains(p.HTML, "你已撤回单独同意") {
			t.Fatal("after withdrawing, the page does not say so")
		}
		other := newBrowserSignedIn(t, e, e.Register(t, "13866661103", "cbp_other"))
		if p := other.get("/orders/" + cross.ID); p.Status != 404 {
			t.Fatalf("someone else's order page: %d", p.Status)
		}
	})
}

func regexFind(t *testing.T, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in the page", pattern)
	}
	return m[1]
}
