package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"minimall/internal/testkit"
)

func newFlagSet() *flag.FlagSet { return flag.NewFlagSet("test", flag.ContinueOnError) }

func TestConfigPrecedence(t *testing.T) {
	c := DefaultConfig()
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "minimall-data" {
		t.Fatalf("defaults %+v", c)
	}
	env := map[string]string{"MINIMALL_ADDR": "127.0.0.1:9000", "MINIMALL_DATA": "/srv/env-data", "MINIMALL_FAKE_CLOCK": "true"}
	if err := c.applyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	fs := newFlagSet()
	c.serveFlags(fs)
	if err := fs.Parse([]string{"--data", "/srv/flag-data"}); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.DataDir != "/srv/flag-data" || !c.FakeClock {
		t.Fatalf("want env over default and flag over env: %+v", c)
	}
	if err := c.resolve(); err != nil || c.KeysDir != "/srv/flag-data.keys" {
		t.Fatalf("keys folder %q, %v: want a sibling of the data folder", c.KeysDir, err)
	}
	t.Run("ErrBadBool", func(t *testing.T) {
		c := DefaultConfig()
		if err := c.applyEnv(func(k string) string { return map[string]string{"MINIMALL_FAKE_CLOCK": "maybe"}[k] }); err == nil {
			t.Fatal("accepted MINIMALL_FAKE_CLOCK=maybe")
		}
	})
	t.Run("ErrKeysInsideData", func(t *testing.T) {
		c := DefaultConfig()
		c.DataDir, c.KeysDir = "/srv/data", "/srv/data/keys"
		if err := c.resolve(); err == nil {
			t.Fatal("accepted a keys folder inside the data folder")
		}
	})
	t.Run("KeysDatabaseBesidePostgres", func(t *testing.T) {
		if got := keysDatabaseURL("postgres://u@h:5432/shop?sslmode=disable"); got != "postgres://u@h:5432/shop_keys?sslmode=disable" {
			t.Fatal(got)
		}
	})
}

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelp(t *testing.T) {
	code, out, _ := runCmd(t, "help")
	if code != 0 || !strings.Contains(out, "audit verify") || !strings.Contains(out, "operator add") {
		t.Fatalf("help: %d %s", code, out)
	}
	for _, cmd := range [][]string{{"serve", "--help"}, {"demo", "-h"}, {"migrate", "--help"}, {"audit", "verify", "--help"}, {"policy", "lists", "--help"}, {"keys", "rotate", "--help"}, {"operator", "add", "--help"}} {
		code, _, errOut := runCmd(t, cmd...)
		if code != 0 || !strings.Contains(errOut, "Usage: minimall") {
			t.Errorf("%v: exit %d, usage %q", cmd, code, errOut)
		}
	}
	// Every command's help lists its flags, each on a line of its own
	// (a `quoted` word in a usage text would be taken as the type name).
	for _, cmd := range everyCommand {
		code, _, errOut := runCmd(t, append(cmd, "--help")...)
		if code != 0 || !strings.Contains(errOut, "Flags") || !regexp.MustCompile(`(?m)^  -[a-z-]+( [a-z]+)?$`).MatchString(errOut) || strings.Contains(errOut, " minimall seed --users N\n") {
			t.Errorf("%v --help: exit %d\n%s", cmd, code, errOut)
		}
	}
	if code, _, _ := runCmd(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command exit %d, want 2", code)
	}
}

func TestPolicyListsJSON(t *testing.T) {
	code, out, errOut := runCmd(t, "policy", "lists", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Collection []map[string]any `json:"collection"`
		Sharing    []map[string]any `json:"sharing"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Collection) < 50 || len(doc.Sharing) == 0 {
		t.Fatalf("lists: %v, %d rows", err, len(doc.Collection))
	}
}

// TestEndToEnd starts the real Main on 127.0.0.1:0 on each store, creates
// an operator through the CLI, uses its token over HTTP, and verifies the
// audit log through the CLI.
func TestEndToEnd(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		dir := t.TempDir()
		store := []string{"--data", filepath.Join(dir, "data"), "--keys", filepath.Join(dir, "data.keys")}
		if st.Name == "postgres" {
			store = append(store, "--db", st.DataDSN, "--keys-db", st.KeysDSN)
		}
		code, out, errOut := runCmd(t, append([]string{"operator", "add", "--role", "security"}, store...)...)
		if code != 0 || !strings.Contains(out, "mmo_") {
			t.Fatalf("operator add: %d %s %s", code, out, errOut)
		}
		token := out[strings.Index(out, "mmo_"):]
		token = strings.TrimSpace(token)

		m := NewMain()
		fs := newFlagSet()
		m.Config.serveFlags(fs)
		if err := fs.Parse(append([]string{"--addr", "127.0.0.1:0", "--fake-clock"}, store...)); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer m.Close()

		resp, err := http.Get(m.HTTP.URL() + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("healthz: %v %v", resp, err)
		}
		resp.Body.Close()
		req, _ := http.NewRequest("POST", m.HTTP.URL()+"/api/v1/ops/clock/advance", strings.NewReader(`{"seconds":3600}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("X-Access-Reason", "TEST-1")
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("clock advance with operator token: %d %s", resp.StatusCode, body)
		}

		code, out, errOut = runCmd(t, append([]string{"audit", "verify"}, store...)...)
		if code != 0 || !strings.HasPrefix(out, "OK") {
			t.Fatalf("audit verify: %d %s %s", code, out, errOut)
		}
	})
}
