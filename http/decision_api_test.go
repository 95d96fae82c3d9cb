package http_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"minimall"
	"minimall/account"
	"minimall/decision"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/rights"
)

// decisionList returns the decisions the holder of auth sees.
func decisionList(t *testing.T, e *testenv.Env, auth []string) []decision.Decision {
	t.Helper()
	r := e.Do(t, "GET", "/api/v1/account/decisions", nil, auth...)
	wantStatus(t, r, 200, "list decisions")
	var out struct{ Decisions []decision.Decision }
	r.JSON(t, &out)
	return out.Decisions
}

// TestAPIDecisionRiskControl (四(六), PIPL art. 24): a code sign-in the
// carrier check refuses is recorded as an automated decision with its main
// factor, sealed; the person sees it, gets it explained in plain Chinese
// and English, appeals with a reason from the closed list; a security
// officer overturns it, which opens code sign-in again. Refusals: a
// visitor, another person's decision, a reason not on the list, free text,
// a second appeal, the wrong role, an unknown outcome, a second answer.
func TestAPIDecisionRiskControl(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "17022223333", "decided01")
		other := e.Register(t, "13822223333", "decided02")
		auth, otherAuth := testenv.Bearer(sh.Token), testenv.Bearer(other.Token)
		backdateBinding(t, e, sh, "2025-06-01T08:00:00Z")
		wantProblem(t, codeLogin(t, e, sh.Phone), 403, "denied", "")

		list := decisionList(t, e, auth)
		if len(list) != 1 || list[0].Kind != decision.CodeLoginRefused || list[0].AppealState != "none" ||
			len(list[0].Factors) != 1 || list[0].Factors[0] != (decision.Factor{Code: decision.FactorNumberReassigned, Value: "2025-06-01"}) {
			t.Fatalf("decisions after the refusal: %+v", list)
		}
		id := list[0].ID
		if n := len(decisionList(t, e, otherAuth)); n != 0 {
			t.Fatalf("the other person sees %d decisions", n)
		}
		// The factors are sealed: no plaintext in the table.
		var sealed []byte
		if err := st.DB.QueryRowContext(context.Background(), `SELECT factors_sealed FROM decisions WHERE id = ?`, id).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, []byte("2025-06-01")) || bytes.Contains(sealed, []byte(decision.FactorNumberReassigned)) {
			t.Fatal("factors stored in plaintext")
		}

		t.Run("Explain", func(t *testing.T) {
			r := e.Do(t, "GET", "/api/v1/account/decisions/"+id, nil, auth...)
			wantStatus(t, r, 200, "explain")
			var ex struct {
				decision.Decision
				Explained     []decision.ExplainedFactor
				HowToAppeal   string   `json:"how_to_appeal"`
				AppealReasons []string `json:"appeal_reasons"`
			}
			r.JSON(t, &ex)
			if len(ex.Explained) != 1 || !strings.Contains(ex.Explained[0].Text, "二次放号") || !strings.Contains(ex.Explained[0].Text, "2025-06-01") ||
				!strings.Contains(ex.Explained[0].TextEN, "carrier") || ex.HowToAppeal == "" || len(ex.AppealReasons) == 0 {
				t.Fatalf("explanation: %s", r.Body)
			}
		})
		t.Run("ErrRefusals", func(t *testing.T) {
			wantProblem(t, e.Do(t, "GET", "/api/v1/account/decisions", nil), 401, "unauthorized", "")
			wantProblem(t, e.Do(t, "GET", "/api/v1/account/decisions/"+id, nil, otherAuth...), 404, "not_found", "")
			wantProblem(t, e.Do(t, "GET", "/api/v1/account/decisions/dc_nosuch", nil, auth...), 404, "not_found", "")
			wantProblem(t, e.Do(t, "POST", "/api/v1/account/decisions/"+id+"/appeal", map[string]string{"reason": decision.ReasonStillMine}, otherAuth...), 404, "not_found", "")
			wantProblem(t, e.Do(t, "POST", "/api/v1/account/decisions/"+id+"/appeal", map[string]string{"reason": "because"}, auth...), 400, "invalid", "")
			wantProblem(t, e.Do(t, "POST", "/api/v1/account/decisions/"+id+"/appeal", map[string]string{"reason": decision.ReasonStillMine, "text": "free text"}, auth...), 400, "invalid", "")
			sec := rightsOperator(t, e, minimall.RoleSecurity)
			wantProblem(t, e.Do(t, "POST", "/api/v1/ops/decisions/"+id+"/answer", map[string]string{"outcome": decision.Upheld}, sec...), 409, "conflict", "")
		})

		t.Run("AppealAndOverturn", func(t *testing.T) {
			r := e.Do(t, "POST", "/api/v1/account/decisions/"+id+"/appeal", map[string]string{"reason": decision.ReasonStillMine}, auth...)
			wantStatus(t, r, 200, "appeal")
			var d decision.Decision
			r.JSON(t, &d)
			if d.AppealState != "appealed" || d.Appeal == nil || d.Appeal.Reason != decision.ReasonStillMine {
				t.Fatalf("appealed: %s", r.Body)
			}
			wantProblem(t, e.Do(t, "POST", "/api/v1/account/decisions/"+id+"/appeal", map[string]string{"reason": decision.ReasonWantHuman}, auth...), 409, "conflict", "")

			answer := func(headers []string, outcome string) *testenv.Response {
				return e.Do(t, "POST", "/api/v1/ops/decisions/"+id+"/answer", map[string]string{"outcome": outcome}, headers...)
			}
			wantProblem(t, answer(rightsOperator(t, e, minimall.RoleCustomerService), decision.Overturned), 403, "denied", "")
			wantProblem(t, answer(auth, decision.Overturned), 403, "denied", "")
			sec := rightsOperator(t, e, minimall.RoleSecurity)
			wantProblem(t, answer(sec, "maybe"), 400, "invalid", "")
			wantProblem(t, e.Do(t, "POST", "/api/v1/ops/decisions/dc_nosuch/answer", map[string]string{"outcome": decision.Upheld}, sec...), 404, "not_found", "")
			r = answer(sec, decision.Overturned)
			wantStatus(t, r, 200, "answer")
			r.JSON(t, &d)
			if d.AppealState != "answered" || d.Appeal.Outcome != decision.Overturned || d.Appeal.AnsweredAt == nil {
				t.Fatalf("answered: %s", r.Body)
			}
			wantProblem(t, answer(rightsOperator(t, e, minimall.RoleDPO), decision.Upheld), 409, "conflict", "")
			// Overturned: the changed-hands flag is cleared, code sign-in works.
			wantStatus(t, codeLogin(t, e, sh.Phone), 201, "code sign-in after the overturn")
			if l := decisionList(t, e, auth); len(l) != 1 || l[0].Appeal == nil || l[0].Appeal.Outcome != decision.Overturned {
				t.Fatalf("after the answer: %+v", l)
			}
		})

		t.Run("RightsExportListsDecisions", func(t *testing.T) {
			req := fileVerified(t, e, sh, map[string]any{"kind": "access"})
			r := e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export", nil, auth...)
			wantStatus(t, r, 200, "export")
			var ex rights.Export
			r.JSON(t, &ex)
			got, _ := jsonString(ex.AutomatedDecisions.Entries)
			if len(ex.AutomatedDecisions.Entries) != 1 || !strings.Contains(got, string(decision.CodeLoginRefused)) || !strings.Contains(got, "二次放号") {
				t.Fatalf("export's decisions: %s", got)
			}
			held := false
			for _, f := range ex.Fields {
				held = held || (f.Field == privacy.DecisionFactors && len(f.Values) == 1 && strings.Contains(f.Values[0].Value, "2025-06-01"))
			}
			if !held {
				t.Fatal("the export does not hold the decision's factors")
			}
		})
	})
}

