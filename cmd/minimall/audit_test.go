package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/partner/sandbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// TestAuditVerifyWitness: serve publishes the audit chain's signed head to
// the witness at shutdown; whoever holds the keys folder then rewrites an
// entry, re-chains the log with audit.key and moves the checkpoint. `audit
// verify` passes; `audit verify --witness` fails.
func TestAuditVerifyWitness(t *testing.T) {
	w, err := sandbox.StartWitness(t.TempDir(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	m := MustRunMain(t, func(c *Config) { c.AuditWitness = w.URL() })
	ctx := context.Background()
	s := minimall.NewSubjectID()
	for i := 0; i < 5; i++ {
		if err := m.Kernel.AuditAppend(ctx, minimall.SystemActor("test"), s, "allow", "test"); err != nil {
			t.Fatal(err)
		}
	}
	data, keys := m.Config.DataDir, m.Config.KeysDir
	if err := m.Close(); err != nil { // publishes the last head
		t.Fatal(err)
	}
	if len(w.Heads()) == 0 {
		t.Fatal("the witness keeps no head after shutdown")
	}
	store := []string{"--data", data, "--keys", keys}
	if code, out, errOut := runCmd(t, append([]string{"audit", "verify", "--witness", w.URL()}, store...)...); code != 0 || !strings.Contains(out, "witnessed heads checked") {
		t.Fatalf("the intact log against the witness: exit %d\n%s%s", code, out, errOut)
	}
	rewriteWithKey(t, data, keys, "main", 2)
	if code, out, errOut := runCmd(t, append([]string{"audit", "verify"}, store...)...); code != 0 {
		t.Fatalf("local verify of the re-chained log: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ := runCmd(t, append([]string{"audit", "verify", "--witness", w.URL()}, store...)...)
	if code != 1 || !strings.Contains(out, "unwitnessed") {
		t.Fatalf("the re-chained log against the witness: exit %d\n%s", code, out)
	}
}

// rewriteWithKey is the keys folder's holder at work, with nothing but the
// files: it edits chain's entry at seq, re-chains every later entry with
// audit.key (mac_n = HMAC(key, mac_n-1 || row_n), rows encoded as the
// audit package does) and moves the checkpoint in the key store.
func rewriteWithKey(t *testing.T, data, keys, chain string, seq int64) {
	t.Helper()
	ctx := context.Background()
	key, err := os.ReadFile(filepath.Join(keys, "audit.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqldb.Open(ctx, filepath.Join(data, "minimall.db"), minimall.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var prev []byte
	if err := db.QueryRowContext(ctx, `SELECT mac FROM audit_log WHERE chain = ? AND seq = ?`, chain, seq-1).Scan(&prev); err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `SELECT seq, at, actor, subject, field, purpose, decision, reason, ref FROM audit_log
		WHERE chain = ? AND seq >= ? ORDER BY seq`, chain, seq)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		seq, at int64
		text    [7]string
	}
	var es []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.seq, &e.at, &e.text[0], &e.text[1], &e.text[2], &e.text[3], &e.text[4], &e.text[5], &e.text[6]); err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	rows.Close()
	es[0].text[5] = "rewritten" // the reason
	for _, e := range es {
		b := binary.AppendUvarint(nil, uint64(len(chain)))
		b = append(b, chain...)
		b = binary.BigEndian.AppendUint64(b, uint64(e.seq))
		b = binary.BigEndian.AppendUint64(b, uint64(e.at))
		for _, s := range e.text {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
		h := hmac.New(sha256.New, key)
		h.Write(prev)
		h.Write(b)
		prev = h.Sum(nil)
		if _, err := db.ExecContext(ctx, `UPDATE audit_log SET reason = ?, mac = ? WHERE chain = ? AND seq = ?`, e.text[5], prev, chain, e.seq); err != nil {
			t.Fatal(err)
		}
	}
	kdb, err := sqldb.Open(ctx, filepath.Join(keys, "keystore.db"), minimall.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer kdb.Close()
	if _, err := kdb.ExecContext(ctx, `UPDATE audit_heads SET mac = ?, at = ? WHERE chain = ?`, prev, sqldb.Micros(time.Now()), chain); err != nil {
		t.Fatal(err)
	}
}

// TestAuditSweepArchive: entries past their retention go to an archive;
// `audit verify` passes over what remains, `audit verify --archive` checks
// the archive on its own and fails on an edited one; `audit sweep` runs.
func TestAuditSweepArchive(t *testing.T) {
	m := MustRunMain(t, nil)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if err := m.Kernel.AuditAppend(ctx, minimall.SystemActor("test"), minimall.NewSubjectID(), "allow", "test"); err != nil {
			t.Fatal(err)
		}
	}
	archive := filepath.Join(t.TempDir(), "audit-old.jsonl")
	later := time.Now().Add(privacy.AuditRetention + time.Hour)
	rep, err := m.Kernel.SweepAudit(ctx, later, archive, false) // all but the chain's last entry
	if err != nil || rep.Removed < 4 || rep.Archive != archive {
		t.Fatalf("sweep: %+v, %v", rep, err)
	}
	if _, err := m.Kernel.SweepAudit(ctx, later, archive, false); !minimall.IsCode(err, minimall.Conflict) {
		t.Fatalf("a sweep into an existing archive: %v, want Conflict", err)
	}
	data, keys := m.Config.DataDir, m.Config.KeysDir
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	store := []string{"--data", data, "--keys", keys}
	if code, out, errOut := runCmd(t, append([]string{"audit", "verify"}, store...)...); code != 0 {
		t.Fatalf("verify after the sweep: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, append([]string{"audit", "verify", "--archive", archive}, store...)...); code != 0 || !strings.Contains(out, "OK: archive") {
		t.Fatalf("verify the archive: exit %d\n%s%s", code, out, errOut)
	}
	b, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(archive, []byte(strings.Replace(string(b), `"reason":"test"`, `"reason":"tset"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCmd(t, append([]string{"audit", "verify", "--archive", archive}, store...)...); code != 1 || !strings.Contains(out, "edited") {
		t.Fatalf("verify an edited archive: exit %d\n%s", code, out)
	}
	if code, out, errOut := runCmd(t, append([]string{"audit", "sweep", "--dry-run"}, store...)...); code != 0 || !strings.Contains(out, "0 would remove") {
		t.Fatalf("audit sweep --dry-run: exit %d\n%s%s", code, out, errOut)
	}
}
