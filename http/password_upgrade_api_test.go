package http_test

import (
	"context"
	"strings"
	"testing"

	"minimall/account"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// TestAPIPasswordHashUpgradedAtSignIn (五(三), hardening): a password
// stored at a lower cost than the platform now uses (an account from before
// a cost rise, or seeded cheaply) is hashed again at the current cost the
// next time the person signs in with it, and the new hash still signs them
// in; a wrong password changes nothing.
func TestAPIPasswordHashUpgradedAtSignIn(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		cheap := testenv.Start(t, st) // 64 KiB, one pass
		sh := cheap.Register(t, "13877791001", "upgrade_me")
		stored := func() string {
			t.Helper()
			var h string
			if err := st.DB.QueryRowContext(ctx, `SELECT password_hash FROM accounts WHERE subject = ?`, string(sh.Subject)).Scan(&h); err != nil {
				t.Fatal(err)
			}
			return h
		}
		if h := stored(); !strings.Contains(h, "m=64,t=1") {
			t.Fatalf("registered at %s", h)
		}
		// The platform's cost rises: another node runs with more.
		dear := testenv.StartWith(t, st, func(c *account.Config) { c.PasswordMemoryKiB, c.PasswordTime = 256, 2 })
		wantStatus(t, dear.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": "not-the-password-1"}), 401, "wrong password")
		if h := stored(); !strings.Contains(h, "m=64,t=1") {
			t.Fatalf("a wrong password changed the hash to %s", h)
		}
		wantStatus(t, dear.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": sh.Password}), 201, "sign in")
		if h := stored(); !strings.Contains(h, "m=256,t=2") {
			t.Fatalf("after sign-in the hash is still %s", h)
		}
		wantStatus(t, dear.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": sh.Password}), 201, "sign in with the new hash")
	})
}
