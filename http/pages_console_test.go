package http_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/privacy/policy"
)

// consoleAs signs a browser into the console as a new operator of role,
// on ticket.
func consoleAs(t *testing.T, e *testenv.Env, role minimall.Role, ticket string) *browser {
	t.Helper()
	_, token, err := e.Kernel.Operators.Add(context.Background(), role)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, e, "en")
	b.get("/console/signin")
	mustPage(t, b.post("/console/signin", url.Values{"token": {token}, "ticket": {ticket}}), 303, "console sign-in")
	return b
}

// noPersonalValue fails the test if the page shows one of the shopper's
// personal values or their subject id.
func noPersonalValue(t *testing.T, p *page, what string, sh *testenv.Shopper) {
	t.Helper()
	for _, v := range []string{sh.Phone, sh.MemberName, string(sh.Subject)} {
		if strings.Contains(p.HTML, v) {
			t.Errorf("%s shows %q", what, v)
		}
	}
}

// TestPagesConsoleAppeals (四(六)): security sees the appeals awaiting an
// answer — what was decided and the reason given, never who — and
// overturns one with its ticket; roles the API refuses are refused, and
// the console links the queue only for the roles that may use it.
func TestPagesConsoleAppeals(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13800138261", "appeal_member")
		for i := range 5 {
			e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": "wrong-pass" + strconv.Itoa(i)})
		}
		list := decisionList(t, e, testenv.Bearer(sh.Token))
		if len(list) != 1 {
			t.Fatalf("decisions: %+v", list)
		}
		id := list[0].ID
		wantStatus(t, e.Do(t, "POST", "/api/v1/account/decisions/"+id+"/appeal", map[string]any{"reason": "it_was_me"}, testenv.Bearer(sh.Token)...), 200, "appeal")

		sec := consoleAs(t, e, minimall.RoleSecurity, "APL-1")
		if p := sec.get("/console"); !strings.Contains(p.HTML, `href="/console/appeals"`) {
			t.Error("the console does not link the appeals for security")
		}
		p := sec.get("/console/appeals")
		mustPage(t, p, 200, "appeals")
		for _, want := range []string{id, "the failed sign-ins were my own", "password sign-in made to wait", `name="ticket"`} {
			if !strings.Contains(p.HTML, want) {
				t.Errorf("the appeals page lacks %q", want)
			}
		}
		noPersonalValue(t, p, "the appeals page", sh)

		cs := consoleAs(t, e, minimall.RoleCustomerService, "APL-2")
		if p := cs.get("/console"); strings.Contains(p.HTML, `href="/console/appeals"`) {
			t.Error("the console links the appeals for customer service")
		}
		mustPage(t, cs.get("/console/appeals"), 403, "customer service's appeals")

		if p := sec.post("/console/appeals/"+id+"/answer", url.Values{"outcome": {"overturned"}}); p.Status != 400 {
			t.Errorf("an answer without its ticket: %d", p.Status)
		}
		mustPage(t, sec.post("/console/appeals/"+id+"/answer", url.Values{"outcome": {"overturned"}, "ticket": {"APL-1"}}), 303, "overturn")
		if p := sec.get("/console/appeals"); strings.Contains(p.HTML, id) || !strings.Contains(p.HTML, "No appeal awaits an answer.") {
			t.Error("the answered appeal is still in the queue")
		}
		if got := decisionList(t, e, testenv.Bearer(sh.Token)); got[0].AppealState != "answered" || got[0].Appeal.Outcome != "overturned" {
			t.Errorf("after the console's answer: %+v", got[0].Appeal)
		}
	})
}

