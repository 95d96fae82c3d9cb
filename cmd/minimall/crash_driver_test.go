package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"minimall"
	"minimall/catalog"
	"minimall/catalog/seed"
	"minimall/partner/sandbox"
	"minimall/sqldb"
)

// crashWorld is what the crash test's shoppers were told: every order
// acknowledged (201) and every checkout sent but not answered, the stock
// the catalogue started with, and the people who registered, asked for a
// copy of their data and deregistered, with how far each was answered.
// It lives in the test process and outlives every server it talks to.
type crashWorld struct {
	t    *testing.T
	st   crashStore
	rng  *rand.Rand
	ops  string // a DPO's token
	base string // the running server
	c    *http.Client

	items    []string
	initial  map[string]int64
	shoppers []*crashShopper

	mu      sync.Mutex
	orders  map[string]crashOrder   // acknowledged, by order id
	listed  map[string]bool         // orders a check after a restart found
	pending map[string]crashAttempt // sent, never answered, by Idempotency-Key
	people  []*crashPerson
	serial  int // keys and phone numbers, unique over the whole run
	n       crashCounts

	pay     *sandbox.Sandbox        // the payment institution, in this process
	refunds map[string]*crashRefund // paid orders whose refund was asked for, by order id
}

type crashCounts struct {
	placed, resolvedFound, resolvedPlaced, resolvedRefused, refused int
	copies, deregistered, deregResumed, deregUnconfirmed            int
	refunds, refundsFound, refundsFinished                          int
}

type crashShopper struct {
	member, password, token string
}

type crashAttempt struct {
	key     string
	shopper *crashShopper
	item    string
	qty     int64
}

type crashOrder struct {
	shopper *crashShopper
	item    string
	qty     int64
}

// crashPerson is a fresh shopper who asks for a copy and then deregisters.
type crashPerson struct {
	phone, member, password, token string
	copyID                         string
	copyChecked, copyAnswered      bool // verify, then the export, acknowledged
	deregID                        string
	deregSent, deregAcked          bool // verify sent; answered "answered"
}

const crashShoppers = 6

func newCrashWorld(t *testing.T, st crashStore, rng *rand.Rand) *crashWorld {
	seedStore(t, st, crashShoppers)
	w := &crashWorld{t: t, st: st, rng: rng, ops: operatorToken(t, st), initial: map[string]int64{},
		orders: map[string]crashOrder{}, listed: map[string]bool{}, pending: map[string]crashAttempt{}, refunds: map[string]*crashRefund{}}
	w.loadItems()
	for i := 1; i <= crashShoppers; i++ {
		w.shoppers = append(w.shoppers, &crashShopper{member: seed.MemberName(i), password: seed.Password(i)})
	}
	return w
}

// loadItems picks the items on sale with stock enough for the run, and
// their stock, from the store before the first start.
func (w *crashWorld) loadItems() {
	dsn := w.st.dsn
	if dsn == "" {
		dsn = filepath.Join(w.st.dir, "data", "minimall.db")
	}
	db, err := sqldb.Open(context.Background(), dsn, minimall.SystemClock{})
	if err != nil {
		w.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `SELECT id, stock FROM items WHERE status = ? AND stock >= 20 ORDER BY stock DESC, id`, catalog.OnSale)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() && len(w.items) < 12 {
		var id string
		var stock int64
		if err := rows.Scan(&id, &stock); err != nil {
			w.t.Fatal(err)
		}
		w.items, w.initial[id] = append(w.items, id), stock
	}
	if len(w.items) < 4 {
		w.t.Fatalf("the seeded catalogue has %d items on sale with stock", len(w.items))
	}
}

// connect points the shoppers at a newly started server and signs the
// seeded shoppers in again.
func (w *crashWorld) connect(srv *crashServer) {
	w.base = srv.base
	w.c = &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for _, s := range w.shoppers {
		var sess struct{ Token string }
		if st := w.call("POST", "/api/v1/sessions", "", map[string]string{"login": s.member, "password": s.password}, &sess); st != 201 {
			w.t.Fatalf("sign in %s: %d", s.member, st)
		}
		s.token = sess.Token
	}
}

// call sends one request and decodes a JSON answer into out; it returns
// the status, or 0 when no answer came (the server died).
func (w *crashWorld) call(method, path, token string, body any, out any, headers ...string) int {
	st, _ := w.do(method, path, token, body, out, headers...)
	return st
}

