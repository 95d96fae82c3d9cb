package http_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/rights"
)

// TestAPIDeregistrationSurvivesCrash (四(五), hardening): a deregistration
// is a sequence of steps that resumes after a crash. Stopped after each
// step (as a crash would stop it), the request is left unanswered; Resume
// (run at every start and every minute) finishes it: the person is
// erased, the SMS partner gets its deletion notice, and the request is
// answered, so the DPO is not left with a request stuck for ever. Stopped
// before the first step, the identity-checked request is served once the
// grace for a Verify in flight has passed. A partner that is down keeps
// the answer "retrying" until it is back and confirms.
func TestAPIDeregistrationSurvivesCrash(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := context.Background()
		dpo := rightsOperator(t, e, minimall.RoleDPO)
		shown := func(t *testing.T, id string) rights.Request {
			t.Helper()
			var req rights.Request
			r := e.Do(t, "GET", "/api/v1/ops/rights/requests/"+id, nil, dpo...)
			wantStatus(t, r, 200, "DPO reads the request")
			r.JSON(t, &req)
			return req
		}
		resume := func(t *testing.T) {
			t.Helper()
			if _, err := e.Rights.Resume(ctx); err != nil {
				t.Fatalf("resume: %v", err)
			}
		}
		smsDeletions := func() int {
			n := 0
			for _, q := range e.Sandbox.SMS.Requests() {
				if q.Operation == "deletion" && q.Status == 200 {
					n++
				}
			}
			return n
		}
		for i, step := range []string{"marked", "parts", "erased"} {
			t.Run("CrashAfter_"+step, func(t *testing.T) {
				sh := e.Register(t, "1387778000"+string(rune('1'+i)), "crash_"+step)
				auth := testenv.Bearer(sh.Token)
				r := e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "deregister"}, auth...)
				wantStatus(t, r, 201, "file")
				var req rights.Request
				r.JSON(t, &req)
				e.Rights.AfterStep = func(s string) error {
					if s == step {
						return errors.New("crash")
					}
					return nil
				}
				r = e.Do(t, "POST", "/api/v1/rights/requests/"+req.ID+"/verify", map[string]string{"code": e.SMS.Code(t, sh.Phone)}, auth...)
				e.Rights.AfterStep = nil
				wantStatus(t, r, 500, "verify stopped by the crash")
				if got := shown(t, req.ID); got.State != rights.IdentityChecked {
					t.Fatalf("after the crash: %+v", got)
				}
				before := smsDeletions()
				resume(t)
				got := shown(t, req.ID)
				if got.State != rights.Answered || got.Answer == nil || !got.Answer.Erased || got.Answer.PartnerNotices != rights.NoticesSent {
					t.Fatalf("after resuming: %+v", got)
				}
				if smsDeletions() <= before {
					t.Fatal("the SMS partner was never told to delete the number")
				}
				wantStatus(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": sh.Password}), 401, "sign in after deregistration")
				wantStatus(t, e.Do(t, "POST", "/api/v1/ops/rights/requests/"+req.ID+"/answer", nil, dpo...), 409, "the DPO answers an answered request")
			})
		}
		t.Run("CrashBeforeTheSteps", func(t *testing.T) {
			sh := e.Register(t, "13877780009", "crash_before")
			auth := testenv.Bearer(sh.Token)
			r := e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "deregister"}, auth...)
			var req rights.Request
			r.JSON(t, &req)
			// The identity check committed, then the process died: the
			// request is identity-checked and nothing else happened.
			row := shown(t, req.ID)
			code := e.SMS.Code(t, sh.Phone)
			e.Rights.AfterStep = func(string) error { return errors.New("crash") }
			wantStatus(t, e.Do(t, "POST", "/api/v1/rights/requests/"+row.ID+"/verify", map[string]string{"code": code}, auth...), 500, "verify")
			e.Rights.AfterStep = nil
			if _, err := st.DB.ExecContext(ctx, `UPDATE rights_requests SET erase_started_at = 0 WHERE id = ?`, req.ID); err != nil {
				t.Fatal(err)
			}
			resume(t)
			if got := shown(t, req.ID); got.State != rights.IdentityChecked {
				t.Fatalf("served within the grace for a Verify in flight: %+v", got)
			}
			st.Clock.Advance(rights.ResumeGrace + time.Second)
			resume(t)
			if got := shown(t, req.ID); got.State != rights.Answered || !got.Answer.Erased {
				t.Fatalf("after the grace: %+v", got)
			}
		})
		t.Run("GraceConfigured", func(t *testing.T) {
			// serve --resume-grace: a single node, where no Verify can be
			// in flight elsewhere, may serve sooner than the minute.
			e.Rights.Grace = 10 * time.Second
			defer func() { e.Rights.Grace = 0 }()
			sh := e.Register(t, "13877780011", "crash_grace")
			auth := testenv.Bearer(sh.Token)
			r := e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "deregister"}, auth...)
			var req rights.Request
			r.JSON(t, &req)
			code := e.SMS.Code(t, sh.Phone)
			e.Rights.AfterStep = func(string) error { return errors.New("crash") }
			wantStatus(t, e.Do(t, "POST", "/api/v1/rights/requests/"+req.ID+"/verify", map[string]string{"code": code}, auth...), 500, "verify")
			e.Rights.AfterStep = nil
			if _, err := st.DB.ExecContext(ctx, `UPDATE rights_requests SET erase_started_at = 0 WHERE id = ?`, req.ID); err != nil {
				t.Fatal(err)
			}
			resume(t)
			if got := shown(t, req.ID); got.State != rights.IdentityChecked {
				t.Fatalf("served within the configured grace: %+v", got)
			}
			st.Clock.Advance(11 * time.Second)
			resume(t)
			if got := shown(t, req.ID); got.State != rights.Answered || !got.Answer.Erased {
				t.Fatalf("after the configured grace: %+v", got)
			}
		})
		t.Run("PartnerDown", func(t *testing.T) {
			sh := e.Register(t, "13877780010", "partner_down")
			auth := testenv.Bearer(sh.Token)
			r := e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "deregister"}, auth...)
			var req rights.Request
			r.JSON(t, &req)
			code := e.SMS.Code(t, sh.Phone)
			e.Sandbox.SMS.SetDown(true)
			r = e.Do(t, "POST", "/api/v1/rights/requests/"+req.ID+"/verify", map[string]string{"code": code}, auth...)
			wantStatus(t, r, 200, "verify with the SMS partner down")
			r.JSON(t, &req)
			if req.State != rights.Answered || !req.Answer.Erased || req.Answer.PartnerNotices != rights.NoticesRetrying {
				t.Fatalf("with the SMS partner down: %+v", req)
			}
			if _, err := e.Rights.Resume(ctx); err == nil {
				t.Fatal("resume reports nothing while a partner is down")
			}
			if got := shown(t, req.ID); got.Answer.PartnerNotices != rights.NoticesRetrying {
				t.Fatalf("still down, the answer says %q", got.Answer.PartnerNotices)
			}
			e.Sandbox.SMS.SetDown(false)
			before := smsDeletions()
			resume(t)
			if got := shown(t, req.ID); got.Answer.PartnerNotices != rights.NoticesSent || smsDeletions() <= before {
				t.Fatalf("the partner is back; the answer says %q, %d deletions", got.Answer.PartnerNotices, smsDeletions()-before)
			}
		})
	})
}
