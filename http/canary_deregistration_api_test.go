package http_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/partner/sandbox"
	"minimall/privacy"
	"minimall/rights"
)

// deregRowKey names the column an area's table keys the sealed row by (the
// row bound into each ciphertext's associated data, and the Row of the
// export's values): the person's own rows are keyed by the subject, an
// invoice by its order, every other table by its id.
var deregRowKey = map[string]string{"accounts": "subject", "profiles": "subject", "verifications": "subject", "minors": "subject",
	"invoices": "order_id"}

// deregSealed is one stored value the export showed, with the exact
// ciphertext found for it in the database.
type deregSealed struct {
	field  privacy.Field
	row    string
	value  string // as the export showed it
	sealed []byte
}

func (c deregSealed) String() string { return string(c.field) + "@" + c.row }

// deregKeyID is the key id a ciphertext names in its header
// (privacy/internal/vault/seal.go: version byte, then the key id).
func deregKeyID(t *testing.T, sealed []byte) int64 {
	t.Helper()
	if len(sealed) < 9 || sealed[0] != 1 {
		t.Fatalf("not a sealed blob: % x", sealed[:min(len(sealed), 9)])
	}
	return int64(binary.BigEndian.Uint64(sealed[1:9]))
}

// deregKeyKind says which kind of key the key store holds under id ("data",
// "retention"), or "" when there is none: a destroyed key.
func deregKeyKind(t *testing.T, st *testkit.Store, id int64) string {
	t.Helper()
	var kind string
	err := st.KeysDB.QueryRowContext(context.Background(), `SELECT kind FROM subject_keys WHERE id = ?`, id).Scan(&kind)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	return kind
}

func deregReason(err error) privacy.Reason {
	var d *privacy.Denied
	if errors.As(err, &d) {
		return d.Reason
	}
	return ""
}

