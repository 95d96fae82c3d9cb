package http_test

import (
	"strings"
	"testing"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// TestAPIMetricsShowKernelWork: /metrics shows what the kernel did for the
// requests served — durable audit entries, guard decisions, partner
// disclosures — so a load run can report it.
func TestAPIMetricsShowKernelWork(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13912340001", "metrics_member")
		e.Do(t, "GET", "/api/v1/account?full=true", nil, testenv.Bearer(sh.Token)...)
		if err := e.Kernel.AuditFlush(t.Context()); err != nil {
			t.Fatal(err)
		}
		body := string(e.Do(t, "GET", "/metrics", nil).Body)
		for _, name := range []string{"minimall_audit_durable_total ", `minimall_guard_decisions_total{decision="allow"} `, "minimall_partner_disclosures_total 1"} {
			i := strings.Index(body, name)
			if i < 0 {
				t.Fatalf("metrics lack %q", name)
			}
			if v := strings.Fields(body[i+len(name)-1:])[0]; v == "0" {
				t.Errorf("%s is 0 after a registration", name)
			}
		}
		// The embedded store's group commits, for writes per commit.
		for _, name := range []string{"minimall_store_group_commits_total ", "minimall_store_group_writes_total "} {
			if st.Name == "sqlite" && strings.Contains(body, name+"0\n") || !strings.Contains(body, name) {
				t.Errorf("metrics lack %q or it is 0 on %s", name, st.Name)
			}
		}
	})
}

// TestAPIDisclosureList: a person sees their own sharing list and nobody
// else's; without signing in there is none.
func TestAPIDisclosureList(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		if r := e.Do(t, "GET", "/api/v1/account/disclosures", nil); r.Status != 401 {
			t.Fatalf("anonymous: %d %s", r.Status, r.Body)
		}
		sh := e.Register(t, "13912340002", "sharing_member")
		r := e.Do(t, "GET", "/api/v1/account/disclosures", nil, testenv.Bearer(sh.Token)...)
		if r.Status != 200 {
			t.Fatalf("list: %d %s", r.Status, r.Body)
		}
		var got struct {
			Disclosures []map[string]any `json:"disclosures"`
		}
		r.JSON(t, &got)
		if got.Disclosures == nil {
			t.Fatalf("want a list, got %s", r.Body)
		}
		// A code by SMS is a disclosure of the phone to the SMS partner: the
		// registration code, sent before the account existed, is the new
		// account's from registration on, for the purpose of opening the
		// account; a sign-in code shows in the holder's list for signing
		// in; neither shows in anybody else's.
		if r := e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": sh.Phone, "purpose": "login"}); r.Status != 202 {
			t.Fatalf("login code: %d %s", r.Status, r.Body)
		}
		other := e.Register(t, "13912340003", "sharing_other")
		for who, token := range map[string]string{"holder": sh.Token, "other": other.Token} {
			e.Do(t, "GET", "/api/v1/account/disclosures", nil, testenv.Bearer(token)...).JSON(t, &got)
			sms := map[any]int{}
			for _, d := range got.Disclosures {
				if d["partner"] == "sms" {
					sms[d["purpose"]]++
				}
			}
			if want := map[string]int{"holder": 1, "other": 0}[who]; sms["account"] != 1 || sms["login"] != want || len(sms) != 1+want {
				t.Fatalf("%s sees SMS disclosures by purpose %v, want one for the account and %d for login: %v", who, sms, want, got.Disclosures)
			}
		}
	})
}
