package http_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"minimall/account"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// Registration and sign-in throughput against a real server on loopback,
// with argon2id at the production parameters (19 MiB, t=2, p=1):
// go test -run '^$' -bench API -benchmem ./http/
func productionEnv(b *testing.B) *testenv.Env {
	return testenv.StartWith(b, testkit.MustOpenSQLite(b), func(c *account.Config) {
		c.CodesPerHour, c.LoginsPerMinute = 1<<20, 1<<20 // measure hashing, not the limits
	})
}

func BenchmarkAPIRegister(b *testing.B) {
	e := productionEnv(b)
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			e.Register(b, fmt.Sprintf("135%08d", i), fmt.Sprintf("bench%d", i))
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registrations/s")
}

func BenchmarkAPILogin(b *testing.B) {
	e := productionEnv(b)
	sh := e.Register(b, "13500000000", "benchlogin")
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := e.Do(b, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": sh.Password})
			if r.Status != 201 {
				b.Fatalf("login %d %s", r.Status, r.Body)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
}

// BenchmarkAPIAuthenticatedRequest is a whole request that checks a session
// and opens the account's sealed fields through the guard.
func BenchmarkAPIAuthenticatedRequest(b *testing.B) {
	e := productionEnv(b)
	sh := e.Register(b, "13500000001", "benchget")
	auth := testenv.Bearer(sh.Token)
	b.ResetTimer()
	for b.Loop() {
		if r := e.Do(b, "GET", "/api/v1/account", nil, auth...); r.Status != 200 {
			b.Fatal(r.Status)
		}
	}
}
