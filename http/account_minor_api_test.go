package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/account"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
)

type heldChild struct {
	ID            minimall.SubjectID `json:"id"`
	Status        string             `json:"status"`
	GuardianToken string             `json:"guardian_token"`
	HeldUntil     *time.Time         `json:"held_until"`
}

// registerChild registers a child who states "I am under 14" (七).
func registerChild(t *testing.T, e *testenv.Env, phone, name string) heldChild {
	t.Helper()
	mustStatus(t, e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": phone, "purpose": "register"}), 202, "child code")
	r := e.Do(t, "POST", "/api/v1/accounts", map[string]any{"phone": phone, "code": e.SMS.Code(t, phone), "member_name": name,
		"password": "secret-pass1", "accept_policy_version": e.Kernel.PolicyVersion(), "under_14": true})
	var c heldChild
	r.JSON(t, &c)
	if r.Status != 201 || c.Status != account.StatusPendingGuardian || c.GuardianToken == "" || c.HeldUntil == nil {
		t.Fatalf("held registration: %d %s", r.Status, r.Body)
	}
	return c
}

func countRows(t *testing.T, st *testkit.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := st.DB.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A child's registration waits for a guardian only account.DefaultGuardianHold
// (七, PIPL art. 31): after it the guardian token is refused with 410 Gone,
// and the retention sweep erases the registration: its row, the guardian
// procedure's row and every key of the child, so nothing of it is left and
// the number and name are free again.
func TestAPIMinorHoldLapses(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ops := lifecycleOps(t, e, minimall.RoleDPO)
		const childPhone, guardianPhone = "13822225001", "13922225001"
		child := registerChild(t, e, childPhone, "kid50")
		if d := st.Clock.Now().Add(account.DefaultGuardianHold).Sub(*child.HeldUntil); d < 0 || d > time.Minute {
			t.Fatalf("held until %v, %v short of the hold", child.HeldUntil, d)
		}
		guardian := func() guardianForm {
			return guardianConsent(t, e, child.GuardianToken, guardianPhone, "王五", residentID("19850101", "789"))
		}
		t.Run("NotSweptWhileHeld", func(t *testing.T) {
			st.Clock.Advance(account.DefaultGuardianHold - time.Hour)
			if rep := runSweep(t, e, ops, false); rep.removed("held_registrations") != 0 {
				t.Fatalf("swept a live hold: %+v", rep)
			}
		})
		st.Clock.Advance(2 * time.Hour) // past the hold
		later := registerChild(t, e, "13822225002", "kid51")
		t.Run("ErrTokenLapsed", func(t *testing.T) {
			wantProblem(t, e.Do(t, "POST", "/api/v1/guardian-consents", guardian()), 410, "gone", "")
			if n := countRows(t, st, `SELECT COUNT(*) FROM accounts WHERE subject = ? AND status = ?`, string(child.ID), account.StatusPendingGuardian); n != 1 {
				t.Fatal("a refused consent changed the registration")
			}
			// The guardian's identity never went to the authority for it.
			for _, sb := range e.Sandbox.All() {
				if b, _ := json.Marshal(sb.Requests()); bytes.Contains(b, []byte(residentID("19850101", "789"))) {
					t.Fatalf("partner %s received the guardian's ID number for a lapsed hold", sb.Name())
				}
			}
		})
		t.Run("DryRunCounts", func(t *testing.T) {
			if rep := runSweep(t, e, ops, true); rep.removed("held_registrations") != 1 {
				t.Fatalf("dry run: %+v", rep)
			}
		})
		t.Run("SweepErases", func(t *testing.T) {
			if rep := runSweep(t, e, ops, false); rep.removed("held_registrations") != 1 {
				t.Fatalf("sweep: %+v", rep)
			}
			for _, q := range []string{`SELECT COUNT(*) FROM accounts WHERE subject = ?`, `SELECT COUNT(*) FROM minors WHERE subject = ?`,
				`SELECT COUNT(*) FROM sessions WHERE subject = ?`, `SELECT COUNT(*) FROM profiles WHERE subject = ?`} {
				if n := countRows(t, st, q, string(child.ID)); n != 0 {
					t.Fatalf("%s: %d left", q, n)
				}
			}
			if n := countRows(t, st, `SELECT COUNT(*) FROM subjects WHERE id = ? AND erased_at > 0`, string(child.ID)); n != 1 {
				t.Fatal("the child's keys were not destroyed")
			}
			if _, err := e.Kernel.Guard().Seal(context.Background(), child.ID, privacy.MemberName, string(child.ID), []byte("x")); err == nil {
				t.Fatal("the erased child can still be sealed for")
			}
			// The later child's hold has not lapsed.
			if n := countRows(t, st, `SELECT COUNT(*) FROM accounts WHERE subject = ?`, string(later.ID)); n != 1 {
				t.Fatal("a live hold was swept")
			}
			if rep := runSweep(t, e, ops, false); rep.removed("held_registrations") != 0 {
				t.Fatalf("second sweep: %+v", rep)
			}
		})
		t.Run("ErrTokenAfterSweep", func(t *testing.T) {
			wantProblem(t, e.Do(t, "POST", "/api/v1/guardian-consents", guardian()), 404, "not_found", "")
		})
		t.Run("NumberAndNameFree", func(t *testing.T) {
			again := registerChild(t, e, childPhone, "kid50")
			if again.ID == child.ID {
				t.Fatal("same subject")
			}
			form := guardianConsent(t, e, again.GuardianToken, guardianPhone, "王五", residentID("19850101", "789"))
			if r := e.Do(t, "POST", "/api/v1/guardian-consents", form); r.Status != 201 || !strings.Contains(string(r.Body), "consented") {
				t.Fatalf("consent within the hold: %d %s", r.Status, r.Body)
			}
			if n := countRows(t, st, `SELECT COUNT(*) FROM accounts WHERE subject = ? AND status = ? AND held_until = 0`, string(again.ID), account.StatusActive); n != 1 {
				t.Fatal("consented registration not active")
			}
		})
	})
}

