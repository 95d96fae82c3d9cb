package http_test

import (
	"strings"
	"testing"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// TestAPIConsentEvidenceIsTheServersID: a consent change is evidenced by
// the server's request id; a client's X-Request-ID (here a phone number)
// never becomes evidence in the ledger, which is never rewritten.
func TestAPIConsentEvidenceIsTheServersID(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "17033334444", "evidence01")
		headers := append(testenv.Bearer(sh.Token), "X-Request-ID", "13999998888-evil")
		r := e.Do(t, "POST", "/api/v1/consents", map[string]string{"feature": "recommendation", "action": "grant"}, headers...)
		wantStatus(t, r, 201, "grant")
		var list struct {
			History []struct{ Evidence string }
		}
		e.Do(t, "GET", "/api/v1/consents", nil, testenv.Bearer(sh.Token)...).JSON(t, &list)
		if len(list.History) == 0 {
			t.Fatal("no consent history")
		}
		for _, h := range list.History {
			if strings.Contains(h.Evidence, "13999998888") {
				t.Fatalf("the client's request id became consent evidence: %q", h.Evidence)
			}
		}
		if last := list.History[len(list.History)-1].Evidence; !strings.Contains(last, r.Header.Get("X-Request-ID")) {
			t.Fatalf("evidence %q does not name the answer's request id %q", last, r.Header.Get("X-Request-ID"))
		}
		if strings.Contains(e.Logs.String(), "13999998888") {
			t.Fatal("the client's request id reached the log")
		}
	})
}

// TestAPIDefaultBodyLimit: with no limit configured, a JSON body over 1 MiB
// is refused with 413 before it is decoded; one just under it reaches the
// decoder (and is refused there for what it is, not for its size).
func TestAPIDefaultBodyLimit(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		body := func(n int) string {
			const head, tail = `{"phone":"13800138000","purpose":"login","x":"`, `"}`
			return head + strings.Repeat("a", n-len(head)-len(tail)) + tail
		}
		r := e.Do(t, "POST", "/api/v1/accounts/codes", body(1<<20+1))
		wantStatus(t, r, 413, "a body of 1 MiB and one byte")
		r = e.Do(t, "POST", "/api/v1/accounts/codes", body(1<<20-1))
		wantStatus(t, r, 400, "a body just under 1 MiB with an unknown field")
	})
}
