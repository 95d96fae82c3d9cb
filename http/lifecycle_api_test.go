package http_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
)

type retentionReport struct {
	ID              string `json:"id"`
	Removed         int    `json:"removed"`
	RetentionKeys   int    `json:"retention_keys_destroyed"`
	RetentionPeriod string `json:"retention_period"`
	Areas           []struct {
		Area    string
		Removed map[string]int
	}
}

func (r retentionReport) removed(table string) int {
	n := 0
	for _, a := range r.Areas {
		n += a.Removed[table]
	}
	return n
}

func lifecycleOps(t *testing.T, e *testenv.Env, role minimall.Role) []string {
	t.Helper()
	_, token, err := e.Kernel.Operators.Add(context.Background(), role)
	if err != nil {
		t.Fatal(err)
	}
	return []string{"Authorization", "Bearer " + token, "X-Access-Reason", "RET-1"}
}

func runSweep(t *testing.T, e *testenv.Env, ops []string, dry bool) retentionReport {
	t.Helper()
	r := e.Do(t, "POST", "/api/v1/ops/retention/run", map[string]bool{"dry_run": dry}, ops...)
	mustStatus(t, r, 200, "retention run")
	var rep retentionReport
	r.JSON(t, &rep)
	return rep
}

// signInAgain opens a new session once the clock has run past the old one.
func signInAgain(t *testing.T, e *testenv.Env, sh *testenv.Shopper) []string {
	t.Helper()
	r := e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": sh.Password})
	mustStatus(t, r, 201, "sign in again")
	var sess struct{ Token string }
	r.JSON(t, &sess)
	sh.Token = sess.Token
	return testenv.Bearer(sess.Token)
}