// withdrawal sends a code to phone and returns a guardian's withdrawal.
func withdrawal(t *testing.T, e *testenv.Env, token, phone string) map[string]string {
	t.Helper()
	mustStatus(t, e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": phone, "purpose": "guardian"}), 202, "guardian code")
	return map[string]string{"guardian_token": token, "guardian_phone": phone, "code": e.SMS.Code(t, phone)}
}

// A guardian withdraws the consent they gave (七, PIPL art. 15, 31) with
// the token and the phone they consented with: the ledger records guardian
// withdrawals, the kernel holds the child again (nothing more collected,
// nothing resting on consent used), the account stops, the child is told,
// and the account is erased when the hold lapses.
func TestAPIGuardianWithdrawal(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ops := lifecycleOps(t, e, minimall.RoleDPO)
		const childPhone, guardianPhone, strangerPhone = "13822226001", "13922226001", "13922226002"
		child := registerChild(t, e, childPhone, "kid60")
		waiting := registerChild(t, e, "13822226002", "kid61") // no guardian yet
		form := guardianConsent(t, e, child.GuardianToken, guardianPhone, "王五", residentID("19850101", "789"))
		mustStatus(t, e.Do(t, "POST", "/api/v1/guardian-consents", form), 201, "guardian consent")
		r := e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": "kid60", "password": "secret-pass1"})
		mustStatus(t, r, 201, "child signs in")
		var sess struct{ Token string }
		r.JSON(t, &sess)
		auth := testenv.Bearer(sess.Token)
		const path = "/api/v1/guardian-consents/withdrawal"
		// unsent is a withdrawal with a code nobody sent, for refusals
		// decided before the code is looked at (or because it is wrong).
		unsent := func(token string) map[string]string {
			return map[string]string{"guardian_token": token, "guardian_phone": guardianPhone, "code": "000000"}
		}

		refusals := []struct {
			name         string
			body         func() map[string]string
			status       int
			code, reason string
		}{
			{"ErrMalformedToken", func() map[string]string {
				return map[string]string{"guardian_token": "x", "guardian_phone": guardianPhone, "code": "123456"}
			}, 400, "invalid", ""},
			{"ErrMalformedPhone", func() map[string]string {
				return map[string]string{"guardian_token": child.GuardianToken, "guardian_phone": "12", "code": "123456"}
			}, 400, "invalid", ""},
			{"ErrUnknownToken", func() map[string]string { return unsent("gt_nosuchtoken") }, 404, "not_found", ""},
			{"ErrWrongCode", func() map[string]string { return unsent(child.GuardianToken) }, 400, "invalid", ""},
			{"ErrNotTheGuardian", func() map[string]string { return withdrawal(t, e, child.GuardianToken, strangerPhone) }, 403, "denied", ""},
			{"ErrNothingToWithdraw", func() map[string]string { return unsent(waiting.GuardianToken) }, 409, "conflict", ""},
		}
		for _, tt := range refusals {
			t.Run(tt.name, func(t *testing.T) {
				wantProblem(t, e.Do(t, "POST", path, tt.body()), tt.status, tt.code, tt.reason)
			})
		}
		mustStatus(t, e.Do(t, "GET", "/api/v1/account", nil, auth...), 200, "refusals changed nothing")

		t.Run("OK", func(t *testing.T) {
			r := e.Do(t, "POST", path, withdrawal(t, e, child.GuardianToken, guardianPhone))
			var out struct {
				AccountStatus string    `json:"account_status"`
				Minor         string    `json:"minor"`
				ErasedAfter   time.Time `json:"erased_after"`
				ChildNotified bool      `json:"child_notified"`
				Withdrawn     []string  `json:"withdrawn"`
			}
			r.JSON(t, &out)
			if r.Status != 200 || out.AccountStatus != account.StatusGuardianWithdrawn || out.Minor != "pending" || !out.ChildNotified ||
				strings.Join(sortStrings(out.Withdrawn), ",") != "feature:minor,policy" {
				t.Fatalf("withdrawal: %d %s", r.Status, r.Body)
			}
			if text := e.SMS.Text(t, childPhone); !strings.Contains(text, "监护人已撤回") || !strings.Contains(text, out.ErasedAfter.Format(time.DateOnly)) {
				t.Fatalf("child not told: %q", text)
			}
		})
		t.Run("ErrTwice", func(t *testing.T) {
			wantProblem(t, e.Do(t, "POST", path, unsent(child.GuardianToken)), 409, "conflict", "")
		})
		t.Run("LedgerRecordsGuardianWithdrawal", func(t *testing.T) {
			state, rec, err := e.Kernel.Consents.State(context.Background(), child.ID, privacy.FeatureScope(privacy.FeatMinor))
			if err != nil || state != privacy.Withdrawn || rec.Kind != privacy.Guardian || rec.Action != privacy.Withdraw {
				t.Fatalf("ledger: %v %+v %v", state, rec, err)
			}
		})
		t.Run("ProcessingStops", func(t *testing.T) {
			wantProblem(t, e.Do(t, "GET", "/api/v1/account", nil, auth...), 401, "unauthorized", "")
			for _, login := range []string{"kid60", childPhone} {
				wantProblem(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": login, "password": "secret-pass1"}), 401, "unauthorized", "")
			}
			if e.Kernel.Minor(child.ID) != privacy.MinorPending {
				t.Fatal("the kernel does not hold the child again")
			}
			if _, err := e.Kernel.Guard().Seal(context.Background(), child.ID, privacy.Nickname, string(child.ID), []byte("x")); err == nil {
				t.Fatal("data still collected after the withdrawal")
			}
			// The token cannot be used to consent over again behind the child's back.
			wantProblem(t, e.Do(t, "POST", "/api/v1/guardian-consents", form), 404, "not_found", "")
		})
		t.Run("ErasedWhenHoldLapses", func(t *testing.T) {
			if rep := runSweep(t, e, ops, false); rep.removed("guardian_withdrawn_accounts") != 0 {
				t.Fatalf("erased before the hold lapsed: %+v", rep)
			}
			st.Clock.Advance(account.DefaultGuardianHold + time.Minute)
			rep := runSweep(t, e, ops, false)
			if rep.removed("guardian_withdrawn_accounts") != 1 || rep.removed("held_registrations") != 1 { // the waiting child lapsed too
				t.Fatalf("sweep: %+v", rep)
			}
			if n := countRows(t, st, `SELECT COUNT(*) FROM accounts WHERE subject = ? AND status = ? AND password_hash = ''`, string(child.ID), account.StatusDeregistered); n != 1 {
				t.Fatal("withdrawn account not closed")
			}
			if n := countRows(t, st, `SELECT COUNT(*) FROM subjects WHERE id = ? AND erased_at > 0`, string(child.ID)); n != 1 {
				t.Fatal("withdrawn child's key not destroyed")
			}
			wantProblem(t, e.Do(t, "POST", path, unsent(child.GuardianToken)), 410, "gone", "")
		})
	})
}
