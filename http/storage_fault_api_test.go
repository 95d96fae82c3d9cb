package http_test

import (
	"context"
	"strings"
	"testing"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/sqldb"
)

// TestAPIStorageFault: while the data store refuses writes (read-only,
// or a full disk failing every commit), a write answers 503 with the
// storage_unavailable type and a Retry-After and no internals, never a
// 500; reads of what was stored keep working; the metric an operator
// alerts on says so. Once the fault clears, the same writes succeed
// without a restart, nothing acknowledged before is lost, the refused
// writes left nothing behind, and the audit log verifies clean.
func TestAPIStorageFault(t *testing.T) {
	for _, f := range []struct {
		name  string
		fault sqldb.Fault
	}{{"read-only", sqldb.ReadOnly}, {"disk-full", sqldb.DiskFull}} {
		t.Run(f.name, func(t *testing.T) {
			testkit.EachStore(t, func(t *testing.T, st *testkit.Store) { testAPIStorageFault(t, st, f.fault) })
		})
	}
}

func testAPIStorageFault(t *testing.T, st *testkit.Store, fault sqldb.Fault) {
	e := testenv.Start(t, st)
	_, items := engageCatalogue(t, e, 3)
	sh := e.Register(t, "13866661001", "diskfull01")
	auth := testenv.Bearer(sh.Token)
	favourite := func(item string) *testenv.Response {
		return e.Do(t, "POST", "/api/v1/account/favourites", map[string]string{"target": item}, auth...)
	}
	if r := favourite(items[0]); r.Status != 201 {
		t.Fatalf("favourite before the fault: %d %s", r.Status, r.Body)
	}

	st.DB.InjectFault(fault)
	refused := func(what string, r *testenv.Response) {
		t.Helper()
		p := r.Problem(t)
		if r.Status != 503 || p.Code != "storage_unavailable" || !strings.HasSuffix(p.Type, "/storage_unavailable") || r.Header.Get("Retry-After") == "" {
			t.Fatalf("%s during the fault: %d %s (Retry-After %q)", what, r.Status, r.Body, r.Header.Get("Retry-After"))
		}
		for _, internal := range []string{"SQLSTATE", "readonly", "read-only transaction", "disk is full", "sqlite", "begin:"} {
			if strings.Contains(string(r.Body), internal) {
				t.Fatalf("%s: the problem shows internals (%q): %s", what, internal, r.Body)
			}
		}
	}
	refused("a favourite", favourite(items[1]))
	if r := e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": "13866661002", "purpose": "register"}); r.Status != 503 && r.Status != 202 {
		t.Fatalf("a registration code during the fault: %d %s", r.Status, r.Body)
	}
	if r := engageList(t, e, "favourites", auth); r.Total != 1 || r.Entries[0].Target != items[0] {
		t.Fatalf("read during the fault: %+v", r)
	}
	if m := e.Do(t, "GET", "/metrics", nil); !strings.Contains(string(m.Body), "minimall_store_refusing_writes 1") {
		t.Fatalf("metrics during the fault do not show the store refusing writes")
	}

	st.DB.InjectFault(sqldb.NoFault)
	if r := favourite(items[1]); r.Status != 201 {
		t.Fatalf("favourite after the fault cleared: %d %s", r.Status, r.Body)
	}
	if got := targets(engageList(t, e, "favourites", auth)); strings.Join(got, ",") != items[1]+","+items[0] {
		t.Fatalf("favourites after the fault: %v", got)
	}
	if m := e.Do(t, "GET", "/metrics", nil); !strings.Contains(string(m.Body), "minimall_store_refusing_writes 0") {
		t.Fatalf("metrics after the fault still show the store refusing writes")
	}
	checkStoreIntact(t, e)
}

// checkStoreIntact fails unless the audit log verifies and, on SQLite,
// the database file passes its integrity check.
func checkStoreIntact(t *testing.T, e *testenv.Env) {
	t.Helper()
	ctx := context.Background()
	rep, err := e.Kernel.VerifyAudit(ctx)
	if err != nil || !rep.OK {
		t.Fatalf("audit verify: %+v %v", rep, err)
	}
	if e.Store.DB.Dialect() == sqldb.SQLite {
		var ok string
		if err := e.Store.DB.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
			t.Fatalf("integrity_check: %q %v", ok, err)
		}
	}
}
