package http_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/privacy/policy"
	"minimall/rights"
)

// operatorHeaders adds an operator of role with a ticket.
func operatorHeaders(t *testing.T, e *testenv.Env, role minimall.Role, ticket string) []string {
	t.Helper()
	_, token, err := e.Kernel.Operators.Add(context.Background(), role)
	if err != nil {
		t.Fatal(err)
	}
	return []string{"Authorization", "Bearer " + token, "X-Access-Reason", ticket}
}

type versionView struct {
	Version int
	Major   bool
	Kind    string
	Reasons []policy.Reason
	Text    string
}

// TestAPIPolicyVersions (六): version 1 is minimall's own policy in the
// seed's structure, generated from the registry; publishing is the DPO's,
// versions are archived with their text, and nothing changed means nothing
// to publish.
func TestAPIPolicyVersions(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		dpo := operatorHeaders(t, e, minimall.RoleDPO, "POL-1")
		ops := operatorHeaders(t, e, minimall.RoleOps, "POL-2")
		sh := e.Register(t, "13866660001", "policy_v1")

		wantStatus(t, e.Do(t, "POST", "/api/v1/policy/versions", nil), 401, "anonymous publish")
		wantStatus(t, e.Do(t, "POST", "/api/v1/policy/versions", nil, ops...), 403, "ops publish")
		wantStatus(t, e.Do(t, "POST", "/api/v1/policy/versions", nil, testenv.Bearer(sh.Token)...), 403, "shopper publish")
		var ch struct {
			Kind    string
			Reasons []policy.Reason
		}
		e.Do(t, "GET", "/api/v1/policy/changes", nil).JSON(t, &ch)
		if ch.Kind != "initial" {
			t.Fatalf("before the first publish: %+v", ch)
		}

		r := e.Do(t, "POST", "/api/v1/policy/versions", nil, dpo...)
		wantStatus(t, r, 201, "publish v1")
		var v versionView
		r.JSON(t, &v)
		if v.Version != 1 || v.Kind != "initial" || !v.Major {
			t.Fatalf("v1: %+v", v)
		}
		r = e.Do(t, "POST", "/api/v1/policy/versions", nil, dpo...)
		wantStatus(t, r, 409, "publish with nothing changed")

		r = e.Do(t, "GET", "/api/v1/policy/versions/1", nil)
		wantStatus(t, r, 200, "version 1")
		r.JSON(t, &v)
		for _, want := range []string{
			"minimall 基本功能隐私政策", "一、适用范围", "二、信息收集及使用", "三、数据使用过程中涉及的合作方", "四、您的权利",
			"五、信息的存储", "六、政策的更新", "七、未成年人保护", "八、联系我们",
			"dpo@minimall.example", "minimall 支付沙箱", "minimall 物流沙箱", "手机号码（注册）", "收货人姓名", policy.ComplaintPath,
			"公开披露", "15 天",
		} {
			if !strings.Contains(v.Text, want) {
				t.Errorf("version 1 text lacks %q", want)
			}
		}
		for _, never := range []string{"淘宝", "pipwg@service.alibaba.com", "taobao.com"} {
			if strings.Contains(v.Text, never) {
				t.Errorf("version 1 text still says %q", never)
			}
		}
		// Chinese first: the section heading comes before its English.
		if i, j := strings.Index(v.Text, "八、联系我们"), strings.Index(v.Text, "Contact us"); i < 0 || j < i {
			t.Errorf("heading order: %d %d", i, j)
		}
		// Every registry field is in the generated collection section.
		for _, f := range privacy.Fields() {
			if !strings.Contains(v.Text, f.Name) {
				t.Errorf("field %s (%s) missing from the text", f.Field, f.Name)
			}
		}
		txt := e.Do(t, "GET", "/api/v1/policy/versions/1?format=text", nil)
		if txt.Status != 200 || !strings.HasPrefix(txt.Header.Get("Content-Type"), "text/plain") || string(txt.Body) != v.Text {
			t.Fatalf("text format: %d %s", txt.Status, txt.Header.Get("Content-Type"))
		}
		if cur := e.Do(t, "GET", "/api/v1/policy/text", nil); string(cur.Body) != v.Text {
			t.Fatalf("current text differs from version 1")
		}
		for path, status := range map[string]int{"/api/v1/policy/versions/99": 404, "/api/v1/policy/versions/abc": 400,
			"/api/v1/policy/versions/0": 400, "/api/v1/policy/versions/1?format=pdf": 400} {
			wantStatus(t, e.Do(t, "GET", path, nil), status, path)
		}
		var list struct {
			Current  int
			Versions []versionView
		}
		e.Do(t, "GET", "/api/v1/policy/versions", nil).JSON(t, &list)
		if list.Current != 1 || len(list.Versions) != 1 || list.Versions[0].Text != "" {
			t.Fatalf("versions: %+v", list)
		}
		if r := e.Do(t, "GET", "/api/v1/policy/lists", nil); r.Status != 200 || !jsonHas(r.Body, `"collection"`) {
			t.Fatalf("lists: %d", r.Status)
		}
		// A member name and a password are asked for at registration: the
		// list says so, rather than calling them optional, and names the
		// phone the one necessary field.
		var lists struct{ Collection []policy.CollectionRow }
		e.Do(t, "GET", "/api/v1/policy/lists", nil).JSON(t, &lists)
		necessity := map[string]string{}
		for _, row := range lists.Collection {
			necessity[row.Field] = row.Necessity.NameEN
		}
		for field, want := range map[string]string{"account.member_name": "required to register; not necessary information under the 2021 rule",
			"account.password_hash": "required to register; not necessary information under the 2021 rule",
			"account.phone":         "necessary", "profile.nickname": "optional (may be refused)"} {
			if necessity[field] != want {
				t.Errorf("%s is labelled %q, want %q", field, necessity[field], want)
			}
		}
		// The archive keeps version 1's text after the contact changes.
		e.Policy.ChangeContact(policy.Contact{DPO: "privacy-officer@minimall.example"})
		wantStatus(t, e.Do(t, "POST", "/api/v1/policy/versions", nil, dpo...), 201, "publish v2")
		e.Do(t, "GET", "/api/v1/policy/versions/1", nil).JSON(t, &v)
		if !strings.Contains(v.Text, "dpo@minimall.example") || strings.Contains(v.Text, "privacy-officer@") {
			t.Fatalf("archived version 1 changed")
		}
	})
}

