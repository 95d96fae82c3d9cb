package http_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/decision"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/rights"
	"minimall/transfer"
)

// exportOf files a verified access request for sh and returns the export.
func exportOf(t *testing.T, e *testenv.Env, sh *testenv.Shopper) (rights.Export, string) {
	t.Helper()
	req := fileVerified(t, e, sh, map[string]any{"kind": "access"})
	r := e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export", nil, testenv.Bearer(sh.Token)...)
	wantStatus(t, r, 200, "export")
	var ex rights.Export
	r.JSON(t, &ex)
	page := e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export?format=html", nil, testenv.Bearer(sh.Token)...)
	wantStatus(t, page, 200, "page")
	return ex, string(page.Body)
}

// recordsOf returns the export's records of kind, each as its facts by key.
func recordsOf(ex rights.Export, kind string) []map[string]string {
	var out []map[string]string
	for _, rec := range ex.Records {
		if rec.Kind != kind {
			continue
		}
		m := map[string]string{"id": rec.ID, "title": rec.Title}
		for _, f := range rec.Facts {
			if f.Label == "" {
				m["unlabelled"] = f.Key
			}
			m[f.Key] = f.Value
		}
		out = append(out, m)
	}
	return out
}

// TestAPIExportListsTransfers (四(一)(二), 五(二); PIPL art. 39, 45): the
// person's export lists each transfer of their data abroad: recipient and
// where it is, its contact, purpose, method, kinds of data, when, the
// order, and the separate consent it rested on; the readable page shows
// it; nobody else's export has it. On deregistration the transfer log and
// consent records are kept (a legal record of disclosure) and the answer
// says so with the reason.
func TestAPIExportListsTransfers(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13866671001", "cbx_seller")
		imported := fx.item(t, e, "进口奶粉", 29900, 5, map[string]string{"跨境": "是"})
		buyer := e.Register(t, "13866671002", "cbx_buyer")
		other := e.Register(t, "13866671003", "cbx_other")
		auth := testenv.Bearer(buyer.Token)
		order := buyNow(imported, 1)
		order["customs_id"] = map[string]any{"name": "李四", "number": "11010519491231002X"}
		cross := placeOrder(t, e, buyer, order)
		r := e.Do(t, "POST", "/api/v1/cross-border/consents", map[string]string{"notice_version": transfer.NoticeVersion()}, auth...)
		wantStatus(t, r, 201, "consent")
		var consent transfer.ConsentResult
		r.JSON(t, &consent)
		r = e.Do(t, "POST", "/api/v1/cross-border/transfers", map[string]string{"order": cross.ID}, auth...)
		wantStatus(t, r, 201, "transfer")
		var sent transfer.Transfer
		r.JSON(t, &sent)

		ex, page := exportOf(t, e, buyer)
		recs := recordsOf(ex, transfer.RecordTransfer)
		if len(recs) != 1 {
			t.Fatalf("want one transfer in the export: %+v", ex.Records)
		}
		got := recs[0]
		overseas, _ := privacy.Partner(privacy.PartnerOverseas)
		for key, want := range map[string]string{
			"id": sent.ID, "recipient": overseas.Name, "recipient_location": "境外", "recipient_contact": overseas.Contact,
			"purpose": "跨境", "method": "HTTPS", "data": "收", "order": cross.ID, "status": "sent",
			"consent": consent.ConsentID, "when": sent.At.UTC().Format("2006-01-02"),
		} {
			if !strings.Contains(got[key], want) {
				t.Errorf("transfer record %s = %q, want it to hold %q", key, got[key], want)
			}
		}
		if !strings.Contains(got["consent"], transfer.NoticeVersion()) || got["unlabelled"] != "" {
			t.Fatalf("transfer record: %+v", got)
		}
		for _, raw := range []string{"李四", "13966660001", "11010519491231002X"} {
			if strings.Contains(strings.Join(mapValues(got), " "), raw) {
				t.Fatalf("%q in the transfer record", raw)
			}
		}
		if !strings.Contains(page, "向境外提供您的订单信息") || !strings.Contains(page, overseas.Contact) || !strings.Contains(page, sent.ID) {
			t.Fatalf("the page does not show the transfer")
		}
		if oex, _ := exportOf(t, e, other); len(recordsOf(oex, transfer.RecordTransfer)) != 0 {
			t.Fatalf("another person's export lists the transfer: %+v", oex.Records)
		}

		// Deregistration keeps the log, and says why.
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders/"+cross.ID+"/cancel", nil, auth...), 200, "cancel")
		req := fileVerified(t, e, buyer, map[string]any{"kind": "deregister"})
		if req.State != rights.Answered || !req.Answer.Erased || !strings.Contains(req.Answer.KeptRecords[transfer.RecordTransfer], "第55、56条") ||
			req.Answer.KeptRecords[transfer.RecordConsent] == "" {
			t.Fatalf("deregistration: %+v", req.Answer)
		}
		var n int
		if err := st.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM cross_border_transfers WHERE subject = ? AND consent_id = ?`,
			string(buyer.Subject), consent.ConsentID).Scan(&n); err != nil || n != 1 {
			t.Fatalf("transfer log after deregistration: %d %v", n, err)
		}
	})
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestAPIExportListsIncidents (四(一)(二), 五(三)3; PIPL art. 45, 57): the
// export of a person an incident affected lists it: what happened, when,
// which of their information, the impact, what was done, what they can do
// and when they were told; a person it did not affect has no such record.
// On deregistration the incident record is kept for the regulator's report.
func TestAPIExportListsIncidents(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := context.Background()
		hit := e.Register(t, "13866672001", "incx_hit")
		spared := e.Register(t, "13866672002", "incx_spared")
		flush := func() {
			if err := e.Kernel.AuditFlush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		flush()
		start := st.Clock.Advance(time.Hour)
		wantStatus(t, e.Do(t, "GET", "/api/v1/account?full=true", nil, testenv.Bearer(hit.Token)...), 200, "account")
		flush()
		end := st.Clock.Advance(time.Hour)
		st.Clock.Advance(time.Hour)
		req := map[string]any{"title": "客服工具越权访问", "what": "一个客服账号被盗用并查询了账户手机号。",
			"impact": "您的手机号可能被用于骚扰或诈骗电话。", "measures": "已停用该账号并重置全部客服凭据。",
			"advice": "请警惕自称 minimall 客服的来电，不要透露验证码。",
			"since":  start.Format(time.RFC3339Nano), "until": end.Format(time.RFC3339Nano), "fields": []string{"account.phone"}}
		r := e.Do(t, "POST", "/api/v1/ops/incidents", req, operatorHeaders(t, e, minimall.RoleSecurity, "INC-9")...)
		wantStatus(t, r, 201, "record incident")
		var in struct {
			ID         string
			NotifiedAt time.Time `json:"notified_at"`
			Affected   int
		}
		r.JSON(t, &in)
		if in.Affected != 1 {
			t.Fatalf("incident: %s", r.Body)
		}

		ex, page := exportOf(t, e, hit)
		recs := recordsOf(ex, "security_incident")
		if len(recs) != 1 {
			t.Fatalf("want one incident in the export: %+v", ex.Records)
		}
		phone, _ := privacy.Spec(privacy.AccountPhone)
		for key, want := range map[string]string{
			"id": in.ID, "title": "客服工具越权访问", "what": "客服账号被盗用", "impact": "骚扰或诈骗", "measures": "已停用该账号",
			"advice": "不要透露验证码", "your_information": phone.Name, "window": start.UTC().Format("2006-01-02 15:04"),
			"notified": in.NotifiedAt.UTC().Format("2006-01-02 15:04"),
		} {
			if !strings.Contains(recs[0][key], want) {
				t.Errorf("incident record %s = %q, want it to hold %q", key, recs[0][key], want)
			}
		}
		if !strings.Contains(page, "个人信息安全事件") || !strings.Contains(page, "不要透露验证码") {
			t.Fatal("the page does not show the incident")
		}
		if sex, _ := exportOf(t, e, spared); len(recordsOf(sex, "security_incident")) != 0 {
			t.Fatalf("an unaffected person's export lists the incident: %+v", sex.Records)
		}

		dereg := fileVerified(t, e, hit, map[string]any{"kind": "deregister"})
		if dereg.State != rights.Answered || !strings.Contains(dereg.Answer.KeptRecords["security_incident"], "第57条") {
			t.Fatalf("deregistration: %+v", dereg.Answer)
		}
		r = e.Do(t, "GET", "/api/v1/ops/incidents/"+in.ID+"/report", nil, operatorHeaders(t, e, minimall.RoleDPO, "INC-9")...)
		wantStatus(t, r, 200, "report after deregistration")
		if !strings.Contains(string(r.Body), `"affected_people":1`) {
			t.Fatalf("report after deregistration: %s", r.Body)
		}
	})
}

// TestAPIAppealInRightsQueue (四(六), 四(七); PIPL art. 24, 50): an appeal
// of an automated decision is a rights request of kind appeal in the one
// queue: received now, due 15 days later, listed for the person and for
// the DPO (with the decision as ref), flagged overdue once past the
// deadline unanswered; answering the decision's appeal closes the request
// and clears the flag, while the late answer stays on record. Refusals: a
// visitor, someone else's decision, a second appeal, filing an appeal as a
// plain rights request, serving or refusing it through the rights routes.
func TestAPIAppealInRightsQueue(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13866673001", "appeal_me")
		other := e.Register(t, "13866673002", "appeal_other")
		for i := 0; i < 5; i++ {
			e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": "wrong-pass1"})
		}
		list := decisionList(t, e, testenv.Bearer(sh.Token))
		if len(list) != 1 || list[0].Kind != decision.LoginThrottled {
			t.Fatalf("decisions: %+v", list)
		}
		id := list[0].ID
		appeal := func(who []string, reason string) *testenv.Response {
			return e.Do(t, "POST", "/api/v1/account/decisions/"+id+"/appeal", map[string]string{"reason": reason}, who...)
		}
		dpo := rightsOperator(t, e, minimall.RoleDPO)
		queue := func(query string) []rights.Request {
			var q struct{ Requests []rights.Request }
			r := e.Do(t, "GET", "/api/v1/ops/rights/requests"+query, nil, dpo...)
			wantStatus(t, r, 200, "queue")
			r.JSON(t, &q)
			var out []rights.Request
			for _, x := range q.Requests {
				if x.Kind == rights.Appeal {
					out = append(out, x)
				}
			}
			return out
		}

		t.Run("ErrRefusals", func(t *testing.T) {
			wantProblem(t, appeal(nil, decision.ReasonItWasMe), 401, "unauthorized", "")
			wantProblem(t, appeal(testenv.Bearer(other.Token), decision.ReasonItWasMe), 404, "not_found", "")
			wantProblem(t, e.Do(t, "POST", "/api/v1/rights/requests", map[string]any{"kind": "appeal"}, testenv.Bearer(sh.Token)...), 400, "invalid", "")
			if q := queue(""); len(q) != 0 {
				t.Fatalf("refused appeals reached the queue: %+v", q)
			}
		})

		var d decision.Decision
		r := appeal(testenv.Bearer(sh.Token), decision.ReasonItWasMe)
		wantStatus(t, r, 200, "appeal")
		r.JSON(t, &d)
		if d.Appeal == nil || d.Appeal.Request == "" || d.Appeal.DueAt.Sub(d.Appeal.AppealedAt) != rights.Deadline || d.Appeal.Overdue {
			t.Fatalf("appeal: %s", r.Body)
		}
		rid := d.Appeal.Request

		t.Run("ErrTwice", func(t *testing.T) {
			r := appeal(testenv.Bearer(sh.Token), decision.ReasonWantHuman)
			wantProblem(t, r, 409, "conflict", "")
			if !strings.Contains(r.Problem(t).Detail, "appealed already") {
				t.Fatalf("not said clearly: %s", r.Body)
			}
		})

		// The person sees it among their requests, with its deadline.
		var mine struct{ Requests []rights.Request }
		e.Do(t, "GET", "/api/v1/rights/requests", nil, testenv.Bearer(sh.Token)...).JSON(t, &mine)
		if len(mine.Requests) != 1 || mine.Requests[0].ID != rid || mine.Requests[0].Kind != rights.Appeal || mine.Requests[0].Ref != id ||
			mine.Requests[0].State != rights.InProgress || mine.Requests[0].DueAt.Sub(mine.Requests[0].ReceivedAt) != 15*24*time.Hour ||
			!mine.Requests[0].DueAt.Equal(d.Appeal.DueAt) {
			t.Fatalf("the person's requests: %+v", mine.Requests)
		}
		// The DPO sees it in the queue, not yet overdue.
		if q := queue(""); len(q) != 1 || q[0].ID != rid || q[0].Ref != id || q[0].Overdue {
			t.Fatalf("queue: %+v", q)
		}
		if q := queue("?overdue=true"); len(q) != 0 {
			t.Fatalf("overdue before the deadline: %+v", q)
		}

		// Day 16: overdue in the queue and in the person's decision list.
		st.Clock.Advance(16 * 24 * time.Hour)
		if q := queue("?overdue=true"); len(q) != 1 || q[0].ID != rid || !q[0].Overdue {
			t.Fatalf("overdue queue: %+v", q)
		}
		auth := signInAgain(t, e, sh)
		if l := decisionList(t, e, auth); len(l) != 1 || l[0].Appeal == nil || !l[0].Appeal.Overdue {
			t.Fatalf("the person's decision after the deadline: %+v", l)
		}

		t.Run("ErrRightsRoutes", func(t *testing.T) {
			r := e.Do(t, "POST", "/api/v1/ops/rights/requests/"+rid+"/answer", nil, dpo...)
			wantProblem(t, r, 409, "conflict", "")
			if !strings.Contains(r.Problem(t).Detail, "/api/v1/ops/decisions/"+id+"/answer") {
				t.Fatalf("does not point to the decision route: %s", r.Body)
			}
			wantProblem(t, e.Do(t, "POST", "/api/v1/ops/rights/requests/"+rid+"/refuse", map[string]string{"reason": "impractical"}, dpo...), 409, "conflict", "")
			wantProblem(t, e.Do(t, "POST", "/api/v1/ops/decisions/"+id+"/answer", map[string]string{"outcome": decision.Upheld}, rightsOperator(t, e, minimall.RoleCustomerService)...), 403, "denied", "")
		})

		// A security officer answers: the request closes, the flag goes.
		r = e.Do(t, "POST", "/api/v1/ops/decisions/"+id+"/answer", map[string]string{"outcome": decision.Upheld}, rightsOperator(t, e, minimall.RoleSecurity)...)
		wantStatus(t, r, 200, "answer")
		if q := queue("?overdue=true"); len(q) != 0 {
			t.Fatalf("still overdue after the answer: %+v", q)
		}
		var closed rights.Request
		r = e.Do(t, "GET", "/api/v1/ops/rights/requests/"+rid, nil, dpo...)
		wantStatus(t, r, 200, "show")
		r.JSON(t, &closed)
		if closed.State != rights.Answered || closed.Overdue || !closed.AnsweredLate || closed.ClosedAt == nil || closed.Answer == nil ||
			closed.Answer.Outcome != decision.Upheld || closed.Details == nil || closed.Details.Decision != id || closed.Details.Reason != decision.ReasonItWasMe {
			t.Fatalf("closed appeal: %s", r.Body)
		}
		if l := decisionList(t, e, auth); l[0].AppealState != "answered" || l[0].Appeal.Overdue {
			t.Fatalf("the person's decision after the answer: %+v", l[0])
		}
		wantProblem(t, e.Do(t, "POST", "/api/v1/ops/decisions/"+id+"/answer", map[string]string{"outcome": decision.Overturned}, dpo...), 409, "conflict", "")
	})
}