// TestPagesConsoleIncidents (五(三)3): security records an incident with
// the API's form, the people whose information was used in the window
// are counted and told, and the incident's page shows the counts and the
// regulator's report without anyone's values; other roles are refused.
func TestPagesConsoleIncidents(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13800138262", "incident_member")
		flush := func() {
			if err := e.Kernel.AuditFlush(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		flush()
		start := st.Clock.Advance(time.Hour)
		wantStatus(t, e.Do(t, "GET", "/api/v1/account?full=true", nil, testenv.Bearer(sh.Token)...), 200, "account")
		flush()
		end := st.Clock.Advance(time.Hour)

		sec := consoleAs(t, e, minimall.RoleSecurity, "INC-1")
		mustPage(t, sec.get("/console/incidents"), 200, "incidents")
		form := url.Values{"ticket": {"INC-1"}, "title": {"Console leak"}, "what": {"A support account was misused."}, "impact": {"Phones may have leaked."},
			"measures": {"The account is disabled."}, "advice": {"Beware of calls."}, "fields": {string(privacy.AccountPhone)}}
		p := sec.post("/console/incidents", form)
		if p.Status != 400 || !strings.Contains(p.HTML, "Console leak") {
			t.Errorf("no window: %d, the form not shown again", p.Status)
		}
		form.Set("since", start.UTC().Format("2006-01-02T15:04"))
		form.Set("until", end.UTC().Format("2006-01-02T15:04"))
		p = sec.post("/console/incidents", form)
		mustPage(t, p, 303, "record the incident")
		p = sec.get(p.Header.Get("Location"))
		mustPage(t, p, 200, "the incident")
		for _, want := range []string{"Console leak", "People affected <strong>1</strong>", "People told <strong>1</strong>", "Report for the regulator", string(privacy.AccountPhone)} {
			if !strings.Contains(p.HTML, want) {
				t.Errorf("the incident's page lacks %q", want)
			}
		}
		noPersonalValue(t, p, "the incident's page", sh)
		if p := sec.get("/console/incidents"); !strings.Contains(p.HTML, "Console leak") {
			t.Error("the incident is not listed")
		}
		mustPage(t, consoleAs(t, e, minimall.RoleOps, "INC-2").get("/console/incidents"), 403, "ops' incidents")
	})
}

// TestPagesConsoleDisclosures (三(三)): the DPO picks a ground of the
// closed list, the form offers only the fields it may publish, and the
// recorded disclosure is listed without the person; other roles are
// refused.
func TestPagesConsoleDisclosures(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13800138263", "disclosed_member")
		dpo := consoleAs(t, e, minimall.RoleDPO, "PD-1")
		p := dpo.get("/console/disclosures?ground=" + string(policy.RuleViolation))
		mustPage(t, p, 200, "disclosures")
		offered := regexp.MustCompile(`name="fields" type="checkbox" value="([^"]+)"`).FindAllStringSubmatch(p.HTML, -1)
		allowed := privacy.Publishable(string(policy.RuleViolation))
		if len(offered) != len(allowed) {
			t.Fatalf("offered %v, the ground publishes %v", offered, allowed)
		}
		for _, m := range offered {
			if !privacy.MayPublish(string(policy.RuleViolation), privacy.Field(m[1])) {
				t.Errorf("the form offers %s", m[1])
			}
		}
		form := url.Values{"subject": {string(sh.Subject)}, "ground": {string(policy.RuleViolation)}, "fields": {string(privacy.MemberName)}, "legal_ref": {"CASE-77"}}
		if p := dpo.post("/console/disclosures", form); p.Status != 400 {
			t.Errorf("a record without its ticket: %d", p.Status)
		}
		form.Set("ticket", "PD-1")
		mustPage(t, dpo.post("/console/disclosures", form), 303, "record the disclosure")
		p = dpo.get("/console/disclosures")
		if !strings.Contains(p.HTML, "CASE-77") || !strings.Contains(p.HTML, "member name") {
			t.Errorf("the disclosure is not listed: %.600s", p.HTML)
		}
		noPersonalValue(t, p, "the disclosures page", sh)
		mustPage(t, consoleAs(t, e, minimall.RoleLegalHold, "PD-2").get("/console/disclosures"), 200, "legal hold's disclosures")
		mustPage(t, consoleAs(t, e, minimall.RoleSecurity, "PD-3").get("/console/disclosures"), 403, "security's disclosures")
	})
}