// TestAPIPolicyMajorChange (六): after a major change (the DPO contact),
// features that rest on consent stop for each person until they accept the
// new version, which their account shows prominently; basic functions (cart,
// order, search) go on; acceptance restores what they had granted.
func TestAPIPolicyMajorChange(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		dpo := operatorHeaders(t, e, minimall.RoleDPO, "POL-3")
		wantStatus(t, e.Do(t, "POST", "/api/v1/policy/versions", nil, dpo...), 201, "publish v1")
		fx := newShop(t, e, "13866660010", "policy_shop")
		tea := fx.item(t, e, "安吉白茶 100克", 6800, 50, nil)
		sh := e.Register(t, "13866660011", "policy_buyer")
		auth := testenv.Bearer(sh.Token)
		wantStatus(t, e.Do(t, "PATCH", "/api/v1/account/profile", map[string]string{"nickname": "茶友"}, auth...), 200, "set nickname")
		if r := e.Do(t, "GET", "/api/v1/account", nil, auth...); jsonHas(r.Body, "policy_update_required") {
			t.Fatalf("no notice before a change: %s", r.Body)
		}

		// A minor change would not stop anything; a new contact is major.
		e.Policy.ChangeContact(policy.Contact{DPO: "new-dpo@minimall.example"})
		var ch struct {
			Kind    string
			Reasons []policy.Reason
		}
		e.Do(t, "GET", "/api/v1/policy/changes", nil).JSON(t, &ch)
		if ch.Kind != "major" || len(ch.Reasons) != 1 || ch.Reasons[0].Code != policy.ReasonContactChanged {
			t.Fatalf("pending change: %+v", ch)
		}
		r := e.Do(t, "POST", "/api/v1/policy/versions", nil, dpo...)
		wantStatus(t, r, 201, "publish v2")
		var v versionView
		r.JSON(t, &v)
		if v.Version != 2 || v.Kind != "major" {
			t.Fatalf("v2: %+v", v)
		}

		var acc struct {
			ID     string
			Notice *policy.Notice `json:"policy_update_required"`
		}
		e.Do(t, "GET", "/api/v1/account", nil, auth...).JSON(t, &acc)
		if acc.ID != string(sh.Subject) || acc.Notice == nil || acc.Notice.Version != 2 || acc.Notice.AcceptedVersion != 1 ||
			len(acc.Notice.Summary) == 0 || acc.Notice.Summary[0].Code != policy.ReasonContactChanged {
			t.Fatalf("account notice: %+v", acc.Notice)
		}

		// Basic functions go on.
		wantStatus(t, e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": tea, "quantity": 1}, auth...), 201, "cart after a major change")
		placeOrder(t, e, sh, buyNow(tea, 1))
		wantStatus(t, e.Do(t, "GET", "/api/v1/search?q=白茶", nil, auth...), 200, "search after a major change")
		wantStatus(t, e.Do(t, "GET", "/api/v1/orders", nil, auth...), 200, "my orders after a major change")
		// What rests on consent stops.
		r = e.Do(t, "PATCH", "/api/v1/account/profile", map[string]string{"nickname": "新茶友"}, auth...)
		wantStatus(t, r, 403, "nickname before acceptance")
		if pub := e.Do(t, "GET", "/api/v1/members/"+string(sh.Subject), nil); jsonHas(pub.Body, "茶友") {
			t.Fatalf("public nickname shown before acceptance: %s", pub.Body)
		}
		var consents struct {
			Features []struct{ Feature, State string }
		}
		e.Do(t, "GET", "/api/v1/consents", nil, auth...).JSON(t, &consents)
		for _, f := range consents.Features {
			if f.Feature == "profile" && f.State != "outdated" {
				t.Fatalf("profile consent is %s", f.State)
			}
		}

		// Acceptance: only of the current version, only by the person.
		wantStatus(t, e.Do(t, "POST", "/api/v1/policy/accept", map[string]int{"version": 1}, auth...), 409, "accept an old version")
		wantStatus(t, e.Do(t, "POST", "/api/v1/policy/accept", map[string]int{"version": 2}), 401, "anonymous accept")
		wantStatus(t, e.Do(t, "POST", "/api/v1/policy/accept", `{"version":"2"}`, auth...), 400, "malformed accept")
		r = e.Do(t, "POST", "/api/v1/policy/accept", map[string]int{"version": 2}, auth...)
		wantStatus(t, r, 201, "accept v2")
		var a policy.Acceptance
		r.JSON(t, &a)
		if a.Version != 2 || len(a.Renewed) != 1 || a.Renewed[0] != privacy.FeatureScope(privacy.FeatProfile) {
			t.Fatalf("acceptance: %+v", a)
		}
		if r := e.Do(t, "GET", "/api/v1/account", nil, auth...); jsonHas(r.Body, "policy_update_required") {
			t.Fatalf("notice after acceptance: %s", r.Body)
		}
		wantStatus(t, e.Do(t, "PATCH", "/api/v1/account/profile", map[string]string{"nickname": "新茶友"}, auth...), 200, "nickname after acceptance")
		if pub := e.Do(t, "GET", "/api/v1/members/"+string(sh.Subject), nil); !jsonHas(pub.Body, "新茶友") {
			t.Fatalf("public nickname after acceptance: %s", pub.Body)
		}
		// Someone registering now accepts version 2 and sees no notice.
		late := e.Register(t, "13866660012", "policy_late")
		if r := e.Do(t, "GET", "/api/v1/account", nil, testenv.Bearer(late.Token)...); jsonHas(r.Body, "policy_update_required") {
			t.Fatalf("notice for a new account: %s", r.Body)
		}
		// A version published while the ledger was elsewhere is picked up
		// on load (a restart, or Follow on another node).
		e.Kernel.Consents.SetPolicyVersions(1, 1)
		if err := e.Policy.Load(context.Background()); err != nil || e.Kernel.PolicyVersion() != 2 {
			t.Fatalf("load: %v, version %d", err, e.Kernel.PolicyVersion())
		}
	})
}

