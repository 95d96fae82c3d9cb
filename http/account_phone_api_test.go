package http_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/account"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/mobile"
)

// phoneCode asks for a phone-change code and returns it, read from the phone.
func phoneCode(t *testing.T, e *testenv.Env, auth []string, to, phone, readAt string) string {
	t.Helper()
	body := map[string]string{"to": to}
	if phone != "" {
		body["phone"] = phone
	}
	r := e.Do(t, "POST", "/api/v1/account/phone/codes", body, auth...)
	var sent struct{ Phone string }
	r.JSON(t, &sent)
	if r.Status != 202 || sent.Phone != mobile.Mask(readAt) {
		t.Fatalf("phone code to %s: %d %s", to, r.Status, r.Body)
	}
	return e.SMS.Code(t, readAt)
}

func hasAudit(t *testing.T, e *testenv.Env, subject minimall.SubjectID, decision, reason string) bool {
	t.Helper()
	now := e.Store.Clock.Now()
	entries, err := e.Kernel.AuditFind(context.Background(), subject, now.Add(-time.Hour), now.Add(time.Hour), 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if en.Decision == decision && en.Reason == reason {
			return true
		}
	}
	return false
}

// Changing the bound number (更换绑定手机): a code to the old number and
// one to the new; the index and the sealed number change, every other
// session ends, the change is audited and told on both numbers, and the
// old number is free again. Refusals: a number bound to another account
// (409 without saying whose), wrong codes, bad requests, the rate limit.
func TestAPIPhoneChange(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13855550001", "phone01")
		other := e.Register(t, "13855550002", "phone02")
		otherSession := passwordLogin(t, e, sh)
		auth := testenv.Bearer(sh.Token)
		const newPhone = "13955550001"
		const path = "/api/v1/account/phone"

		t.Run("ErrVisitor", func(t *testing.T) {
			wantProblem(t, e.Do(t, "POST", path+"/codes", map[string]string{"to": "old"}), 401, "unauthorized", "")
			wantProblem(t, e.Do(t, "PUT", path, map[string]string{"new_phone": newPhone}), 401, "unauthorized", "")
		})
		t.Run("ErrBadCodeRequest", func(t *testing.T) {
			wantProblem(t, e.Do(t, "POST", path+"/codes", map[string]string{"to": "sideways"}, auth...), 400, "invalid", "")
			wantProblem(t, e.Do(t, "POST", path+"/codes", map[string]string{"to": "new", "phone": "12"}, auth...), 400, "invalid", "")
			wantProblem(t, e.Do(t, "POST", path+"/codes", map[string]string{"to": "new", "phone": sh.Phone}, auth...), 400, "invalid", "")
		})
		t.Run("ErrNumberTaken", func(t *testing.T) {
			r := e.Do(t, "POST", path+"/codes", map[string]string{"to": "new", "phone": other.Phone}, auth...)
			wantProblem(t, r, 409, "conflict", "")
			if body := string(r.Body); strings.Contains(body, string(other.Subject)) || strings.Contains(body, other.MemberName) {
				t.Fatalf("the refusal says whose number it is: %s", body)
			}
			if e.SMS.Text(t, other.Phone) != "" && strings.Contains(e.SMS.Text(t, other.Phone), "更换绑定手机") {
				t.Fatal("a code went to another account's number")
			}
		})
		oldCode := phoneCode(t, e, auth, "old", "", sh.Phone)
		newCode := phoneCode(t, e, auth, "new", newPhone, newPhone)
		change := func(kv ...string) map[string]any {
			b := map[string]any{"new_phone": newPhone, "new_code": newCode, "old_code": oldCode}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == "" {
					delete(b, kv[i])
				} else {
					b[kv[i]] = kv[i+1]
				}
			}
			return b
		}
		refusals := []struct {
			name   string
			body   map[string]any
			status int
			code   string
		}{
			{"ErrNoOldProof", change("old_code", ""), 400, "invalid"},
			{"ErrTwoOldProofs", change("real_name", "张三", "id_number", residentID("19900101", "123")), 400, "invalid"},
			{"ErrNoNewCode", change("new_code", ""), 400, "invalid"},
			{"ErrWrongNewCode", change("new_code", "000000"), 400, "invalid"},
			{"ErrWrongOldCode", change("old_code", "000000"), 400, "invalid"},
			{"ErrNumberTaken", change("new_phone", other.Phone), 409, "conflict"},
		}
		for _, tt := range refusals {
			t.Run(tt.name, func(t *testing.T) { wantProblem(t, e.Do(t, "PUT", path, tt.body, auth...), tt.status, tt.code, "") })
		}
		t.Run("OK", func(t *testing.T) {
			r := e.Do(t, "PUT", path, change(), auth...)
			var out account.PhoneChanged
			r.JSON(t, &out)
			if r.Status != 200 || out.Phone != mobile.Mask(newPhone) || !out.CodeLogin || out.SessionsEnded != 1 {
				t.Fatalf("change: %d %s", r.Status, r.Body)
			}
			var a account.Account
			e.Do(t, "GET", "/api/v1/account?full=true", nil, auth...).JSON(t, &a)
			if a.Phone != newPhone {
				t.Fatalf("account shows %s", a.Phone)
			}
			wantProblem(t, e.Do(t, "GET", "/api/v1/account", nil, testenv.Bearer(otherSession)...), 401, "unauthorized", "")
			mustStatus(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": newPhone, "password": sh.Password}), 201, "password sign-in with the new number")
			wantProblem(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.Phone, "password": sh.Password}), 401, "unauthorized", "")
			for _, p := range []string{newPhone, sh.Phone} {
				if text := e.SMS.Text(t, p); !strings.Contains(text, mobile.Mask(newPhone)) || !strings.Contains(text, "更换") {
					t.Errorf("%s not told: %q", p, text)
				}
			}
			mustStatus(t, codeLogin(t, e, newPhone), 201, "code sign-in with the new number")
			if n := topicCount(t, e, account.TopicPhoneChanged, sh.Subject); n != 1 {
				t.Fatalf("%d phone_changed events", n)
			}
			if !hasAudit(t, e, sh.Subject, "phone_change", "changed_by_old_code") {
				t.Fatal("the change is not audited")
			}
		})
		t.Run("ErrCodesSpent", func(t *testing.T) {
			wantProblem(t, e.Do(t, "PUT", path, change("new_phone", "13955550009"), auth...), 400, "invalid", "")
		})
		t.Run("OldNumberFree", func(t *testing.T) {
			e.Register(t, sh.Phone, "phone04")
		})
		t.Run("ErrRateLimited", func(t *testing.T) {
			lim := e.Register(t, "13855550005", "phone05")
			la := testenv.Bearer(lim.Token)
			body := map[string]any{"new_phone": "13955550005", "new_code": "000000", "old_code": "000000"}
			for i := 0; i < 5; i++ {
				wantProblem(t, e.Do(t, "PUT", path, body, la...), 400, "invalid", "")
			}
			wantProblem(t, e.Do(t, "PUT", path, body, la...), 429, "too_many", "")
		})
	})
}

