package http_test

import (
	"context"
	"testing"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/transfer"
)

// TestAPITransferLogRetention (五(一), PIPL art. 19, 55-56): the log of a
// transfer abroad stays three years, listed in the person's export, and the
// retention sweep deletes it once they have passed.
func TestAPITransferLogRetention(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		fx := newShop(t, e, "13866672001", "cbr_seller")
		imported := fx.item(t, e, "进口保健品", 19900, 5, map[string]string{"跨境": "是"})
		buyer := e.Register(t, "13866672002", "cbr_buyer")
		auth := testenv.Bearer(buyer.Token)
		order := buyNow(imported, 1)
		order["customs_id"] = map[string]any{"name": "王五", "number": "11010519491231002X"}
		cross := placeOrder(t, e, buyer, order)
		wantStatus(t, e.Do(t, "POST", "/api/v1/cross-border/consents", map[string]string{"notice_version": transfer.NoticeVersion()}, auth...), 201, "consent")
		wantStatus(t, e.Do(t, "POST", "/api/v1/cross-border/transfers", map[string]string{"order": cross.ID}, auth...), 201, "transfer")

		logged := func() int {
			var n int
			if err := st.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM cross_border_transfers WHERE subject = ?`, string(buyer.Subject)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		ops := lifecycleOps(t, e, minimall.RoleDPO)
		st.Clock.Advance(privacy.ThreeYears - 2*privacy.Day)
		runSweep(t, e, ops, false)
		if n := logged(); n != 1 {
			t.Fatalf("a day short of three years the sweep left %d transfer records; want the 1", n)
		}
		signInAgain(t, e, buyer)
		if ex, _ := exportOf(t, e, buyer); len(recordsOf(ex, transfer.RecordTransfer)) != 1 {
			t.Fatalf("the export before the period ends lists %d transfers", len(recordsOf(ex, transfer.RecordTransfer)))
		}
		st.Clock.Advance(3 * privacy.Day)
		rep := runSweep(t, e, ops, false)
		if n := logged(); n != 0 {
			t.Fatalf("after three years the transfer log holds %d records (report %+v)", n, rep)
		}
		signInAgain(t, e, buyer)
		if ex, _ := exportOf(t, e, buyer); len(recordsOf(ex, transfer.RecordTransfer)) != 0 {
			t.Fatalf("the export after the period lists %d transfers", len(recordsOf(ex, transfer.RecordTransfer)))
		}
	})
}
