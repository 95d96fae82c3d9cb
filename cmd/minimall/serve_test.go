package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/sqldb"
)

// TestMain lets a test run this binary's main() in a child process, so
// signal handling is tested on the real thing.
func TestMain(m *testing.M) {
	if os.Getenv("MINIMALL_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"minimall"}, strings.Fields(os.Getenv("MINIMALL_TEST_ARGS"))...)
		main()
		return
	}
	os.Exit(m.Run())
}

// MustRunMain starts Main on 127.0.0.1:0 with its data in a temporary
// folder; edit changes the configuration first.
func MustRunMain(tb testing.TB, edit func(*Config)) *Main {
	tb.Helper()
	dir := tb.TempDir()
	m := NewMain()
	m.Config.Addr = "127.0.0.1:0"
	m.Config.DataDir = filepath.Join(dir, "data")
	if edit != nil {
		edit(&m.Config)
	}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	return m
}

// TestServeStopsOnSignal runs "minimall serve" as a process and stops it
// with SIGTERM: it must answer /healthz, then shut down cleanly (exit 0).
func TestServeStopsOnSignal(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "MINIMALL_TEST_RUN_MAIN=1",
		"MINIMALL_TEST_ARGS=serve --addr 127.0.0.1:0 --data "+filepath.Join(dir, "data"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(out)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "minimall listening on ") {
		t.Fatalf("first line %q", lines.Text())
	}
	base := strings.TrimPrefix(lines.Text(), "minimall listening on ")
	mustGet(t, http.DefaultClient, base+"/healthz", "", 200)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(out)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if !strings.Contains(string(rest), "shutting down") {
		t.Fatalf("output after SIGTERM: %q", rest)
	}
}

// TestDemo runs "minimall demo" until its context ends: it prints the URLs
// and a DPO token that works, then stops with exit status 0.
func TestDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	data := filepath.Join(t.TempDir(), "demo")
	exit := make(chan int)
	go func() {
		code := run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--data", data}, pw, io.Discard)
		pw.Close()
		exit <- code
	}()
	var text strings.Builder
	var token string
	lines := bufio.NewScanner(pr)
	for lines.Scan() && lines.Text() != "Press Ctrl-C to stop." {
		text.WriteString(lines.Text() + "\n")
		if m := regexp.MustCompile(`token \(shown once\): (\S+)`).FindStringSubmatch(lines.Text()); m != nil {
			token = m[1]
		}
	}
	go io.Copy(io.Discard, pr)
	base := regexp.MustCompile(`health:\s+(\S+)/healthz`).FindStringSubmatch(text.String())
	if token == "" || base == nil || !strings.Contains(text.String(), data+".keys") {
		t.Fatalf("demo output:\n%s", text.String())
	}
	if !strings.Contains(text.String(), "shop:     "+base[1]+"/") || !strings.Contains(text.String(), base[1]+"/console/signin") {
		t.Fatalf("demo does not print the shop's address and the browser walk-through:\n%s", text.String())
	}
	mustGet(t, http.DefaultClient, base[1]+"/", "", 200)
	mustGet(t, http.DefaultClient, base[1]+"/healthz", "", 200)
	mustGet(t, http.DefaultClient, base[1]+"/api/v1/openapi.json", "", 200)
	mustGet(t, http.DefaultClient, base[1]+"/api/v1/ops/clock", token, 200)
	// Registration asks to accept version 1: the person can read it.
	if !strings.Contains(text.String(), "published the privacy policy as version 1") {
		t.Fatalf("demo did not publish the first policy version:\n%s", text.String())
	}
	mustGet(t, http.DefaultClient, base[1]+"/api/v1/policy/versions/1", "", 200)
	t.Run("Walkthrough", func(t *testing.T) {
		waitIndexed(t, base[1])
		followWalkthrough(t, text.String())
	})
	cancel()
	if code := <-exit; code != 0 {
		t.Fatalf("demo exit %d", code)
	}
}

// waitIndexed waits until the search index follows the seeded catalogue,
// which it does from the change feed, a moment after demo starts.
func waitIndexed(t *testing.T, base string) {
	for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(base + "/api/v1/search?q=%E8%BF%9E%E8%A1%A3%E8%A3%99")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), `"id":"it_`) {
			return
		}
	}
	t.Fatal("the search index did not follow the demo catalogue in 30 s")
}

