package audit_test

import (
	"context"
	"fmt"
	"testing"

	"minimall/internal/testkit"
	"minimall/privacy/internal/audit"
)

// eachStoreB runs fn on SQLite and, when MINIMALL_TEST_POSTGRES is set, on
// PostgreSQL; each run of fn gets a fresh store.
func eachStoreB(b *testing.B, fn func(b *testing.B, st *testkit.Store)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, testkit.MustOpenSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, testkit.MustOpenPostgres(b)) })
}

// benchEntries are guard decisions as the guard records them.
func benchEntries() []audit.Entry {
	es := make([]audit.Entry, 1024)
	for i := range es {
		es[i] = audit.Entry{
			At: base, Actor: "operator:op_7/cs", Subject: fmt.Sprintf("s_%08d", i*7919%100000),
			Field: "recipient.phone", Purpose: "delivery", Decision: "allow", Ref: fmt.Sprintf("ticket-%d order:o_%d", i, i),
		}
	}
	return es
}

// BenchmarkRecord measures sustained asynchronous appends: b.N Records,
// then a Flush, so the figure counts durable entries.
func BenchmarkRecord(b *testing.B) {
	eachStoreB(b, func(b *testing.B, st *testkit.Store) {
		l := MustOpenLog(b, st, audit.Options{})
		es := benchEntries()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			l.Record(es[i&1023])
		}
		if err := l.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}

// BenchmarkAppendParallel measures synchronous appends from many
// goroutines, each waiting for its entry and checkpoint to be durable.
func BenchmarkAppendParallel(b *testing.B) {
	eachStoreB(b, func(b *testing.B, st *testkit.Store) {
		l := MustOpenLog(b, st, audit.Options{})
		es := benchEntries()
		b.ReportAllocs()
		b.SetParallelism(32) // 32 waiters per CPU, as request handlers would be
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for i := 0; pb.Next(); i++ {
				if _, err := l.Append(ctx, es[i&1023]); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}
