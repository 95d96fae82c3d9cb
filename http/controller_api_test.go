package http_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy/policy"
)

// TestAPIControllerTransfer (三(二)): when the information moves to another
// controller (merger, division, dissolution, bankruptcy), every person is
// told the receiver's name and contact, once; from the effective date the
// policy names the receiver, which keeps this policy: the next version is
// a minor change and nobody is asked to accept again (a receiver changing
// purposes would be a major change: TestClassify ControllerNewPurpose).
func TestAPIControllerTransfer(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := context.Background()
		a := e.Register(t, "13866663001", "ctl_alice")
		b := e.Register(t, "13866663002", "ctl_bob")
		dpo := operatorHeaders(t, e, minimall.RoleDPO, "DEAL-2027-1")
		sec := operatorHeaders(t, e, minimall.RoleSecurity, "DEAL-2027-1")
		wantStatus(t, e.Do(t, "POST", "/api/v1/policy/versions", nil, dpo...), 201, "publish v1")

		var view policy.ControllerView
		e.Do(t, "GET", "/api/v1/policy/controller", nil).JSON(t, &view)
		if !strings.Contains(view.Controller.Name, "minimall") || len(view.Transfers) != 0 {
			t.Fatalf("before any transfer: %+v", view)
		}
		req := map[string]any{"cause": "merger", "recipient_name": "新橙科技有限公司", "recipient_contact": "privacy@xincheng.example",
			"effective_at": st.Clock.Now().Add(time.Hour).Format(time.RFC3339)}

		t.Run("Refusals", func(t *testing.T) {
			wantStatus(t, e.Do(t, "POST", "/api/v1/ops/controller-transfers", req), 401, "anonymous")
			wantStatus(t, e.Do(t, "POST", "/api/v1/ops/controller-transfers", req, sec...), 403, "security")
			wantStatus(t, e.Do(t, "POST", "/api/v1/ops/controller-transfers", req, testenv.Bearer(a.Token)...), 403, "shopper")
			with := func(k string, v any) map[string]any {
				m := map[string]any{}
				for kk, vv := range req {
					m[kk] = vv
				}
				m[k] = v
				return m
			}
			wantFieldProblem(t, e.Do(t, "POST", "/api/v1/ops/controller-transfers", with("cause", "sale"), dpo...), 400, "cause", "choice")
			wantFieldProblem(t, e.Do(t, "POST", "/api/v1/ops/controller-transfers", with("recipient_name", " "), dpo...), 400, "recipient_name", "required")
			wantFieldProblem(t, e.Do(t, "POST", "/api/v1/ops/controller-transfers", with("recipient_contact", "a\nb"), dpo...), 400, "recipient_contact", "length")
			e.Do(t, "GET", "/api/v1/policy/controller", nil).JSON(t, &view)
			if len(view.Transfers) != 0 {
				t.Fatalf("a refused transfer was recorded: %+v", view.Transfers)
			}
		})

		var tr policy.Transfer
		r := e.Do(t, "POST", "/api/v1/ops/controller-transfers", req, dpo...)
		wantStatus(t, r, 201, "record transfer")
		r.JSON(t, &tr)
		if tr.Notified != 2 || tr.NotifiedAt.IsZero() {
			t.Fatalf("transfer: %s", r.Body)
		}
		kind := "controller:" + tr.ID
		told := func(sh *testenv.Shopper) int {
			var got noticeList
			e.Do(t, "GET", "/api/v1/account/notifications", nil, testenv.Bearer(sh.Token)...).JSON(t, &got)
			n := 0
			for _, x := range got.Notifications {
				if x.Kind != kind {
					continue
				}
				n++
				for _, part := range []string{"新橙科技有限公司", "privacy@xincheng.example", "合并", "继续履行本政策", "重新取得您的同意"} {
					if !strings.Contains(x.Title+x.Body, part) {
						t.Errorf("notice lacks %q: %s", part, x.Body)
					}
				}
			}
			return n
		}
		t.Run("EveryoneTold", func(t *testing.T) {
			if told(a) != 1 || told(b) != 1 {
				t.Fatal("each person must be told once")
			}
		})
		t.Run("ResumedAfterCrash", func(t *testing.T) {
			// A crash after the transfer was recorded, before anyone was told.
			if _, err := st.DB.ExecContext(ctx, `DELETE FROM lifecycle_notifications WHERE kind = ?`, kind); err != nil {
				t.Fatal(err)
			}
			if _, err := st.DB.ExecContext(ctx, `UPDATE controller_transfers SET notified_at = 0 WHERE id = ?`, tr.ID); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if _, err := e.Policy.ResumeNotices(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if told(a) != 1 || told(b) != 1 {
				t.Fatal("after resuming, each person must be told once")
			}
		})
		t.Run("PolicyNamesReceiver", func(t *testing.T) {
			// Not yet in effect: minimall is still the controller.
			e.Do(t, "GET", "/api/v1/policy/controller", nil).JSON(t, &view)
			if !strings.Contains(view.Controller.Name, "minimall") || len(view.Transfers) != 1 || view.Transfers[0].RecipientName != "新橙科技有限公司" {
				t.Fatalf("before the effective date: %+v", view)
			}
			st.Clock.Advance(2 * time.Hour)
			if err := e.Policy.Load(ctx); err != nil {
				t.Fatal(err)
			}
			e.Do(t, "GET", "/api/v1/policy/controller", nil).JSON(t, &view)
			if view.Controller.Name != "新橙科技有限公司" || view.Controller.Contact != "privacy@xincheng.example" {
				t.Fatalf("after the effective date: %+v", view)
			}
			var v versionView
			r := e.Do(t, "POST", "/api/v1/policy/versions", nil, dpo...)
			wantStatus(t, r, 201, "publish v2")
			r.JSON(t, &v)
			found := false
			for _, x := range v.Reasons {
				found = found || x.Code == policy.ReasonControllerChanged
			}
			if v.Major || !found {
				t.Fatalf("v2 must be a minor change for the controller: major=%v reasons=%+v", v.Major, v.Reasons)
			}
			if text := string(e.Do(t, "GET", "/api/v1/policy/text", nil).Body); !strings.Contains(text, "新橙科技有限公司") || !strings.Contains(text, "privacy@xincheng.example") {
				t.Fatalf("the policy text does not name the receiver:\n%.600s", text)
			}
			// The contact page names who processes the information now.
			if page := string(e.Do(t, "GET", "/contact", nil).Body); !strings.Contains(page, "新橙科技有限公司") || !strings.Contains(page, "privacy@xincheng.example") {
				t.Fatal("the contact page does not name the receiver")
			}
			// The receiver keeps this policy: nobody is asked to accept again.
			acct := e.Do(t, "GET", "/api/v1/account", nil, testenv.Bearer(a.Token)...)
			if strings.Contains(string(acct.Body), "policy_update_required") {
				t.Fatalf("a minor change asked for acceptance: %s", acct.Body)
			}
		})
	})
}
