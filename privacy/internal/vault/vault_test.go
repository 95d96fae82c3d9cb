package vault_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy/internal/vault"
)

// MustOpenVault opens a vault on st's key store and keys folder.
func MustOpenVault(tb testing.TB, st *testkit.Store) *vault.Vault {
	tb.Helper()
	v, err := vault.Open(context.Background(), st.KeysDB, st.KeysDir)
	if err != nil {
		tb.Fatalf("open vault: %v", err)
	}
	if err := v.PrepareLookups(context.Background(), testLookups); err != nil {
		tb.Fatalf("prepare lookups: %v", err)
	}
	return v
}

// testLookups are the blind-index purposes the tests use.
var testLookups = []string{"account_phone", "recipient_phone", "account_phone1"}

// MustSeal seals plaintext under subject's data key.
func MustSeal(tb testing.TB, v *vault.Vault, s minimall.SubjectID, aad, plaintext string) []byte {
	tb.Helper()
	b, err := v.Seal(context.Background(), s, []byte(aad), []byte(plaintext))
	if err != nil {
		tb.Fatalf("seal: %v", err)
	}
	return b
}

// MustSealRetained seals plaintext under subject's retention key for period.
func MustSealRetained(tb testing.TB, v *vault.Vault, s minimall.SubjectID, period, aad, plaintext string) []byte {
	tb.Helper()
	b, err := v.SealRetained(context.Background(), s, period, []byte(aad), []byte(plaintext))
	if err != nil {
		tb.Fatalf("seal retained: %v", err)
	}
	return b
}

// MustOpen opens a blob and checks its plaintext and key kind.
func MustOpen(tb testing.TB, v *vault.Vault, s minimall.SubjectID, aad string, sealed []byte, want string, kind vault.KeyKind) {
	tb.Helper()
	got, k, err := v.Open(context.Background(), s, []byte(aad), sealed)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	if string(got) != want || k != kind {
		tb.Fatalf("open = %q, %s; want %q, %s", got, k, want, kind)
	}
}

// MustFailOpen checks that opening a blob fails with want.
func MustFailOpen(tb testing.TB, v *vault.Vault, s minimall.SubjectID, aad string, sealed []byte, want error) {
	tb.Helper()
	got, _, err := v.Open(context.Background(), s, []byte(aad), sealed)
	if !errors.Is(err, want) {
		tb.Fatalf("open err = %v, want %v", err, want)
	}
	if got != nil {
		tb.Fatalf("open returned plaintext with an error")
	}
}

