package vault_test

import (
	"context"
	"errors"
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy/internal/vault"
)

func TestShred(t *testing.T) {
	ctx := context.Background()
	t.Run("ScopeData", func(t *testing.T) {
		testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
			v := MustOpenVault(t, st)
			alice, bob := minimall.NewSubjectID(), minimall.NewSubjectID()
			data := MustSeal(t, v, alice, "a", "phone")
			kept := MustSealRetained(t, v, alice, "2026-11", "a", "invoice")
			bobs := MustSeal(t, v, bob, "b", "bob's phone")
			MustOpen(t, v, alice, "a", data, "phone", vault.Data) // warm the cache

			if err := v.Shred(ctx, alice, vault.ScopeData, "deregistered"); err != nil {
				t.Fatal(err)
			}
			MustFailOpen(t, v, alice, "a", data, vault.ErrErased)
			MustOpen(t, v, alice, "a", kept, "invoice", vault.Retention)
			MustOpen(t, v, bob, "b", bobs, "bob's phone", vault.Data)
			// No new data key for an erased person: it would bring them back.
			if _, err := v.Seal(ctx, alice, nil, []byte("x")); !errors.Is(err, vault.ErrErased) {
				t.Fatalf("seal after shred: %v", err)
			}
			// Records the law keeps may still be sealed for them.
			MustSealRetained(t, v, alice, "2026-12", "a", "refund")
			MustBeErased(t, v, alice, vault.ScopeData)
			if _, ok, err := v.Erased(ctx, bob); err != nil || ok {
				t.Fatalf("bob erased = %v, %v", ok, err)
			}
		})
	})
	t.Run("ScopeAll", func(t *testing.T) {
		testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
			v := MustOpenVault(t, st)
			alice := minimall.NewSubjectID()
			data := MustSeal(t, v, alice, "a", "phone")
			kept := MustSealRetained(t, v, alice, "2026-11", "a", "invoice")
			MustOpen(t, v, alice, "a", kept, "invoice", vault.Retention)
			if err := v.Shred(ctx, alice, vault.ScopeData, "deregistered"); err != nil {
				t.Fatal(err)
			}
			if err := v.Shred(ctx, alice, vault.ScopeAll, "retention_ended"); err != nil {
				t.Fatal(err)
			}
			MustFailOpen(t, v, alice, "a", data, vault.ErrErased)
			MustFailOpen(t, v, alice, "a", kept, vault.ErrErased)
			if _, err := v.SealRetained(ctx, alice, "2026-12", nil, []byte("x")); !errors.Is(err, vault.ErrErased) {
				t.Fatalf("seal retained after shred all: %v", err)
			}
			if n := countKeys(t, st, alice); n != 0 {
				t.Fatalf("%d keys left", n)
			}
			MustBeErased(t, v, alice, vault.ScopeAll)
		})
	})
	t.Run("Idempotent", func(t *testing.T) {
		testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
			v := MustOpenVault(t, st)
			alice := minimall.NewSubjectID()
			MustSeal(t, v, alice, "a", "phone")
			for i := 0; i < 2; i++ {
				if err := v.Shred(ctx, alice, vault.ScopeData, "deregistered"); err != nil {
					t.Fatalf("shred %d: %v", i, err)
				}
				st.Clock.Advance(1e9)
			}
			ledger, err := v.Erasures(ctx)
			if err != nil || len(ledger) != 1 {
				t.Fatalf("ledger = %v, %v; want one entry", ledger, err)
			}
		})
	})
	t.Run("Invalid", func(t *testing.T) {
		testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
			v := MustOpenVault(t, st)
			s := minimall.NewSubjectID()
			for _, tt := range []struct {
				scope  vault.Scope
				reason string
			}{
				{"everything", "deregistered"},
				{vault.ScopeData, ""},
				{vault.ScopeData, "Zhang San asked"}, // free text could carry PI
			} {
				if err := v.Shred(ctx, s, tt.scope, tt.reason); !minimall.IsCode(err, minimall.Invalid) {
					t.Fatalf("shred(%q, %q) = %v, want invalid", tt.scope, tt.reason, err)
				}
			}
		})
	})
}