// followWalkthrough runs the README's walk-through as a newcomer would:
// the export lines demo printed pasted into a shell, then the README's
// commands, with curl. It checks first that demo printed the README's text.
func followWalkthrough(t *testing.T, demoOut string) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```sh\n"+walkthrough+"```") || !strings.Contains(demoOut, walkthrough) {
		t.Fatal("the README's walk-through and the one demo prints differ from cmd/minimall/walkthrough.sh")
	}
	exports := regexp.MustCompile(`(?m)^export \w+=\S+$`).FindAllString(demoOut, -1)
	if len(exports) < 3 || !strings.Contains(demoOut, "export SMS_SANDBOX_URL=http") {
		t.Fatalf("demo printed no export lines for B and the sandboxes:\n%s", demoOut)
	}
	bash, errBash := exec.LookPath("bash")
	_, errCurl := exec.LookPath("curl")
	if errBash != nil || errCurl != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("bash and curl are needed to follow the README")
		}
		t.Skip("no bash or curl")
	}
	cmd := exec.Command(bash, "-c", strings.Join(exports, "\n")+"\n"+walkthrough)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	for _, want := range []string{`"member_name":"demo_shopper"`, `"status":"paid"`, `"partner":"payment"`, `"state":"identity_checked"`,
		"paid, not shipped", `"status":"refunded"`, `"may_deregister":true`, `"kind":"deregister"`} {
		if err != nil || !strings.Contains(string(out), want) {
			t.Fatalf("walk-through: %v; no %s in:\n%s", err, want, out)
		}
	}
	if !regexp.MustCompile(`"kind":"deregister"[^\n]*"state":"answered"`).Match(out) {
		t.Fatalf("deregistration not answered:\n%s", out)
	}
	if b, err := os.ReadFile(filepath.Join(cmd.Dir, "my-data.json")); err != nil || !strings.Contains(string(b), `"fields"`) {
		t.Fatalf("export: %v %.200s", err, b)
	}
}

// mustGet fetches url, as an operator when token is set, and checks the status.
func mustGet(t *testing.T, c *http.Client, url, token string, status int) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("X-Access-Reason", "TEST-1")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d: %s", url, resp.StatusCode, status, body)
	}
}

func TestNoMigrate(t *testing.T) {
	t.Run("ErrOutdatedSchema", func(t *testing.T) {
		m := NewMain()
		m.Config.Addr, m.Config.DataDir, m.Config.NoMigrate = "127.0.0.1:0", filepath.Join(t.TempDir(), "data"), true
		err := m.Run(context.Background())
		m.Close()
		if err == nil || !strings.Contains(err.Error(), "outdated") {
			t.Fatalf("serve --no-migrate on a fresh store: %v", err)
		}
	})
	t.Run("OKAfterMigrate", func(t *testing.T) {
		data := filepath.Join(t.TempDir(), "data")
		if code, out, errOut := runCmd(t, "migrate", "--data", data); code != 0 {
			t.Fatalf("migrate: %d %s %s", code, out, errOut)
		}
		MustRunMain(t, func(c *Config) { c.DataDir, c.NoMigrate = data, true })
	})
}

// TestKeysInsideDataRefused: the keys must never travel with the data or
// its backups, whether named directly or reached through a symbolic link.
func TestKeysInsideDataRefused(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	for _, keys := range []string{filepath.Join(data, "keys"), filepath.Join(data, "..keys"), data} {
		code, _, errOut := runCmd(t, "migrate", "--data", data, "--keys", keys)
		if code != 1 || !strings.Contains(errOut, "inside the data folder") {
			t.Fatalf("keys %s inside data: exit %d %s", keys, code, errOut)
		}
	}
	if err := os.MkdirAll(filepath.Join(data, "k"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(data, "k"), filepath.Join(dir, "keys")); err != nil {
		t.Skip(err)
	}
	code, _, errOut := runCmd(t, "migrate", "--data", data, "--keys", filepath.Join(dir, "keys", "sub"))
	if code != 1 || !strings.Contains(errOut, "inside the data folder") {
		t.Fatalf("keys linked into data: exit %d %s", code, errOut)
	}
}

// TestOperatorAddBadRole: a wrong role is a usage error and creates no store.
func TestOperatorAddBadRole(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	code, _, errOut := runCmd(t, "operator", "add", "--role", "root", "--data", data)
	if code != 2 || !strings.Contains(errOut, "dpo") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("data folder created for a refused command: %v", err)
	}
}

// TestReadOnlyCommandsCreateNothing: a command that works on the store
// that is there refuses a missing one plainly and creates no folder.
func TestReadOnlyCommandsCreateNothing(t *testing.T) {
	for _, cmd := range [][]string{{"audit", "verify"}, {"policy", "show"}, {"retention", "run", "--dry-run"}, {"keys", "rotate"}, {"keys", "rotate-lookup", "--purpose", "all"}} {
		t.Run(strings.Join(cmd, " "), func(t *testing.T) {
			dir := t.TempDir()
			code, _, errOut := runCmd(t, append(cmd, "--data", filepath.Join(dir, "data"))...)
			if code != 1 || !strings.Contains(errOut, "no store in") {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("created %v", entries)
			}
		})
	}
}