// A person whose number changed hands (二次放号) cannot prove it with a
// code; they change it through the recovery path's real-name check, and
// SMS-code sign-in, switched off for the old number, is on for the new.
func TestAPIPhoneChangeAfterRecycling(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "17012340001", "phone11")
		backdateBinding(t, e, sh, "2025-06-01T08:00:00Z")
		wantProblem(t, codeLogin(t, e, sh.Phone), 403, "denied", "")
		auth := testenv.Bearer(sh.Token)
		var pc account.PhoneCheck
		e.Do(t, "GET", "/api/v1/account/phone-check", nil, auth...).JSON(t, &pc)
		if pc.CodeLogin || !pc.Recycled {
			t.Fatalf("before: %+v", pc)
		}
		const newPhone = "13955551001"
		const path = "/api/v1/account/phone"
		t.Run("ErrOldCodeFromRecycledNumber", func(t *testing.T) {
			wantProblem(t, e.Do(t, "POST", path+"/codes", map[string]string{"to": "old"}, auth...), 403, "denied", "")
		})
		newCode := phoneCode(t, e, auth, "new", newPhone, newPhone)
		id := residentID("19900101", "222")
		byName := map[string]any{"new_phone": newPhone, "new_code": newCode, "real_name": "孙八", "id_number": id, "consent_real_name_use": true}
		t.Run("ErrNotRealNameVerified", func(t *testing.T) {
			wantProblem(t, e.Do(t, "PUT", path, byName, auth...), 403, "denied", "")
		})
		mustStatus(t, e.Do(t, "POST", "/api/v1/identity/real-name", map[string]string{"real_name": "孙八", "id_number": id}, auth...), 200, "real name")
		t.Run("ErrNoConsent", func(t *testing.T) {
			b := map[string]any{}
			for k, v := range byName {
				b[k] = v
			}
			delete(b, "consent_real_name_use")
			wantProblem(t, e.Do(t, "PUT", path, b, auth...), 400, "invalid", "")
		})
		t.Run("ErrRealNameMismatch", func(t *testing.T) {
			b := map[string]any{}
			for k, v := range byName {
				b[k] = v
			}
			b["id_number"] = residentID("19900101", "333")
			wantProblem(t, e.Do(t, "PUT", path, b, auth...), 403, "denied", "")
		})
		t.Run("OK", func(t *testing.T) {
			r := e.Do(t, "PUT", path, byName, auth...)
			if r.Status != 200 {
				t.Fatalf("change: %d %s", r.Status, r.Body)
			}
			e.Do(t, "GET", "/api/v1/account/phone-check", nil, auth...).JSON(t, &pc)
			if !pc.CodeLogin || pc.Recycled || time.Since(pc.BoundAt) > time.Hour {
				t.Fatalf("after: %+v", pc)
			}
			mustStatus(t, codeLogin(t, e, newPhone), 201, "code sign-in with the new number")
			if !hasAudit(t, e, sh.Subject, "phone_change", "changed_by_real_name") {
				t.Fatal("the change is not audited")
			}
			// The stranger who now holds the old number is not written to.
			if text := e.SMS.Text(t, sh.Phone); strings.Contains(text, mobile.Mask(newPhone)) {
				t.Fatalf("the recycled number was told: %q", text)
			}
		})
	})
}