// MustBeErased checks Erased and the ledger for s.
func MustBeErased(tb testing.TB, v *vault.Vault, s minimall.SubjectID, want vault.Scope) {
	tb.Helper()
	scope, ok, err := v.Erased(context.Background(), s)
	if err != nil || !ok || scope != want {
		tb.Fatalf("Erased = %q, %v, %v; want %q", scope, ok, err, want)
	}
	ledger, err := v.Erasures(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range ledger {
		if e.Subject == s && e.Scope == want && !e.At.IsZero() && e.Reason != "" {
			return
		}
	}
	tb.Fatalf("ledger %v has no %q entry for the subject", ledger, want)
}

// TestShredCopies is the promise of crypto-shredding: after an erasure, no
// copy of the sealed data (a backup, an export) can be opened, even by a
// new vault that holds the master key and the current key store.
func TestShredCopies(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		v := MustOpenVault(t, st)
		alice, bob := minimall.NewSubjectID(), minimall.NewSubjectID()
		backup := [][]byte{MustSeal(t, v, alice, "a", "phone"), MustSeal(t, v, alice, "a", "address")}
		bobs := MustSeal(t, v, bob, "b", "bob's phone")
		if err := v.Shred(ctx, alice, vault.ScopeData, "deregistered"); err != nil {
			t.Fatal(err)
		}
		fresh := MustOpenVault(t, st)
		for _, b := range backup {
			MustFailOpen(t, fresh, alice, "a", b, vault.ErrErased)
		}
		MustOpen(t, fresh, bob, "b", bobs, "bob's phone", vault.Data)
	})
}

func TestForget(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		// Node a shreds; node b has the key cached until the change feed
		// tells it to forget.
		a, b := MustOpenVault(t, st), MustOpenVault(t, st)
		alice := minimall.NewSubjectID()
		blob := MustSeal(t, a, alice, "a", "phone")
		MustOpen(t, b, alice, "a", blob, "phone", vault.Data)
		if err := a.Shred(ctx, alice, vault.ScopeData, "deregistered"); err != nil {
			t.Fatal(err)
		}
		b.Forget(alice)
		MustFailOpen(t, b, alice, "a", blob, vault.ErrErased)
	})
}

func TestExpireRetention(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		v := MustOpenVault(t, st)
		alice := minimall.NewSubjectID()
		blobs := map[string][]byte{}
		for _, p := range []string{"2023-10", "2023-11", "2023-12", "2024-01"} {
			blobs[p] = MustSealRetained(t, v, alice, p, "a", "invoice "+p)
			MustOpen(t, v, alice, "a", blobs[p], "invoice "+p, vault.Retention) // cached
		}
		data := MustSeal(t, v, alice, "a", "phone")
		n, err := v.ExpireRetention(ctx, "2023-11")
		if err != nil || n != 2 {
			t.Fatalf("expire = %d, %v; want 2", n, err)
		}
		MustFailOpen(t, v, alice, "a", blobs["2023-10"], vault.ErrNoKey)
		MustFailOpen(t, v, alice, "a", blobs["2023-11"], vault.ErrNoKey)
		MustOpen(t, v, alice, "a", blobs["2023-12"], "invoice 2023-12", vault.Retention)
		MustOpen(t, v, alice, "a", blobs["2024-01"], "invoice 2024-01", vault.Retention)
		MustOpen(t, v, alice, "a", data, "phone", vault.Data)
		if n, err := v.ExpireRetention(ctx, "2023-11"); err != nil || n != 0 {
			t.Fatalf("second expire = %d, %v; want 0", n, err)
		}
		if _, err := v.ExpireRetention(ctx, "2023"); !minimall.IsCode(err, minimall.Invalid) {
			t.Fatalf("bad cutoff: %v", err)
		}
	})
}

func TestPseudonym(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		v1, v2 := MustOpenVault(t, st), MustOpenVault(t, st)
		alice, bob := minimall.NewSubjectID(), minimall.NewSubjectID()
		p := MustPseudonym(t, v1, alice, "ads")
		if len(p) != 20 {
			t.Fatalf("pseudonym %q: want 20 characters", p)
		}
		if q := MustPseudonym(t, v2, alice, "ads"); q != p {
			t.Fatalf("pseudonym differs across vaults: %q, %q", p, q)
		}
		if MustPseudonym(t, v1, alice, "recommend") == p || MustPseudonym(t, v1, bob, "ads") == p {
			t.Fatal("pseudonym does not depend on domain and subject")
		}
		if err := v1.Shred(ctx, alice, vault.ScopeData, "deregistered"); err != nil {
			t.Fatal(err)
		}
		v2.Forget(alice)
		for _, v := range []*vault.Vault{v1, v2, MustOpenVault(t, st)} {
			if _, err := v.Pseudonym(ctx, alice, "ads"); !errors.Is(err, vault.ErrErased) {
				t.Fatalf("pseudonym after shred: %v", err)
			}
		}
	})
}

// MustPseudonym returns s's pseudonym in domain.
func MustPseudonym(tb testing.TB, v *vault.Vault, s minimall.SubjectID, domain string) string {
	tb.Helper()
	p, err := v.Pseudonym(context.Background(), s, domain)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}
