package vault_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy/internal/vault"
)

// masterIDs returns the key ids listed in master.key.
func masterIDs(tb testing.TB, st *testkit.Store) []string {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(st.KeysDir, "master.key"))
	if err != nil {
		tb.Fatal(err)
	}
	var ids []string
	for _, line := range strings.Split(string(data), "\n") {
		if id, _, ok := strings.Cut(line, " "); ok && !strings.HasPrefix(line, "#") {
			ids = append(ids, id)
		}
	}
	return ids
}

func TestRotate(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		v := MustOpenVault(t, st)
		type sealed struct {
			s    minimall.SubjectID
			blob []byte
			want string
			kind vault.KeyKind
		}
		var all []sealed
		for i := 0; i < 7; i++ {
			s := minimall.NewSubjectID()
			all = append(all,
				sealed{s, MustSeal(t, v, s, "a", fmt.Sprint("data ", i)), fmt.Sprint("data ", i), vault.Data},
				sealed{s, MustSealRetained(t, v, s, "2026-01", "a", fmt.Sprint("kept ", i)), fmt.Sprint("kept ", i), vault.Retention})
		}
		old := masterIDs(t, st)
		index := v.BlindIndex("account_phone", []byte("13800138000"))
		// The lookup keys are wrapped by the master too, one per purpose.
		n, err := v.Rotate(ctx)
		if want := 14 + len(testLookups); err != nil || n != want {
			t.Fatalf("rotate = %d, %v; want %d", n, err, want)
		}
		if !bytes.Equal(MustOpenVault(t, st).BlindIndex("account_phone", []byte("13800138000")), index) {
			t.Fatal("a blind index changed with the master key")
		}
		now := masterIDs(t, st)
		if len(now) != 1 || now[0] == old[0] {
			t.Fatalf("master.key lists %v after rotating from %v", now, old)
		}
		fi, err := os.Stat(filepath.Join(st.KeysDir, "master.key"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("master.key: %v, mode %v", err, fi.Mode())
		}
		for _, v := range []*vault.Vault{v, MustOpenVault(t, st)} {
			for _, x := range all {
				MustOpen(t, v, x.s, "a", x.blob, x.want, x.kind)
			}
		}
		// New keys are wrapped by the new master, and the next rotation
		// rewraps them all again.
		s := minimall.NewSubjectID()
		blob := MustSeal(t, v, s, "a", "after")
		if n, err := v.Rotate(ctx); err != nil || n != 15+len(testLookups) {
			t.Fatalf("second rotate = %d, %v; want %d", n, err, 15+len(testLookups))
		}
		MustOpen(t, MustOpenVault(t, st), s, "a", blob, "after", vault.Data)
	})
}

// TestRotateElsewhere: a vault that did not rotate (another process on the
// same keys folder) still opens keys rewrapped under a master it has not
// seen, and wraps its new keys under the new master.
func TestRotateElsewhere(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		stale, rotator := MustOpenVault(t, st), MustOpenVault(t, st)
		s := minimall.NewSubjectID()
		blob := MustSeal(t, rotator, s, "a", "v") // not cached by stale
		if _, err := rotator.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
		MustOpen(t, stale, s, "a", blob, "v", vault.Data)
		s2 := minimall.NewSubjectID()
		blob2 := MustSeal(t, stale, s2, "a", "w")
		if _, err := rotator.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
		MustOpen(t, MustOpenVault(t, st), s2, "a", blob2, "w", vault.Data)
	})
}
