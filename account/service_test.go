package account_test

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"minimall"
	"minimall/account"
	"minimall/internal/testkit"
	"minimall/mobile"
	"minimall/privacy"
)

// smsOutbox stands in for the SMS partner: it keeps what would be sent.
type smsOutbox struct {
	mu   sync.Mutex
	sent map[string]string // phone → last text
}

func (o *smsOutbox) SendSMS(ctx context.Context, s minimall.SubjectID, phone, text string, _ privacy.Purpose, requestID string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.sent == nil {
		o.sent = map[string]string{}
	}
	o.sent[phone] = text
	return nil
}

var codePattern = regexp.MustCompile(`\d{6}`)

func (o *smsOutbox) code(tb testing.TB, phone string) string {
	tb.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	c := codePattern.FindString(o.sent[phone])
	if c == "" {
		tb.Fatalf("no code sent to %s", phone)
	}
	return c
}

type env struct {
	st  *testkit.Store
	k   *privacy.Kernel
	svc *account.Service
	sms *smsOutbox
}

func newEnv(tb testing.TB, st *testkit.Store) *env {
	tb.Helper()
	k, err := privacy.Open(context.Background(), privacy.Config{Data: st.DB, Keys: st.KeysDB, KeysDir: st.KeysDir, Clock: st.Clock, Chain: "test"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { k.Close() })
	cfg := account.DefaultConfig()
	cfg.PasswordMemoryKiB, cfg.PasswordTime = 64, 1 // cheap hashing in tests; production cost is benchmarked
	cfg.CodeCooldown = 0
	sms := &smsOutbox{}
	return &env{st: st, k: k, svc: account.NewService(st.DB, k, cfg, account.Deps{SMS: sms}), sms: sms}
}

func (e *env) register(tb testing.TB, phone, name, password string) *account.Account {
	tb.Helper()
	ctx := context.Background()
	if _, err := e.svc.SendCode(ctx, account.CodeRequest{Phone: phone, Purpose: account.CodeRegister}, "c1", "r1"); err != nil {
		tb.Fatal(err)
	}
	normal, _ := mobile.Normalize(phone)
	a, err := e.svc.Register(ctx, account.RegisterRequest{Phone: phone, Code: e.sms.code(tb, normal), MemberName: name, Password: password, AcceptPolicyVersion: e.k.PolicyVersion()}, "r2")
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func TestRegister(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		a := e.register(t, "138 0013 8000", "小明_shop", "secret-pass1")
		if a.Phone != "138****8000" || a.MemberName != "小明_shop" || a.Level != 1 {
			t.Fatalf("account %+v", a)
		}
		// Acceptance of the policy is in the consent ledger, with its version.
		state, rec, err := e.k.Consents.State(ctx, a.Subject, privacy.PolicyScope)
		if err != nil || state != privacy.Granted || rec.PolicyVersion != e.k.PolicyVersion() {
			t.Fatalf("policy acceptance: %v %+v %v", state, rec, err)
		}
		got, err := e.svc.Get(ctx, minimall.ShopperActor(a.Subject), true)
		if err != nil || got.Phone != "13800138000" {
			t.Fatalf("own account in full: %+v %v", got, err)
		}
		if _, err := e.svc.Get(ctx, minimall.Actor{}, false); minimall.ErrorCode(err) != minimall.Unauthorized {
			t.Fatalf("visitor: %v", err)
		}

		send := func(phone string) string {
			if _, err := e.svc.SendCode(ctx, account.CodeRequest{Phone: phone, Purpose: account.CodeRegister}, "c1", "r"); err != nil {
				t.Fatal(err)
			}
			return e.sms.code(t, phone)
		}
		reg := func(r account.RegisterRequest) error {
			if r.AcceptPolicyVersion == 0 {
				r.AcceptPolicyVersion = e.k.PolicyVersion()
			}
			_, err := e.svc.Register(ctx, r, "r")
			return err
		}
		tests := []struct {
			name string
			req  func() account.RegisterRequest
			code minimall.Code
		}{
			{"ErrMalformedPhone", func() account.RegisterRequest {
				return account.RegisterRequest{Phone: "12345", Code: "000000", MemberName: "abc", Password: "secret-pass1"}
			}, minimall.Invalid},
			{"ErrWeakPassword", func() account.RegisterRequest {
				return account.RegisterRequest{Phone: "13900000001", Code: send("13900000001"), MemberName: "weakling", Password: "12345678"}
			}, minimall.Invalid},
			{"ErrPasswordHoldsPhone", func() account.RegisterRequest {
				return account.RegisterRequest{Phone: "13900000002", Code: send("13900000002"), MemberName: "ph", Password: "x13900000002"}
			}, minimall.Invalid},
			{"ErrNameOnlyDigits", func() account.RegisterRequest {
				return account.RegisterRequest{Phone: "13900000003", Code: "1", MemberName: "123456", Password: "secret-pass1"}
			}, minimall.Invalid},
			{"ErrWrongCode", func() account.RegisterRequest {
				send("13900000004")
				return account.RegisterRequest{Phone: "13900000004", Code: "999999x", MemberName: "wrongcode", Password: "secret-pass1"}
			}, minimall.Invalid},
			{"ErrNameTaken", func() account.RegisterRequest {
				return account.RegisterRequest{Phone: "13900000005", Code: send("13900000005"), MemberName: "小明_SHOP", Password: "secret-pass1"}
			}, minimall.Conflict},
			{"ErrPhoneTaken", func() account.RegisterRequest {
				return account.RegisterRequest{Phone: "13800138000", Code: send("13800138000"), MemberName: "other", Password: "secret-pass1"}
			}, minimall.Conflict},
			{"ErrOldPolicyVersion", func() account.RegisterRequest {
				return account.RegisterRequest{Phone: "13900000006", Code: send("13900000006"), MemberName: "old", Password: "secret-pass1", AcceptPolicyVersion: 99}
			}, minimall.Conflict},
			// PIPL art. 31: a child under 14 stops here until a guardian consents.
			{"ErrUnder14", func() account.RegisterRequest {
				return account.RegisterRequest{Phone: "13900000007", Code: send("13900000007"), MemberName: "kid", Password: "secret-pass1", Under14: true}
			}, minimall.Denied},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := reg(tt.req()); minimall.ErrorCode(err) != tt.code {
					t.Fatalf("error %v, want %v", err, tt.code)
				}
			})
		}
		t.Run("ErrExpiredCode", func(t *testing.T) {
			code := send("13900000008")
			st.Clock.Advance(6 * time.Minute)
			if err := reg(account.RegisterRequest{Phone: "13900000008", Code: code, MemberName: "late", Password: "secret-pass1"}); minimall.ErrorCode(err) != minimall.Invalid {
				t.Fatalf("expired code: %v", err)
			}
		})
		t.Run("ErrCodeSpentAfterTooManyTries", func(t *testing.T) {
			code := send("13900000009")
			for range 5 {
				reg(account.RegisterRequest{Phone: "13900000009", Code: "000000", MemberName: "guess", Password: "secret-pass1"})
			}
			if err := reg(account.RegisterRequest{Phone: "13900000009", Code: code, MemberName: "guess", Password: "secret-pass1"}); minimall.ErrorCode(err) != minimall.Invalid {
				t.Fatalf("right code after five wrong ones: %v", err)
			}
		})
		t.Run("ErrCodeReused", func(t *testing.T) {
			code := send("13900000010")
			if err := reg(account.RegisterRequest{Phone: "13900000010", Code: code, MemberName: "once", Password: "secret-pass1"}); err != nil {
				t.Fatal(err)
			}
			if err := reg(account.RegisterRequest{Phone: "13900000010", Code: code, MemberName: "twice", Password: "secret-pass1"}); minimall.ErrorCode(err) != minimall.Invalid {
				t.Fatalf("code used twice: %v", err)
			}
		})
	})
}

