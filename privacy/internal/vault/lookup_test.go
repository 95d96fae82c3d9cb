package vault_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy/internal/vault"
)

func lookupKeyCount(t *testing.T, st *testkit.Store) int {
	t.Helper()
	var n int
	if err := st.KeysDB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM subject_keys WHERE kind = 'lookup'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Each purpose has a lookup key of its own in the key store; rotating one
// makes a new generation whose indexes differ, destroys the old key, and
// leaves the other purposes' keys alone. A restarted vault loads the new.
func TestRotateLookup(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		v := MustOpenVault(t, st)
		if n := lookupKeyCount(t, st); n != len(testLookups) {
			t.Fatalf("%d lookup keys; want one per purpose (%d)", n, len(testLookups))
		}
		if _, err := os.Stat(filepath.Join(st.KeysDir, "lookup.key")); !os.IsNotExist(err) {
			t.Fatalf("a new key store made a shared lookup.key: %v", err)
		}
		phone := []byte("13800138000")
		old, otherOld := v.BlindIndex("account_phone", phone), v.BlindIndex("recipient_phone", phone)
		gen, err := v.AddLookupGeneration(ctx, "account_phone")
		if err != nil || gen != 2 || v.LookupGeneration("account_phone") != 2 {
			t.Fatalf("new generation %d, %v", gen, err)
		}
		fresh := v.BlindIndex("account_phone", phone)
		if bytes.Equal(old, fresh) {
			t.Fatal("the new generation makes the same index")
		}
		if n, err := v.RetireLookups(ctx, "account_phone"); err != nil || n != 1 {
			t.Fatalf("retired %d, %v; want the one old key", n, err)
		}
		if n := lookupKeyCount(t, st); n != len(testLookups) {
			t.Fatalf("%d lookup keys after rotation; want %d", n, len(testLookups))
		}
		again := MustOpenVault(t, st)
		if !bytes.Equal(again.BlindIndex("account_phone", phone), fresh) || !bytes.Equal(again.BlindIndex("recipient_phone", phone), otherOld) {
			t.Fatal("a restarted vault makes other indexes")
		}
	})
}

// A key store from before per-purpose keys keeps its lookup.key as every
// purpose's generation 0 until each is rotated; the last rotation deletes
// it. A lost lookup.key over a key store with keys is refused, not replaced.
func TestLegacyLookupKey(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		if err := os.MkdirAll(st.KeysDir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := vault.WriteLegacyLookup(st.KeysDir); err != nil {
			t.Fatal(err)
		}
		v := MustOpenVault(t, st)
		MustSeal(t, v, minimall.NewSubjectID(), "a", "x")
		legacy := v.BlindIndex("account_phone", []byte("1"))
		if v.LookupGeneration("account_phone") != 0 || lookupKeyCount(t, st) != 0 {
			t.Fatal("a key store with lookup.key got keys of its own before rotation")
		}
		path := filepath.Join(st.KeysDir, "lookup.key")
		t.Run("ErrMissing", func(t *testing.T) {
			saved, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			os.Remove(path)
			w, err := vault.Open(ctx, st.KeysDB, st.KeysDir)
			if err == nil {
				err = w.PrepareLookups(ctx, testLookups)
			}
			if err == nil {
				t.Fatal("made new lookup keys over a key store whose indexes used lookup.key")
			}
			if err := os.WriteFile(path, saved, 0o600); err != nil {
				t.Fatal(err)
			}
		})
		for i, p := range testLookups {
			if _, err := v.AddLookupGeneration(ctx, p); err != nil {
				t.Fatal(err)
			}
			n, err := v.RetireLookups(ctx, p)
			_, statErr := os.Stat(path)
			last := i == len(testLookups)-1
			if err != nil || last != os.IsNotExist(statErr) || (last && n != 1) {
				t.Fatalf("rotating %s: %d destroyed, %v; lookup.key: %v", p, n, err, statErr)
			}
		}
		again := MustOpenVault(t, st)
		if again.LookupGeneration("account_phone") != 1 || bytes.Equal(again.BlindIndex("account_phone", []byte("1")), legacy) {
			t.Fatal("after rotation the legacy key still makes the index")
		}
	})
}