// TestAuditVerifyTampered: audit verify passes on an untouched log and
// names the entry after one is edited, with exit status 1.
func TestAuditVerifyTampered(t *testing.T) {
	m := MustRunMain(t, nil)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := m.Kernel.AuditAppend(ctx, minimall.SystemActor("test"), minimall.NewSubjectID(), "allow", "test"); err != nil {
			t.Fatal(err)
		}
	}
	data, keys := m.Config.DataDir, m.Config.KeysDir
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	store := []string{"--data", data, "--keys", keys}
	code, out, errOut := runCmd(t, append([]string{"audit", "verify"}, store...)...)
	if code != 0 || !strings.HasPrefix(out, "OK: ") {
		t.Fatalf("untouched log: %d %s %s", code, out, errOut)
	}

	db, err := sqldb.Open(ctx, filepath.Join(data, "minimall.db"), minimall.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE audit_log SET decision = 'deny' WHERE seq = (SELECT MIN(seq) FROM audit_log)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, _ = runCmd(t, append([]string{"audit", "verify"}, store...)...)
	if code != 1 || !regexp.MustCompile(`(?m)^chain main seq \d+ \S+: `).MatchString(out) {
		t.Fatalf("edited log: exit %d\n%s", code, out)
	}
}

// TestAuditVerifyIndex: audit verify holds the index by person to the
// chain: deleting one person's rows from it is found, exit status 1.
func TestAuditVerifyIndex(t *testing.T) {
	m := MustRunMain(t, nil)
	ctx := context.Background()
	s := minimall.NewSubjectID()
	for i := 0; i < 3; i++ {
		if err := m.Kernel.AuditAppend(ctx, minimall.SystemActor("test"), s, "allow", "test"); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := m.Kernel.AuditFind(ctx, s, time.Time{}, time.Time{}, 0); err != nil || len(got) != 3 { // indexes them
		t.Fatalf("find: %d entries, %v", len(got), err)
	}
	data, keys := m.Config.DataDir, m.Config.KeysDir
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sqldb.Open(ctx, filepath.Join(data, "minimall.db"), minimall.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM audit_subjects WHERE subject = ?`, string(s)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, _ := runCmd(t, "audit", "verify", "--data", data, "--keys", keys)
	if code != 1 || len(regexp.MustCompile(`(?m)^chain main seq \d+ misindexed: `).FindAllString(out, -1)) != 3 {
		t.Fatalf("index without a person's rows: exit %d\n%s", code, out)
	}
}

// TestTLS: with a certificate the server speaks HTTPS.
func TestTLS(t *testing.T) {
	cert, key, pool := mustSelfSignedCert(t)
	m := MustRunMain(t, func(c *Config) { c.TLSCert, c.TLSKey = cert, key })
	if !strings.HasPrefix(m.HTTP.URL(), "https://") {
		t.Fatalf("URL %s", m.HTTP.URL())
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	mustGet(t, c, m.HTTP.URL()+"/healthz", "", 200)
}

// mustSelfSignedCert writes a certificate for 127.0.0.1 and its key.
func mustSelfSignedCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "minimall test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	parsed, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(parsed)
	return certFile, keyFile, pool
}

// TestKeysDatabaseCreated: with --db and no --keys-db, the key store is a
// database of its own on the same server, "<name>_keys", made if missing.
func TestKeysDatabaseCreated(t *testing.T) {
	dsn := testkit.PostgresDSN(t)
	keysDSN := keysDatabaseURL(dsn)
	ctx := context.Background()
	drop := func() {
		u, _ := url.Parse(dsn)
		name := strings.TrimPrefix(u.Path, "/") + "_keys"
		u.Path = "/postgres"
		if conn, err := pgx.Connect(ctx, u.String()); err == nil {
			conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`)
			conn.Close(ctx)
		}
	}
	drop()
	t.Cleanup(drop)
	keys := filepath.Join(t.TempDir(), "keys")
	if code, out, errOut := runCmd(t, "migrate", "--db", dsn, "--keys", keys); code != 0 {
		t.Fatalf("migrate: %d %s %s", code, out, errOut)
	}
	kdb, err := sqldb.Open(ctx, keysDSN, minimall.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer kdb.Close()
	if pending, err := kdb.Pending(ctx, sqldb.KeystoreMigrations); err != nil || len(pending) != 0 {
		t.Fatalf("key store %s: %d pending, %v", keysDSN, len(pending), err)
	}
}

