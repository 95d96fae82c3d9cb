package lifecycle_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"minimall/internal/testkit"
	"minimall/lifecycle"
	"minimall/privacy"
	"minimall/security"
	"minimall/sqldb"
)

// seedDevices writes n security-log rows (devices) for 1,000 subjects,
// last seen at the given time, in multi-row inserts.
func seedDevices(tb testing.TB, db *sqldb.DB, n int, seen time.Time) {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	const subjects = 1000
	for i := 0; i < subjects; i++ {
		if _, err := tx.ExecContext(ctx, `INSERT INTO subjects (id, region, created_at) VALUES (?, 'CN', 0) ON CONFLICT (id) DO NOTHING`, fmt.Sprintf("s_bench%05d", i)); err != nil {
			tb.Fatal(err)
		}
	}
	at := sqldb.Micros(seen)
	const per = 500
	row := "(?, ?, ?, ?, ?, ?)"
	q := `INSERT INTO devices (id, subject, device_index, device_id_sealed, first_seen_at, last_seen_at) VALUES ` + strings.Repeat(row+", ", per-1) + row
	for i := 0; i < n; i += per {
		args := make([]any, 0, per*6)
		for j := i; j < i+per; j++ {
			args = append(args, fmt.Sprintf("d_%09d_%s", j, tb.Name()), fmt.Sprintf("s_bench%05d", j%subjects), []byte(fmt.Sprint(j)), []byte("sealed"), at, at)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkSweep measures the retention sweep's throughput on a store
// seeded with expired security logs: records removed per second.
func BenchmarkSweep(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			var st *testkit.Store
			if name == "sqlite" {
				st = testkit.MustOpenSQLite(b)
			} else {
				st = testkit.MustOpenPostgres(b)
			}
			const n = 200_000
			w := security.Sweeper{DB: st.DB}
			ctx := context.Background()
			var removed int
			var spent time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				seedDevices(b, st.DB, n, st.Clock.Now())
				st.Clock.Advance(privacy.SixMonths + privacy.Day)
				b.StartTimer()
				start := time.Now()
				rep, err := w.Sweep(ctx, lifecycle.Rules{Now: st.Clock.Now()})
				spent += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				removed += rep.Total()
			}
			if removed != n*b.N {
				b.Fatalf("removed %d of %d", removed, n*b.N)
			}
			b.ReportMetric(float64(removed)/spent.Seconds(), "records/s")
		})
	}
}
