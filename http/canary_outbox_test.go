package http_test

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// outboxClean checks the change feed after a canary's flows: no payload
// holds a marker, a sealed value of any registered column (raw or as the
// base64 JSON gives []byte), or, in an event naming person, any of items
// (a plaintext (person, item) pair). Payloads carry ids of rows only.
func outboxClean(t *testing.T, e *testenv.Env, st *testkit.Store, markers []string, person minimall.SubjectID, items ...string) {
	t.Helper()
	if err := e.Recommend.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	sealed := sealedValues(t, st)
	rows, err := st.DB.QueryContext(t.Context(), `SELECT topic, subject, payload FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var topic, subject, payload string
		if err := rows.Scan(&topic, &subject, &payload); err != nil {
			t.Fatal(err)
		}
		n++
		for _, m := range markers {
			if bytes.Contains([]byte(payload), []byte(m)) {
				t.Errorf("outbox %s holds %q", topic, m)
			}
		}
		for _, v := range sealed {
			if bytes.Contains([]byte(payload), v) || bytes.Contains([]byte(payload), []byte(base64.StdEncoding.EncodeToString(v))) {
				t.Errorf("outbox %s holds a sealed value: %s", topic, payload)
				break
			}
		}
		for _, it := range items {
			if subject == string(person) && bytes.Contains([]byte(payload), []byte(it)) {
				t.Errorf("outbox %s pairs the person with item %s: %s", topic, it, payload)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no outbox events: is the check looking at the right table?")
	}
}

// sealedValues returns every stored value of every sealed column the
// registry declares.
func sealedValues(t *testing.T, st *testkit.Store) [][]byte {
	t.Helper()
	var out [][]byte
	for _, f := range privacy.Fields() {
		if f.Table == "" || f.Column == "" {
			continue
		}
		rows, err := st.DB.QueryContext(t.Context(), `SELECT `+f.Column+` FROM `+f.Table+` WHERE `+f.Column+` IS NOT NULL`)
		if err != nil && (strings.Contains(err.Error(), "no such table") || strings.Contains(err.Error(), "42P01")) {
			continue // declared for a flow not built yet
		}
		if err != nil {
			t.Fatalf("%s.%s: %v", f.Table, f.Column, err)
		}
		for rows.Next() {
			var v []byte
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			if len(v) >= 16 {
				out = append(out, v)
			}
		}
		rows.Close()
	}
	return out
}