// do is call that also returns the answer's header.
func (w *crashWorld) do(method, path, token string, body any, out any, headers ...string) (int, http.Header) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, w.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := w.c.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			w.t.Errorf("%s %s: %v in %.200s", method, path, err, b)
		}
	}
	return resp.StatusCode, resp.Header
}

// opsState reads a rights request's state as the DPO.
func (w *crashWorld) opsState(id string) string {
	var r struct{ State string }
	if st := w.call("GET", "/api/v1/ops/rights/requests/"+id, w.ops, nil, &r, "X-Access-Reason", "CRASH-1"); st != 200 {
		w.t.Fatalf("rights request %s as the DPO: %d", id, st)
	}
	return r.State
}

// drive runs the load until d has passed, then kill, and waits for every
// shopper to notice the server is gone.
func (w *crashWorld) drive(d time.Duration, kill func()) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Go(func() { w.checkouts(stop) })
	}
	for i := 0; i < 2; i++ {
		wg.Go(func() { w.rightsActs(stop) })
	}
	wg.Go(func() { w.refundActs(stop) })
	time.Sleep(d)
	kill()
	close(stop)
	wg.Wait()
}

func stopped(stop chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// nextSerial returns a number no other act of the run has.
func (w *crashWorld) nextSerial() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.serial++
	return w.serial
}

// checkouts buys now, one item per order, until the server dies.
func (w *crashWorld) checkouts(stop chan struct{}) {
	for !stopped(stop) {
		w.mu.Lock()
		a := crashAttempt{key: fmt.Sprintf("crash-%06d", w.serial+1), shopper: w.shoppers[w.rng.IntN(len(w.shoppers))],
			item: w.items[w.rng.IntN(len(w.items))], qty: 1 + w.rng.Int64N(2)}
		w.serial++
		w.pending[a.key] = a
		w.mu.Unlock()
		if _, ok := w.place(a, false); !ok {
			return
		}
	}
}

// place sends a checkout and records the answer: the order's id (none if
// refused), false when no answer came. replay marks a retry after a
// restart of one never answered.
func (w *crashWorld) place(a crashAttempt, replay bool) (string, bool) {
	var res struct {
		Orders []struct {
			ID    string
			Items []struct {
				Item     string
				Quantity int64
			}
		}
	}
	body := map[string]any{"items": []map[string]any{{"item": a.item, "quantity": a.qty}},
		"recipient": map[string]string{"name": "李四", "address": "杭州市西湖区文三路100号", "phone": "13966660001"}}
	st, h := w.do("POST", "/api/v1/orders", a.shopper.token, body, &res, "Idempotency-Key", a.key)
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case st == 0 || st >= 500:
		return "", false // unanswered: stays pending
	case st != 201:
		if st != http.StatusConflict {
			w.t.Errorf("checkout %s: %d, want 201 or 409 (sold out)", a.key, st)
		}
		delete(w.pending, a.key) // refused: nothing placed
		w.n.refused++
		if replay {
			w.n.resolvedRefused++
		}
		return "", true
	}
	delete(w.pending, a.key)
	if len(res.Orders) != 1 || len(res.Orders[0].Items) != 1 || res.Orders[0].Items[0].Item != a.item || res.Orders[0].Items[0].Quantity != a.qty {
		w.t.Errorf("checkout %s answered %+v, want one order of %d × %s", a.key, res, a.qty, a.item)
		return "", true
	}
	if _, dup := w.orders[res.Orders[0].ID]; dup {
		w.t.Errorf("checkout %s answered with order %s, already given to another checkout", a.key, res.Orders[0].ID)
	}
	w.orders[res.Orders[0].ID] = crashOrder{shopper: a.shopper, item: a.item, qty: a.qty}
	w.n.placed++
	switch {
	case replay && h.Get("Idempotent-Replayed") == "true":
		w.n.resolvedFound++ // the try the kill cut short had placed it
	case replay:
		w.n.resolvedPlaced++ // it had not: placed now
	}
	return res.Orders[0].ID, true
}

