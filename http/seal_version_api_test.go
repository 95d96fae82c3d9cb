package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"minimall/account"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// A state-carrying sealed value (the phone that signs in, the date it was
// bound) is bound to its row's counter: after a phone change, the old
// ciphertext written back into the cell with SQL does not open. The
// refusal is a tampering report (an audit entry and a metric), not the old
// value, while the ordinary change before it worked.
func TestAPIOlderCiphertextWrittenBackIsRefused(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13855550101", "rollback01")
		auth := testenv.Bearer(sh.Token)
		ctx := t.Context()
		var oldSealed, oldBound []byte
		if err := st.DB.QueryRowContext(ctx, `SELECT phone_sealed, phone_bound_at_sealed FROM accounts WHERE subject = ?`, string(sh.Subject)).Scan(&oldSealed, &oldBound); err != nil {
			t.Fatal(err)
		}
		const newPhone = "13955550101"
		oldCode := phoneCode(t, e, auth, "old", "", sh.Phone)
		newCode := phoneCode(t, e, auth, "new", newPhone, newPhone)
		r := e.Do(t, "PUT", "/api/v1/account/phone", map[string]any{"new_phone": newPhone, "new_code": newCode, "old_code": oldCode}, auth...)
		mustStatus(t, r, 200, "phone change")
		var a account.Account
		e.Do(t, "GET", "/api/v1/account?full=true", nil, auth...).JSON(t, &a)
		if a.Phone != newPhone {
			t.Fatalf("after the change the account shows %q", a.Phone)
		}

		before := e.Kernel.TamperedOpens()
		if _, err := st.DB.ExecContext(ctx, `UPDATE accounts SET phone_sealed = ? WHERE subject = ?`, oldSealed, string(sh.Subject)); err != nil {
			t.Fatal(err)
		}
		r = e.Do(t, "GET", "/api/v1/account?full=true", nil, auth...)
		if strings.Contains(string(r.Body), sh.Phone) {
			t.Fatalf("the old number written back opens: %s", r.Body)
		}
		wantProblem(t, r, 403, "denied", "tampered")
		if e.Kernel.TamperedOpens() != before+1 {
			t.Fatalf("tampered opens %d, want %d", e.Kernel.TamperedOpens(), before+1)
		}
		if err := e.Kernel.AuditFlush(ctx); err != nil {
			t.Fatal(err)
		}
		if !hasAudit(t, e, sh.Subject, "deny", "tampered") {
			t.Fatal("the refused open is not audited as tampering")
		}
		if m := string(e.Do(t, "GET", "/metrics", nil).Body); !strings.Contains(m, "minimall_guard_tampered_total 1") {
			t.Fatal("the metric does not count the tampering")
		}

		// The binding date, which the recycled-number check rests on, is
		// bound to its counter the same way.
		mustStatus(t, e.Do(t, "GET", "/api/v1/account/phone-check", nil, auth...), 200, "phone checks before")
		if _, err := st.DB.ExecContext(ctx, `UPDATE accounts SET phone_bound_at_sealed = ? WHERE subject = ?`, oldBound, string(sh.Subject)); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, e.Do(t, "GET", "/api/v1/account/phone-check", nil, auth...), 403, "denied", "tampered")
	})
}

// TestAPIOlderLevelWrittenBackIsRefused (五(三)1): the account level is
// versioned too: once it rose, the level-1 ciphertext written back into
// the cell does not open, so nobody is quietly put back to a level they
// left (or up to one they never reached).
func TestAPIOlderLevelWrittenBackIsRefused(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13855550121", "rollback_level")
		ctx := t.Context()
		var oldLevel []byte
		if err := st.DB.QueryRowContext(ctx, `SELECT level_sealed FROM accounts WHERE subject = ?`, string(sh.Subject)).Scan(&oldLevel); err != nil {
			t.Fatal(err)
		}
		passwordLogin(t, e, sh)
		passwordLogin(t, e, sh)
		st.Clock.Advance(31 * 24 * time.Hour)
		sh.Token = passwordLogin(t, e, sh)
		var a account.Account
		e.Do(t, "GET", "/api/v1/account", nil, testenv.Bearer(sh.Token)...).JSON(t, &a)
		if a.Level != 2 {
			t.Fatalf("level %d, want 2", a.Level)
		}
		if _, err := st.DB.ExecContext(ctx, `UPDATE accounts SET level_sealed = ? WHERE subject = ?`, oldLevel, string(sh.Subject)); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, e.Do(t, "GET", "/api/v1/account", nil, testenv.Bearer(sh.Token)...), 403, "denied", "tampered")
	})
}

// TestAPIOlderVerificationWrittenBackIsRefused (五(三)1, 二(一)3): the
// verification result is versioned: once it changed, its earlier
// ciphertext written back does not open.
func TestAPIOlderVerificationWrittenBackIsRefused(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13855550131", "rollback_verify")
		auth := testenv.Bearer(sh.Token)
		ctx := t.Context()
		mustStatus(t, e.Do(t, "POST", "/api/v1/identity/real-name", map[string]string{"real_name": "张三", "id_number": residentID("19900307", "123")}, auth...), 200, "verify")
		var first []byte
		if err := st.DB.QueryRowContext(ctx, `SELECT result_sealed FROM verifications WHERE subject = ?`, string(sh.Subject)).Scan(&first); err != nil {
			t.Fatal(err)
		}
		ref, err := e.Kernel.Pseudonym(ctx, sh.Subject, "partner:payment")
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(e.Sandbox.Payment.URL()+"/payment/realname-status/set", "application/json",
			strings.NewReader(`{"partner_ref":"`+ref+`","verified":true}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		mustStatus(t, e.Do(t, "POST", "/api/v1/identity/payment-real-name", nil, auth...), 200, "payment real-name status")
		mustStatus(t, e.Do(t, "GET", "/api/v1/identity", nil, auth...), 200, "status")
		if _, err := st.DB.ExecContext(ctx, `UPDATE verifications SET result_sealed = ? WHERE subject = ?`, first, string(sh.Subject)); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, e.Do(t, "GET", "/api/v1/identity", nil, auth...), 403, "denied", "tampered")
	})
}
