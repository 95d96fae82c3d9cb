package http_test

import (
	"net/url"
	"strings"
	"testing"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// TestPagesRecipient (四): a person an order named as its recipient, with
// no account, proves the phone with a texted code on /recipient, sees the
// orders naming them without anything of the buyer, corrects an unshipped
// one (with a new code) and asks for deletion. The phone travels in
// forms (POST) only.
func TestPagesRecipient(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		buyer := e.Register(t, "13877778101", "rcp_page_buyer")
		fx := newShop(t, e, "13877778102", "rcp_page_seller")
		it := fx.item(t, e, "围巾", 9900, 10, nil)
		const friend = "13655558101"
		open := placeOrder(t, e, buyer, map[string]any{"items": []map[string]any{{"item": it, "quantity": 1}}, "for_someone_else": true, "recipient_agreed": true,
			"recipient": map[string]any{"name": "赵六", "address": "北京市朝阳区建国路88号", "phone": friend}})

		b := newBrowser(t, e, "zh-CN")
		mustPage(t, b.get("/recipient"), 200, "recipient page")
		p := b.post("/recipient/code", url.Values{"phone": {friend}})
		if p.Status != 200 || !strings.Contains(p.HTML, `name="code"`) {
			t.Fatalf("after asking for a code: %d", p.Status)
		}
		if p := b.post("/recipient", url.Values{"phone": {friend}, "code": {"000000"}, "action": {"access"}}); p.Status != 400 || !strings.Contains(p.HTML, `role="alert"`) {
			t.Fatalf("a wrong code: %d", p.Status)
		}
		b.post("/recipient/code", url.Values{"phone": {friend}})
		p = b.post("/recipient", url.Values{"phone": {friend}, "code": {e.SMS.Code(t, friend)}, "action": {"access"}})
		mustPage(t, p, 200, "access")
		if !strings.Contains(p.HTML, "赵六") || !strings.Contains(p.HTML, "建国路88号") || !strings.Contains(p.HTML, `value="`+open.ID+`"`) {
			t.Fatalf("the answer lacks the recipient's details or the correction form: %.2000s", p.HTML)
		}
		for _, buyerData := range []string{buyer.Phone, buyer.MemberName, open.Number} {
			if strings.Contains(p.HTML, buyerData) {
				t.Fatalf("the page reveals the buyer's %q", buyerData)
			}
		}
		b.post("/recipient/code", url.Values{"phone": {friend}})
		p = b.post("/recipient", url.Values{"phone": {friend}, "code": {e.SMS.Code(t, friend)}, "action": {"correct"}, "order": {open.ID},
			"order.recipient_name": {"赵六"}, "order.recipient_address": {"北京市海淀区中关村大街1号"}})
		mustPage(t, p, 200, "correct")
		var got orderView
		e.Do(t, "GET", "/api/v1/orders/"+open.ID, nil, testenv.Bearer(buyer.Token)...).JSON(t, &got)
		if !strings.Contains(got.Recipient["address"], "中关村大街1号") {
			t.Fatalf("the order's address after the correction: %+v", got.Recipient)
		}
		b.post("/recipient/code", url.Values{"phone": {friend}})
		p = b.post("/recipient", url.Values{"phone": {friend}, "code": {e.SMS.Code(t, friend)}, "action": {"delete"}})
		if p.Status != 200 || !strings.Contains(p.HTML, open.ID) {
			t.Fatalf("delete: %d %.1500s", p.Status, p.HTML)
		}
	})
}