// TestAPICanaryThroughDeregistration (四(五), PIPL art. 47; issue 5): a
// person gives, through the API, a distinct marker in every field they can
// give; the export shows every marker, and the test takes the exact
// ciphertext of every value the export lists. Then they deregister.
// Afterwards no marker is in plaintext in the data folder, the search
// index, the logs or any partner's records beyond what that partner may
// receive; a second kernel on the same database and key store (master key
// and current key store) opens none of the ciphertexts, and the key each
// names is gone from the key store; only the records kept for a legal duty
// (the transaction records of the finished orders, the rights requests)
// open, for the legal-hold role and the legal duty alone; after three years
// and the retention sweep they open for nobody.
func TestAPICanaryThroughDeregistration(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		ctx := context.Background()
		fx := newShop(t, e, "13855560001", "dereg_seller")
		bag := fx.item(t, e, "注销金丝雀帆布包", 5900, 5, nil)
		milk := fx.item(t, e, "注销金丝雀进口奶粉", 29900, 5, map[string]string{"跨境": "是"})
		const phone, name = "19912340077", "注销金丝雀DeregName"
		sh := e.Register(t, phone, name)
		other := e.Register(t, "13855560003", "dereg_stayer")
		auth := testenv.Bearer(sh.Token)

		// Every field the person can give, each a marker.
		const (
			nickname, avatar, birthday        = "注销金丝雀昵称N", "https://canary.example/avatar-dereg-5d2.png", "02-17"
			realName, device, deviceParams    = "注销金丝雀实名", "canary-dereg-device-3b9", "phone/DeregModel-4/DeregOS"
			fraud, query                      = "注销金丝雀举报内容F", "注销金丝雀查询词Q"
			rName, rAddress, rPhone, rExtra   = "注销金丝雀收件人", "注销金丝雀市金丝雀路99号", "13799990099", "13799990098"
			rTime, remark                     = "注销金丝雀送达时段", "注销金丝雀备注R"
			invTitle, invTaxID, invEmail      = "注销金丝雀发票抬头", "91330100DEREG99X", "dereg99@invoice.example"
			customsName, payerPhone, otherNic = "注销金丝雀报关人", "13799990097", "旁观者D"
		)
		idNumber, customsNumber := residentID("19920412", "993"), residentID("19870719", "994")
		// The birthday is quoted: a bare MM-DD is in every timestamp of that day.
		markers := map[string]privacy.Field{
			phone: privacy.AccountPhone, name: privacy.MemberName, nickname: privacy.Nickname, "avatar-dereg-5d2": privacy.Avatar,
			`"` + birthday + `"`: privacy.BirthdayMonth, realName: privacy.RealName, idNumber: privacy.IDNumber, device: privacy.DeviceID,
			deviceParams: privacy.DeviceParams, fraud: privacy.FraudReport, query: privacy.SearchQuery,
			rName: privacy.RecipientName, rAddress: privacy.RecipientAddress, rPhone: privacy.RecipientPhone, rExtra: privacy.ExtraPhone,
			rTime: privacy.DeliveryTime, remark: privacy.OrderRemark, invTitle: privacy.InvoiceTitle, invTaxID: privacy.InvoiceTaxpayerID,
			invEmail: privacy.InvoiceEmail, customsName: privacy.CustomsIDName, customsNumber: privacy.CustomsIDNumber,
			payerPhone: privacy.PayerPhone, sh.Password: privacy.PasswordHash,
		}

		wantStatus(t, e.Do(t, "PATCH", "/api/v1/account/profile", map[string]any{"nickname": nickname, "avatar": avatar, "gender": "other",
			"birthday": birthday}, auth...), 200, "profile")
		wantStatus(t, e.Do(t, "PATCH", "/api/v1/account/profile", map[string]any{"nickname": otherNic}, testenv.Bearer(other.Token)...), 200, "other's profile")
		for _, step := range []struct {
			path string
			body any
		}{
			{"/api/v1/identity/real-name", map[string]string{"real_name": realName, "id_number": idNumber}},
			{"/api/v1/security/devices", map[string]string{"device_id": device, "params": deviceParams}},
			{"/api/v1/security/fraud-reports", map[string]string{"text": fraud}},
			{"/api/v1/account/phone-check", nil},
			{"/api/v1/cart/items", map[string]any{"item": bag, "quantity": 2}},
			{"/api/v1/account/favourites", map[string]string{"target": bag}},
			{"/api/v1/account/likes", map[string]string{"target": bag}},
			{"/api/v1/account/shares", map[string]string{"target": bag, "channel": "wechat"}},
			{"/api/v1/account/subscriptions", map[string]string{"target": fx.shop}},
			{"/api/v1/account/follows", map[string]string{"type": "shop", "target": fx.shop}},
		} {
			if r := e.Do(t, "POST", step.path, step.body, auth...); r.Status/100 != 2 {
				t.Fatalf("%s: %d %s", step.path, r.Status, r.Body)
			}
		}
		wantStatus(t, e.Do(t, "GET", "/api/v1/search?q="+url.QueryEscape(query), nil, auth...), 200, "search")
		wantStatus(t, e.Do(t, "GET", "/api/v1/items/"+bag, nil, auth...), 200, "item page")

		// One order delivered (ordered for someone else, with an invoice),
		// one cross-border order paid for by someone else (pay for me)
		// and then refunded: both finished, so deregistration may go ahead.
		recip := map[string]any{"name": rName, "address": rAddress, "phone": rPhone, "extra_phone": rExtra, "delivery_time": rTime}
		delivered := placeOrder(t, e, sh, map[string]any{"items": []map[string]any{{"item": bag, "quantity": 1}}, "recipient": recip,
			"remark": remark, "for_someone_else": true, "recipient_agreed": true, "invoice_requested": true,
			"invoice": map[string]any{"title": invTitle, "taxpayer_id": invTaxID, "email": invEmail}})
		crossBorder := placeOrder(t, e, sh, map[string]any{"items": []map[string]any{{"item": milk, "quantity": 1}}, "recipient": recip,
			"customs_id": map[string]any{"name": customsName, "number": customsNumber}})
		deliver(t, e, sh, fx.seller, delivered.ID)
		r := e.Do(t, "POST", "/api/v1/orders/"+crossBorder.ID+"/payments", map[string]any{"pay_for_me": map[string]any{"payer_phone": payerPhone}}, auth...)
		wantStatus(t, r, 201, "pay for me")
		var pay struct {
			PayURL string `json:"pay_url"`
		}
		r.JSON(t, &pay)
		if resp, err := http.Post(pay.PayURL, "application/json", nil); err != nil || resp.StatusCode != 200 {
			t.Fatalf("the payer pays at the sandbox: %v %v", resp, err)
		} else {
			resp.Body.Close()
		}
		wantStatus(t, e.Do(t, "POST", "/api/v1/orders/"+crossBorder.ID+"/refund", nil, auth...), 200, "refund the cross-border order")
		var o orderView
		e.Do(t, "GET", "/api/v1/orders/"+delivered.ID, nil, auth...).JSON(t, &o)
		if o.Status != "delivered" {
			t.Fatalf("the first order is %q, want delivered", o.Status)
		}

		// The export shows every marker, so each really was stored.
		req := fileVerified(t, e, sh, map[string]any{"kind": "access"})
		r = e.Do(t, "GET", "/api/v1/rights/requests/"+req.ID+"/export", nil, auth...)
		wantStatus(t, r, 200, "export")
		var export rights.Export
		r.JSON(t, &export)
		var values []rights.Value
		byField := map[privacy.Field][]string{}
		for _, f := range export.Fields {
			for _, v := range f.Values {
				if v.Unreadable != "" {
					t.Errorf("before deregistration the export's %s@%s is unreadable: %s", v.Field, v.Row, v.Unreadable)
				}
				values = append(values, v)
				byField[v.Field] = append(byField[v.Field], v.Value)
			}
		}
		for m, f := range markers {
			switch f {
			case privacy.PasswordHash: // never shown, only scanned for
				continue
			case privacy.BirthdayMonth:
				m = strings.Trim(m, `"`)
			}
			found := false
			for _, v := range byField[f] {
				found = found || strings.Contains(v, m)
			}
			if !found {
				t.Errorf("the export's %s is %q; the marker %q is missing", f, byField[f], m)
			}
		}
		for _, f := range []privacy.Field{privacy.Gender, privacy.CartItem, privacy.Footprint, privacy.Favourite, privacy.Like, privacy.Share,
			privacy.ShopSubscription, privacy.Follow, privacy.SearchActivity, privacy.RecipientConsent, privacy.PaymentStatus, privacy.DeliveryTracking} {
			if len(byField[f]) == 0 {
				t.Errorf("the export holds no %s", f)
			}
		}

		// The exact ciphertext of every value, found through the registry's
		// table and column and the row the export names; each opens, before
		// the deregistration, to what the export showed.
		var held []deregSealed
		self := minimall.ShopperActor(sh.Subject)
		for _, v := range values {
			spec, ok := privacy.Spec(v.Field)
			if !ok || spec.Table == "" || v.Field == privacy.PasswordHash { // the hash is a one-way hash, not sealed
				continue
			}
			key := deregRowKey[spec.Table]
			if key == "" {
				key = "id"
			}
			var sealed []byte
			var version uint64 // the row's counter of a versioned field
			versionCol := "0"
			if spec.Versioned {
				versionCol = spec.VersionColumn()
			}
			q := `SELECT ` + spec.Column + `, ` + versionCol + ` FROM ` + spec.Table + ` WHERE ` + key + ` = ?` // names from the registry, not input
			if err := st.DB.QueryRowContext(ctx, q, v.Row).Scan(&sealed, &version); err != nil || len(sealed) == 0 {
				t.Errorf("%s@%s: no ciphertext in %s.%s (%v)", v.Field, v.Row, spec.Table, spec.Column, err)
				continue
			}
			if got, err := e.Kernel.Guard().OpenVersionString(ctx, self, sh.Subject, v.Field, privacy.ForRightsRequest, v.Row, version, sealed); err != nil || got != v.Value {
				t.Errorf("%s@%s: the ciphertext found opens to %q (%v), the export showed %q", v.Field, v.Row, got, err, v.Value)
				continue
			}
			held = append(held, deregSealed{field: v.Field, row: v.Row, value: v.Value, sealed: sealed})
		}
		// The records kept for a legal duty: every AfterCompletion field (the
		// finished orders' orders, invoices, payments and shipments rows,
		// and the rights requests themselves).
		retained := func(c deregSealed) bool {
			spec, _ := privacy.Spec(c.field)
			return spec.Retention.Rule == privacy.AfterCompletion
		}
		nRetained := 0
		for _, c := range held {
			if retained(c) {
				nRetained++
			}
		}
		if len(held) < 40 || nRetained < 20 {
			t.Fatalf("collected %d ciphertexts (%d retained records); the canary covers too little", len(held), nRetained)
		}

		// Each partner got what the registry lets it receive (so the scan
		// below looks at the right files): the SMS partner and the carrier
		// the phone, the identity authority the real name and ID number,
		// the logistics partner the delivered order's recipient, the
		// payment institution the payer's phone.
		allowed := map[privacy.PartnerID][]string{
			privacy.PartnerSMS: {phone}, privacy.PartnerCarrier: {phone}, privacy.PartnerIdentity: {realName, idNumber},
			privacy.PartnerLogistics: {rName, rAddress, rPhone}, privacy.PartnerPayment: {payerPhone},
		}
		partnerRecords := func(sb *sandbox.Sandbox) []byte {
			b, err := os.ReadFile(filepath.Join(sb.Dir(), "requests.jsonl"))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			return b
		}
		for _, sb := range e.Sandbox.All() {
			b := partnerRecords(sb)
			for _, m := range allowed[sb.Name()] {
				if !bytes.Contains(b, []byte(m)) {
					t.Errorf("partner %s never got %q: is the canary looking at the right file?", sb.Name(), m)
				}
			}
		}

		// Deregistration.
		req = fileVerified(t, e, sh, map[string]any{"kind": "deregister"})
		if req.State != rights.Answered || !req.Answer.Erased {
			t.Fatalf("deregistration: %+v", req)
		}
		var p struct{ Nickname string }
		e.Do(t, "GET", "/api/v1/account/profile", nil, testenv.Bearer(other.Token)...).JSON(t, &p)
		if p.Nickname != otherNic {
			t.Fatalf("another person's profile after the deregistration: %+v", p)
		}
		if err := e.Kernel.AuditFlush(ctx); err != nil {
			t.Fatal(err)
		}

		// The change feed carries ids of rows only: no marker, no sealed
		// value, no (person, item) pair, before or after the deregistration.
		var markerList []string
		for m := range markers {
			markerList = append(markerList, m)
		}
		outboxClean(t, e, st, markerList, sh.Subject, bag, milk)

		// (a) No marker in plaintext: data folder and search index (files
		// of ours on SQLite only), logs, partners' records.
		if st.Name == "sqlite" {
			if err := e.Search.Close(); err != nil { // flush the index to its files
				t.Fatal(err)
			}
			for _, dir := range []string{st.DataDir, e.SearchDir} {
				err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
					if err != nil || info.IsDir() {
						return err
					}
					b, err := os.ReadFile(path)
					if err != nil {
						return err
					}
					for m := range markers {
						if bytes.Contains(b, []byte(m)) {
							t.Errorf("%s holds %q in plaintext after the deregistration", path, m)
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		logs := e.Logs.String()
		for m := range markers {
			if strings.Contains(logs, m) {
				t.Errorf("logs hold %q", m)
			}
		}
		// Afterwards each partner holds nothing beyond what it may
		// receive (the deletion notices ask them to forget even that).
		for _, sb := range e.Sandbox.All() {
			b := partnerRecords(sb)
			for _, m := range allowed[sb.Name()] {
				if bytes.Contains(b, []byte(m)) {
					t.Errorf("partner %s still holds %q after the deregistration (its deletion notice should have cleared it)", sb.Name(), m)
				}
				b = bytes.ReplaceAll(b, []byte(m), nil)
			}
			for m := range markers {
				if bytes.Contains(b, []byte(m)) {
					t.Errorf("partner %s holds %q", sb.Name(), m)
				}
			}
		}

		// (b) A second kernel on the same data database and key store: no
		// ciphertext opens for any actor or purpose, and the key it names
		// is gone; only the transaction records open, for the legal-hold
		// role and the legal duty, under a retention key.
		k2, err := privacy.Open(ctx, privacy.Config{Data: st.DB, Keys: st.KeysDB, KeysDir: st.KeysDir, Clock: st.Clock, Chain: "canary-check"})
		if err != nil {
			t.Fatal(err)
		}
		defer k2.Close()
		g := k2.Guard()
		legal := minimall.Actor{Kind: minimall.Operator, ID: "op_legal", Role: minimall.RoleLegalHold, Reason: "COURT-11"}
		sys := minimall.SystemActor("canary")
		seller := minimall.Actor{Kind: minimall.Seller, ID: string(fx.seller.Subject), Shop: fx.shop}
		// notLegal tries every other actor and purpose on c; none may open it.
		notLegal := func(c deregSealed, want privacy.Reason) {
			t.Helper()
			spec, _ := privacy.Spec(c.field)
			for _, u := range spec.Uses {
				if u.Purpose == privacy.ForLegalDuty {
					continue
				}
				for _, a := range []minimall.Actor{sys, self, legal} {
					if v, err := g.Open(ctx, a, sh.Subject, c.field, u.Purpose, c.row, c.sealed); err == nil {
						t.Errorf("%s opened for %s by %s after the deregistration: %q", c, u.Purpose, a, v)
					} else if r := deregReason(err); a == sys && want != "" && r != want && !(u.Basis.NeedsConsent() && strings.HasPrefix(string(r), "consent_")) {
						// A use resting on consent may be refused for the consent first.
						t.Errorf("%s for %s: %v; want %s", c, u.Purpose, err, want)
					}
				}
			}
			if _, err := g.Open(ctx, seller, sh.Subject, c.field, privacy.ForDelivery, c.row, c.sealed); err == nil {
				t.Errorf("%s opened for the seller after the deregistration", c)
			}
			for _, role := range minimall.Roles {
				op := minimall.Actor{Kind: minimall.Operator, ID: "op_" + string(role), Role: role, Reason: "COURT-11"}
				if _, err := g.Open(ctx, op, sh.Subject, c.field, privacy.ForLegalDuty, c.row, c.sealed); err == nil && role != minimall.RoleLegalHold {
					t.Errorf("%s opened for the legal duty by the %s role", c, role)
				}
			}
		}
		for _, c := range held {
			kind := deregKeyKind(t, st, deregKeyID(t, c.sealed))
			if !retained(c) {
				if kind != "" {
					t.Errorf("%s: its %s key is still in the key store after the deregistration", c, kind)
				}
				if _, err := g.Open(ctx, legal, sh.Subject, c.field, privacy.ForLegalDuty, c.row, c.sealed); err == nil {
					t.Errorf("%s opened for the legal duty after the deregistration", c)
				}
				notLegal(c, privacy.SubjectErased)
				continue
			}
			if kind != "retention" {
				t.Errorf("%s: a transaction record under a %q key, want a retention key", c, kind)
			}
			if got, err := g.OpenString(ctx, legal, sh.Subject, c.field, privacy.ForLegalDuty, c.row, c.sealed); err != nil || got != c.value {
				t.Errorf("%s for the legal duty: %q %v; want %q", c, got, err, c.value)
			}
			notLegal(c, privacy.RetentionOnly)
		}

		// (c) Three years after completion (and the month's margin) the
		// sweep destroys the retention key: nobody opens anything, on the
		// node that swept nor on a node started afterwards.
		st.Clock.Advance(privacy.ThreeYears + 62*privacy.Day)
		runSweep(t, e, lifecycleOps(t, e, minimall.RoleDPO), false)
		k3, err := privacy.Open(ctx, privacy.Config{Data: st.DB, Keys: st.KeysDB, KeysDir: st.KeysDir, Clock: st.Clock, Chain: "canary-after"})
		if err != nil {
			t.Fatal(err)
		}
		defer k3.Close()
		var warm []string
		for _, c := range held {
			if !retained(c) {
				continue
			}
			if kind := deregKeyKind(t, st, deregKeyID(t, c.sealed)); kind != "" {
				t.Errorf("%s: its %s key outlived the retention period", c, kind)
			}
			for _, node := range []*privacy.Guard{e.Kernel.Guard(), k3.Guard()} {
				if v, err := node.Open(ctx, legal, sh.Subject, c.field, privacy.ForLegalDuty, c.row, c.sealed); err == nil {
					t.Errorf("%s still opens for the legal duty after its period: %q", c, v)
				}
			}
			// A node that read the record before the sweep (k2, whose key
			// cache is warm) must not read it afterwards either, once its
			// change-feed follower has seen the sweep (one poll, 500 ms).
			if !refusedWithin(3*time.Second, func() error {
				_, err := g.Open(ctx, legal, sh.Subject, c.field, privacy.ForLegalDuty, c.row, c.sealed)
				return err
			}) {
				warm = append(warm, c.String())
			}
			notLegal(c, "")
		}
		if len(warm) > 0 {
			t.Errorf("after the sweep destroyed the retention keys, another running kernel still opens %d retained records for the legal duty: %s",
				len(warm), strings.Join(warm, ", "))
		}
		fields := map[bool]map[privacy.Field]bool{false: {}, true: {}}
		for _, c := range held {
			fields[retained(c)][c.field] = true
		}
		t.Logf("%s: %d ciphertexts checked, %d of them retained records; data-key fields %v; retained fields %v",
			st.Name, len(held), nRetained, slices.Sorted(maps.Keys(fields[false])), slices.Sorted(maps.Keys(fields[true])))
	})
}

// refusedWithin reports whether open fails within d, trying every 50 ms.
func refusedWithin(d time.Duration, open func() error) bool {
	for end := time.Now().Add(d); ; time.Sleep(50 * time.Millisecond) {
		if open() != nil {
			return true
		}
		if time.Now().After(end) {
			return false
		}
	}
}
