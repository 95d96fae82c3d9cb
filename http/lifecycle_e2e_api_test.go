package http_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/rights"
)

// TestAPILifeOfAPerson follows one person through the platform, as the
// policy promises it (四, 五(一), E-commerce Law art. 31): they register,
// set a profile, browse, search, order and pay, and the order is
// delivered; they export their data and every field they gave is there
// with its value; they deregister. Afterwards nothing of theirs is in
// plaintext in the database files or the search index, their sealed data
// no longer opens, another person is unaffected, and their order is kept
// retention-only: the legal-hold role reads it for the legal duty, nobody
// reads it for delivery, and after three years it opens for nobody.
func TestAPILifeOfAPerson(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := context.Background()
		fx := newShop(t, e, "13866668800", "life_seller")
		lamp := fx.item(t, e, "生命周期测试台灯", 9900, 5, nil)
		sh := e.Register(t, "13866668801", "life_person")
		other := e.Register(t, "13866668802", "life_other")
		auth := testenv.Bearer(sh.Token)
		const nickname, query = "生命周期昵称Z", "生命周期查询词"
		wantStatus(t, e.Do(t, "PATCH", "/api/v1/account/profile", map[string]any{"nickname": nickname, "birthday": "04-05"}, auth...), 200, "profile")
		wantStatus(t, e.Do(t, "PATCH", "/api/v1/account/profile", map[string]any{"nickname": "旁观者"}, testenv.Bearer(other.Token)...), 200, "other's profile")
		wantStatus(t, e.Do(t, "GET", "/api/v1/items/"+lamp, nil, auth...), 200, "browse")
		wantStatus(t, e.Do(t, "GET", "/api/v1/search?q="+query, nil, auth...), 200, "search")
		o := placeOrder(t, e, sh, buyNow(lamp, 1))
		deliver(t, e, sh, fx.seller, o.ID)

		// Access and copy: every field they gave, with its value.
		req := fileVerified(t, e, sh, map[string]any{"kind": "access"})
		r := e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export", nil, auth...)
		wantStatus(t, r, 200, "export")
		var export rights.Export
		r.JSON(t, &export)
		got := map[privacy.Field][]string{}
		for _, f := range export.Fields {
			for _, v := range f.Values {
				got[f.Field] = append(got[f.Field], v.Value)
			}
		}
		for f, want := range map[privacy.Field]string{
			privacy.AccountPhone: sh.Phone, privacy.MemberName: sh.MemberName, privacy.Nickname: nickname, privacy.BirthdayMonth: "04-05",
			privacy.SearchQuery: query, privacy.RecipientName: recipient["name"].(string), privacy.RecipientPhone: recipient["phone"].(string),
		} {
			found := false
			for _, v := range got[f] {
				found = found || v == want
			}
			if !found {
				t.Errorf("the export's %s is %q, want %q", f, got[f], want)
			}
		}

		// The footprint the item page left is in the export too.
		footprint := false
		for _, v := range got[privacy.Footprint] {
			footprint = footprint || strings.Contains(v, lamp)
		}
		if !footprint {
			t.Errorf("the export's footprints %q lack the item viewed", got[privacy.Footprint])
		}

		// Deregistration.
		req = fileVerified(t, e, sh, map[string]any{"kind": "deregister"})
		if req.State != rights.Answered || !req.Answer.Erased {
			t.Fatalf("deregistration: %+v", req)
		}
		var p struct{ Nickname string }
		e.Do(t, "GET", "/api/v1/account/profile", nil, testenv.Bearer(other.Token)...).JSON(t, &p)
		if p.Nickname != "旁观者" {
			t.Fatalf("another person's profile after the deregistration: %+v", p)
		}
		if err := e.Kernel.AuditFlush(ctx); err != nil {
			t.Fatal(err)
		}
		if st.Name == "sqlite" { // on PostgreSQL the rows are not files of ours
			if err := e.Search.Close(); err != nil {
				t.Fatal(err)
			}
			for _, dir := range []string{st.DataDir, e.SearchDir} {
				filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
					if err != nil || info.IsDir() {
						return err
					}
					b, _ := os.ReadFile(path)
					for _, m := range []string{sh.Phone, sh.MemberName, nickname, query, recipient["address"].(string)} {
						if bytes.Contains(b, []byte(m)) {
							t.Errorf("%s holds %q after the deregistration", path, m)
						}
					}
					return nil
				})
			}
		}

		// The order lives on under its retention key, for the legal duty only.
		var sealed []byte
		if err := st.DB.QueryRowContext(ctx, `SELECT recipient_phone_sealed FROM orders WHERE id = ?`, o.ID).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		g := e.Kernel.Guard()
		legal := minimall.Actor{Kind: minimall.Operator, ID: "op_legal", Role: minimall.RoleLegalHold, Reason: "COURT-7"}
		if v, err := g.OpenString(ctx, legal, sh.Subject, privacy.RecipientPhone, privacy.ForLegalDuty, o.ID, sealed); err != nil || v != recipient["phone"] {
			t.Fatalf("legal hold reads the retained order: %q %v", v, err)
		}
		if _, err := g.Open(ctx, minimall.SystemActor("delivery"), sh.Subject, privacy.RecipientPhone, privacy.ForDelivery, o.ID, sealed); err == nil {
			t.Fatal("the retained order opened for delivery after the deregistration")
		}
		// Three years after completion the retention key goes, and with it
		// the last readable copy.
		st.Clock.Advance(privacy.ThreeYears + 62*privacy.Day)
		runSweep(t, e, lifecycleOps(t, e, minimall.RoleDPO), false)
		if _, err := g.Open(ctx, legal, sh.Subject, privacy.RecipientPhone, privacy.ForLegalDuty, o.ID, sealed); err == nil {
			t.Fatal("the retained order still opens after its period")
		}
	})
}

