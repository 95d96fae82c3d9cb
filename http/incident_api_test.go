package http_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/incident"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

type noticeList struct {
	Notifications []struct{ ID, Kind, Title, Body string }
}

// TestAPIIncident (五(三)3, PIPL art. 57): a security or DPO operator
// records an incident; the people whose listed fields were opened in its
// window (from the audit log) — and only they — get a notice saying what
// happened, its possible impact, what was done and what they can do; the
// report for the regulator counts people per field and holds no personal
// values.
func TestAPIIncident(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := context.Background()
		a := e.Register(t, "13866662001", "inc_alice")
		b := e.Register(t, "13866662002", "inc_bob")
		c := e.Register(t, "13866662003", "inc_carol")
		flush := func() {
			if err := e.Kernel.AuditFlush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		look := func(sh *testenv.Shopper) {
			wantStatus(t, e.Do(t, "GET", "/api/v1/account?full=true", nil, testenv.Bearer(sh.Token)...), 200, "account")
		}
		// Registration is long before the window; alice and bob are looked
		// at inside it, carol two hours later, outside it.
		flush()
		start := st.Clock.Advance(time.Hour)
		look(a)
		look(b)
		flush()
		end := st.Clock.Advance(time.Hour)
		st.Clock.Advance(time.Hour)
		look(c)
		flush()

		req := map[string]any{"title": "客服工具越权访问", "what": "一个客服账号被盗用并查询了账户手机号。",
			"impact": "您的手机号可能被用于骚扰或诈骗电话。", "measures": "已停用该账号、重置全部客服凭据并报告监管部门。",
			"advice": "请警惕自称 minimall 客服的来电，不要透露验证码。",
			"since":  start.Format(time.RFC3339Nano), "until": end.Format(time.RFC3339Nano), "fields": []string{"account.phone"}}
		sec := operatorHeaders(t, e, minimall.RoleSecurity, "INC-1")
		dpo := operatorHeaders(t, e, minimall.RoleDPO, "INC-1")

		var in incident.Incident
		t.Run("OK", func(t *testing.T) {
			r := e.Do(t, "POST", "/api/v1/ops/incidents", req, sec...)
			wantStatus(t, r, 201, "record incident")
			r.JSON(t, &in)
			if in.Affected != 2 || in.NotifiedAt.IsZero() {
				t.Fatalf("incident: %s", r.Body)
			}
		})
		t.Run("ByTable", func(t *testing.T) {
			// Naming a table covers every registry field kept in it.
			body := map[string]any{}
			for k, v := range req {
				body[k] = v
			}
			delete(body, "fields")
			body["tables"] = []string{"accounts"}
			r := e.Do(t, "POST", "/api/v1/ops/incidents", body, dpo...)
			wantStatus(t, r, 201, "record by table")
			var got incident.Incident
			r.JSON(t, &got)
			if got.Affected != 2 || len(got.Fields) < 2 {
				t.Fatalf("by table: %s", r.Body)
			}
		})
		t.Run("NoticesToAffectedOnly", func(t *testing.T) {
			for _, sh := range []*testenv.Shopper{a, b, c} {
				var got noticeList
				r := e.Do(t, "GET", "/api/v1/account/notifications", nil, testenv.Bearer(sh.Token)...)
				wantStatus(t, r, 200, "notifications")
				r.JSON(t, &got)
				var n int
				for _, x := range got.Notifications {
					if x.Kind != "incident:"+in.ID {
						continue
					}
					n++
					for _, part := range []string{"客服账号被盗用", "骚扰或诈骗", "已停用该账号", "不要透露验证码", "手机号"} {
						if !strings.Contains(x.Body, part) {
							t.Errorf("notice lacks %q: %s", part, x.Body)
						}
					}
				}
				if want := map[*testenv.Shopper]int{a: 1, b: 1, c: 0}[sh]; n != want {
					t.Fatalf("%s got %d incident notices, want %d: %s", sh.MemberName, n, want, r.Body)
				}
			}
		})
		t.Run("ResumedAfterCrash", func(t *testing.T) {
			// A crash after the incident and its people were recorded, before
			// anyone was told: the notices are gone and notified_at is zero.
			// The resumer, at start and on schedule, tells each of them once.
			if _, err := st.DB.ExecContext(ctx, `DELETE FROM lifecycle_notifications WHERE kind = ?`, "incident:"+in.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := st.DB.ExecContext(ctx, `UPDATE incidents SET notified_at = 0 WHERE id = ?`, in.ID); err != nil {
				t.Fatal(err)
			}
			for range 2 { // twice: a second pass tells no one again
				if _, err := e.Incidents.ResumeNotices(ctx); err != nil {
					t.Fatal(err)
				}
			}
			for sh, want := range map[*testenv.Shopper]int{a: 1, b: 1, c: 0} {
				var got noticeList
				e.Do(t, "GET", "/api/v1/account/notifications", nil, testenv.Bearer(sh.Token)...).JSON(t, &got)
				n := 0
				for _, x := range got.Notifications {
					if x.Kind == "incident:"+in.ID {
						n++
					}
				}
				if n != want {
					t.Fatalf("%s has %d notices of the resumed incident, want %d", sh.MemberName, n, want)
				}
			}
			var again incident.Incident
			e.Do(t, "GET", "/api/v1/ops/incidents/"+in.ID, nil, dpo...).JSON(t, &again)
			if again.NotifiedAt.IsZero() {
				t.Fatal("resumed incident not marked notified")
			}
		})
		t.Run("Report", func(t *testing.T) {
			r := e.Do(t, "GET", "/api/v1/ops/incidents/"+in.ID+"/report", nil, dpo...)
			wantStatus(t, r, 200, "report")
			var rep incident.Report
			r.JSON(t, &rep)
			if rep.Affected != 2 || rep.Notified != 2 || len(rep.ByField) != 1 || rep.ByField[0].People != 2 || len(rep.Timeline) != 4 {
				t.Fatalf("report: %s", r.Body)
			}
			for _, s := range []string{a.Phone, b.Phone, c.Phone, string(a.Subject), string(b.Subject), a.MemberName} {
				if strings.Contains(string(r.Body), s) {
					t.Fatalf("report holds %q", s)
				}
			}
			wantStatus(t, e.Do(t, "GET", "/api/v1/ops/incidents/"+in.ID, nil, dpo...), 200, "get")
			wantStatus(t, e.Do(t, "GET", "/api/v1/ops/incidents/inc_nope/report", nil, dpo...), 404, "unknown incident")
		})
		t.Run("Refusals", func(t *testing.T) {
			with := func(kv ...any) map[string]any {
				m := map[string]any{}
				for k, v := range req {
					m[k] = v
				}
				for i := 0; i+1 < len(kv); i += 2 {
					m[kv[i].(string)] = kv[i+1]
				}
				return m
			}
			cs := operatorHeaders(t, e, minimall.RoleCustomerService, "INC-1")
			noTicket := operatorHeaders(t, e, minimall.RoleSecurity, "")
			for name, tc := range map[string]struct {
				body    any
				headers []string
				status  int
			}{
				"ErrAnonymous":       {req, nil, 401},
				"ErrShopper":         {req, testenv.Bearer(a.Token), 403},
				"ErrCustomerService": {req, cs, 403},
				"ErrNoTicket":        {req, noTicket[:2], 400},
				"ErrBadJSON":         {`{"title":`, sec, 400},
				"ErrNoTitle":         {with("title", ""), sec, 400},
				"ErrWindowBackwards": {with("since", end.Format(time.RFC3339), "until", start.Format(time.RFC3339)), sec, 400},
				"ErrUnknownField":    {with("fields", []string{"account.shoe_size"}), sec, 400},
				"ErrNoFields":        {with("fields", []string{}), sec, 400},
				"ErrTableWithoutPI":  {with("tables", []string{"outbox"}), sec, 400},
				"ErrPhoneInText":     {with("what", "泄露了 13866662001 的信息"), sec, 400},
				"ErrUnknownPurpose":  {with("purposes", []string{"curiosity"}), sec, 400},
			} {
				t.Run(name, func(t *testing.T) {
					r := e.Do(t, "POST", "/api/v1/ops/incidents", tc.body, tc.headers...)
					wantStatus(t, r, tc.status, name)
				})
			}
			wantStatus(t, e.Do(t, "GET", "/api/v1/ops/incidents/"+in.ID+"/report", nil, testenv.Bearer(a.Token)...), 403, "shopper reads report")
			wantStatus(t, e.Do(t, "GET", "/api/v1/ops/incidents/"+in.ID+"/report", nil, cs...), 403, "customer service reads report")
		})
	})
}