// TestAPIDecisionThrottle: the wait after wrong passwords is recorded
// with its factors; the DPO may uphold the appeal, and the wait stays; the
// record goes by the retention sweep three years later.
func TestAPIDecisionThrottle(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13833334444", "locked01")
		for i := 0; i < account.DefaultConfig().ThrottleAfter; i++ {
			e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": "wrong-pass1"})
		}
		list := decisionList(t, e, testenv.Bearer(sh.Token))
		want := []decision.Factor{{Code: decision.FactorFailedPasswords, Value: "5"}, {Code: decision.FactorThrottleScope, Value: decision.ScopeOneClient},
			{Code: decision.FactorWaitSeconds, Value: "30"}, {Code: decision.FactorMaxWaitMinutes, Value: "15"}}
		if len(list) != 1 || list[0].Kind != decision.LoginThrottled || !slices.Equal(list[0].Factors, want) {
			t.Fatalf("decisions after the throttling: %+v", list)
		}
		id := list[0].ID
		wantStatus(t, e.Do(t, "POST", "/api/v1/account/decisions/"+id+"/appeal", map[string]string{"reason": decision.ReasonItWasMe}, testenv.Bearer(sh.Token)...), 200, "appeal")
		wantStatus(t, e.Do(t, "POST", "/api/v1/ops/decisions/"+id+"/answer", map[string]string{"outcome": decision.Upheld}, rightsOperator(t, e, minimall.RoleDPO)...), 200, "uphold")
		wantProblem(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": sh.Password}), 429, "too_many", "")

		// Retention: three years after the answer the record goes.
		ops := lifecycleOps(t, e, minimall.RoleDPO)
		st.Clock.Advance(privacy.ThreeYears - privacy.Day)
		runSweep(t, e, ops, false)
		auth := signInAgain(t, e, sh)
		if l := decisionList(t, e, auth); len(l) != 1 {
			t.Fatalf("swept before its time: %+v", l)
		}
		st.Clock.Advance(2 * privacy.Day)
		runSweep(t, e, ops, false)
		if l := decisionList(t, e, auth); len(l) != 0 {
			t.Fatalf("kept past retention: %+v", l)
		}
	})
}

