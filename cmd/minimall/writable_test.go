package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestServeRefusesReadOnlyData: serve on a data folder it cannot write
// in stops at once with one clear line naming the folder (exit 1, no
// stack trace), and starts once the folder is writable again. The
// read-only mount is stood for by the probe's error (CI runs as root,
// whom permissions do not stop); run as another user, a folder of mode
// 0500 is refused for real.
func TestServeRefusesReadOnlyData(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, out, errOut := runCmd(t, "migrate", "--data", data); code != 0 {
		t.Fatalf("migrate: %d %s %s", code, out, errOut)
	}
	refused := func(how string) {
		t.Helper()
		code, _, errOut := runCmd(t, "serve", "--addr", "127.0.0.1:0", "--data", data)
		if code != 1 || !strings.Contains(errOut, "the data folder "+data+" is not writable") ||
			strings.Contains(errOut, "goroutine") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Fatalf("serve on a %s data folder: exit %d, %q", how, code, errOut)
		}
	}
	real := probeWrite
	probeWrite = func(dir string) error {
		if dir == data {
			return &os.PathError{Op: "open", Path: dir, Err: syscall.EROFS}
		}
		return real(dir)
	}
	refused("read-only (injected)")
	probeWrite = real
	if os.Geteuid() != 0 {
		if err := os.Chmod(data, 0o500); err != nil {
			t.Fatal(err)
		}
		refused("mode 0500")
		if err := os.Chmod(data, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	MustRunMain(t, func(c *Config) { c.DataDir = data })
}