type complaintView struct {
	ID            string
	Topic         string
	Text          string
	Answer        string
	State         string
	RefusalReason string    `json:"refusal_reason"`
	ReceivedAt    time.Time `json:"received_at"`
	DeadlineAt    time.Time `json:"deadline_at"`
	Overdue       bool
}

// TestAPIContactAndComplaints (八): the DPO contact and the complaint
// channel are in the policy and the API; complaints queue with a 15-day
// deadline, move through the states, and overdue ones are flagged.
func TestAPIContactAndComplaints(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		dpo := operatorHeaders(t, e, minimall.RoleDPO, "CMP-1")
		cs := operatorHeaders(t, e, minimall.RoleCustomerService, "CMP-2")
		var c struct {
			DPO        string
			Complaints string
			ReplyDays  int `json:"reply_days"`
		}
		e.Do(t, "GET", "/api/v1/contact", nil).JSON(t, &c)
		if c.DPO != "dpo@minimall.example" || c.Complaints != policy.ComplaintPath || c.ReplyDays != 15 {
			t.Fatalf("contact: %+v", c)
		}
		if txt := e.Do(t, "GET", "/api/v1/policy/text", nil); !strings.Contains(string(txt.Body), "dpo@minimall.example") || !strings.Contains(string(txt.Body), policy.ComplaintPath) {
			t.Fatalf("policy text lacks the contact")
		}

		sh := e.Register(t, "13866660020", "complainer")
		auth := testenv.Bearer(sh.Token)
		r := e.Do(t, "POST", "/api/v1/complaints", map[string]string{"topic": "processing", "text": "x"})
		if r.Status != 401 || !strings.Contains(r.Problem(t).Detail, "dpo@minimall.example") {
			t.Fatalf("anonymous complaint: %d %s", r.Status, r.Body)
		}
		for name, body := range map[string]any{
			"ErrTopic": map[string]string{"topic": "weather", "text": "x"}, "ErrEmpty": map[string]string{"topic": "policy", "text": ""},
			"ErrLong": map[string]string{"topic": "policy", "text": strings.Repeat("长", 4001)}, "ErrUnknownField": map[string]string{"topic": "policy", "text": "x", "phone": "1"},
		} {
			t.Run(name, func(t *testing.T) { wantStatus(t, e.Do(t, "POST", "/api/v1/complaints", body, auth...), 400, name) })
		}
		const text = "我的收货地址被卖家公开了 COMPLAINT-MARKER"
		r = e.Do(t, "POST", "/api/v1/complaints", map[string]string{"topic": "processing", "text": text}, auth...)
		wantStatus(t, r, 201, "complaint")
		var cp complaintView
		r.JSON(t, &cp)
		if cp.State != string(rights.Received) || cp.DeadlineAt.Sub(cp.ReceivedAt) != 15*24*time.Hour || cp.Overdue {
			t.Fatalf("complaint: %+v", cp)
		}
		var mine struct{ Complaints []complaintView }
		e.Do(t, "GET", "/api/v1/complaints", nil, auth...).JSON(t, &mine)
		if len(mine.Complaints) != 1 || mine.Complaints[0].Text != text {
			t.Fatalf("my complaints: %+v", mine)
		}
		// The text is sealed: not in the table in the clear.
		var n int
		if err := st.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM policy_complaints WHERE text_sealed = ?`, []byte(text)).Scan(&n); err != nil || n != 0 {
			t.Fatalf("plaintext complaint stored: %d %v", n, err)
		}

		wantStatus(t, e.Do(t, "GET", "/api/v1/ops/complaints", nil, cs...), 403, "customer service queue")
		wantStatus(t, e.Do(t, "GET", "/api/v1/ops/complaints", nil, auth...), 403, "shopper queue")
		wantStatus(t, e.Do(t, "GET", "/api/v1/ops/complaints", nil), 401, "anonymous queue")
		var q struct {
			Complaints []complaintView
			Overdue    int
		}
		e.Do(t, "GET", "/api/v1/ops/complaints", nil, dpo...).JSON(t, &q)
		if len(q.Complaints) != 1 || q.Complaints[0].Text != text || q.Overdue != 0 {
			t.Fatalf("queue: %+v", q)
		}
		path := "/api/v1/ops/complaints/" + cp.ID
		wantStatus(t, e.Do(t, "POST", path, map[string]string{"state": "answered", "answer": "ok"}, dpo...), 409, "answer before identity check")
		wantStatus(t, e.Do(t, "POST", path, map[string]string{"state": "identity_checked"}, cs...), 403, "customer service moves it")
		wantStatus(t, e.Do(t, "POST", "/api/v1/ops/complaints/cp_nope", map[string]string{"state": "identity_checked"}, dpo...), 404, "unknown complaint")
		wantStatus(t, e.Do(t, "POST", path, map[string]string{"state": "identity_checked"}, dpo...), 200, "identity checked")
		wantStatus(t, e.Do(t, "POST", path, map[string]string{"state": "refused"}, dpo...), 400, "refusal without reason")
		wantStatus(t, e.Do(t, "POST", path, map[string]string{"state": "refused", "refusal_reason": "because"}, dpo...), 400, "refusal with a free-text reason")
		wantStatus(t, e.Do(t, "POST", path, map[string]string{"state": "answered"}, dpo...), 400, "answer without text")
		wantStatus(t, e.Do(t, "POST", path, map[string]string{"state": "in_progress"}, dpo...), 200, "in progress")
		r = e.Do(t, "POST", path, map[string]string{"state": "answered", "answer": "已要求卖家删除并处理。"}, dpo...)
		wantStatus(t, r, 200, "answered")
		wantStatus(t, e.Do(t, "POST", path, map[string]string{"state": "refused", "refusal_reason": "impractical"}, dpo...), 409, "refuse an answered complaint")
		e.Do(t, "GET", "/api/v1/complaints", nil, auth...).JSON(t, &mine)
		if mine.Complaints[0].State != "answered" || mine.Complaints[0].Answer != "已要求卖家删除并处理。" {
			t.Fatalf("answered complaint: %+v", mine.Complaints[0])
		}

		// Overdue: a complaint left open past 15 days is flagged.
		r = e.Do(t, "POST", "/api/v1/complaints", map[string]string{"topic": "rights_request", "text": "没有回复"}, auth...)
		wantStatus(t, r, 201, "second complaint")
		st.Clock.Advance(16 * 24 * time.Hour)
		e.Do(t, "GET", "/api/v1/ops/complaints", nil, dpo...).JSON(t, &q)
		if len(q.Complaints) != 1 || !q.Complaints[0].Overdue || q.Overdue != 1 {
			t.Fatalf("overdue queue: %+v", q)
		}
		e.Do(t, "GET", "/api/v1/ops/complaints?all=true", nil, dpo...).JSON(t, &q)
		if len(q.Complaints) != 2 {
			t.Fatalf("all complaints: %d", len(q.Complaints))
		}

		// A complaint is a request of the one rights queue (四(七)), with
		// its deadline; the DPO answers it at the complaint routes.
		var second complaintView
		r.JSON(t, &second)
		var rq struct {
			Requests []struct {
				ID, Kind, State string
				Overdue         bool
			}
		}
		e.Do(t, "GET", "/api/v1/ops/rights/requests?overdue=true", nil, dpo...).JSON(t, &rq)
		if len(rq.Requests) != 1 || rq.Requests[0].ID != second.ID || rq.Requests[0].Kind != "complaint" || !rq.Requests[0].Overdue {
			t.Fatalf("rights queue: %+v", rq)
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/ops/rights/requests/"+second.ID+"/answer", nil, dpo...), 409, "answer a complaint as a rights request")
		wantStatus(t, e.Do(t, "POST", "/api/v1/ops/rights/requests/"+second.ID+"/refuse", map[string]string{"reason": "impractical"}, dpo...), 409, "refuse a complaint as a rights request")
	})
}

// TestAPIPublicDisclosure (三(三)): only the DPO or legal hold records a
// public disclosure, only on the person's separate consent in force or a
// listed legal ground with its reference; each decision is audited and the
// person sees their disclosures.
func TestAPIPublicDisclosure(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		dpo := operatorHeaders(t, e, minimall.RoleDPO, "PD-1")
		legal := operatorHeaders(t, e, minimall.RoleLegalHold, "COURT-2025-7")
		cs := operatorHeaders(t, e, minimall.RoleCustomerService, "PD-3")
		sh := e.Register(t, "13866660030", "disclosed")
		auth := testenv.Bearer(sh.Token)
		const path = "/api/v1/ops/public-disclosures"
		byConsent := map[string]any{"subject": sh.Subject, "fields": []string{"profile.nickname"}, "ground": "separate_consent"}

		var g struct{ Grounds []policy.GroundSpec }
		e.Do(t, "GET", "/api/v1/policy/disclosure-grounds", nil).JSON(t, &g)
		if len(g.Grounds) != len(policy.Grounds()) || g.Grounds[0].Ground != policy.BySeparateConsent {
			t.Fatalf("grounds: %+v", g)
		}
		wantStatus(t, e.Do(t, "POST", path, byConsent), 401, "anonymous")
		wantStatus(t, e.Do(t, "POST", path, byConsent, auth...), 403, "shopper")
		wantStatus(t, e.Do(t, "POST", path, byConsent, cs...), 403, "customer service")
		r := e.Do(t, "POST", path, byConsent, dpo...)
		wantStatus(t, r, 403, "no separate consent")
		// A general grant is not a separate consent; the consent API gives
		// this feature a separate one.
		wantStatus(t, e.Do(t, "POST", "/api/v1/consents", map[string]string{"feature": "public_disclosure", "action": "grant"}, auth...), 201, "grant")
		r = e.Do(t, "POST", path, byConsent, dpo...)
		wantStatus(t, r, 201, "disclosure on consent")
		var d policy.Disclosure
		r.JSON(t, &d)
		if d.ConsentID == "" || d.Ground.Ground != policy.BySeparateConsent || d.Reference != "PD-1" {
			t.Fatalf("disclosure: %+v", d)
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/consents", map[string]string{"feature": "public_disclosure", "action": "withdraw"}, auth...), 201, "withdraw")
		wantStatus(t, e.Do(t, "POST", path, byConsent, dpo...), 403, "after withdrawal")

		for name, tt := range map[string]struct {
			body   map[string]any
			status int
		}{
			"ErrGround":        {map[string]any{"subject": sh.Subject, "fields": []string{"profile.nickname"}, "ground": "curiosity", "legal_ref": "X-123"}, 400},
			"ErrNoLegalRef":    {map[string]any{"subject": sh.Subject, "fields": []string{"profile.nickname"}, "ground": "legal_duty"}, 400},
			"ErrBadLegalRef":   {map[string]any{"subject": sh.Subject, "fields": []string{"profile.nickname"}, "ground": "legal_duty", "legal_ref": "a b"}, 400},
			"ErrField":         {map[string]any{"subject": sh.Subject, "fields": []string{"profile.shoe_size"}, "ground": "legal_duty", "legal_ref": "X-123"}, 400},
			"ErrNoFields":      {map[string]any{"subject": sh.Subject, "fields": []string{}, "ground": "legal_duty", "legal_ref": "X-123"}, 400},
			"ErrDupFields":     {map[string]any{"subject": sh.Subject, "fields": []string{"profile.nickname", "profile.nickname"}, "ground": "legal_duty", "legal_ref": "X-123"}, 400},
			"ErrSubject":       {map[string]any{"subject": "s_nobody", "fields": []string{"profile.nickname"}, "ground": "legal_duty", "legal_ref": "X-123"}, 404},
			"ErrConsentAndRef": {map[string]any{"subject": sh.Subject, "fields": []string{"profile.nickname"}, "ground": "separate_consent", "legal_ref": "X-123"}, 400},
		} {
			t.Run(name, func(t *testing.T) { wantStatus(t, e.Do(t, "POST", path, tt.body, legal...), tt.status, name) })
		}
		wantStatus(t, e.Do(t, "POST", path, `{"subject":`, legal...), 400, "malformed")
		// A breach of the rules discloses the account and the measures,
		// never how to reach or identify the person (the registry's list).
		for _, f := range []string{"account.phone", "order.recipient_address", "verification.id_number", "account.password_hash"} {
			r := e.Do(t, "POST", path, map[string]any{"subject": sh.Subject, "fields": []string{"account.member_name", f}, "ground": "rule_violation", "legal_ref": "RULE-2025-001"}, legal...)
			wantStatus(t, r, 403, "rule violation publishing "+f)
		}
		for _, gs := range g.Grounds {
			if gs.Ground == policy.RuleViolation && (!slices.Contains(gs.Fields, privacy.MemberName) || slices.Contains(gs.Fields, privacy.AccountPhone)) {
				t.Fatalf("rule_violation lists %v", gs.Fields)
			}
		}
		r = e.Do(t, "POST", path, map[string]any{"subject": sh.Subject, "fields": []string{"account.member_name"}, "ground": "rule_violation", "legal_ref": "RULE-2025-001"}, legal...)
		wantStatus(t, r, 201, "disclosure on a legal ground")

		var mine struct{ Disclosures []policy.Disclosure }
		e.Do(t, "GET", "/api/v1/account/public-disclosures", nil, auth...).JSON(t, &mine)
		if len(mine.Disclosures) != 2 || mine.Disclosures[1].Ground.Ground != policy.RuleViolation || mine.Disclosures[1].LegalRef != "RULE-2025-001" || mine.Disclosures[0].Operator != "" {
			t.Fatalf("my public disclosures: %+v", mine)
		}
		wantStatus(t, e.Do(t, "GET", "/api/v1/account/public-disclosures", nil), 401, "anonymous view")
		var ops struct{ Disclosures []policy.Disclosure }
		e.Do(t, "GET", path+"?subject="+string(sh.Subject), nil, dpo...).JSON(t, &ops)
		if len(ops.Disclosures) != 2 {
			t.Fatalf("operator view: %+v", ops)
		}
		wantStatus(t, e.Do(t, "GET", path+"?subject="+string(sh.Subject), nil, cs...), 403, "customer service view")
		wantStatus(t, e.Do(t, "GET", path, nil, dpo...), 400, "view without subject")

		// Audit: two disclosures and every refusal about this person.
		ctx := context.Background()
		if err := e.Kernel.AuditFlush(ctx); err != nil {
			t.Fatal(err)
		}
		entries, err := e.Kernel.AuditFind(ctx, sh.Subject, time.Time{}, st.Clock.Now().Add(time.Hour), 1000)
		if err != nil {
			t.Fatal(err)
		}
		disclosed, denied := 0, 0
		for _, en := range entries {
			switch {
			case en.Decision == policy.DecisionDisclose:
				disclosed++
			case en.Decision == policy.DecisionDeny && strings.HasPrefix(en.Reason, "public_disclosure:"):
				denied++
			}
		}
		// Refused about this person: customer service, no consent, after
		// withdrawal, the seven bad requests naming them, and the four
		// fields the ground may never publish.
		if disclosed != 2 || denied != 14 {
			t.Fatalf("audit: %d disclosures, %d refusals", disclosed, denied)
		}
	})
}
