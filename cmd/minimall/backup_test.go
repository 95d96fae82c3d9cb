package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/sqldb"
)

// startOn starts Main on 127.0.0.1:0 on the given data and keys folders.
func startOn(t *testing.T, data, keys string) *Main {
	t.Helper()
	m := NewMain()
	m.Config.Addr, m.Config.DataDir, m.Config.KeysDir = "127.0.0.1:0", data, keys
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// callJSON sends body as JSON, with a bearer token when one is given.
func callJSON(t *testing.T, method, url, token string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

type backupShopper struct {
	phone, name, password string
	subject               minimall.SubjectID
	token                 string
}

// registerShopper registers a person through the API, reading the code
// from the SMS sandbox, and signs them in.
func registerShopper(t *testing.T, m *Main, phone, name string) *backupShopper {
	t.Helper()
	base := m.HTTP.URL()
	sh := &backupShopper{phone: phone, name: name, password: "secret-pass1"}
	if st, b := callJSON(t, "POST", base+"/api/v1/accounts/codes", "", map[string]string{"phone": phone, "purpose": "register"}); st != 202 {
		t.Fatalf("send code: %d %s", st, b)
	}
	code := (&testenv.SMSReader{URL: m.Sandboxes.SMS.URL()}).Code(t, phone)
	st, b := callJSON(t, "POST", base+"/api/v1/accounts", "", map[string]any{"phone": phone, "code": code, "member_name": name,
		"password": sh.password, "accept_policy_version": m.Kernel.PolicyVersion()})
	if st != 201 {
		t.Fatalf("register: %d %s", st, b)
	}
	var a struct {
		Subject minimall.SubjectID `json:"id"`
	}
	if err := json.Unmarshal(b, &a); err != nil || a.Subject == "" {
		t.Fatalf("register answer %s: %v", b, err)
	}
	sh.subject = a.Subject
	if sh.token = signIn(t, m, sh); sh.token == "" {
		t.Fatal("a new account cannot sign in")
	}
	return sh
}

// signIn returns a session token, or "" when sign-in is refused.
func signIn(t *testing.T, m *Main, sh *backupShopper) string {
	t.Helper()
	st, b := callJSON(t, "POST", m.HTTP.URL()+"/api/v1/sessions", "", map[string]string{"login": sh.name, "password": sh.password})
	if st != 201 {
		return ""
	}
	var s struct {
		Token string `json:"token"`
	}
	json.Unmarshal(b, &s)
	return s.Token
}

// openPhone opens the person's sealed phone for sign-in, as the platform does.
func openPhone(ctx context.Context, m *Main, s minimall.SubjectID) (string, error) {
	var sealed []byte
	var version uint64
	if err := m.DB.QueryRowContext(ctx, `SELECT phone_sealed, phone_version FROM accounts WHERE subject = ?`, string(s)).Scan(&sealed, &version); err != nil {
		return "", err
	}
	return m.Kernel.Guard().OpenVersionString(ctx, minimall.SystemActor("backup-test"), s, privacy.AccountPhone, privacy.ForLogin, string(s), version, sealed)
}

// TestBackupRestoreKeepsErasure (policy 五(一), PIPL art. 47): a backup
// taken before an erasure, restored, does not bring the erased person
// back, because the erasure ledger in the key store is replayed at start;
// the other person is unaffected. The backup never holds the keys.
func TestBackupRestoreKeepsErasure(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data, keys, backup := filepath.Join(dir, "data"), filepath.Join(dir, "data.keys"), filepath.Join(dir, "backup")
	m := startOn(t, data, keys)
	gone := registerShopper(t, m, "13800138001", "backup_gone")
	kept := registerShopper(t, m, "13800138002", "backup_kept")

	// Online backup while the platform serves.
	code, out, errOut := runCmd(t, "backup", "--to", backup, "--data", data, "--keys", keys)
	if code != 0 || !strings.Contains(out, "NOT copied") {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errOut)
	}
	backupOut := out
	entries, _ := os.ReadDir(backup)
	if len(entries) != 1 || entries[0].Name() != "minimall.db" {
		t.Fatalf("backup folder holds %v, want minimall.db only (no keys)", entries)
	}

	if err := m.Kernel.Erase(ctx, minimall.SystemActor("test"), gone.subject, privacy.EraseAccount, "test"); err != nil {
		t.Fatal(err)
	}
	if signIn(t, m, gone) != "" {
		t.Fatal("an erased person signs in before the restore")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	// Putting the old file back by hand is refused at start: the audit log
	// is now shorter than its checkpoint in the key store (truncation).
	db := filepath.Join(data, "minimall.db")
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	copyFile(t, filepath.Join(backup, "minimall.db"), db)
	bare := NewMain()
	bare.Config.Addr, bare.Config.DataDir, bare.Config.KeysDir = "127.0.0.1:0", data, keys
	err := bare.Run(ctx)
	bare.Close()
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("start on a hand-restored file: %v, want the truncated audit log refused", err)
	}

	// The restore command: the backup back, the current keys kept, the
	// audit checkpoints moved back (and the gap logged), erasures replayed.
	code, out, errOut = runCmd(t, restoreHint(t, backupOut)...)
	if code != 0 || !strings.Contains(out, "1 people erased since the backup") || !strings.Contains(out, "gone with it") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, "audit", "verify", "--data", data, "--keys", keys); code != 0 {
		t.Fatalf("audit verify after restore: exit %d %s %s", code, out, errOut)
	}
	m = startOn(t, data, keys)
	wantErasureKept(t, m, gone, kept)
}

