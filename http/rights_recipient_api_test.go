package http_test

import (
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/rights"
)

// recipientRequest sends a code to phone (purpose recipient) and returns a
// recipient's request with it.
func recipientRequest(t *testing.T, e *testenv.Env, st *testkit.Store, phone, action string, kv ...any) map[string]any {
	t.Helper()
	st.Clock.Advance(15 * time.Minute) // past the code limits of the phone
	mustStatus(t, e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": phone, "purpose": "recipient"}), 202, "recipient code")
	body := map[string]any{"phone": phone, "code": e.SMS.Code(t, phone), "action": action}
	for i := 0; i+1 < len(kv); i += 2 {
		body[kv[i].(string)] = kv[i+1]
	}
	return body
}

type recipientAnswer struct {
	rights.Request
	Orders []rights.RecipientOrder `json:"orders"`
}

func fileRecipient(t *testing.T, e *testenv.Env, body map[string]any) (recipientAnswer, string) {
	t.Helper()
	r := e.Do(t, "POST", "/api/v1/rights/recipient", body)
	wantStatus(t, r, 201, "recipient's request")
	var out recipientAnswer
	r.JSON(t, &out)
	if out.Kind != rights.Recipient || out.FiledBy != rights.ByRecipient || out.State != rights.Answered || out.Token == "" {
		t.Fatalf("recipient's request: %s", r.Body)
	}
	return out, string(r.Body)
}

// An order's recipient without an account (四, PIPL art. 44-47) proves
// control of the phone the orders name with an SMS code and sees, corrects
// or deletes what minimall holds about them: every order naming them is
// found through a blind index of the recipient phone, and shows them the
// order's date, shop and state, nothing of the buyer. An unshipped order's
// recipient is corrected; a delivered one is a transaction record kept 3
// years (E-commerce Law art. 31), so deletion restricts it: kept, no
// longer shown to the buyer, and the answer says so. Each request is in
// the DPO's queue as kind recipient with its 15-day deadline.
func TestAPIRecipientRights(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		dpo := rightsOperator(t, e, minimall.RoleDPO)
		buyer := e.Register(t, "13877778001", "rcp_buyer")
		auth := testenv.Bearer(buyer.Token)
		fx := newShop(t, e, "13877778002", "rcp_seller")
		it := fx.item(t, e, "围巾", 9900, 10, nil)
		const friend = "13655558001"
		gift := func() map[string]any {
			return map[string]any{"items": []map[string]any{{"item": it, "quantity": 1}}, "for_someone_else": true, "recipient_agreed": true,
				"recipient": map[string]any{"name": "赵六", "address": "北京市朝阳区建国路88号", "phone": friend}}
		}
		day := st.Clock.Now().Format(time.DateOnly)
		delivered := placeOrder(t, e, buyer, gift())
		deliver(t, e, buyer, fx.seller, delivered.ID)
		open := placeOrder(t, e, buyer, gift())
		own := placeOrder(t, e, buyer, buyNow(it, 1)) // names someone else

		t.Run("Refusals", func(t *testing.T) {
			wantProblem(t, e.Do(t, "POST", "/api/v1/rights/recipient", map[string]any{"phone": friend, "code": "000000", "action": "access"}), 400, "invalid", "")
			wantProblem(t, e.Do(t, "POST", "/api/v1/rights/recipient", map[string]any{"phone": friend, "code": "1", "action": "forget"}), 400, "invalid", "")
			wantProblem(t, e.Do(t, "POST", "/api/v1/rights/recipient", map[string]any{"phone": friend, "code": "1", "action": "correct",
				"order": open.ID, "corrections": map[string]string{"order.remark": "x"}}), 400, "invalid", "")
			wantProblem(t, e.Do(t, "POST", "/api/v1/rights/recipient", recipientRequest(t, e, st, friend, "correct", "order", own.ID,
				"corrections", map[string]string{"order.recipient_name": "赵六"})), 404, "not_found", "")
		})

		t.Run("Access", func(t *testing.T) {
			out, body := fileRecipient(t, e, recipientRequest(t, e, st, friend, "access"))
			if len(out.Orders) != 2 || out.Orders[0].Order != delivered.ID || out.Orders[1].Order != open.ID {
				t.Fatalf("orders naming the recipient: %+v", out.Orders)
			}
			for _, o := range out.Orders {
				if o.Name != "赵六" || o.Phone != friend || o.Shop != delivered.Shop || o.OrderedOn != day || o.Retention == "" {
					t.Fatalf("an order as the recipient sees it: %+v", o)
				}
			}
			if out.Orders[0].Status != "delivered" || !strings.Contains(out.Orders[0].Retention, "3") {
				t.Fatalf("the delivered order: %+v", out.Orders[0])
			}
			for _, buyerData := range []string{buyer.Phone, buyer.MemberName, "9900", "围巾", delivered.Number} {
				if strings.Contains(body, buyerData) {
					t.Fatalf("the answer reveals the buyer's %q: %s", buyerData, body)
				}
			}
		})

		t.Run("Correct", func(t *testing.T) {
			const moved = "北京市海淀区中关村大街1号"
			out, _ := fileRecipient(t, e, recipientRequest(t, e, st, friend, "correct", "order", open.ID,
				"corrections", map[string]string{"order.recipient_address": moved}))
			if out.Answer == nil || len(out.Answer.Orders) != 1 || out.Answer.Orders[0].Outcome != rights.OutcomeCorrected {
				t.Fatalf("correction: %+v", out.Answer)
			}
			var got orderView
			e.Do(t, "GET", "/api/v1/orders/"+open.ID, nil, auth...).JSON(t, &got)
			if got.Recipient["address"] != moved {
				t.Fatalf("the buyer's order after the correction: %+v", got.Recipient)
			}
			out, _ = fileRecipient(t, e, recipientRequest(t, e, st, friend, "correct", "order", delivered.ID,
				"corrections", map[string]string{"order.recipient_address": moved}))
			if out.Answer.Orders[0].Outcome != rights.OutcomeNotCorrected {
				t.Fatalf("a delivered order's recipient was corrected: %+v", out.Answer)
			}
		})

		t.Run("Delete", func(t *testing.T) {
			out, _ := fileRecipient(t, e, recipientRequest(t, e, st, friend, "delete"))
			got := map[string]string{}
			for _, o := range out.Answer.Orders {
				got[o.Order] = o.Outcome
			}
			if got[delivered.ID] != rights.OutcomeRestricted || got[open.ID] != rights.OutcomeKeptOpenOrder || len(got) != 2 ||
				!strings.Contains(out.Answer.Message, "31") {
				t.Fatalf("deletion: %+v", out.Answer)
			}
			var view orderView
			r := e.Do(t, "GET", "/api/v1/orders/"+delivered.ID, nil, auth...)
			r.JSON(t, &view)
			if view.Recipient["name"] != "" || view.Recipient["phone"] != "" || !strings.Contains(string(r.Body), `"recipient_restricted":true`) {
				t.Fatalf("the buyer still sees the restricted recipient: %s", r.Body)
			}
			e.Do(t, "GET", "/api/v1/orders/"+open.ID, nil, auth...).JSON(t, &view)
			if view.Recipient["name"] != "赵六" {
				t.Fatalf("the open order lost its recipient: %+v", view.Recipient)
			}
			own := fileVerified(t, e, buyer, map[string]any{"kind": "access"})
			r = e.Do(t, "GET", "/api/v1/rights/requests/"+own.ID+"/export", nil, auth...)
			wantStatus(t, r, 200, "the buyer's export")
			if !strings.Contains(string(r.Body), `"row":"`+delivered.ID+`","unreadable":"restricted"`) {
				t.Fatalf("the buyer's export shows the restricted recipient: %.2000s", r.Body)
			}
			again, _ := fileRecipient(t, e, recipientRequest(t, e, st, friend, "access"))
			if len(again.Orders) != 2 || !again.Orders[0].Restricted || again.Orders[0].Name != "赵六" {
				t.Fatalf("the recipient's view after deletion: %+v", again.Orders)
			}
		})

		t.Run("Queue", func(t *testing.T) {
			var q struct{ Requests []rights.Request }
			e.Do(t, "GET", "/api/v1/ops/rights/requests", nil, dpo...).JSON(t, &q)
			n, refused := 0, 0
			for _, r := range q.Requests {
				if r.Kind == rights.Recipient && r.FiledBy == rights.ByRecipient && r.DueAt.Sub(r.ReceivedAt) == rights.Deadline {
					n++
				}
				if r.Kind == rights.Recipient && r.State == rights.Refused && r.RefusedReason == rights.ReasonNotTheirs {
					refused++
				}
			}
			if refused != 1 {
				t.Fatalf("the correction of an order not naming the recipient is not refused: %+v", q.Requests)
			}
			if n != 6 {
				t.Fatalf("the DPO sees %d recipient requests, want 6: %+v", n, q.Requests)
			}
		})
	})
}
