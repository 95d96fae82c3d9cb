package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPaymentEndpointFile: serve reads a partner's endpoint file only when
// no one else can (it holds the channel's keys), and only when whole.
func TestPaymentEndpointFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		return p
	}
	good := `{"url":"http://127.0.0.1:9","sign_key":"0a0b","verify_key":"0c0d"}`
	ep, err := readEndpoint(write("ok.json", good, 0o600))
	if err != nil || ep.URL != "http://127.0.0.1:9" || len(ep.SignKey) != 2 || len(ep.VerifyKey) != 2 {
		t.Fatalf("good file: %+v %v", ep, err)
	}
	for name, c := range map[string]struct {
		body string
		mode os.FileMode
		want string
	}{
		"readable": {good, 0o644, "readable by others"},
		"not-json": {`{"url":`, 0o600, "unexpected end"},
		"no-keys":  {`{"url":"http://127.0.0.1:9"}`, 0o600, "want url, sign_key and verify_key"},
		"bad-hex":  {`{"url":"http://127.0.0.1:9","sign_key":"zz","verify_key":"0c"}`, 0o600, "want url"},
	} {
		if _, err := readEndpoint(write(name, c.body, c.mode)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if _, err := readEndpoint(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing file was accepted")
	}
}
