package account_test

import (
	"context"
	"testing"

	"minimall/account"
	"minimall/internal/testkit"
)

// BenchmarkSessionCheck is the per-request cost of checking a session
// token on a warm cache: go test -run '^$' -bench SessionCheck -benchmem ./account/
func BenchmarkSessionCheck(b *testing.B) {
	st := testkit.MustOpenSQLite(b)
	e := newEnv(b, st)
	e.register(b, "13500000000", "bench01", "secret-pass1")
	ctx := context.Background()
	sess, err := e.svc.Login(ctx, account.LoginRequest{Login: "bench01", Password: "secret-pass1"}, "c")
	if err != nil {
		b.Fatal(err)
	}
	e.svc.Authenticate(ctx, sess.Token)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.svc.Authenticate(ctx, sess.Token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPasswordHash is one argon2id hash at the production parameters
// (19 MiB, t=2, p=1), which bounds registration and password sign-in.
func BenchmarkPasswordHash(b *testing.B) {
	for b.Loop() {
		account.HashPasswordForBenchmark("secret-pass1")
	}
}
