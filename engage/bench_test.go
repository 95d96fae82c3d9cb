package engage_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"minimall"
	"minimall/engage"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// BenchmarkRecordFootprint measures what the item page adds for a
// signed-in viewer: a pseudonym, a seal, one upsert and its change-feed
// event, in one transaction, on the embedded store.
func BenchmarkRecordFootprint(b *testing.B) {
	ctx := context.Background()
	st := testkit.MustOpenSQLite(b)
	k, err := privacy.Open(ctx, privacy.Config{Data: st.DB, Keys: st.KeysDB, KeysDir: st.KeysDir, Clock: st.Clock, Chain: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer k.Close()
	subjects := make([]minimall.SubjectID, 64)
	for i := range subjects {
		tx, err := st.DB.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		subjects[i] = minimall.NewSubjectID()
		if err := k.AddSubject(ctx, tx, subjects[i], "CN"); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	s := engage.NewService(st.DB, k, nil, nil)
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if err := s.RecordFootprint(ctx, subjects[i%64], fmt.Sprintf("it_%d", i%5000)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
