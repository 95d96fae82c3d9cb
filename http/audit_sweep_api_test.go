package http_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// openAsCS has customer service open sh's recipient phone on ticket, so
// the person's tracker has an entry.
func openAsCS(t *testing.T, e *testenv.Env, sh *testenv.Shopper, ticket string) {
	t.Helper()
	ctx := context.Background()
	sealed, err := e.Kernel.Guard().Seal(ctx, sh.Subject, privacy.RecipientPhone, "o_"+ticket, []byte("13900001111"))
	if err != nil {
		t.Fatal(err)
	}
	cs := minimall.Actor{Kind: minimall.Operator, ID: "op_alice", Role: minimall.RoleCustomerService, Reason: ticket}
	if _, err := e.Kernel.Guard().Open(ctx, cs, sh.Subject, privacy.RecipientPhone, privacy.ForCustomerService, "o_"+ticket, sealed); err != nil {
		t.Fatal(err)
	}
	if err := e.Kernel.AuditFlush(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestAPIAuditSweep (五(三)1): the retention sweep drops audit entries
// written more than privacy.AuditRetention ago and keeps the later ones;
// the log (its index by person too) still verifies and a tampered remaining
// row still fails; the sweep is audited; and the person's "who opened my
// data" page says from which date on it can show entries.
func TestAPIAuditSweep(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := context.Background()
		ops := lifecycleOps(t, e, minimall.RoleOps)
		sh := e.Register(t, "13800138555", "sweep_member")
		openAsCS(t, e, sh, "OLD-1")
		b := newBrowserSignedIn(t, e, sh, "en")
		if p := b.get("/account/privacy/data"); !strings.Contains(p.HTML, "every entry can be shown") || !strings.Contains(p.HTML, "OLD-1") {
			t.Fatalf("before any sweep the tracker: %.600s", p.HTML)
		}

		st.Clock.Advance(privacy.AuditRetention + 48*time.Hour)
		ops = lifecycleOps(t, e, minimall.RoleOps)
		openAsCS(t, e, sh, "NEW-2")
		rep := runSweep(t, e, ops, false)
		if rep.removed("audit_log") == 0 {
			t.Fatalf("the sweep removed no audit entries: %+v", rep.Areas)
		}
		if r, err := e.Kernel.VerifyAudit(ctx); err != nil || !r.OK {
			t.Fatalf("verify after the sweep: %+v, %v", r, err)
		}
		var sweeps int
		if err := st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE decision = ?`, privacy.DecisionAuditSweep).Scan(&sweeps); err != nil || sweeps != 1 {
			t.Fatalf("audited sweeps: %d, %v", sweeps, err)
		}

		signInAgain(t, e, sh)
		b = newBrowserSignedIn(t, e, sh, "en")
		p := b.get("/account/privacy/data")
		mustPage(t, p, 200, "my data")
		_, tracker, _ := strings.Cut(p.HTML, `id="tracker-h"`)
		tracker, _, _ = strings.Cut(tracker, `id="shared-h"`)
		from := st.Clock.Now().Add(-privacy.AuditRetention).Format("2006-01-02")
		if strings.Contains(tracker, "OLD-1") || !strings.Contains(tracker, "NEW-2") {
			t.Fatalf("after the sweep the tracker should hold NEW-2 only: %s", tracker)
		}
		if !strings.Contains(tracker, `datetime="`+from+`"`) {
			t.Fatalf("the tracker does not say entries are shown from %s: %s", from, tracker)
		}

		mustExecHTTP(t, st, `UPDATE audit_log SET purpose = 'marketing' WHERE ref LIKE '%NEW-2'`)
		if r, err := e.Kernel.VerifyAudit(ctx); err != nil || r.OK {
			t.Fatalf("verify after a remaining row was edited: %+v, %v", r, err)
		}
	})
}

func mustExecHTTP(t *testing.T, st *testkit.Store, q string, args ...any) {
	t.Helper()
	if _, err := st.DB.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatal(err)
	}
}