// TestPagesConsoleAuditHeads: the audit page shows each chain's last seq
// and head hash with its checkpoint, and where the background check
// stands once it has run.
func TestPagesConsoleAuditHeads(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		e.Register(t, "13800138264", "heads_member")
		b := consoleAs(t, e, minimall.RoleOps, "AUD-2")
		p := b.get("/console/audit")
		mustPage(t, p, 200, "audit")
		if !regexp.MustCompile(`<td>[1-9][0-9]*</td><td><code class="hash">[0-9a-f]{64}</code>`).MatchString(p.HTML) {
			t.Errorf("no chain head: %.1500s", p.HTML)
		}
		if !strings.Contains(p.HTML, "has not finished a pass yet") {
			t.Error("the check's absence is not said")
		}
		e.Kernel.StartAuditCheck(time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
		for deadline := time.Now().Add(30 * time.Second); e.Kernel.AuditCheck().LastRun.IsZero(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the background check did not run")
			}
		}
		if p := b.get("/console/audit"); !strings.Contains(p.HTML, "Last pass ended:") || !strings.Contains(p.HTML, "Verified: no problem in entries read:") {
			t.Errorf("the check's result is not shown: %.1500s", p.HTML)
		}
	})
}

// TestPagesConsoleListsAndCharts: every operator reads the generated PI
// lists, the disclosures per partner per day and the consents granted and
// withdrawn per feature per day, drawn as SVG; counts only.
func TestPagesConsoleListsAndCharts(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13800138265", "charted_member")
		auth := testenv.Bearer(sh.Token)
		for _, action := range []string{"grant", "withdraw"} {
			wantStatus(t, e.Do(t, "POST", "/api/v1/consents", map[string]any{"feature": privacy.FeatRecommendation, "action": action}, auth...), 201, action)
		}
		b := consoleAs(t, e, minimall.RoleCustomerService, "LST-1")
		p := b.get("/console/lists")
		mustPage(t, p, 200, "lists")
		if spec, _ := privacy.Spec(privacy.AccountPhone); !strings.Contains(p.HTML, spec.NameEN) {
			t.Error("the collection list lacks the phone field")
		}
		if sharing := policy.SharingList(); len(sharing) == 0 || !strings.Contains(p.HTML, sharing[0].NameEN) {
			t.Error("the sharing list lacks its first partner")
		}

		p = b.get("/console/consents")
		mustPage(t, p, 200, "consents")
		for _, want := range []string{"<svg", "granted", "withdrawn", recommendationName(t)} {
			if !strings.Contains(p.HTML, want) {
				t.Errorf("the consents page lacks %q", want)
			}
		}
		if !regexp.MustCompile(`<td>\d{4}-\d\d-\d\d</td><td>1</td><td>1</td>`).MatchString(p.HTML) {
			t.Errorf("the day's grant and withdrawal are not counted: %.2000s", p.HTML)
		}
		noPersonalValue(t, p, "the consents page", sh)

		p = b.get("/console/sharing")
		mustPage(t, p, 200, "sharing")
		if !strings.Contains(p.HTML, "<svg") || !regexp.MustCompile(`<td>\d{4}-\d\d-\d\d</td>(<td>\d+</td>)+</tr>`).MatchString(p.HTML) {
			t.Errorf("no disclosure counted per partner: %.2000s", p.HTML)
		}
		noPersonalValue(t, p, "the sharing page", sh)
		mustPage(t, newBrowserSignedIn(t, e, sh, "en").get("/console/sharing"), 303, "a shopper's sharing page")
	})
}

func recommendationName(t *testing.T) string {
	for _, f := range privacy.Features() {
		if f.ID == privacy.FeatRecommendation {
			return f.NameEN
		}
	}
	t.Fatal("no recommendation feature")
	return ""
}
