package http_test

import (
	"bytes"
	"testing"

	"minimall/app"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// Rotating the phone's lookup key (minimall keys rotate-lookup): sign-in by
// phone, by one-time code and by member name still work, the old key is
// gone from the key store, and an index made with the old key no longer
// finds the account.
func TestAPIRotatePhoneLookupKey(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := t.Context()
		sh := e.Register(t, "13855550201", "lookup01")
		held := e.Register(t, "13855550202", "lookup02")
		var oldIdx []byte
		if err := st.DB.QueryRowContext(ctx, `SELECT phone_index FROM accounts WHERE subject = ?`, string(sh.Subject)).Scan(&oldIdx); err != nil {
			t.Fatal(err)
		}
		lookupKeys := func(period string) (n int) {
			t.Helper()
			if err := st.KeysDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM subject_keys WHERE kind = 'lookup' AND period = ?`, period).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if lookupKeys("account.phone@1") != 1 || lookupKeys("account.member_name@1") != 1 {
			t.Fatal("the phone and the member name have no lookup keys of their own")
		}

		rep, err := e.Kernel.RotateLookup(ctx, privacy.AccountPhone, app.Reindexers(st.DB, e.Kernel))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Generation != 2 || rep.Rewritten["account.Reindexer"] < 2 || rep.Destroyed != 1 {
			t.Fatalf("rotation: %+v", rep)
		}
		if lookupKeys("account.phone@1") != 0 || lookupKeys("account.phone@2") != 1 || lookupKeys("account.member_name@1") != 1 {
			t.Fatal("the old phone key is still in the key store, or the member-name key was touched")
		}
		mustStatus(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.Phone, "password": sh.Password}), 201, "password sign-in by phone after rotation")
		mustStatus(t, codeLogin(t, e, held.Phone), 201, "code sign-in after rotation")
		passwordLogin(t, e, sh) // by member name

		if bytes.Equal(oldIdx, e.Kernel.BlindIndex(privacy.AccountPhone, []byte(sh.Phone))) {
			t.Fatal("the new key makes the old index")
		}
		if _, err := st.DB.ExecContext(ctx, `UPDATE accounts SET phone_index = ? WHERE subject = ?`, oldIdx, string(sh.Subject)); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.Phone, "password": sh.Password}), 401, "unauthorized", "")
	})
}

// Rotating every lookup key: a person's cart line, search-history entry
// and device are still found by their re-made indexes, so repeating each
// after the rotation updates the row instead of adding a second.
func TestAPIRotateEveryLookupKey(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := t.Context()
		fx := newShop(t, e, "13855550211", "lookup_seller")
		tea := fx.item(t, e, "西湖龙井 250克", 12800, 100, nil)
		sh := e.Register(t, "13855550212", "lookup12")
		auth := testenv.Bearer(sh.Token)
		act := func() {
			t.Helper()
			wantStatus(t, e.Do(t, "POST", "/api/v1/cart/items", map[string]any{"item": tea, "quantity": 1}, auth...), 201, "add to cart")
			searchTitles(t, e, q("龙井"), auth...)
			wantStatus(t, e.Do(t, "POST", "/api/v1/security/devices", map[string]string{"device_id": "android-lookup12"}, auth...), 201, "device")
			if err := st.DB.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		act()
		// An order names a recipient: its recipient index is made anew too,
		// so a recipient's request still finds it (四).
		placed := placeOrder(t, e, sh, buyNow(tea, 1))
		for _, f := range privacy.LookupFields {
			if _, err := e.Kernel.RotateLookup(ctx, f, app.Reindexers(st.DB, e.Kernel)); err != nil {
				t.Fatalf("rotate %s: %v", f, err)
			}
			if e.Kernel.LookupGeneration(f) != 2 {
				t.Fatalf("%s at generation %d", f, e.Kernel.LookupGeneration(f))
			}
		}
		act()
		for _, table := range []string{"cart_items", "search_history", "devices"} {
			var n int
			if err := st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE subject = ?`, string(sh.Subject)).Scan(&n); err != nil || n != 1 {
				t.Errorf("%s: %d rows (%v); want the one row found again", table, n, err)
			}
		}
		var quantity int
		if err := st.DB.QueryRowContext(ctx, `SELECT quantity FROM cart_items WHERE subject = ?`, string(sh.Subject)).Scan(&quantity); err != nil || quantity != 2 {
			t.Fatalf("cart quantity %d (%v); want 2", quantity, err)
		}
		var idx []byte
		if err := st.DB.QueryRowContext(ctx, `SELECT recipient_phone_index FROM orders WHERE id = ?`, placed.ID).Scan(&idx); err != nil ||
			!bytes.Equal(idx, e.Kernel.BlindIndex(privacy.RecipientPhone, []byte(recipient["phone"].(string)))) {
			t.Fatalf("the order's recipient index was not made anew with the new key (%v)", err)
		}
		var n int
		if err := st.KeysDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM subject_keys WHERE kind = 'lookup'`).Scan(&n); err != nil || n != len(privacy.LookupFields) {
			t.Fatalf("%d lookup keys after rotating each (%v); want one per purpose", n, err)
		}
	})
}