// rightsActs registers fresh people, each asks for a copy of their data
// and fetches it, then deregisters, until the server dies.
func (w *crashWorld) rightsActs(stop chan struct{}) {
	for !stopped(stop) {
		n := w.nextSerial()
		p := &crashPerson{phone: fmt.Sprintf("137%08d", n), member: fmt.Sprintf("crash_%d", n), password: fmt.Sprintf("crash-pw-%d-x", n)}
		if !w.register(p) {
			return
		}
		w.mu.Lock()
		w.people = append(w.people, p)
		w.mu.Unlock()
		if !w.copyAndFetch(p) || !w.deregister(p) {
			return
		}
	}
}

func (w *crashWorld) register(p *crashPerson) bool {
	if st := w.call("POST", "/api/v1/accounts/codes", "", map[string]string{"phone": p.phone, "purpose": "register"}, nil); st >= 300 || st == 0 {
		return w.unanswered(st, "registration code", p)
	}
	code := w.smsCode(p.phone)
	reg := map[string]any{"phone": p.phone, "code": code, "member_name": p.member, "password": p.password, "accept_policy_version": 1}
	// A registration a kill cut short is not followed: that person never
	// heard back, so nothing was promised to them.
	if st := w.call("POST", "/api/v1/accounts", "", reg, nil); st != 201 {
		return w.unanswered(st, "registration", p)
	}
	var sess struct{ Token string }
	if st := w.call("POST", "/api/v1/sessions", "", map[string]string{"login": p.member, "password": p.password}, &sess); st != 201 {
		return w.unanswered(st, "sign-in", p)
	}
	p.token = sess.Token
	return true
}

// file files a rights request of kind and returns its id, with the code
// texted to confirm it.
func (w *crashWorld) file(p *crashPerson, kind string) (id, code string, ok bool) {
	var r struct{ ID string }
	if st := w.call("POST", "/api/v1/rights/requests", p.token, map[string]string{"kind": kind}, &r); st != 201 {
		if st != 0 {
			w.t.Errorf("file %s for %s: %d", kind, p.member, st)
		}
		return "", "", false
	}
	return r.ID, w.smsCode(p.phone), true
}

func (w *crashWorld) copyAndFetch(p *crashPerson) bool {
	id, code, ok := w.file(p, "copy")
	if !ok {
		return false
	}
	w.mu.Lock()
	p.copyID = id
	w.mu.Unlock()
	if st := w.call("POST", "/api/v1/rights/requests/"+id+"/verify", p.token, map[string]string{"code": code}, nil); st != 200 {
		return w.unanswered(st, "verify copy", p)
	}
	w.mu.Lock()
	p.copyChecked = true
	w.mu.Unlock()
	if st := w.call("GET", "/api/v1/rights/requests/"+id+"/export", p.token, nil, nil); st != 200 {
		return w.unanswered(st, "export", p)
	}
	w.mu.Lock()
	p.copyAnswered = true
	w.n.copies++
	w.mu.Unlock()
	return true
}

func (w *crashWorld) deregister(p *crashPerson) bool {
	id, code, ok := w.file(p, "deregister")
	if !ok {
		return false
	}
	w.mu.Lock()
	p.deregID, p.deregSent = id, true
	w.mu.Unlock()
	var r struct{ State string }
	if st := w.call("POST", "/api/v1/rights/requests/"+id+"/verify", p.token, map[string]string{"code": code}, &r); st != 200 {
		return w.unanswered(st, "verify deregistration", p)
	}
	if r.State != "answered" {
		w.t.Errorf("deregistration %s answered state %q", id, r.State)
	}
	w.mu.Lock()
	p.deregAcked = true
	w.n.deregistered++
	w.mu.Unlock()
	return true
}

// unanswered reports a refusal as an error; no answer means the server
// died, which ends the shopper's turn.
func (w *crashWorld) unanswered(st int, what string, p *crashPerson) bool {
	if st != 0 {
		w.t.Errorf("%s for %s: %d", what, p.member, st)
	}
	return false
}

var smsCodeRE = regexp.MustCompile(`code is (\d+)`)