// TestAPIDecisionRanking: personalised search ranking is recorded once a
// day per person, naming the categories of their own searches that
// boosted it; a person with the switch on has none.
func TestAPIDecisionRanking(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		searchCatalogue(t, e, [][2]string{{"耳机甲款", "earphone"}, {"耳机乙款", "toys"}, {"积木玩具", "toys"}})
		fan := e.Register(t, "13855556666", "rankfan01")
		off := e.Register(t, "13855556667", "rankoff01")
		for _, sh := range []*testenv.Shopper{fan, off} {
			mustStatus(t, e.Do(t, "POST", "/api/v1/consents", map[string]string{"feature": "recommendation", "action": "grant"}, testenv.Bearer(sh.Token)...), 201, "consent")
			searchTitles(t, e, q("玩具"), testenv.Bearer(sh.Token)...)
		}
		mustStatus(t, e.Do(t, "PUT", "/api/v1/search/settings", map[string]bool{"non_personalised": true}, testenv.Bearer(off.Token)...), 200, "switch on")
		for i := 0; i < 3; i++ {
			searchTitles(t, e, q("耳机"), testenv.Bearer(fan.Token)...)
			searchTitles(t, e, q("耳机"), testenv.Bearer(off.Token)...)
		}
		var ranking []decision.Decision
		for _, d := range decisionList(t, e, testenv.Bearer(fan.Token)) {
			if d.Kind == decision.SearchRanking {
				ranking = append(ranking, d)
			}
		}
		if len(ranking) != 1 || len(ranking[0].Factors) == 0 || ranking[0].Factors[0] != (decision.Factor{Code: decision.FactorSearchCategory, Value: "toys"}) {
			t.Fatalf("ranking decisions: %+v", ranking)
		}
		if l := decisionList(t, e, testenv.Bearer(off.Token)); len(l) != 0 {
			t.Fatalf("switch on, yet decisions: %+v", l)
		}
	})
}
