package partner_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/partner"
	"minimall/partner/sandbox"
	"minimall/privacy"
)

// world is one test's platform side (store, kernel, gateway) and partner
// side (the sandboxes, plus a logistics sandbox that should never hear
// about a phone number).
type world struct {
	st        *testkit.Store
	k         *privacy.Kernel
	set       *sandbox.Set
	logistics *sandbox.Sandbox
	gw        *partner.Gateway
	dir       string // the sandboxes' folder
}

func newWorld(t *testing.T, st *testkit.Store) *world {
	t.Helper()
	ctx := context.Background()
	k, err := privacy.Open(ctx, privacy.Config{Data: st.DB, Keys: st.KeysDB, KeysDir: st.KeysDir, Clock: st.Clock, Chain: "test"})
	if err != nil {
		t.Fatalf("open kernel: %v", err)
	}
	t.Cleanup(func() { k.Close() })
	w := &world{st: st, k: k, dir: filepath.Join(t.TempDir(), "sandbox")}
	if w.set, err = sandbox.StartAll(w.dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.set.Close() })
	if w.logistics, err = sandbox.Start(privacy.PartnerLogistics, w.dir, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.logistics.Close() })
	eps := w.set.Endpoints()
	eps[privacy.PartnerLogistics] = w.logistics.Endpoint()
	w.gw = partner.NewGateway(st.DB, k, eps, nil)
	return w
}

func (w *world) newSubject(t *testing.T) minimall.SubjectID {
	t.Helper()
	ctx := context.Background()
	tx, err := w.st.DB.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	s := minimall.NewSubjectID()
	if err := w.k.AddSubject(ctx, tx, s, "CN"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return s
}

// smsTo is a notification SMS to s's account phone.
func smsTo(s minimall.SubjectID, phone string) partner.Disclosure {
	return partner.Disclosure{
		Partner: privacy.PartnerSMS, Purpose: privacy.ForNotification, Subject: s, Operation: "sms/send",
		Fields: map[privacy.Field]string{privacy.AccountPhone: phone}, Params: map[string]any{"text": "您的订单已发货 / shipped"}, RequestID: "req-1",
	}
}

func riskOf(s minimall.SubjectID, phone string) partner.Disclosure {
	return partner.Disclosure{
		Partner: privacy.PartnerCarrier, Purpose: privacy.ForPhoneCheck, Subject: s, Operation: "carrier/risk",
		Fields: map[privacy.Field]string{privacy.AccountPhone: phone}, RequestID: "req-2",
	}
}

func mustSend(t *testing.T, gw *partner.Gateway, d partner.Disclosure) map[string]any {
	t.Helper()
	raw, err := gw.Send(context.Background(), d)
	if err != nil {
		t.Fatalf("send %s: %v", d.Operation, err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// inspect reads a sandbox's GET /requests from outside, as a tester would.
func inspect(t *testing.T, sb *sandbox.Sandbox) []sandbox.Request {
	t.Helper()
	resp, err := http.Get(sb.URL() + "/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []sandbox.Request
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// disclosureRow is partner_disclosures as stored.
type disclosureRow struct {
	subject, partner, purpose, operation, fields, ref, requestID, status string
}

func rows(t *testing.T, st *testkit.Store) []disclosureRow {
	t.Helper()
	rs, err := st.DB.QueryContext(context.Background(), `SELECT subject, partner, purpose, operation, fields, partner_ref, request_id, status FROM partner_disclosures ORDER BY at, id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []disclosureRow
	for rs.Next() {
		var r disclosureRow
		if err := rs.Scan(&r.subject, &r.partner, &r.purpose, &r.operation, &r.fields, &r.ref, &r.requestID, &r.status); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func auditOf(t *testing.T, k *privacy.Kernel, s minimall.SubjectID) []privacy.AuditEntry {
	t.Helper()
	ctx := context.Background()
	if err := k.AuditFlush(ctx); err != nil {
		t.Fatal(err)
	}
	es, err := k.AuditFind(ctx, s, minimall.SystemClock{}.Now().AddDate(-1, 0, 0), minimall.SystemClock{}.Now().AddDate(1, 0, 0), 0)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func hasAudit(es []privacy.AuditEntry, decision, reason string) bool {
	for _, e := range es {
		if e.Decision == decision && e.Reason == reason {
			return true
		}
	}
	return false
}

func denial(err error) privacy.Reason {
	var d *privacy.Denied
	if errors.As(err, &d) {
		return d.Reason
	}
	return ""
}