// TestKeysFolderPrivate: while the platform runs, every file in the keys
// folder (the keys, the key store and SQLite's -wal and -shm beside it) is
// mode 0600 and the folder 0700, as the README promises; a key store left
// readable by an older version is made private at start.
func TestKeysFolderPrivate(t *testing.T) {
	check := func(t *testing.T, keys string) {
		t.Helper()
		seen := map[string]bool{}
		err := filepath.WalkDir(keys, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			want := fs.FileMode(0o600)
			if d.IsDir() {
				want = 0o700
			}
			if fi.Mode().Perm() != want {
				t.Errorf("%s: mode %v, want %v", p, fi.Mode().Perm(), want)
			}
			seen[d.Name()] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"keystore.db", "keystore.db-wal", "keystore.db-shm", "audit.key"} {
			if !seen[name] {
				t.Errorf("no %s in the keys folder: %v", name, seen)
			}
		}
	}
	m := MustRunMain(t, nil)
	keys := m.Config.KeysDir
	check(t, keys)
	t.Run("Tightened", func(t *testing.T) {
		data := m.Config.DataDir
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(keys, "keystore.db"), 0o644); err != nil {
			t.Fatal(err)
		}
		MustRunMain(t, func(c *Config) { c.DataDir, c.KeysDir = data, keys })
		check(t, keys)
	})
}

// lockedBuffer collects log lines written from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestAuditCheckAtStartAndInBackground: serve refuses to start on an audit
// log edited after the rows the background verification last found
// intact; a row edited before them is left to that verification, which
// runs after start, logs one ERROR line and shows in /metrics.
func TestAuditCheckAtStartAndInBackground(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	logs := &lockedBuffer{}
	start := func() (*Main, error) {
		m := NewMain()
		m.Config.Addr, m.Config.DataDir = "127.0.0.1:0", filepath.Join(dir, "data")
		m.Logger = slog.New(slog.NewJSONHandler(logs, nil))
		err := m.Run(ctx)
		if err != nil {
			m.Close()
		}
		return m, err
	}
	waitCheck := func(m *Main, done func(privacy.AuditCheck) bool) privacy.AuditCheck {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if c := m.Kernel.AuditCheck(); done(c) {
				return c
			}
		}
		t.Fatalf("background check: %+v after 20s", m.Kernel.AuditCheck())
		return privacy.AuditCheck{}
	}
	edit := func(seq int64) {
		t.Helper()
		db, err := sqldb.Open(ctx, filepath.Join(dir, "data", "minimall.db"), minimall.SystemClock{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, `UPDATE audit_log SET reason = 'edited' WHERE seq = ?`, seq); err != nil {
			t.Fatal(err)
		}
	}
	m, err := start()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if err := m.Kernel.AuditAppend(ctx, minimall.SystemActor("test"), minimall.NewSubjectID(), "allow", "test"); err != nil {
			t.Fatal(err)
		}
	}
	m.Close()
	// This start checks the 5 entries; its background check marks them.
	if m, err = start(); err != nil {
		t.Fatal(err)
	}
	waitCheck(m, func(c privacy.AuditCheck) bool { return !c.LastSuccess.IsZero() && c.Rows >= 5 })
	if err := m.Kernel.AuditAppend(ctx, minimall.SystemActor("test"), minimall.NewSubjectID(), "allow", "test"); err != nil {
		t.Fatal(err)
	}
	var last int64
	if err := m.DB.QueryRowContext(ctx, `SELECT MAX(seq) FROM audit_log`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	m.Close()

	// A row before the mark: serve starts, the background check finds it.
	edit(2)
	if m, err = start(); err != nil {
		t.Fatalf("start on a log edited before the mark: %v", err)
	}
	c := waitCheck(m, func(c privacy.AuditCheck) bool { return c.Failures > 0 })
	if c.Problems == 0 || !c.LastSuccess.IsZero() {
		t.Fatalf("background check after the edit: %+v", c)
	}
	if !regexp.MustCompile(`"level":"ERROR","msg":"audit log tampered","problems":1,"chain":"main","seq":2,"kind":"edited"`).MatchString(logs.String()) {
		t.Fatalf("no ERROR line for the edit in:\n%s", logs.String())
	}
	res, err := http.Get(m.App.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{"\nminimall_audit_verify_failures_total 1\n", "\nminimall_audit_verify_problems 1\n",
		"\nminimall_audit_verify_last_success_timestamp_seconds 0\n"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", strings.TrimSpace(want))
		}
	}
	m.Close()
	// A row after the mark (the entry appended after the check): refused at start.
	edit(last)
	if _, err := start(); err == nil || !strings.Contains(err.Error(), "audit log tampered") {
		t.Fatalf("start on a log edited after the mark: %v", err)
	}
}
