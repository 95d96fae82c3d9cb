package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"minimall/internal/testkit"
	"minimall/loadgen"
)

// TestLoadgenFlows seeds a small store on each engine, serves it, and runs
// every loadgen flow against it briefly: each flow must complete requests
// without an error, and the checkout flow must show its payments reaching
// the payment partner (a disclosure an order) in the kernel's figures.
func TestLoadgenFlows(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		dir := t.TempDir()
		data, keys := filepath.Join(dir, "data"), filepath.Join(dir, "data.keys")
		store := []string{"--data", data, "--keys", keys}
		if st.Name == "postgres" {
			store = append(store, "--db", st.DataDSN, "--keys-db", st.KeysDSN)
		}
		if code, out, errOut := runCmd(t, append([]string{"seed", "--items", "120", "--users", "8"}, store...)...); code != 0 {
			t.Fatalf("seed: exit %d\n%s%s", code, out, errOut)
		}
		m := NewMain()
		fs := newFlagSet()
		m.Config.serveFlags(fs)
		if err := fs.Parse(append([]string{"--addr", "127.0.0.1:0", "--logins-per-minute", "1000"}, store...)); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(t.Context()); err != nil {
			m.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })

		code, out, errOut := runCmd(t, "loadgen", "--target", m.HTTP.URL(), "--users", "8", "--concurrency", "2",
			"--duration", "300ms", "--format", "json")
		if code != 0 {
			t.Fatalf("loadgen: exit %d\n%s%s", code, out, errOut)
		}
		var got struct {
			Flows map[string]loadgen.Result `json:"flows"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("loadgen JSON: %v\n%s", err, out)
		}
		for _, name := range loadgen.FlowNames() {
			r, ok := got.Flows[name]
			if !ok || r.Requests == 0 || r.Errors != 0 || r.RPS <= 0 || r.P99ms < r.P50ms {
				t.Errorf("flow %s: %+v", name, r)
			}
		}
		if c := got.Flows["checkout"]; c.Kernel.Disclosures < c.Requests || c.Kernel.AuditDurable == 0 {
			t.Errorf("checkout: %d purchases but %d disclosures and %d durable audit entries",
				c.Requests, c.Kernel.Disclosures, c.Kernel.AuditDurable)
		}
		if !strings.Contains(out, `"p99_ms"`) {
			t.Errorf("JSON lacks p99_ms: %s", out)
		}

		// The text table: a header, then a row a flow with its ratio to
		// baseline.
		code, out, errOut = runCmd(t, "loadgen", "--target", m.HTTP.URL(), "--users", "8", "--concurrency", "2",
			"--duration", "200ms", "--flows", "baseline,cart")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "flow") || !strings.Contains(lines[0], "×base") ||
			!strings.HasPrefix(lines[1], "baseline") || !strings.Contains(lines[1], "1.000") || !strings.HasPrefix(lines[2], "cart") {
			t.Errorf("loadgen text: exit %d\n%s%s", code, out, errOut)
		}
	})
}