func TestCodeLimits(t *testing.T) {
	st := testkit.MustOpenSQLite(t)
	e := newEnv(t, st)
	ctx := context.Background()
	for i := range 6 {
		_, err := e.svc.SendCode(ctx, account.CodeRequest{Phone: "13700000000", Purpose: account.CodeLogin}, "c1", "r")
		if i < 5 && err != nil {
			t.Fatalf("code %d: %v", i, err)
		}
		if i == 5 && minimall.ErrorCode(err) != minimall.TooMany {
			t.Fatalf("sixth code in an hour: %v", err)
		}
	}
	if _, err := e.svc.SendCode(ctx, account.CodeRequest{Phone: "13700000000", Purpose: "spy"}, "c1", "r"); minimall.ErrorCode(err) != minimall.Invalid {
		t.Fatalf("bad purpose: %v", err)
	}
}

func TestLoginAndSessions(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		a := e.register(t, "13600000000", "buyer01", "secret-pass1")

		byName, err := e.svc.Login(ctx, account.LoginRequest{Login: "BUYER01", Password: "secret-pass1"}, "c1")
		if err != nil {
			t.Fatal(err)
		}
		byPhone, err := e.svc.Login(ctx, account.LoginRequest{Login: "13600000000", Password: "secret-pass1", Kind: account.SessionWeb}, "c1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SendCode(ctx, account.CodeRequest{Phone: "13600000000", Purpose: account.CodeLogin}, "c1", "r"); err != nil {
			t.Fatal(err)
		}
		byCode, err := e.svc.Login(ctx, account.LoginRequest{Phone: "13600000000", Code: e.sms.code(t, "13600000000")}, "c1")
		if err != nil {
			t.Fatal(err)
		}
		actor, err := e.svc.Authenticate(ctx, byName.Token)
		if err != nil || actor.Subject != a.Subject || actor.Kind != minimall.Shopper {
			t.Fatalf("authenticate: %+v %v", actor, err)
		}
		list, err := e.svc.Sessions(ctx, actor)
		if err != nil || len(list) != 3 {
			t.Fatalf("sessions: %d %v", len(list), err)
		}
		// Revocation takes effect at once, although the session was cached.
		if err := e.svc.Revoke(ctx, actor, byPhone.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(ctx, byPhone.Token); minimall.ErrorCode(err) != minimall.Unauthorized {
			t.Fatalf("revoked session still works: %v", err)
		}
		if _, err := e.svc.Authenticate(ctx, byCode.Token); err != nil {
			t.Fatalf("other session stopped: %v", err)
		}
		t.Run("ErrRevokeOthersSession", func(t *testing.T) {
			b := e.register(t, "13600000001", "buyer02", "secret-pass1")
			if err := e.svc.Revoke(ctx, minimall.ShopperActor(b.Subject), byName.ID); minimall.ErrorCode(err) != minimall.NotFound {
				t.Fatalf("revoking someone else's session: %v", err)
			}
		})
		t.Run("ErrExpired", func(t *testing.T) {
			st.Clock.Advance(31 * 24 * time.Hour)
			if _, err := e.svc.Authenticate(ctx, byName.Token); minimall.ErrorCode(err) != minimall.Unauthorized {
				t.Fatalf("expired session: %v", err)
			}
		})
		t.Run("ErrUnknownAccountSameAnswer", func(t *testing.T) {
			_, err1 := e.svc.Login(ctx, account.LoginRequest{Login: "nobody", Password: "secret-pass1"}, "c2")
			_, err2 := e.svc.Login(ctx, account.LoginRequest{Login: "buyer01", Password: "wrong-pass1"}, "c2")
			if minimall.ErrorCode(err1) != minimall.Unauthorized || minimall.ErrorMessage(err1) != minimall.ErrorMessage(err2) {
				t.Fatalf("unknown account %v vs wrong password %v", err1, err2)
			}
		})
		t.Run("ThrottledAfterGuessing", func(t *testing.T) {
			for range 5 {
				e.svc.Login(ctx, account.LoginRequest{Login: "buyer01", Password: "wrong-pass1"}, "c3")
			}
			_, err := e.svc.Login(ctx, account.LoginRequest{Login: "buyer01", Password: "secret-pass1"}, "c3")
			if minimall.ErrorCode(err) != minimall.TooMany || minimall.RetryAfter(err) != 30*time.Second {
				t.Fatalf("right password while this client waits: %v", err)
			}
			if _, err := e.svc.Login(ctx, account.LoginRequest{Login: "buyer01", Password: "secret-pass1"}, "c5"); err != nil {
				t.Fatalf("another client is held back too: %v", err)
			}
		})
		t.Run("ErrClientRateLimit", func(t *testing.T) {
			var err error
			for range 21 {
				_, err = e.svc.Login(ctx, account.LoginRequest{Login: "nobody", Password: "x"}, "c4")
			}
			if minimall.ErrorCode(err) != minimall.TooMany {
				t.Fatalf("21st attempt in a minute: %v", err)
			}
		})
	})
}
