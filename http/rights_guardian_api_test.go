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

// guardianRights sends a code to phone and returns a guardian's request of
// kind for the child the token names.
func guardianRights(t *testing.T, e *testenv.Env, token, phone, kind string, kv ...any) map[string]any {
	t.Helper()
	mustStatus(t, e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": phone, "purpose": "guardian"}), 202, "guardian code")
	body := map[string]any{"guardian_token": token, "guardian_phone": phone, "code": e.SMS.Code(t, phone), "kind": kind}
	for i := 0; i+1 < len(kv); i += 2 {
		body[kv[i].(string)] = kv[i+1]
	}
	return body
}

// A child's guardian (七, PIPL art. 31) views, copies, corrects and deletes
// the child's data through the rights queue, proving who they are as at
// the consent (the token and a code to the phone recorded then). Each
// request has the queue's 15-day deadline, every act is audited as the
// guardian acting for the child, and the child's "who opened my data"
// shows it. Anyone else gets one refusal, whether the child exists or not.
func TestAPIGuardianRights(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		dpo := rightsOperator(t, e, minimall.RoleDPO)
		const childPhone, guardianPhone, strangerPhone = "13822227001", "13922227001", "13922227002"
		child := registerChild(t, e, childPhone, "kid70")
		mustStatus(t, e.Do(t, "POST", "/api/v1/guardian-consents", guardianConsent(t, e, child.GuardianToken, guardianPhone, "王五", residentID("19850101", "789"))), 201, "guardian consent")
		const path = "/api/v1/rights/guardian"

		t.Run("ErrNotTheGuardian", func(t *testing.T) {
			stranger := e.Do(t, "POST", path, guardianRights(t, e, child.GuardianToken, strangerPhone, "access"))
			nobody := e.Do(t, "POST", path, guardianRights(t, e, "gt_nosuchchild", guardianPhone, "access"))
			wantProblem(t, stranger, 403, "denied", "")
			wantProblem(t, nobody, 403, "denied", "")
			var a, b struct{ Detail string }
			stranger.JSON(t, &a)
			nobody.JSON(t, &b)
			if a.Detail != b.Detail {
				t.Fatalf("the refusal tells whether the child exists: %q vs %q", a.Detail, b.Detail)
			}
		})
		t.Run("ErrWrongCode", func(t *testing.T) {
			body := map[string]any{"guardian_token": child.GuardianToken, "guardian_phone": guardianPhone, "code": "000000", "kind": "access"}
			wantProblem(t, e.Do(t, "POST", path, body), 400, "invalid", "")
		})
		t.Run("ErrDeregister", func(t *testing.T) {
			wantProblem(t, e.Do(t, "POST", path, map[string]any{"guardian_token": child.GuardianToken, "guardian_phone": guardianPhone, "code": "1", "kind": "deregister"}), 400, "invalid", "")
		})

		var ids []string
		t.Run("AccessAndCopy", func(t *testing.T) {
			r := e.Do(t, "POST", path, guardianRights(t, e, child.GuardianToken, guardianPhone, "copy"))
			wantStatus(t, r, 201, "guardian files copy")
			var req rights.Request
			r.JSON(t, &req)
			if req.FiledBy != rights.ByGuardian || req.State != rights.IdentityChecked || req.Token == "" || !req.DueAt.Equal(req.ReceivedAt.Add(rights.Deadline)) {
				t.Fatalf("guardian's request: %+v", req)
			}
			ids = append(ids, req.ID)
			wantStatus(t, e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export", nil, "X-Rights-Token", "mmr_wrong"), 404, "wrong token")
			r = e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export", nil, "X-Rights-Token", req.Token)
			wantStatus(t, r, 200, "guardian's export")
			if !strings.Contains(string(r.Body), childPhone) || !strings.Contains(string(r.Body), "kid70") {
				t.Fatalf("the export lacks the child's data: %.300s", r.Body)
			}
			var got rights.Request
			e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID, nil, "X-Rights-Token", req.Token).JSON(t, &got)
			if got.State != rights.Answered {
				t.Fatalf("after the export: %+v", got)
			}
		})
		t.Run("Correct", func(t *testing.T) {
			r := e.Do(t, "POST", path, guardianRights(t, e, child.GuardianToken, guardianPhone, "correct", "corrections", map[string]string{"account.member_name": "kid70b"}))
			wantStatus(t, r, 201, "guardian corrects")
			var req rights.Request
			r.JSON(t, &req)
			if req.State != rights.Answered || req.Answer == nil || len(req.Answer.Corrected) != 1 {
				t.Fatalf("correction: %+v", req)
			}
			ids = append(ids, req.ID)
			mustStatus(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": "kid70b", "password": "secret-pass1"}), 201, "the child signs in with the corrected name")
		})
		t.Run("Delete", func(t *testing.T) {
			r := e.Do(t, "POST", path, guardianRights(t, e, child.GuardianToken, guardianPhone, "delete", "fields", []string{"profile.nickname"}))
			wantStatus(t, r, 201, "guardian deletes")
			var req rights.Request
			r.JSON(t, &req)
			if req.State != rights.Answered || req.Answer == nil {
				t.Fatalf("deletion: %+v", req)
			}
			ids = append(ids, req.ID)
		})

		t.Run("Queue", func(t *testing.T) {
			var q struct{ Requests []rights.Request }
			e.Do(t, "GET", "/api/v1/ops/rights/requests", nil, dpo...).JSON(t, &q)
			seen := 0
			for _, r := range q.Requests {
				if r.FiledBy == rights.ByGuardian && r.Subject == child.ID && r.DueAt.Sub(r.ReceivedAt) == 15*24*time.Hour {
					seen++
				}
			}
			if seen != len(ids) {
				t.Fatalf("the DPO sees %d of the guardian's %d requests: %+v", seen, len(ids), q.Requests)
			}
		})
		t.Run("Tracker", func(t *testing.T) {
			r := e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": "kid70b", "password": "secret-pass1"})
			var sess struct{ Token string }
			r.JSON(t, &sess)
			page := e.Do(t, "GET", "/account/privacy/data", nil, testenv.Bearer(sess.Token)...)
			wantStatus(t, page, 200, "the child's data page")
			body := string(page.Body)
			for _, id := range ids {
				if !strings.Contains(body, "<td>guardian</td>") || !strings.Contains(body, id) {
					t.Fatalf("the child's tracker does not show the guardian's request %s", id)
				}
			}
		})
	})
}