// deliver pays, ships and delivers an order through the sandboxes.
func deliver(t *testing.T, e *testenv.Env, buyer *testenv.Shopper, seller *testenv.Shopper, orderID string) {
	t.Helper()
	waybill := payAndShip(t, e, buyer, seller, orderID)
	resp, err := http.Post(e.Sandbox.Logistics.URL()+"/logistics/advance", "application/json",
		strings.NewReader(fmt.Sprintf(`{"waybill_no":%q,"status":"delivered","description":"签收"}`, waybill)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// payAndShip pays an order at the payment sandbox and ships it; it returns
// the waybill number.
func payAndShip(t *testing.T, e *testenv.Env, buyer *testenv.Shopper, seller *testenv.Shopper, orderID string) string {
	t.Helper()
	r := e.Do(t, "POST", "/api/v1/orders/"+orderID+"/payments", map[string]any{"channel": "alipay"}, testenv.Bearer(buyer.Token)...)
	mustStatus(t, r, 201, "pay")
	var p struct {
		PayURL string `json:"pay_url"`
	}
	r.JSON(t, &p)
	resp, err := http.Post(p.PayURL, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r = e.Do(t, "POST", "/api/v1/seller/orders/"+orderID+"/shipments", nil, testenv.Bearer(seller.Token)...)
	mustStatus(t, r, 201, "ship")
	var sh struct {
		WaybillNo string `json:"waybill_no"`
	}
	r.JSON(t, &sh)
	return sh.WaybillNo
}

// TestAPIRetentionSweep (五(一)): security logs go six months after the
// device was last seen and not before; search history (kept until erased)
// stays; a delivered order is resealed under the retention key, readable
// for three years from completion, and its key and rows go after that;
// the report says what went; refusals for everyone but the DPO and ops.
func TestAPIRetentionSweep(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ops := lifecycleOps(t, e, minimall.RoleOps)
		buyer := e.Register(t, "13877770001", "ret_buyer")
		auth := testenv.Bearer(buyer.Token)

		t.Run("Refusals", func(t *testing.T) {
			mustStatus(t, e.Do(t, "POST", "/api/v1/ops/retention/run", nil), 401, "anonymous")
			mustStatus(t, e.Do(t, "POST", "/api/v1/ops/retention/run", nil, auth...), 403, "shopper")
			mustStatus(t, e.Do(t, "POST", "/api/v1/ops/retention/run", nil, lifecycleOps(t, e, minimall.RoleCustomerService)...), 403, "customer service")
			mustStatus(t, e.Do(t, "POST", "/api/v1/ops/retention/run", `{"dry_run":"yes"}`, ops...), 400, "bad body")
			mustStatus(t, e.Do(t, "GET", "/api/v1/ops/retention/last", nil, ops...), 404, "no run yet")
		})

		mustStatus(t, e.Do(t, "POST", "/api/v1/security/devices", map[string]string{"device_id": "android-ret-1", "carrier": "China Mobile"}, auth...), 201, "device")
		mustStatus(t, e.Do(t, "GET", "/api/v1/search?q=%E9%BC%A0%E6%A0%87", nil, auth...), 200, "search")
		fx := newShop(t, e, "13877770002", "ret_seller")
		it := fx.item(t, e, "机械键盘", 29900, 5, nil)
		o := placeOrder(t, e, buyer, buyNow(it, 1))
		deliver(t, e, buyer, fx.seller, o.ID)
		var got orderView
		e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...).JSON(t, &got)
		if got.Status != "delivered" {
			t.Fatalf("order not delivered: %+v", got)
		}

		// Five months on: a security log is not six months old yet.
		st.Clock.Advance(150 * privacy.Day)
		if rep := runSweep(t, e, ops, false); rep.removed("devices") != 0 {
			t.Fatalf("a device went early: %+v", rep)
		}
		st.Clock.Advance(40 * privacy.Day)
		if rep := runSweep(t, e, ops, true); rep.removed("devices") != 1 {
			t.Fatalf("dry run should count the device: %+v", rep)
		}
		rep := runSweep(t, e, ops, false)
		if rep.removed("devices") != 1 || rep.removed("search_history") != 0 || rep.RetentionKeys != 0 {
			t.Fatalf("after six months: %+v", rep)
		}
		auth = signInAgain(t, e, buyer)
		var list struct{ Devices []any }
		r0 := e.Do(t, "GET", "/api/v1/security/devices", nil, auth...)
		mustStatus(t, r0, 200, "devices")
		r0.JSON(t, &list)
		if len(list.Devices) != 0 {
			t.Fatalf("devices after the sweep: %+v", list)
		}
		var last retentionReport
		r := e.Do(t, "GET", "/api/v1/ops/retention/last", nil, ops...)
		mustStatus(t, r, 200, "last report")
		r.JSON(t, &last)
		if last.removed("devices") != 1 {
			t.Fatalf("last report: %s", r.Body)
		}

		// Still inside three years of completion: the order is readable.
		st.Clock.Advance(2 * 365 * privacy.Day)
		runSweep(t, e, ops, false)
		auth = signInAgain(t, e, buyer)
		mustStatus(t, e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...), 200, "order within three years")
		// Three years and a month after completion: the key and the rows go.
		st.Clock.Advance(200 * privacy.Day)
		rep = runSweep(t, e, ops, false)
		if rep.RetentionKeys < 1 || rep.removed("orders") != 1 || rep.removed("payments") != 1 || rep.removed("shipments") != 1 {
			t.Fatalf("after three years: %+v", rep)
		}
		auth = signInAgain(t, e, buyer)
		mustStatus(t, e.Do(t, "GET", "/api/v1/orders/"+o.ID, nil, auth...), 404, "order after retention")
	})
}

// TestAPIOrderRetainedAfterErasure (五(一), E-commerce Law art. 31): a
// delivered order outlives the buyer's erasure under its retention key,
// readable only for the legal duty, until the period ends.
func TestAPIOrderRetainedAfterErasure(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := context.Background()
		buyer := e.Register(t, "13877770011", "ret_erased")
		fx := newShop(t, e, "13877770012", "ret_seller2")
		it := fx.item(t, e, "台灯", 9900, 5, nil)
		o := placeOrder(t, e, buyer, buyNow(it, 1))
		deliver(t, e, buyer, fx.seller, o.ID)
		if err := e.Kernel.Erase(ctx, minimall.SystemActor("test"), buyer.Subject, privacy.EraseAccount, "deregistered"); err != nil {
			t.Fatal(err)
		}
		var sealed []byte
		if err := st.DB.QueryRowContext(ctx, `SELECT recipient_phone_sealed FROM orders WHERE id = ?`, o.ID).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		legal := minimall.Actor{Kind: minimall.Operator, ID: "op_legal", Role: minimall.RoleLegalHold, Reason: "COURT-1"}
		g := e.Kernel.Guard()
		if v, err := g.OpenString(ctx, legal, buyer.Subject, privacy.RecipientPhone, privacy.ForLegalDuty, o.ID, sealed); err != nil || v != recipient["phone"] {
			t.Fatalf("legal hold after erasure: %q %v", v, err)
		}
		if _, err := g.Open(ctx, minimall.SystemActor("test"), buyer.Subject, privacy.RecipientPhone, privacy.ForDelivery, o.ID, sealed); err == nil {
			t.Fatal("a retained record opened for delivery after erasure")
		}
		st.Clock.Advance(privacy.ThreeYears + 62*privacy.Day)
		if _, _, err := e.Kernel.DestroyRetentionPeriodsBefore(ctx, st.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := g.Open(ctx, legal, buyer.Subject, privacy.RecipientPhone, privacy.ForLegalDuty, o.ID, sealed); err == nil {
			t.Fatal("the retained record still opens after its period")
		}
	})
}

