package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"minimall/partner/sandbox"
	"minimall/privacy"
)

// startPaymentPartner runs the payment sandbox in the test's process, not
// in serve's, so it outlives every kill and remembers every refund it
// made; it writes the endpoint file serve reads (--payment-endpoint).
func startPaymentPartner(t *testing.T, dir string) (*sandbox.Sandbox, string) {
	t.Helper()
	sb, err := sandbox.Start(privacy.PartnerPayment, filepath.Join(dir, "payment-partner"), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	ep := sb.Endpoint()
	b, _ := json.Marshal(endpointFile{URL: ep.URL, SignKey: hex.EncodeToString(ep.SignKey), VerifyKey: hex.EncodeToString(ep.VerifyKey)})
	path := filepath.Join(dir, "payment-endpoint.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return sb, path
}

// crashRefund is one paid order's refund as its shopper was told.
type crashRefund struct {
	shopper   *crashShopper
	paymentID string
	acked     bool // answered 200, or found done by a retry after a restart
}

// refundActs places an order, pays it at the institution (which notifies
// minimall), and has it refunded, until the server dies.
func (w *crashWorld) refundActs(stop chan struct{}) {
	for !stopped(stop) {
		w.mu.Lock()
		a := crashAttempt{key: fmt.Sprintf("crash-%06d", w.serial+1), shopper: w.shoppers[w.rng.IntN(len(w.shoppers))],
			item: w.items[w.rng.IntN(len(w.items))], qty: 1}
		w.serial++
		w.pending[a.key] = a
		w.mu.Unlock()
		id, ok := w.place(a, false)
		if !ok {
			return
		}
		if id != "" && !w.payAndRefund(a.shopper, id) {
			return
		}
	}
}

// payAndRefund pays order id and asks for its refund; false when the
// server died on the way. An order whose payment notice did not get
// through stays as it is (awaiting payment, or paid and kept).
func (w *crashWorld) payAndRefund(s *crashShopper, id string) bool {
	var p struct {
		ID     string
		PayURL string `json:"pay_url"`
	}
	st := w.call("POST", "/api/v1/orders/"+id+"/payments", s.token, nil, &p, "Idempotency-Key", "pay-"+id)
	if st == 0 || st >= 500 {
		return false
	}
	if st != 201 {
		w.t.Errorf("pay order %s: %d", id, st)
		return true
	}
	resp, err := w.c.Post(p.PayURL, "application/json", nil)
	if err != nil {
		w.t.Fatalf("pay at the institution: %v", err)
	}
	var paid struct{ Notified int }
	json.NewDecoder(resp.Body).Decode(&paid)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || paid.Notified != http.StatusOK {
		return false // the notice met a dead server
	}
	w.mu.Lock()
	w.refunds[id] = &crashRefund{shopper: s, paymentID: p.ID}
	w.mu.Unlock()
	return w.refund(id, false)
}

// refund asks for order id's refund and records the answer; false when
// none came. replay marks a retry after a restart: a 409 then means the
// first try finished, which the order's status must show.
func (w *crashWorld) refund(id string, replay bool) bool {
	w.mu.Lock()
	r := w.refunds[id]
	w.mu.Unlock()
	st := w.call("POST", "/api/v1/orders/"+id+"/refund", r.shopper.token, nil, nil)
	if st == 0 || st >= 500 {
		return false
	}
	found := st == http.StatusConflict && replay
	if found {
		var o struct{ Status string }
		if w.call("GET", "/api/v1/orders/"+id, r.shopper.token, nil, &o); o.Status != "refunded" {
			w.t.Errorf("refund of order %s retried after a restart: 409, and the order is %s", id, o.Status)
			return true
		}
	} else if st != http.StatusOK {
		w.t.Errorf("refund of order %s: %d", id, st)
		return true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	r.acked = true
	w.n.refunds++
	switch {
	case found:
		w.n.refundsFound++ // the try the kill cut short had finished
	case replay:
		w.n.refundsFinished++ // it had not: finished now, under the same key
	}
	return true
}

// resolveRefunds retries every refund a kill left unanswered.
func (w *crashWorld) resolveRefunds() {
	w.mu.Lock()
	var list []string
	for id, r := range w.refunds {
		if !r.acked {
			list = append(list, id)
		}
	}
	w.mu.Unlock()
	for _, id := range list {
		if !w.refund(id, true) {
			w.t.Fatalf("retry of the refund of %s after restart: no answer, or a 5xx", id)
		}
	}
}

// refunded reports whether order id's refund was acknowledged.
func (w *crashWorld) refunded(id string) bool {
	r := w.refunds[id]
	return r != nil && r.acked
}

// checkRefundsAtInstitution: the institution refunded every acknowledged
// refund exactly once, and nothing else.
func (w *crashWorld) checkRefundsAtInstitution() {
	acted := map[string]int{}
	for _, q := range w.pay.Requests() {
		if q.Operation == "payment/refund" && q.Rejected == "" && !q.Replayed && q.Status == http.StatusOK {
			id, _ := q.Params["payment_id"].(string)
			acted[id]++
		}
	}
	want := map[string]bool{}
	for id, r := range w.refunds {
		want[r.paymentID] = true
		if n := acted[r.paymentID]; !r.acked || n != 1 {
			w.t.Errorf("refund of order %s: acknowledged %v, made %d times at the institution", id, r.acked, n)
		}
	}
	for id, n := range acted {
		if !want[id] {
			w.t.Errorf("payment %s was refunded %d times at the institution, no refund acknowledged", id, n)
		}
	}
}
