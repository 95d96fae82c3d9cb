package vault_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy/internal/vault"
)

// TestShredLeavesNoKeyBytes (五(一), 四(三) erasure reaches every copy):
// after an erasure the destroyed wrapped key is in no file of the key
// store: not in a free page of keystore.db, not in an old WAL frame. With
// it, master.key would open a backup of the data taken before. On
// PostgreSQL the deleted row versions are vacuumed at once.
func TestShredLeavesNoKeyBytes(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		v := MustOpenVault(t, st)
		s := minimall.SubjectID("s_scrubbed0000001")
		keep := minimall.SubjectID("s_kept00000000001")
		MustSeal(t, v, s, "aad", "13800138000")
		MustSeal(t, v, keep, "aad", "13900139000")
		var wrapped []byte
		if err := st.KeysDB.QueryRowContext(ctx, `SELECT wrapped FROM subject_keys WHERE subject = ?`, string(s)).Scan(&wrapped); err != nil || len(wrapped) < 16 {
			t.Fatalf("wrapped key: %d bytes, %v", len(wrapped), err)
		}
		if err := v.Shred(ctx, s, vault.ScopeAll, "deregistered"); err != nil {
			t.Fatal(err)
		}
		if st.Name == "postgres" {
			var vacuumed bool
			if err := st.KeysDB.QueryRowContext(ctx, `SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'subject_keys' AND schemaname = current_schema()`).Scan(&vacuumed); err != nil || !vacuumed {
				t.Fatalf("the key store was not vacuumed after the erasure (%v)", err)
			}
			return
		}
		files, _ := filepath.Glob(filepath.Join(st.KeysDir, "keystore.db*"))
		if len(files) == 0 {
			t.Fatal("no key store files")
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, wrapped) {
				t.Fatalf("%s still holds the erased person's wrapped key", filepath.Base(f))
			}
		}
		// The other person's key is untouched.
		var n int
		if err := st.KeysDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM subject_keys WHERE subject = ?`, string(keep)).Scan(&n); err != nil || n != 1 {
			t.Fatalf("kept person's keys: %d, %v", n, err)
		}
	})
}

// TestKeysFolderMustBePrivate: a keys folder group or others may enter is
// refused, and the vault opens once it is 0700.
func TestKeysFolderMustBePrivate(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		MustOpenVault(t, st) // makes the key files
		if err := os.Chmod(st.KeysDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := vault.Open(context.Background(), st.KeysDB, st.KeysDir); err == nil || !strings.Contains(err.Error(), "chmod 700") {
			t.Fatalf("opened over a 0755 keys folder: %v", err)
		}
		if err := os.Chmod(st.KeysDir, 0o700); err != nil {
			t.Fatal(err)
		}
		MustOpenVault(t, st)
	})
}
