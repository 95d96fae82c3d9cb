package vault

import (
	"context"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testkit"
)

// TestRotateCrash stops a rotation after each step, as a crash would, and
// checks that a new vault (a restarted process) opens every blob, and that
// rotating again completes.
func TestRotateCrash(t *testing.T) {
	steps := []struct {
		name  string
		crash func(t *testing.T, v *Vault)
	}{
		{"AfterAddMaster", func(t *testing.T, v *Vault) { mustAddMaster(t, v) }},
		{"MidRewrap", func(t *testing.T, v *Vault) {
			current := mustAddMaster(t, v)
			if n, err := v.rewrap(context.Background(), current, 3); err != nil || n != 3 {
				t.Fatalf("rewrap = %d, %v", n, err)
			}
		}},
		{"BeforeRetire", func(t *testing.T, v *Vault) {
			current := mustAddMaster(t, v)
			if _, err := v.rewrapAll(context.Background(), current); err != nil {
				t.Fatal(err)
			}
		}},
		{"TwoAddsNoRewrap", func(t *testing.T, v *Vault) { mustAddMaster(t, v); mustAddMaster(t, v) }},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
				ctx := context.Background()
				v := mustOpen(t, st)
				subjects, blobs := sealSome(t, v, 8)
				step.crash(t, v)
				restarted := mustOpen(t, st)
				mustOpenAll(t, restarted, subjects, blobs)
				if _, err := restarted.Rotate(ctx); err != nil {
					t.Fatalf("rotate after crash: %v", err)
				}
				if r := restarted.ring.Load(); len(r.keys) != 1 {
					t.Fatalf("%d masters after rotation, want 1", len(r.keys))
				}
				mustOpenAll(t, mustOpen(t, st), subjects, blobs)
			})
		})
	}
}

// TestRetireRefusesStragglers: the file keeps an old master while any key
// is still wrapped by it.
func TestRetireRefusesStragglers(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		v := mustOpen(t, st)
		subjects, blobs := sealSome(t, v, 2)
		current := mustAddMaster(t, v)
		if err := v.retire(context.Background(), current); err != errStragglers {
			t.Fatalf("retire = %v, want errStragglers", err)
		}
		mustOpenAll(t, mustOpen(t, st), subjects, blobs)
	})
}

func mustOpen(tb testing.TB, st *testkit.Store) *Vault {
	tb.Helper()
	v, err := Open(context.Background(), st.KeysDB, st.KeysDir)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func mustAddMaster(tb testing.TB, v *Vault) string {
	tb.Helper()
	id, err := v.addMaster()
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

func sealSome(tb testing.TB, v *Vault, n int) ([]minimall.SubjectID, [][]byte) {
	tb.Helper()
	var subjects []minimall.SubjectID
	var blobs [][]byte
	for i := 0; i < n; i++ {
		s := minimall.NewSubjectID()
		b, err := v.Seal(context.Background(), s, []byte("a"), []byte("v"))
		if err != nil {
			tb.Fatal(err)
		}
		subjects, blobs = append(subjects, s), append(blobs, b)
	}
	return subjects, blobs
}

func mustOpenAll(tb testing.TB, v *Vault, subjects []minimall.SubjectID, blobs [][]byte) {
	tb.Helper()
	for i, b := range blobs {
		if p, _, err := v.Open(context.Background(), subjects[i], []byte("a"), b); err != nil || string(p) != "v" {
			tb.Fatalf("blob %d: %q, %v", i, p, err)
		}
	}
}

func TestCacheBounds(t *testing.T) {
	var clock time.Duration
	c := newKeyCache(64, time.Minute)
	c.now = func() time.Duration { return clock }
	put := func(i int) *cachedKey {
		k := &cachedKey{id: int64(i + 1), slot: keySlot{subject: minimall.SubjectID("s" + string(rune('a'+i%26))), kind: Retention, period: time.Unix(int64(i)*86400*31, 0).UTC().Format("2006-01")}}
		c.put(k, c.begin())
		return k
	}
	t.Run("Size", func(t *testing.T) {
		for i := 0; i < 1000; i++ {
			put(i)
			if c.len() > 64 {
				t.Fatalf("%d keys cached, bound 64", c.len())
			}
		}
	})
	t.Run("Age", func(t *testing.T) {
		k := put(2000)
		if c.get(k.id) == nil {
			t.Fatal("fresh key missing")
		}
		clock += time.Minute + 1
		if c.get(k.id) != nil || c.getSlot(k.slot) != nil {
			t.Fatal("expired key served")
		}
	})
	t.Run("ForgetDuringLoad", func(t *testing.T) {
		k := &cachedKey{id: 9999, slot: keySlot{subject: "late", kind: Data}}
		epoch := c.begin()
		c.forget("late") // a Shred commits while the key was being read
		c.put(k, epoch)
		if c.get(k.id) != nil {
			t.Fatal("key read before a Forget was cached after it")
		}
	})
	t.Run("Forget", func(t *testing.T) {
		k := &cachedKey{id: 10000, slot: keySlot{subject: "gone", kind: Data}}
		c.put(k, c.begin())
		c.forget("gone")
		if c.get(k.id) != nil || c.getSlot(k.slot) != nil {
			t.Fatal("forgotten key served")
		}
	})
}