// restoreHint returns the arguments of the restore command backup printed,
// so the test runs it as printed.
func restoreHint(t *testing.T, out string) []string {
	t.Helper()
	m := regexp.MustCompile("`minimall (restore [^`]*)`").FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("backup printed no restore command:\n%s", out)
	}
	args := strings.Fields(m[1])
	for i, a := range args { // the test's paths hold no spaces
		args[i] = strings.Trim(a, "'")
	}
	return args
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBackupRefusals: no target, a target that holds a backup already, a
// target overlapping the keys folder, no database, and PostgreSQL (pg_dump).
func TestBackupRefusals(t *testing.T) {
	m := MustRunMain(t, nil)
	data, keys := m.Config.DataDir, m.Config.KeysDir
	to := filepath.Join(t.TempDir(), "b")
	if code, _, errOut := runCmd(t, "backup", "--data", data); code != 2 || !strings.Contains(errOut, "--to") {
		t.Errorf("no --to: exit %d %s", code, errOut)
	}
	for i := 0; i < 3; i++ {
		if err := m.Kernel.AuditAppend(context.Background(), minimall.SystemActor("test"), minimall.NewSubjectID(), "allow", "test"); err != nil {
			t.Fatal(err)
		}
	}
	if code, out, errOut := runCmd(t, "backup", "--to", to, "--data", data); code != 0 {
		t.Fatalf("backup: exit %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, "backup", "--to", to, "--data", data); code != 1 || !strings.Contains(errOut, "exists already") {
		t.Errorf("second backup into the same folder: exit %d %s", code, errOut)
	}
	if code, _, errOut := runCmd(t, "backup", "--to", filepath.Join(keys, "b"), "--data", data); code != 1 || !strings.Contains(errOut, "keys") {
		t.Errorf("backup into the keys folder: exit %d %s", code, errOut)
	}
	missing := filepath.Join(t.TempDir(), "none")
	if code, _, errOut := runCmd(t, "backup", "--to", to+"2", "--data", missing); code != 1 || !strings.Contains(errOut, "no data database") {
		t.Errorf("no database: exit %d %s", code, errOut)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("backup created a data folder: %v", err)
	}
	if code, _, errOut := runCmd(t, "restore", "--data", data); code != 2 || !strings.Contains(errOut, "--from") {
		t.Errorf("restore without --from: exit %d %s", code, errOut)
	}

	// A backup whose audit log was edited is refused, and the current data
	// is left in place.
	ctx := context.Background()
	bdb, err := sqldb.Open(ctx, filepath.Join(to, "minimall.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := bdb.ExecContext(ctx, `UPDATE audit_log SET decision = 'tampered' WHERE seq = (SELECT MIN(seq) FROM audit_log)`); err != nil {
		t.Fatal(err)
	} else if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("edited %d audit rows in the backup", n)
	}
	// Into the file itself: restore reads the file, not a WAL beside it.
	if err := bdb.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	bdb.Close()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCmd(t, "restore", "--from", to, "--data", data, "--keys", keys); code != 1 || !strings.Contains(errOut, "tamper") {
		t.Errorf("restore of an edited backup: exit %d %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, "minimall.db.restoring")); !os.IsNotExist(err) {
		t.Errorf("refused restore left its copy: %v", err)
	}
	startOn(t, data, keys).Close() // the current data still opens

	// On PostgreSQL backup runs pg_dump (TestBackupRestoreKeepsErasurePostgres);
	// it never overwrites a dump, nor writes into the keys folder.
	t.Run("postgres", func(t *testing.T) {
		dsn := testkit.PostgresDSN(t)
		to := filepath.Join(t.TempDir(), "pg")
		if err := os.MkdirAll(to, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, "minimall.dump"), []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, _, errOut := runCmd(t, "backup", "--to", to, "--db", dsn); code != 1 || !strings.Contains(errOut, "exists already") {
			t.Errorf("postgres, existing dump: exit %d %s", code, errOut)
		}
		if code, _, errOut := runCmd(t, "backup", "--to", filepath.Join(keys, "pg"), "--keys", keys, "--db", dsn); code != 1 || !strings.Contains(errOut, "keys") {
			t.Errorf("postgres, into the keys folder: exit %d %s", code, errOut)
		}
	})
}

// wantErasureKept checks a server started on a restored backup: the person
// erased since the backup stays erased (marked, sealed data shut, no
// sign-in, no old session) and the other person is whole.
func wantErasureKept(t *testing.T, m *Main, gone, kept *backupShopper) {
	t.Helper()
	ctx := context.Background()
	var erasedAt int64
	if err := m.DB.QueryRowContext(ctx, `SELECT erased_at FROM subjects WHERE id = ?`, string(gone.subject)).Scan(&erasedAt); err != nil || erasedAt == 0 {
		t.Fatalf("erased person not marked erased after restore: erased_at=%d %v", erasedAt, err)
	}
	if phone, err := openPhone(ctx, m, gone.subject); err == nil {
		t.Fatalf("erased person's sealed phone opens after restore: %q", phone)
	}
	if signIn(t, m, gone) != "" {
		t.Fatal("erased person signs in after restore")
	}
	if st, b := callJSON(t, "GET", m.HTTP.URL()+"/api/v1/account", gone.token, nil); st == 200 {
		t.Fatalf("erased person's old session works after restore: %s", b)
	}
	if phone, err := openPhone(ctx, m, kept.subject); err != nil || phone != kept.phone {
		t.Fatalf("other person's phone after restore: %q %v", phone, err)
	}
	if signIn(t, m, kept) == "" {
		t.Fatal("the other person cannot sign in after restore")
	}
	// The erasure's clean-up ran again: the account is closed, its password
	// hash gone, and its phone number free to register anew.
	var status, hash string
	if err := m.DB.QueryRowContext(ctx, `SELECT status, password_hash FROM accounts WHERE subject = ?`, string(gone.subject)).Scan(&status, &hash); err != nil || hash != "" || status == "active" {
		t.Fatalf("erased person's account after restore: status %q, hash %d bytes, %v", status, len(hash), err)
	}
	again := registerShopper(t, m, gone.phone, gone.name+"_new")
	if again.subject == gone.subject {
		t.Fatal("the number registered into the erased account")
	}
}