// TestAPIShutdown (三(四)): the shutdown procedure stops collection (every
// Seal refused with a clear problem), notifies every user, and deletes
// what is not kept under a legal duty, while security logs stay for their
// six months; refusals first.
func TestAPIShutdown(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		dpo := lifecycleOps(t, e, minimall.RoleDPO)
		a := e.Register(t, "13877770021", "shut_a")
		b := e.Register(t, "13877770022", "shut_b")
		mustStatus(t, e.Do(t, "GET", "/api/v1/search?q=%E9%BC%A0%E6%A0%87", nil, testenv.Bearer(a.Token)...), 200, "search")
		mustStatus(t, e.Do(t, "POST", "/api/v1/security/devices", map[string]string{"device_id": "ios-shut-1"}, testenv.Bearer(b.Token)...), 201, "device")

		t.Run("Refusals", func(t *testing.T) {
			body := map[string]string{"reason": "ceased_operations", "confirm": "STOP-COLLECTION"}
			mustStatus(t, e.Do(t, "POST", "/api/v1/ops/shutdown", body), 401, "anonymous")
			mustStatus(t, e.Do(t, "POST", "/api/v1/ops/shutdown", body, testenv.Bearer(a.Token)...), 403, "shopper")
			mustStatus(t, e.Do(t, "POST", "/api/v1/ops/shutdown", body, lifecycleOps(t, e, minimall.RoleSecurity)...), 403, "security")
			mustStatus(t, e.Do(t, "POST", "/api/v1/ops/shutdown", map[string]string{"reason": "ceased_operations"}, dpo...), 400, "no confirmation")
			mustStatus(t, e.Do(t, "POST", "/api/v1/ops/shutdown", map[string]string{"reason": "Closing Down!", "confirm": "STOP-COLLECTION"}, dpo...), 400, "reason not a code")
			// Only the declared reasons (lifecycle.ShutdownReasons).
			r := e.Do(t, "POST", "/api/v1/ops/shutdown", map[string]string{"reason": "closing_down", "confirm": "STOP-COLLECTION"}, dpo...)
			if p := r.Problem(t); r.Status != 400 || p.Field != "reason" || p.Rule != "choice" {
				t.Fatalf("undeclared reason: %d %s", r.Status, r.Body)
			}
			mustStatus(t, e.Do(t, "GET", "/api/v1/account/notifications", nil), 401, "notifications anonymous")
			var st struct{ Stopped bool }
			e.Do(t, "GET", "/api/v1/ops/shutdown", nil, dpo...).JSON(t, &st)
			if st.Stopped {
				t.Fatal("a refused shutdown stopped the platform")
			}
		})

		r := e.Do(t, "POST", "/api/v1/ops/shutdown", map[string]string{"reason": "ceased_operations", "confirm": "STOP-COLLECTION"}, dpo...)
		mustStatus(t, r, 200, "shutdown")
		var rep struct {
			Notified int
			Reason   string
			Sweep    retentionReport
		}
		r.JSON(t, &rep)
		first := rep.Sweep.ID
		if rep.Notified != 2 || rep.Sweep.removed("search_history") != 1 || rep.Sweep.removed("devices") != 0 {
			t.Fatalf("shutdown report: %s", r.Body)
		}
		for _, sh := range []*testenv.Shopper{a, b} {
			var ns struct {
				Notifications []struct{ Kind, Title, Body string }
			}
			e.Do(t, "GET", "/api/v1/account/notifications", nil, testenv.Bearer(sh.Token)...).JSON(t, &ns)
			if len(ns.Notifications) != 1 || ns.Notifications[0].Kind != "shutdown" || !strings.Contains(ns.Notifications[0].Body, "停止运营") {
				t.Fatalf("notices of %s: %+v", sh.MemberName, ns)
			}
		}
		// Collection has stopped: a new device report is refused, clearly.
		r = e.Do(t, "POST", "/api/v1/security/devices", map[string]string{"device_id": "ios-shut-2"}, testenv.Bearer(a.Token)...)
		mustStatus(t, r, 503, "collect after shutdown")
		if p := r.Problem(t); !strings.Contains(p.Detail+p.Title, "停止运营") {
			t.Fatalf("problem: %s", r.Body)
		}
		// A second call answers the shutdown that happened, with its
		// reason and sweep: nobody is notified twice, nothing swept again.
		r = e.Do(t, "POST", "/api/v1/ops/shutdown", map[string]string{"reason": "authority_order", "confirm": "STOP-COLLECTION"}, dpo...)
		mustStatus(t, r, 200, "shutdown again")
		r.JSON(t, &rep)
		if rep.Notified != 0 || rep.Reason != "ceased_operations" || rep.Sweep.ID != first {
			t.Fatalf("second call: %s", r.Body)
		}
		// The security log stays for its six months, then goes.
		st.Clock.Advance(190 * privacy.Day)
		if got := runSweep(t, e, dpo, false); got.removed("devices") != 1 {
			t.Fatalf("security log after shutdown: %+v", got)
		}
	})
}

