package main

import (
	"minimall/privacy"
	"path/filepath"
	"strings"
	"testing"
)

// keys rotate-lookup rotates one blind index's lookup key, or all of
// them, and refuses a purpose that has no blind index.
func TestKeysRotateLookup(t *testing.T) {
	dir := t.TempDir()
	store := []string{"--data", filepath.Join(dir, "data"), "--keys", filepath.Join(dir, "data.keys")}
	if code, out, errOut := runCmd(t, append([]string{"seed", "--items", "10", "--users", "3"}, store...)...); code != 0 {
		t.Fatalf("seed: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCmd(t, append([]string{"keys", "rotate-lookup", "--purpose", "account.phone"}, store...)...)
	if code != 0 || !strings.Contains(out, "account.phone: lookup key generation 2 current") || !strings.Contains(out, "account.Reindexer 3") {
		t.Fatalf("rotate-lookup: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCmd(t, append([]string{"keys", "rotate-lookup", "--purpose", "all"}, store...)...)
	if code != 0 || strings.Count(out, "current") != len(privacy.LookupFields) || !strings.Contains(out, "account.phone: lookup key generation 3") {
		t.Fatalf("rotate-lookup all: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, append([]string{"keys", "rotate-lookup", "--purpose", "order.recipient_name"}, store...)...); code != 2 || !strings.Contains(errOut, "--purpose") {
		t.Fatalf("a purpose without a blind index: exit %d\n%s", code, errOut)
	}
}