// smsCode reads the last code texted to phone from the SMS sandbox's
// records, as the person reads their phone.
func (w *crashWorld) smsCode(phone string) string {
	f, err := os.Open(filepath.Join(w.st.dir, "data.sandbox", "sms", "requests.jsonl"))
	if err != nil {
		return ""
	}
	defer f.Close()
	code := ""
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var q struct {
			Operation string
			Status    int
			Fields    map[string]string
			Params    map[string]any
		}
		if json.Unmarshal(sc.Bytes(), &q) != nil || q.Operation != "sms/send" || q.Status != 200 {
			continue
		}
		text, _ := q.Params["text"].(string)
		if m := smsCodeRE.FindStringSubmatch(text); m != nil && slices.Contains(mapValues(q.Fields), phone) {
			code = m[1]
		}
	}
	return code
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// check holds the restarted server to everything acknowledged before.
func (w *crashWorld) check() {
	w.t.Helper()
	w.resolvePending()
	w.resolveRefunds()
	w.checkOrders(false)
	w.checkStock()
	w.checkPeople(false)
}

// resolvePending retries every checkout that had no answer, with its
// Idempotency-Key: it finds the order the first try placed, or places it
// now, or is refused; never a second order.
func (w *crashWorld) resolvePending() {
	w.mu.Lock()
	var list []crashAttempt
	for _, a := range w.pending {
		list = append(list, a)
	}
	w.mu.Unlock()
	for _, a := range list {
		if _, ok := w.place(a, true); !ok {
			w.t.Fatalf("retry of checkout %s after restart: no answer", a.key)
		}
	}
}

// checkOrders: each acknowledged order is there once with its line, and
// each shopper's list holds exactly the acknowledged orders. Between kills
// it looks at the orders since the last check (the list is newest first),
// so a long run does not read every order at every restart; at the end
// (all) it reads them all.
func (w *crashWorld) checkOrders(all bool) {
	want := map[*crashShopper][]string{}
	for id, o := range w.orders {
		if all || !w.listed[id] {
			want[o.shopper] = append(want[o.shopper], id)
		}
	}
	for _, s := range w.shoppers {
		got := w.listOrders(s, all)
		slices.Sort(got)
		ids := want[s]
		slices.Sort(ids)
		if !slices.Equal(got, ids) {
			w.t.Errorf("%s's orders after restart: %d listed, %d acknowledged; listed not acknowledged %v, acknowledged not listed %v",
				s.member, len(got), len(ids), minus(got, ids), minus(ids, got))
		}
		for _, id := range ids {
			if !w.listed[id] && w.rng.IntN(4) == 0 { // a sample: the list holds each one
				w.wantOrder(id, w.orders[id])
			}
			w.listed[id] = true
		}
	}
}

// wantOrder: the order shows the line its checkout was answered with.
func (w *crashWorld) wantOrder(id string, o crashOrder) {
	var got struct {
		Items []struct {
			Item     string
			Quantity int64
		}
	}
	if st := w.call("GET", "/api/v1/orders/"+id, o.shopper.token, nil, &got); st != 200 || len(got.Items) != 1 ||
		got.Items[0].Item != o.item || got.Items[0].Quantity != o.qty {
		w.t.Errorf("order %s after restart: %d %+v, want %d × %s", id, st, got, o.qty, o.item)
	}
}

