package http_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/partner/sandbox"
	"minimall/privacy"
)

// residentID returns a resident ID number born on birth (YYYYMMDD) with a
// valid GB 11643 check character.
func residentID(birth, seq string) string {
	first := "110101" + birth + seq
	return first + string(sandbox.IDCheckChar(first))
}

// sandboxRequests lists what a sandbox received, read from outside.
func sandboxRequests(t *testing.T, sb *sandbox.Sandbox) []sandbox.Request {
	t.Helper()
	resp, err := http.Get(sb.URL() + "/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []sandbox.Request
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkIdentityRequests: the identity authority received exactly the
// fields the registry lets it receive for each purpose: name, ID number
// and type for a real-name check, the face alone for a face check.
func checkIdentityRequests(t *testing.T, e *testenv.Env) {
	t.Helper()
	want := map[privacy.Purpose]string{
		privacy.ForIdentityCheck:    "verification.id_number,verification.id_type,verification.real_name",
		privacy.ForFaceVerification: "verification.face",
	}
	for _, q := range sandboxRequests(t, e.Sandbox.Identity) {
		var got []string
		for f := range q.Fields {
			spec, ok := privacy.Spec(f)
			if !ok || !spec.MayReceive(privacy.PartnerIdentity, q.Purpose) {
				t.Errorf("identity authority got %s for %s", f, q.Purpose)
			}
			got = append(got, string(f))
		}
		if joined := strings.Join(sortStrings(got), ","); joined != want[q.Purpose] || q.Rejected != "" {
			t.Errorf("identity authority got fields %s for %s (rejected %q)", joined, q.Purpose, q.Rejected)
		}
	}
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func wantProblem(t *testing.T, r *testenv.Response, status int, code, reason string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("got %d %s; want %d", r.Status, r.Body, status)
	}
	p := r.Problem(t)
	if p.Code != code || (reason != "" && p.Reason != reason) {
		t.Fatalf("got %s/%s %s; want %s/%s", p.Code, p.Reason, r.Body, code, reason)
	}
}

type identityStatus struct {
	RealNameVerified bool   `json:"real_name_verified"`
	RealName         string `json:"real_name"`
	IDNumber         string `json:"id_number"`
	FaceVerified     bool   `json:"face_verified"`
	PaymentVerified  *bool  `json:"payment_real_name_verified"`
	Minor            string `json:"minor"`
	GuardianToken    string `json:"guardian_token"`
}

// Real-name verification (二(一)3) through the identity authority sandbox;
// the result and evidence are kept sealed and only for that purpose.
func TestAPIRealNameVerification(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13811110001", "realname01")
		auth := testenv.Bearer(sh.Token)
		id := residentID("19900307", "123")
		path := "/api/v1/identity/real-name"

		t.Run("ErrVisitor", func(t *testing.T) {
			wantProblem(t, e.Do(t, "POST", path, map[string]string{"real_name": "张三", "id_number": id}), 401, "unauthorized", "")
		})
		t.Run("ErrMalformed", func(t *testing.T) {
			wantProblem(t, e.Do(t, "POST", path, map[string]string{"real_name": "张三", "id_number": "1234"}, auth...), 400, "invalid", "")
			wantProblem(t, e.Do(t, "POST", path, map[string]string{"real_name": "张三", "id_number": id, "id_type": "library_card"}, auth...), 400, "invalid", "")
			wantProblem(t, e.Do(t, "POST", path, map[string]string{"real_name": "<b>", "id_number": id}, auth...), 400, "invalid", "")
		})
		t.Run("ErrMismatch", func(t *testing.T) {
			wrong := id[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", id[17])+1)%11])
			wantProblem(t, e.Do(t, "POST", path, map[string]string{"real_name": "张三", "id_number": wrong}, auth...), 400, "invalid", "")
			var s identityStatus
			e.Do(t, "GET", "/api/v1/identity", nil, auth...).JSON(t, &s)
			if s.RealNameVerified {
				t.Fatal("a mismatch was kept as verified")
			}
		})
		t.Run("OK", func(t *testing.T) {
			r := e.Do(t, "POST", path, map[string]string{"real_name": "张三", "id_number": id}, auth...)
			var s identityStatus
			r.JSON(t, &s)
			if r.Status != 200 || !s.RealNameVerified || s.RealName != "张*" || s.Minor != "" || s.GuardianToken != "" {
				t.Fatalf("verify: %d %s", r.Status, r.Body)
			}
			body := string(e.Do(t, "GET", "/api/v1/identity", nil, auth...).Body)
			if strings.Contains(body, id) || strings.Contains(body, "张三") || strings.Contains(body, "1990-03-07") {
				t.Fatalf("status shows the ID number, name or birth date in full: %s", body)
			}
		})
		t.Run("ErrAlreadyVerified", func(t *testing.T) {
			wantProblem(t, e.Do(t, "POST", path, map[string]string{"real_name": "张三", "id_number": id}, auth...), 409, "conflict", "")
		})
		t.Run("GuardRefusesOtherPurposes", func(t *testing.T) {
			ctx := context.Background()
			var name, idn, res []byte
			if err := st.DB.QueryRowContext(ctx, `SELECT real_name_sealed, id_number_sealed, result_sealed FROM verifications WHERE subject = ?`,
				string(sh.Subject)).Scan(&name, &idn, &res); err != nil {
				t.Fatal(err)
			}
			g, self, row := e.Kernel.Guard(), minimall.ShopperActor(sh.Subject), string(sh.Subject)
			if v, err := g.OpenString(ctx, self, sh.Subject, privacy.IDNumber, privacy.ForIdentityCheck, row, idn); err != nil || v != id {
				t.Fatalf("open for identity_check: %v", err)
			}
			refusals := []struct {
				f      privacy.Field
				p      privacy.Purpose
				sealed []byte
				reason privacy.Reason
			}{
				{privacy.RealName, privacy.ForMarketing, name, privacy.PurposeNotAllowed},
				{privacy.IDNumber, privacy.ForRecommendation, idn, privacy.PurposeNotAllowed},
				{privacy.IDNumber, privacy.ForAccount, idn, privacy.PurposeNotAllowed},
				{privacy.VerificationResult, privacy.ForAccount, res, privacy.PurposeNotAllowed},
				{privacy.VerificationResult, privacy.ForSecurity, res, privacy.PurposeNotAllowed},
				// Account recovery needs the person's separate consent first.
				{privacy.RealName, privacy.ForAccountRecovery, name, privacy.ConsentMissing},
			}
			for _, c := range refusals {
				_, err := g.Open(ctx, minimall.SystemActor("test"), sh.Subject, c.f, c.p, row, c.sealed)
				var d *privacy.Denied
				if !errors.As(err, &d) || d.Reason != c.reason {
					t.Errorf("open %s for %s: %v; want %s", c.f, c.p, err, c.reason)
				}
			}
		})
		t.Run("PaymentRealNameStatus", func(t *testing.T) {
			ref, err := e.Kernel.Pseudonym(context.Background(), sh.Subject, "partner:payment")
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.Post(e.Sandbox.Payment.URL()+"/payment/realname-status/set", "application/json",
				strings.NewReader(`{"partner_ref":"`+ref+`","verified":true}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var s identityStatus
			r := e.Do(t, "POST", "/api/v1/identity/payment-real-name", nil, auth...)
			r.JSON(t, &s)
			if r.Status != 200 || s.PaymentVerified == nil || !*s.PaymentVerified {
				t.Fatalf("payment status: %d %s", r.Status, r.Body)
			}
			for _, q := range sandboxRequests(t, e.Sandbox.Payment) {
				if q.Operation == "payment/realname-status" && (len(q.Fields) != 0 || q.Purpose != privacy.ForIdentityCheck || q.PartnerRef != ref) {
					t.Errorf("payment institution got %+v", q)
				}
			}
			wantProblem(t, e.Do(t, "POST", "/api/v1/identity/payment-real-name", nil), 401, "unauthorized", "")
		})
		checkIdentityRequests(t, e)
	})
}

// Real-person (face) verification: sensitive, separate consent first, after
// a real-name check, to the identity authority alone, never stored.
func TestAPIFaceVerification(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13811110002", "face01")
		auth := testenv.Bearer(sh.Token)
		id := residentID("19880512", "456")
		face := func(v string) *testenv.Response {
			return e.Do(t, "POST", "/api/v1/identity/face", map[string]string{"face": v}, auth...)
		}
		consent := func(action string) {
			if r := e.Do(t, "POST", "/api/v1/consents", map[string]string{"feature": "face_verification", "action": action}, auth...); r.Status != 201 {
				t.Fatalf("%s face consent: %d %s", action, r.Status, r.Body)
			}
		}

		wantProblem(t, face("face-of-"+id), 403, "denied", "consent_missing")
		for _, q := range sandboxRequests(t, e.Sandbox.Identity) {
			if q.Purpose == privacy.ForFaceVerification {
				t.Fatal("a face went to the authority without separate consent")
			}
		}
		consent("grant")
		wantProblem(t, face("face-of-"+id), 409, "conflict", "")
		if r := e.Do(t, "POST", "/api/v1/identity/real-name", map[string]string{"real_name": "李四", "id_number": id}, auth...); r.Status != 200 {
			t.Fatalf("real name: %d %s", r.Status, r.Body)
		}
		wantProblem(t, face(""), 400, "invalid", "")
		wantProblem(t, face("face-of-someone-else"), 400, "invalid", "")
		r := face("face-of-" + id)
		var s identityStatus
		r.JSON(t, &s)
		if r.Status != 200 || !s.FaceVerified {
			t.Fatalf("face: %d %s", r.Status, r.Body)
		}
		var stored []byte
		if err := st.DB.QueryRowContext(context.Background(), `SELECT face_sealed FROM verifications WHERE subject = ?`, string(sh.Subject)).Scan(&stored); err != nil || stored != nil {
			t.Fatalf("face data stored: %v %d bytes", err, len(stored))
		}
		consent("withdraw")
		wantProblem(t, face("face-of-"+id), 403, "denied", "consent_withdrawn")
		checkIdentityRequests(t, e)
	})
}

type guardianForm map[string]any

// guardianConsent sends a code to the guardian's phone and returns the
// consent request the guardian would fill in.
func guardianConsent(t *testing.T, e *testenv.Env, token, phone, name, id string) guardianForm {
	t.Helper()
	if r := e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": phone, "purpose": "guardian"}); r.Status != 202 {
		t.Fatalf("guardian code: %d %s", r.Status, r.Body)
	}
	return guardianForm{"guardian_token": token, "guardian_phone": phone, "code": e.SMS.Code(t, phone), "guardian_real_name": name,
		"guardian_id_number": id, "accept_policy_version": e.Kernel.PolicyVersion(), "agree": true}
}

func (f guardianForm) with(kv ...any) guardianForm {
	g := guardianForm{}
	for k, v := range f {
		g[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		g[kv[i].(string)] = kv[i+1]
	}
	return g
}

// A child who states "I am under 14" (七) is held: no sign-in, no
// recovery, until a verified guardian consents; the consent is a guardian
// consent in the ledger, and the child's data is sensitive from then on.
func TestAPIMinorRegistration(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		const childPhone, guardianPhone = "13822220001", "13922220001"
		e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": childPhone, "purpose": "register"})
		r := e.Do(t, "POST", "/api/v1/accounts", map[string]any{"phone": childPhone, "code": e.SMS.Code(t, childPhone), "member_name": "kid01",
			"password": "secret-pass1", "accept_policy_version": e.Kernel.PolicyVersion(), "under_14": true})
		var held struct {
			ID            minimall.SubjectID `json:"id"`
			Status        string             `json:"status"`
			GuardianToken string             `json:"guardian_token"`
		}
		r.JSON(t, &held)
		if r.Status != 201 || held.Status != "pending_guardian" || !strings.HasPrefix(held.GuardianToken, "gt_") {
			t.Fatalf("held registration: %d %s", r.Status, r.Body)
		}
		if e.Kernel.Minor(held.ID) != privacy.MinorPending {
			t.Fatal("the kernel does not know the child")
		}
		t.Run("ErrCannotSignIn", func(t *testing.T) {
			for _, login := range []string{"kid01", childPhone} {
				wantProblem(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": login, "password": "secret-pass1"}), 401, "unauthorized", "")
			}
		})
		t.Run("ErrNothingMoreCollected", func(t *testing.T) {
			ctx := context.Background()
			for _, f := range []privacy.Field{privacy.Nickname, privacy.DeviceID, privacy.ContactEmail} {
				_, err := e.Kernel.Guard().Seal(ctx, held.ID, f, string(held.ID), []byte("x"))
				var d *privacy.Denied
				if !errors.As(err, &d) || d.Reason != privacy.GuardianConsentMissing {
					t.Errorf("seal %s for a held child: %v", f, err)
				}
			}
		})
		form := guardianConsent(t, e, held.GuardianToken, guardianPhone, "王五", residentID("19850101", "789"))
		refusals := []struct {
			name         string
			body         guardianForm
			status       int
			code, reason string
		}{
			{"ErrUnknownToken", form.with("guardian_token", "gt_nosuchtoken"), 404, "not_found", ""},
			{"ErrNotAgreed", form.with("agree", false), 400, "invalid", ""},
			{"ErrOldPolicy", form.with("accept_policy_version", 0), 409, "conflict", ""},
			{"ErrWrongCode", form.with("code", "000000"), 400, "invalid", ""},
			{"ErrGuardianMismatch", form.with("guardian_id_number", "110101198501017890"), 400, "invalid", ""},
			{"ErrGuardianMinor", form.with("guardian_id_number", residentID("20100101", "789")), 403, "denied", ""},
			{"ErrMalformed", form.with("guardian_phone", "12"), 400, "invalid", ""},
		}
		for _, tt := range refusals {
			t.Run(tt.name, func(t *testing.T) {
				wantProblem(t, e.Do(t, "POST", "/api/v1/guardian-consents", tt.body), tt.status, tt.code, tt.reason)
			})
		}
		t.Run("OK", func(t *testing.T) {
			r := e.Do(t, "POST", "/api/v1/guardian-consents", form)
			if r.Status != 201 || !strings.Contains(string(r.Body), `"minor":"consented"`) {
				t.Fatalf("guardian consent: %d %s", r.Status, r.Body)
			}
			wantProblem(t, e.Do(t, "POST", "/api/v1/guardian-consents", form), 404, "not_found", "")
		})
		r = e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": "kid01", "password": "secret-pass1"})
		if r.Status != 201 {
			t.Fatalf("child signs in after consent: %d %s", r.Status, r.Body)
		}
		var sess struct{ Token string }
		r.JSON(t, &sess)
		auth := testenv.Bearer(sess.Token)
		t.Run("GuardianConsentInLedger", func(t *testing.T) {
			var list struct {
				History []privacy.ConsentRecord
			}
			e.Do(t, "GET", "/api/v1/consents", nil, auth...).JSON(t, &list)
			found := false
			for _, c := range list.History {
				found = found || (c.Scope == privacy.FeatureScope(privacy.FeatMinor) && c.Kind == privacy.Guardian && c.Action == privacy.Grant)
			}
			if !found {
				t.Fatalf("no guardian consent in %+v", list.History)
			}
		})
		t.Run("SensitiveFromNowOn", func(t *testing.T) {
			// A general consent (as the profile form gives) is not enough for a child.
			wantProblem(t, e.Do(t, "PATCH", "/api/v1/account/profile", map[string]string{"nickname": "小明"}, auth...), 403, "denied", "guardian_consent_missing")
			if r := e.Do(t, "GET", "/api/v1/account", nil, auth...); r.Status != 200 || !strings.Contains(string(r.Body), `"status":"active"`) {
				t.Fatalf("account: %d %s", r.Status, r.Body)
			}
		})
		t.Run("GuardianNotLinkedToChild", func(t *testing.T) {
			childRef, _ := e.Kernel.Pseudonym(context.Background(), held.ID, "partner:identity")
			for _, q := range sandboxRequests(t, e.Sandbox.Identity) {
				if q.PartnerRef == childRef {
					t.Fatal("the guardian was checked under the child's ref")
				}
			}
			for _, q := range sandboxRequests(t, e.Sandbox.SMS) {
				if q.Fields[privacy.AccountPhone] == guardianPhone && q.Purpose != privacy.ForLogin {
					t.Fatalf("guardian SMS: %+v", q)
				}
			}
		})
		checkIdentityRequests(t, e)
	})
}

// A real-name check that reveals a child under 14 holds the account: no
// more data is collected until a guardian consents.
func TestAPIMinorFoundByRealName(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13833330001", "kid02")
		auth := testenv.Bearer(sh.Token)
		birth := st.Clock.Now().AddDate(-10, 0, 0).Format("20060102")
		r := e.Do(t, "POST", "/api/v1/identity/real-name", map[string]string{"real_name": "赵小六", "id_number": residentID(birth, "321")}, auth...)
		var s identityStatus
		r.JSON(t, &s)
		if r.Status != 200 || s.Minor != "pending" || s.GuardianToken == "" {
			t.Fatalf("child's real-name check: %d %s", r.Status, r.Body)
		}
		device := map[string]string{"device_id": "android-kid02"}
		wantProblem(t, e.Do(t, "PATCH", "/api/v1/account/profile", map[string]string{"nickname": "六六"}, auth...), 403, "denied", "guardian_consent_missing")
		wantProblem(t, e.Do(t, "POST", "/api/v1/security/devices", device, auth...), 403, "denied", "guardian_consent_missing")

		form := guardianConsent(t, e, s.GuardianToken, "13933330001", "赵大", residentID("19800202", "654"))
		if r := e.Do(t, "POST", "/api/v1/guardian-consents", form); r.Status != 201 {
			t.Fatalf("guardian consent: %d %s", r.Status, r.Body)
		}
		// What rests on a legal duty resumes; what rests on consent needs more than a general one.
		if r := e.Do(t, "POST", "/api/v1/security/devices", device, auth...); r.Status != 201 {
			t.Fatalf("device after consent: %d %s", r.Status, r.Body)
		}
		wantProblem(t, e.Do(t, "PATCH", "/api/v1/account/profile", map[string]string{"nickname": "六六"}, auth...), 403, "denied", "guardian_consent_missing")
		e.Do(t, "GET", "/api/v1/identity", nil, auth...).JSON(t, &s)
		if s.Minor != "consented" {
			t.Fatalf("status %+v", s)
		}
		// An adult's check starts nothing.
		adult := e.Register(t, "13833330002", "adult02")
		r = e.Do(t, "POST", "/api/v1/identity/real-name", map[string]string{"real_name": "钱七", "id_number": residentID(st.Clock.Now().AddDate(-14, 0, -1).Format("20060102"), "111")}, testenv.Bearer(adult.Token)...)
		if r.Status != 200 || strings.Contains(string(r.Body), "guardian_token") || e.Kernel.Minor(adult.Subject) != privacy.NotMinor {
			t.Fatalf("14 years and a day: %d %s", r.Status, r.Body)
		}
	})
}

// Account recovery (二(一)3 找回账号/密码): an SMS code to the account's
// phone and, where the account is real-name verified, the real name and ID
// number; all sessions end; refusals never tell whether an account exists.
func TestAPIAccountRecovery(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		recoverCode := func(phone string) string {
			if r := e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": phone, "purpose": "recover"}); r.Status != 202 {
				t.Fatalf("recover code: %d %s", r.Status, r.Body)
			}
			return e.SMS.Code(t, phone)
		}
		recoverWith := func(phone string, kv ...any) *testenv.Response {
			m := map[string]any{"phone": phone, "new_password": "brand-new-pass2"}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return e.Do(t, "POST", "/api/v1/account-recovery", m)
		}
		sh := e.Register(t, "13844440001", "forgetful01")

		t.Run("ErrUnknownAccount", func(t *testing.T) {
			// Same answer as a real-name mismatch: nothing says whether the number has an account.
			wantProblem(t, recoverWith("13844449999", "code", recoverCode("13844449999")), 401, "unauthorized", "")
		})
		t.Run("ErrWrongCode", func(t *testing.T) {
			recoverCode(sh.Phone)
			wantProblem(t, recoverWith(sh.Phone, "code", "000000"), 400, "invalid", "")
		})
		t.Run("ErrWeakPassword", func(t *testing.T) {
			wantProblem(t, recoverWith(sh.Phone, "code", recoverCode(sh.Phone), "new_password", "short"), 400, "invalid", "")
		})
		t.Run("OK", func(t *testing.T) {
			if r := recoverWith(sh.Phone, "code", recoverCode(sh.Phone)); r.Status != 204 {
				t.Fatalf("recover: %d %s", r.Status, r.Body)
			}
			wantProblem(t, e.Do(t, "GET", "/api/v1/account", nil, testenv.Bearer(sh.Token)...), 401, "unauthorized", "")
			wantProblem(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": sh.Password}), 401, "unauthorized", "")
			if r := e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": "brand-new-pass2"}); r.Status != 201 {
				t.Fatalf("new password: %d %s", r.Status, r.Body)
			}
		})

		v := e.Register(t, "13844440002", "verified01")
		id := residentID("19791231", "246")
		if r := e.Do(t, "POST", "/api/v1/identity/real-name", map[string]string{"real_name": "孙八", "id_number": id}, testenv.Bearer(v.Token)...); r.Status != 200 {
			t.Fatalf("real name: %d %s", r.Status, r.Body)
		}
		since := st.Clock.Now().Add(-time.Minute)
		t.Run("ErrRealNameMissing", func(t *testing.T) {
			wantProblem(t, recoverWith(v.Phone, "code", recoverCode(v.Phone)), 401, "unauthorized", "")
		})
		t.Run("ErrNoConsent", func(t *testing.T) {
			wantProblem(t, recoverWith(v.Phone, "code", recoverCode(v.Phone), "real_name", "孙八", "id_number", id), 400, "invalid", "")
		})
		t.Run("ErrMismatch", func(t *testing.T) {
			wantProblem(t, recoverWith(v.Phone, "code", recoverCode(v.Phone), "real_name", "孙九", "id_number", id, "consent_real_name_use", true), 401, "unauthorized", "")
		})
		t.Run("OKWithRealName", func(t *testing.T) {
			r := recoverWith(v.Phone, "code", recoverCode(v.Phone), "real_name", "孙八", "id_number", strings.ToLower(id), "consent_real_name_use", true)
			if r.Status != 204 {
				t.Fatalf("recover: %d %s", r.Status, r.Body)
			}
			wantProblem(t, e.Do(t, "GET", "/api/v1/account", nil, testenv.Bearer(v.Token)...), 401, "unauthorized", "")
		})
		t.Run("EachUseAudited", func(t *testing.T) {
			ctx := context.Background()
			if err := e.Kernel.AuditFlush(ctx); err != nil {
				t.Fatal(err)
			}
			entries, err := e.Kernel.AuditFind(ctx, v.Subject, since, st.Clock.Now().Add(time.Minute), 1000)
			if err != nil {
				t.Fatal(err)
			}
			opened, outcomes := map[string]int{}, map[string]int{}
			for _, en := range entries {
				if en.Purpose == string(privacy.ForAccountRecovery) && en.Decision == privacy.DecisionAllow {
					opened[en.Field]++
					if en.Ref == "" {
						t.Errorf("recovery opening without a request id: %+v", en)
					}
				}
				if en.Decision == "recover" {
					outcomes[en.Reason]++
				}
			}
			// Two recoveries with real-name data (a mismatch and a match), each opening both fields.
			if opened[string(privacy.RealName)] != 2 || opened[string(privacy.IDNumber)] != 2 || outcomes["recovered"] != 1 || outcomes["real_name_mismatch"] != 2 {
				t.Fatalf("audit: opened %v outcomes %v", opened, outcomes)
			}
		})
		t.Run("ErrTooMany", func(t *testing.T) {
			const phone = "13844440003"
			var r *testenv.Response
			for range 6 {
				r = recoverWith(phone, "code", "123456")
			}
			wantProblem(t, r, 429, "too_many", "")
		})
	})
}
