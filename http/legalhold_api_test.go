package http_test

import (
	"context"
	"strings"
	"testing"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/rights"
)

type holdView struct {
	ID         string
	Subject    string
	OrderID    string `json:"order_id"`
	Kind       string
	LegalRef   string `json:"legal_ref"`
	Operator   string
	Reference  string
	ReleasedAt *string `json:"released_at"`
}

// TestAPILegalHold (五(一)): the legal-hold role places a hold, with its
// legal reference, on a person's transaction records or on one order's;
// the retention sweep keeps what a hold covers past its three years —
// even after the held person deregistered, their data key gone but their
// held records readable for the legal duty — and sweeps it once released;
// both acts are audited and shown to the person (kind and dates, never
// who); every other caller is refused.
func TestAPILegalHold(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := context.Background()
		fx := newShop(t, e, "13866680001", "hold_seller")
		tea := fx.item(t, e, "碧螺春", 9900, 10, nil)
		held := e.Register(t, "13866680002", "hold_person")
		byOrder := e.Register(t, "13866680003", "hold_order")
		free := e.Register(t, "13866680004", "hold_free")
		orders := map[string]string{}
		for _, sh := range []*testenv.Shopper{held, byOrder, free} {
			o := placeOrder(t, e, sh, buyNow(tea, 1))
			deliver(t, e, sh, fx.seller, o.ID)
			orders[sh.MemberName] = o.ID
		}
		lh := operatorHeaders(t, e, minimall.RoleLegalHold, "LH-1")
		person := map[string]any{"subject": string(held.Subject), "kind": "court_order", "legal_ref": "CASE-2026-0106-123"}

		t.Run("Refusals", func(t *testing.T) {
			wantStatus(t, e.Do(t, "POST", "/api/v1/ops/legal-holds", person), 401, "anonymous")
			wantStatus(t, e.Do(t, "POST", "/api/v1/ops/legal-holds", person, testenv.Bearer(held.Token)...), 403, "shopper")
			for _, role := range []minimall.Role{minimall.RoleDPO, minimall.RoleCustomerService, minimall.RoleSecurity, minimall.RoleOps} {
				wantStatus(t, e.Do(t, "POST", "/api/v1/ops/legal-holds", person, operatorHeaders(t, e, role, "LH-1")...), 403, string(role))
			}
			noRef := map[string]any{"subject": string(held.Subject), "kind": "court_order"}
			wantFieldProblem(t, e.Do(t, "POST", "/api/v1/ops/legal-holds", noRef, lh...), 400, "legal_ref", "required")
			badKind := map[string]any{"subject": string(held.Subject), "kind": "whim", "legal_ref": "CASE-1"}
			wantStatus(t, e.Do(t, "POST", "/api/v1/ops/legal-holds", badKind, lh...), 400, "unknown kind")
			wantStatus(t, e.Do(t, "POST", "/api/v1/ops/legal-holds", map[string]any{"order_id": "ord_nothing", "kind": "regulator", "legal_ref": "REG-1"}, lh...), 404, "unknown order")
		})

		var hp, ho holdView
		r := e.Do(t, "POST", "/api/v1/ops/legal-holds", person, lh...)
		wantStatus(t, r, 201, "hold the person")
		r.JSON(t, &hp)
		r = e.Do(t, "POST", "/api/v1/ops/legal-holds", map[string]any{"order_id": orders["hold_order"], "kind": "investigation", "legal_ref": "POLICE-2026-77"}, lh...)
		wantStatus(t, r, 201, "hold the order")
		r.JSON(t, &ho)
		if hp.LegalRef == "" || ho.Subject != string(byOrder.Subject) {
			t.Fatalf("holds: %+v %+v", hp, ho)
		}

		t.Run("PersonSees", func(t *testing.T) {
			r := e.Do(t, "GET", "/api/v1/account/legal-holds", nil, testenv.Bearer(byOrder.Token)...)
			wantStatus(t, r, 200, "my holds")
			var mine struct{ Holds []holdView }
			r.JSON(t, &mine)
			if len(mine.Holds) != 1 || mine.Holds[0].Kind != "investigation" || mine.Holds[0].OrderID != orders["hold_order"] {
				t.Fatalf("my holds: %s", r.Body)
			}
			for _, secret := range []string{"POLICE-2026-77", "LH-1", "operator"} {
				if strings.Contains(string(r.Body), secret) {
					t.Fatalf("the person's view names %q: %s", secret, r.Body)
				}
			}
			page := e.Do(t, "GET", "/account/privacy/data", nil, testenv.Bearer(byOrder.Token)...)
			if page.Status != 200 || !strings.Contains(string(page.Body), "侦查机关依法调取") {
				t.Fatalf("the privacy centre does not show the hold: %d", page.Status)
			}
			var none struct{ Holds []holdView }
			e.Do(t, "GET", "/api/v1/account/legal-holds", nil, testenv.Bearer(free.Token)...).JSON(t, &none)
			if len(none.Holds) != 0 {
				t.Fatalf("someone else's hold shows: %+v", none)
			}
		})

		// The held person deregisters: their data key goes, the held
		// transaction record stays under its retention key.
		if req := fileVerified(t, e, held, map[string]any{"kind": "deregister"}); req.State != rights.Answered || !req.Answer.Erased {
			t.Fatalf("deregistration of a held person: %+v", req)
		}

		ops := lifecycleOps(t, e, minimall.RoleOps)
		st.Clock.Advance(privacy.ThreeYears + 62*privacy.Day)
		runSweep(t, e, ops, false)
		left := func(sh *testenv.Shopper) int {
			var n int
			if err := st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders WHERE id = ?`, orders[sh.MemberName]).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if left(free) != 0 || left(held) != 1 || left(byOrder) != 1 {
			t.Fatalf("after three years: free %d, held person %d, held order %d orders left; want 0, 1, 1", left(free), left(held), left(byOrder))
		}
		if name := openRecipient(t, st, e, held.Subject, orders["hold_person"]); name != recipient["name"] {
			t.Fatalf("the held record of the deregistered person opens as %q for the legal duty", name)
		}

		tracked := func(t *testing.T) map[string]bool {
			accs, err := e.Kernel.AccessesByOthers(ctx, minimall.ShopperActor(byOrder.Subject), 100)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, a := range accs {
				seen[a.Decision] = true
			}
			return seen
		}
		// Past the audit log's three years the hold's placing is still in
		// the person's tracker: a standing hold keeps the log from its
		// placing on (the audit sweep ran with the retention sweep above).
		t.Run("AuditedWhileHeld", func(t *testing.T) {
			if !tracked(t)[privacy.DecisionHoldPlace] {
				t.Fatal("the person's tracker lacks the hold's placing")
			}
		})

		t.Run("Release", func(t *testing.T) {
			wantStatus(t, e.Do(t, "POST", "/api/v1/ops/legal-holds/"+hp.ID+"/release", nil, operatorHeaders(t, e, minimall.RoleDPO, "LH-2")...), 403, "dpo releases")
			wantStatus(t, e.Do(t, "POST", "/api/v1/ops/legal-holds/lh_nothing/release", nil, lh...), 404, "unknown hold")
			for _, h := range []holdView{hp, ho} {
				wantStatus(t, e.Do(t, "POST", "/api/v1/ops/legal-holds/"+h.ID+"/release", nil, lh...), 200, "release")
			}
			wantStatus(t, e.Do(t, "POST", "/api/v1/ops/legal-holds/"+hp.ID+"/release", nil, lh...), 409, "release twice")
			rep := runSweep(t, e, ops, false)
			if left(held) != 0 || left(byOrder) != 0 || rep.RetentionKeys < 2 {
				t.Fatalf("after release: %d and %d orders left, %d keys destroyed", left(held), left(byOrder), rep.RetentionKeys)
			}
		})

		t.Run("Audited", func(t *testing.T) {
			// Released, the placing (over three years old) went with the
			// sweep after the release; the release is there.
			if !tracked(t)[privacy.DecisionHoldRelease] {
				t.Fatal("the person's tracker lacks the hold's release")
			}
		})
	})
}

// openRecipient opens an order's recipient name as the platform would for
// the legal duty, or returns the refusal's reason.
func openRecipient(t *testing.T, st *testkit.Store, e *testenv.Env, s minimall.SubjectID, orderID string) string {
	t.Helper()
	var sealed []byte
	if err := st.DB.QueryRowContext(context.Background(), `SELECT recipient_name_sealed FROM orders WHERE id = ?`, orderID).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	plain, err := e.Kernel.Guard().Open(context.Background(), minimall.SystemActor("legal-duty"), s, privacy.RecipientName, privacy.ForLegalDuty, orderID, sealed)
	if err != nil {
		return err.Error()
	}
	return string(plain)
}

// legalHold places a hold on the owner's records, for the matrix.
func (w *authzWorld) legalHold(t *testing.T, e *testenv.Env) string {
	t.Helper()
	lh := append(testenv.Bearer(w.operators[minimall.RoleLegalHold]), "X-Access-Reason", "LH-MATRIX")
	r := e.Do(t, "POST", "/api/v1/ops/legal-holds", map[string]any{"subject": string(w.owner.Subject), "kind": "litigation", "legal_ref": "CASE-MATRIX-1"}, lh...)
	wantStatus(t, r, 201, "legal hold")
	return idOf(t, r)
}