// listOrders returns s's orders; unless all, it stops at the first page
// that holds only orders an earlier check listed, as every order since is
// newer.
func (w *crashWorld) listOrders(s *crashShopper, all bool) []string {
	var ids []string
	for page := 1; ; page++ {
		var r struct{ Orders []struct{ ID string } }
		if st := w.call("GET", fmt.Sprintf("/api/v1/orders?page=%d", page), s.token, nil, &r); st != 200 {
			w.t.Fatalf("%s's orders: %d", s.member, st)
		}
		fresh := 0
		for _, o := range r.Orders {
			if all || !w.listed[o.ID] {
				ids, fresh = append(ids, o.ID), fresh+1
			}
		}
		if len(r.Orders) == 0 || fresh == 0 {
			return ids
		}
	}
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// checkStock: each item's stock is its initial stock less the quantities
// of every order that holds it and was not refunded.
func (w *crashWorld) checkStock() {
	sold := map[string]int64{}
	for id, o := range w.orders {
		if !w.refunded(id) {
			sold[o.item] += o.qty
		}
	}
	for _, id := range w.items {
		var it struct{ Stock int64 }
		if st := w.call("GET", "/api/v1/items/"+id, "", nil, &it); st != 200 {
			w.t.Fatalf("item %s: %d", id, st)
		}
		if it.Stock != w.initial[id]-sold[id] {
			w.t.Errorf("item %s: stock %d after restart, want %d - %d ordered = %d", id, it.Stock, w.initial[id], sold[id], w.initial[id]-sold[id])
		}
	}
}

// checkPeople holds each person's requests to what they were told.
func (w *crashWorld) checkPeople(final bool) {
	for _, p := range w.people {
		w.checkCopy(p)
		w.checkDeregistration(p, final)
	}
}

// checkCopy: an answered copy request stays answered; one whose identity
// check committed (acknowledged or not) is served when the person fetches
// the export after the restart. At the end none is left identity-checked.
func (w *crashWorld) checkCopy(p *crashPerson) {
	if p.copyID == "" {
		return
	}
	s := w.opsState(p.copyID)
	switch {
	case p.copyAnswered:
		if s != "answered" {
			w.t.Errorf("copy request %s: %s after restart, was answered", p.copyID, s)
		}
	case s == "identity_checked" || p.copyChecked:
		if st := w.call("GET", "/api/v1/rights/requests/"+p.copyID+"/export", p.token, nil, nil); st != 200 {
			w.t.Errorf("export of confirmed copy request %s (%s) after restart: %d", p.copyID, s, st)
			return
		}
		p.copyChecked, p.copyAnswered = true, true
		w.n.copies++
	case s != "received":
		w.t.Errorf("copy request %s, confirmation cut short by a kill: %s after restart", p.copyID, s)
	}
}

// checkDeregistration: an acknowledged deregistration holds; at the end
// one a kill cut short has either never been confirmed (the person still
// signs in) or been finished and answered, never left half done.
func (w *crashWorld) checkDeregistration(p *crashPerson, final bool) {
	switch {
	case p.deregAcked:
		w.wantErased(p)
	case p.deregSent && final:
		switch s := w.opsState(p.deregID); s {
		case "answered":
			w.n.deregResumed++
			w.wantErased(p)
		case "received":
			w.n.deregUnconfirmed++
			if st := w.call("POST", "/api/v1/sessions", "", map[string]string{"login": p.member, "password": p.password}, nil); st != 201 {
				w.t.Errorf("%s, whose deregistration was never confirmed, cannot sign in: %d", p.member, st)
			}
		default:
			w.t.Errorf("deregistration %s, confirmation cut short by a kill: %s at the end", p.deregID, s)
		}
	}
}

// wantErased: the person's deregistration is answered and they cannot
// sign in.
func (w *crashWorld) wantErased(p *crashPerson) {
	if s := w.opsState(p.deregID); s != "answered" {
		w.t.Errorf("acknowledged deregistration %s: %s after restart", p.deregID, s)
	}
	if st := w.call("POST", "/api/v1/sessions", "", map[string]string{"login": p.member, "password": p.password}, nil); st != 401 {
		w.t.Errorf("%s signs in after deregistering: %d", p.member, st)
	}
}

// finish waits until no deregistration is left identity-checked or in
// progress (Resume serves them after the grace), then checks the people.
func (w *crashWorld) finish() {
	deadline := time.Now().Add(60 * time.Second)
	for _, p := range w.people {
		if !p.deregSent || p.deregAcked {
			continue
		}
		for s := w.opsState(p.deregID); s == "identity_checked" || s == "in_progress"; s = w.opsState(p.deregID) {
			if time.Now().After(deadline) {
				w.t.Errorf("deregistration %s still %s a minute after the last start", p.deregID, s)
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	w.checkOrders(true)
	w.checkPeople(true)
	w.checkRefundsAtInstitution()
}

func (w *crashWorld) summary() string {
	n := w.n
	return fmt.Sprintf("%d orders (of checkouts a kill left unanswered: %d had placed theirs, %d had not, %d refused on retry), %d checkouts refused (sold out); "+
		"%d people registered, %d copies answered, %d deregistrations acknowledged; of those a kill left unanswered %d ended answered, %d never confirmed; "+
		"%d refunds (of those a kill left unanswered: %d had finished, %d finished on retry), each made once at the institution",
		n.placed, n.resolvedFound, n.resolvedPlaced, n.resolvedRefused, n.refused, len(w.people), n.copies, n.deregistered, n.deregResumed, n.deregUnconfirmed,
		n.refunds, n.refundsFound, n.refundsFinished)
}