// TestAPICancelledOrderRetained (E-commerce Law art. 31): a cancelled order
// is a finished transaction too; after its buyer is erased it is readable
// only for the legal duty, and after three years by nobody.
func TestAPICancelledOrderRetained(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := context.Background()
		fx := newShop(t, e, "13866668810", "cancel_seller")
		item := fx.item(t, e, "取消测试水杯", 2900, 5, nil)
		buyer := e.Register(t, "13866668811", "cancel_buyer")
		o := placeOrder(t, e, buyer, buyNow(item, 1))
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders/"+o.ID+"/cancel", nil, testenv.Bearer(buyer.Token)...), 200, "cancel")
		if err := e.Kernel.Erase(ctx, minimall.SystemActor("test"), buyer.Subject, privacy.EraseAccount, "deregistered"); err != nil {
			t.Fatal(err)
		}
		var sealed []byte
		if err := st.DB.QueryRowContext(ctx, `SELECT recipient_name_sealed FROM orders WHERE id = ?`, o.ID).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		g := e.Kernel.Guard()
		legal := minimall.Actor{Kind: minimall.Operator, ID: "op_legal", Role: minimall.RoleLegalHold, Reason: "COURT-9"}
		if v, err := g.OpenString(ctx, legal, buyer.Subject, privacy.RecipientName, privacy.ForLegalDuty, o.ID, sealed); err != nil || v != recipient["name"] {
			t.Fatalf("legal hold reads the cancelled order: %q %v", v, err)
		}
		st.Clock.Advance(privacy.ThreeYears + 62*privacy.Day)
		runSweep(t, e, lifecycleOps(t, e, minimall.RoleDPO), false)
		if _, err := g.Open(ctx, legal, buyer.Subject, privacy.RecipientName, privacy.ForLegalDuty, o.ID, sealed); err == nil {
			t.Fatal("the cancelled order still opens after its period")
		}
		var n int
		st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders WHERE id = ?`, o.ID).Scan(&n)
		if n != 0 {
			t.Fatal("the sweep left the cancelled order's row")
		}
	})
}