// TestAPIShutdownOnce (三(四)): concurrent shutdown calls run the
// procedure once: each answers the one shutdown (200 completed, or 202
// while another call carries it out), and one sweep is recorded.
func TestAPIShutdownOnce(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		dpo := lifecycleOps(t, e, minimall.RoleDPO)
		e.Register(t, "13900004441", "shut_once")
		body := map[string]string{"reason": "ceased_operations", "confirm": "STOP-COLLECTION"}
		var wg sync.WaitGroup
		answers := make([]*testenv.Response, 4)
		for i := range answers {
			wg.Go(func() { answers[i] = e.Do(t, "POST", "/api/v1/ops/shutdown", body, dpo...) })
		}
		wg.Wait()
		sweeps := map[string]bool{}
		for _, r := range answers {
			var rep struct {
				State  string
				Reason string
				Sweep  *struct{ ID string }
			}
			r.JSON(t, &rep)
			switch {
			case r.Status == 200 && rep.State == "completed" && rep.Sweep != nil:
				sweeps[rep.Sweep.ID] = true
			case r.Status == 202 && rep.State == "under_way" && rep.Reason == "ceased_operations":
			default:
				t.Fatalf("shutdown answer: %d %s", r.Status, r.Body)
			}
		}
		var n int
		if err := st.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM retention_runs WHERE shutdown = 1`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if len(sweeps) != 1 || n != 1 {
			t.Fatalf("%d sweep ids answered, %d sweeps recorded; want one", len(sweeps), n)
		}
	})
}

// TestAPIShutdownResumed (三(四), hardening 1): a crash after the stop was
// recorded, before the notices and the sweep, does not leave the shutdown
// half-done: the resumer (at start and on schedule) tells everyone once
// and runs the shutdown sweep, and the procedure then reads completed.
func TestAPIShutdownResumed(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		dpo := lifecycleOps(t, e, minimall.RoleDPO)
		a := e.Register(t, "13877770031", "shut_resume")
		mustStatus(t, e.Do(t, "GET", "/api/v1/search?q=%E9%BC%A0%E6%A0%87", nil, testenv.Bearer(a.Token)...), 200, "search")
		// The crash: the stop is recorded, nothing after it happened.
		op := minimall.Actor{Kind: minimall.Operator, Role: minimall.RoleDPO, ID: "op_crash", Reason: "SHUT-1"}
		if _, err := e.Kernel.Shutdown(t.Context(), op, "ceased_operations"); err != nil {
			t.Fatal(err)
		}
		for range 2 { // a second pass finds it completed and does nothing
			if _, err := e.Lifecycle.ResumeShutdown(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		var ns struct{ Notifications []struct{ Kind string } }
		e.Do(t, "GET", "/api/v1/account/notifications", nil, testenv.Bearer(a.Token)...).JSON(t, &ns)
		if len(ns.Notifications) != 1 || ns.Notifications[0].Kind != "shutdown" {
			t.Fatalf("notices after the resumed shutdown: %+v", ns)
		}
		r := e.Do(t, "POST", "/api/v1/ops/shutdown", map[string]string{"reason": "ceased_operations", "confirm": "STOP-COLLECTION"}, dpo...)
		var rep struct {
			State    string
			Notified int
			Sweep    retentionReport
		}
		r.JSON(t, &rep)
		if r.Status != 200 || rep.State != "completed" || rep.Notified != 0 || rep.Sweep.ID == "" || rep.Sweep.removed("search_history") != 1 {
			t.Fatalf("the shutdown after resuming: %d %s", r.Status, r.Body)
		}
	})
}