func countKeys(tb testing.TB, st *testkit.Store, s minimall.SubjectID) int {
	tb.Helper()
	var n int
	if err := st.KeysDB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM subject_keys WHERE subject = ?`, string(s)).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestSealOpen(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		v := MustOpenVault(t, st)
		alice, bob := minimall.NewSubjectID(), minimall.NewSubjectID()
		const aad = "alice|orders|recipient_phone|o_1"
		blob := MustSeal(t, v, alice, aad, "13800138000")
		MustSeal(t, v, bob, "bob", "x") // bob has a key of his own

		t.Run("OK", func(t *testing.T) {
			MustOpen(t, v, alice, aad, blob, "13800138000", vault.Data)
			MustOpen(t, v, alice, "", MustSeal(t, v, alice, "", ""), "", vault.Data)
			ret := MustSealRetained(t, v, alice, "2026-11", aad, "invoice")
			MustOpen(t, v, alice, aad, ret, "invoice", vault.Retention)
			if bytes.Contains(blob, []byte("13800138000")) {
				t.Fatal("blob holds the plaintext")
			}
		})
		t.Run("FreshNonce", func(t *testing.T) {
			if bytes.Equal(blob, MustSeal(t, v, alice, aad, "13800138000")) {
				t.Fatal("two seals of one value are equal")
			}
		})
		t.Run("ErrTampered", func(t *testing.T) {
			for _, tt := range []struct {
				name    string
				subject minimall.SubjectID
				aad     string
				blob    []byte
			}{
				{"WrongAAD", alice, "alice|orders|recipient_phone|o_2", blob},
				{"WrongSubject", bob, aad, blob},
				{"FlippedCiphertext", alice, aad, flip(blob, len(blob)-20)},
				{"FlippedTag", alice, aad, flip(blob, len(blob)-1)},
				{"FlippedNonce", alice, aad, flip(blob, 12)},
			} {
				t.Run(tt.name, func(t *testing.T) { MustFailOpen(t, v, tt.subject, tt.aad, tt.blob, vault.ErrTampered) })
			}
		})
		t.Run("ErrNoKey", func(t *testing.T) {
			// A changed key id names no key.
			MustFailOpen(t, v, alice, aad, flip(blob, 3), vault.ErrNoKey)
		})
		t.Run("ErrMalformed", func(t *testing.T) {
			for _, b := range [][]byte{nil, []byte("garbage"), blob[:36], flip(blob, 0)} {
				MustFailOpen(t, v, alice, aad, b, vault.ErrMalformed)
			}
		})
		t.Run("Invalid", func(t *testing.T) {
			if _, err := v.Seal(context.Background(), "", nil, []byte("x")); !minimall.IsCode(err, minimall.Invalid) {
				t.Fatalf("empty subject: %v", err)
			}
			for _, p := range []string{"", "2026-13", "2026-1", "2026-11-01", "x"} {
				if _, err := v.SealRetained(context.Background(), alice, p, nil, []byte("x")); !minimall.IsCode(err, minimall.Invalid) {
					t.Fatalf("period %q: %v", p, err)
				}
			}
		})
	})
}

// flip returns a copy of b with byte i changed.
func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x01
	return c
}

func TestSealConcurrentFirstUse(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		// Two vaults stand for two nodes: the race is settled by the key
		// store, not by one process's memory.
		vs := []*vault.Vault{MustOpenVault(t, st), MustOpenVault(t, st)}
		s := minimall.NewSubjectID()
		blobs := make([][]byte, 20)
		errs := make([]error, 20)
		var wg sync.WaitGroup
		for i := range blobs {
			wg.Go(func() {
				blobs[i], errs[i] = vs[i%2].Seal(context.Background(), s, []byte("aad"), []byte("v"))
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("seal %d: %v", i, err)
			}
		}
		if n := countKeys(t, st, s); n != 1 {
			t.Fatalf("%d keys, want 1", n)
		}
		for i, b := range blobs {
			if !bytes.Equal(b[1:9], blobs[0][1:9]) {
				t.Fatalf("blob %d sealed under another key", i)
			}
			MustOpen(t, vs[(i+1)%2], s, "aad", b, "v", vault.Data)
		}
	})
}

func TestOpenKeyFiles(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		MustOpenVault(t, st)
		for _, name := range []string{"master.key"} {
			path := filepath.Join(st.KeysDir, name)
			fi, err := os.Stat(path)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("%s: %v, mode %v; want 0600", name, err, fi.Mode())
			}
			t.Run("ErrLooseMode/"+name, func(t *testing.T) {
				if err := os.Chmod(path, 0o644); err != nil {
					t.Fatal(err)
				}
				if _, err := vault.Open(ctx, st.KeysDB, st.KeysDir); err == nil {
					t.Fatal("opened with a key file readable by others")
				}
				if err := os.Chmod(path, 0o600); err != nil {
					t.Fatal(err)
				}
				MustOpenVault(t, st)
			})
		}
		if fi, err := os.Stat(st.KeysDir); err != nil || fi.Mode().Perm()&0o077 != 0 {
			t.Fatalf("keys folder: %v, mode %v", err, fi.Mode())
		}
	})
}

func TestOpenNewKeysFolder(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		dir := filepath.Join(t.TempDir(), "fresh", "keys")
		if _, err := vault.Open(context.Background(), st.KeysDB, dir); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("keys folder: %v, mode %v; want 0700", err, fi.Mode())
		}
	})
}

func TestOpenMissingKeyFile(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		v := MustOpenVault(t, st)
		MustSeal(t, v, minimall.NewSubjectID(), "", "x")
		// A fresh master over existing wrapped keys would strand them (a
		// missing lookup.key: TestLegacyLookupKey).
		for _, name := range []string{"master.key"} {
			t.Run(name, func(t *testing.T) {
				path := filepath.Join(st.KeysDir, name)
				saved, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
				if _, err := vault.Open(context.Background(), st.KeysDB, st.KeysDir); err == nil {
					t.Fatalf("made a new %s over a key store that holds keys", name)
				}
				if err := os.WriteFile(path, saved, 0o600); err != nil {
					t.Fatal(err)
				}
				MustOpenVault(t, st)
			})
		}
	})
}

func TestBlindIndex(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		v1, v2 := MustOpenVault(t, st), MustOpenVault(t, st)
		a := v1.BlindIndex("account_phone", []byte("13800138000"))
		if !bytes.Equal(a, v2.BlindIndex("account_phone", []byte("13800138000"))) {
			t.Fatal("blind index differs between vaults on one keys folder")
		}
		for _, other := range [][]byte{
			v1.BlindIndex("recipient_phone", []byte("13800138000")),
			v1.BlindIndex("account_phone", []byte("13800138001")),
			v1.BlindIndex("account_phone1", []byte("3800138000")), // the length prefix keeps these apart
		} {
			if bytes.Equal(a, other) {
				t.Fatal("blind index collides")
			}
		}
		other, err := vault.Open(context.Background(), st.KeysDB, t.TempDir())
		if err == nil && bytes.Equal(a, other.BlindIndex("account_phone", []byte("13800138000"))) {
			t.Fatal("blind index does not depend on the lookup key")
		}
	})
}

// TestKeyStoreTampering: a wrapped key copied onto another subject's row
// does not unwrap, because the wrap binds subject, kind, period and id.
func TestKeyStoreTampering(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		v := MustOpenVault(t, st)
		alice, mallory := minimall.NewSubjectID(), minimall.NewSubjectID()
		MustSeal(t, v, alice, "a", "alice")
		blob := MustSeal(t, v, mallory, "m", "mallory")
		_, err := st.KeysDB.ExecContext(ctx, `UPDATE subject_keys SET wrapped = (SELECT wrapped FROM subject_keys WHERE subject = ?) WHERE subject = ?`, string(alice), string(mallory))
		if err != nil {
			t.Fatal(err)
		}
		if p, _, err := MustOpenVault(t, st).Open(ctx, mallory, []byte("m"), blob); err == nil || p != nil {
			t.Fatalf("opened with a key moved between rows: %q, %v", p, err)
		}
	})
}
