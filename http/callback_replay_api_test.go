package http_test

import (
	"fmt"
	"testing"
	"time"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/partner"
)

// TestAPICallbackReplayRefused (hardening): a partner's signed callback is
// received once. The same signed tracking notices sent again are refused
// (409), so a recorded delivery cannot be followed by a replayed "in
// transit"; a report sent again with a fresh signature changes nothing;
// a late "in transit" is placed before the delivery, which ends the
// timeline; the order stays delivered with one delivery.
func TestAPICallbackReplayRefused(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13866660071", "replay_seller")
		it := fx.item(t, e, "蓝牙音箱", 19900, 10, nil)
		buyer := e.Register(t, "13866660072", "replay_buyer")
		auth := testenv.Bearer(buyer.Token)
		o := placeOrder(t, e, buyer, buyNow(it, 1))
		waybill := payAndShip(t, e, buyer, fx.seller, o.ID)
		var got orderView
		e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...).JSON(t, &got)
		if got.Shipment == nil {
			t.Fatal("no shipment")
		}
		const path = "/api/v1/partners/logistics/tracking"
		key := e.Sandbox.Logistics.Endpoint().VerifyKey
		type signed struct{ body, ts, nonce, sig string }
		sign := func(status string, at time.Time) signed {
			body := fmt.Sprintf(`{"shipment_id":%q,"waybill_no":%q,"status":%q,"description":"转运中心","at":%q}`,
				got.Shipment.ID, waybill, status, at.UTC().Format(time.RFC3339))
			ts, nonce := partner.Timestamp(time.Now()), partner.NewNonce()
			return signed{body, ts, nonce, partner.SignRequest(key, ts, nonce, "POST", path, []byte(body))}
		}
		send := func(n signed) *testenv.Response {
			return e.Do(t, "POST", path, n.body, partner.HeaderPartnerTimestamp, n.ts, partner.HeaderPartnerNonce, n.nonce, partner.HeaderPartnerSignature, n.sig)
		}
		base := st.Clock.Now()
		transit, delivered := sign("in_transit", base.Add(time.Hour)), sign("delivered", base.Add(2*time.Hour))
		wantStatus(t, send(transit), 200, "in transit")
		wantStatus(t, send(delivered), 200, "delivered")
		for i := 0; i < 3; i++ {
			wantStatus(t, send(transit), 409, "the in-transit notice replayed")
			wantStatus(t, send(delivered), 409, "the delivery notice replayed")
		}
		wantStatus(t, send(sign("delivered", base.Add(3*time.Hour))), 200, "a second delivery, signed anew")
		wantStatus(t, send(sign("in_transit", base.Add(time.Hour))), 200, "the same report, signed anew")
		wantStatus(t, send(sign("in_transit", base.Add(4*time.Hour))), 200, "a late in-transit report")
		wantStatus(t, send(signed{transit.body, transit.ts, "", transit.sig}), 401, "a notice without its nonce")

		got = orderView{}
		e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...).JSON(t, &got)
		evs := got.Shipment.Events
		deliveries := 0
		for _, ev := range evs {
			if ev.Status == "delivered" {
				deliveries++
			}
		}
		if got.Status != "delivered" || deliveries != 1 || len(evs) != 4 || evs[len(evs)-1].Status != "delivered" {
			t.Fatalf("after the replays: status %s, events %+v", got.Status, evs)
		}
	})
}
