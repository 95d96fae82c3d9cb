package privacy_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// canaryMarker is the unique value given to field f; it must never be
// found in plaintext in any file of the data or keys folders.
func canaryMarker(f privacy.Field) string { return "CANARY-7f3a-" + string(f) + "-金丝雀" }

// TestCanaryNoPlaintextOnDisk gives every stored registry field a marker
// value through the kernel (with the consents it needs), opens each one
// again, then scans every file under the data and keys folders (database,
// WAL, key store) for any marker. Later areas extend this through the API.
func TestCanaryNoPlaintextOnDisk(t *testing.T) {
	ctx := context.Background()
	st := testkit.MustOpenSQLite(t)
	k := mustOpenKernel(t, st)
	s := mustNewSubject(t, k, st)
	for _, f := range privacy.Features() {
		mustGrant(t, k, s, f.ID, privacy.Separate)
	}
	sealedCount := 0
	for _, f := range privacy.Fields() {
		if f.Table == "" {
			continue
		}
		row := "canary-row"
		sealed := mustSeal(t, k, s, f.Field, row, canaryMarker(f.Field))
		storeSealed(t, st.DB, s, f.Field, row, sealed)
		var version uint64 // a versioned field is sealed at its first version
		if f.Versioned {
			version = privacy.FirstVersion
		}
		got, err := k.Guard().OpenVersionString(ctx, minimall.SystemActor("canary"), s, f.Field, privacy.ForRightsRequest, row, version, loadSealed(t, st.DB, s, f.Field, row))
		if err != nil || got != canaryMarker(f.Field) {
			t.Fatalf("round trip of %s: %q, %v", f.Field, got, err)
		}
		sealedCount++
	}
	if sealedCount == 0 {
		t.Fatal("no stored fields in the registry")
	}
	if err := k.AuditFlush(ctx); err != nil {
		t.Fatal(err)
	}
	assertNoCanary(t, st.DataDir, st.KeysDir)
}

// assertNoCanary fails if any file under dirs holds any marker in plaintext.
func assertNoCanary(t *testing.T, dirs ...string) {
	t.Helper()
	var markers [][]byte
	for _, f := range privacy.Fields() {
		markers = append(markers, []byte(canaryMarker(f.Field)))
	}
	files := 0
	for _, dir := range dirs {
		err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files++
			for _, m := range markers {
				if bytes.Contains(b, m) {
					t.Errorf("%s holds %q in plaintext", p, m)
				}
			}
			// A truncated marker would show as its distinctive prefix.
			if bytes.Contains(b, []byte("CANARY-7f3a-")) {
				t.Errorf("%s holds a canary prefix in plaintext", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 2 {
		t.Fatalf("scanned only %d files; the data folder is not where the test thinks", files)
	}
}
