package partner_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/outbox"
	"minimall/partner"
	"minimall/privacy"
)

// TestRecipientsUsable: every recipient the registry declares is for a
// purpose the field may serve, so the guard's check in Send can pass for
// every disclosure the registry allows.
func TestRecipientsUsable(t *testing.T) {
	for _, f := range privacy.Fields() {
		for _, r := range f.Recipients {
			if _, ok := f.Allows(r.Purpose); !ok {
				t.Errorf("%s: recipient %s for %s, a purpose the field does not serve", f.Field, r.Partner, r.Purpose)
			}
		}
	}
}

// TestSend: an allowed disclosure reaches the partner with exactly its
// fields, and is logged everywhere without the value.
func TestSend(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		s := w.newSubject(t)
		const phone = "13912345678"
		if ans := mustSend(t, w.gw, smsTo(s, phone)); ans["message_id"] == "" {
			t.Fatalf("answer %v", ans)
		}

		got := inspect(t, w.set.SMS)
		if len(got) != 1 || len(got[0].Fields) != 1 || got[0].Fields[privacy.AccountPhone] != phone ||
			got[0].Purpose != privacy.ForNotification || got[0].Operation != "sms/send" {
			t.Fatalf("sandbox saw %+v", got)
		}
		ref := got[0].PartnerRef

		rs := rows(t, st)
		want := disclosureRow{string(s), "sms", "notification", "sms/send", "account.phone", ref, "req-1", partner.StatusSent}
		if len(rs) != 1 || rs[0] != want {
			t.Fatalf("rows %+v, want %+v", rs, want)
		}

		evs, err := outbox.NewFeed(st.DB).Read(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			if e.Topic == partner.TopicDisclosed && e.Subject == s {
				n++
				if bytes.Contains(e.Payload, []byte(phone)) || bytes.Contains(e.Payload, []byte(ref)) {
					t.Errorf("event payload holds the phone or ref: %s", e.Payload)
				}
			}
		}
		if n != 1 {
			t.Fatalf("%d partner.disclosed events", n)
		}

		list, err := w.gw.Disclosures(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Partner != privacy.PartnerSMS || list[0].Purpose != privacy.ForNotification ||
			len(list[0].Fields) != 1 || list[0].Fields[0] != privacy.AccountPhone || list[0].At.IsZero() {
			t.Fatalf("disclosures %+v", list)
		}

		if !hasAudit(auditOf(t, w.k, s), partner.DecisionDisclose, "sms:notification") {
			t.Fatal("disclosure not audited")
		}
	})
}

// TestSendRefused: a field the registry does not let the partner receive
// for the purpose is refused and audited before any traffic.
func TestSendRefused(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		s := w.newSubject(t)
		cases := []struct {
			name string
			d    partner.Disclosure
			want string // the audited reason
		}{
			// 三(一)5(1)B: logistics gets the recipient's details, never the account phone.
			{"AccountPhoneToLogistics", partner.Disclosure{Partner: privacy.PartnerLogistics, Purpose: privacy.ForDelivery, Subject: s, Operation: "delivery/create",
				Fields: map[privacy.Field]string{privacy.AccountPhone: "13912345678"}}, "purpose_not_allowed logistics:delivery account.phone"},
			// The SMS provider may have the phone, but not for search.
			{"PhoneForSearch", partner.Disclosure{Partner: privacy.PartnerSMS, Purpose: privacy.ForSearch, Subject: s, Operation: "sms/send",
				Fields: map[privacy.Field]string{privacy.AccountPhone: "13912345678"}}, "purpose_not_allowed sms:search account.phone"},
			// One allowed field does not carry a disallowed one along.
			{"IDNumberWithPhone", partner.Disclosure{Partner: privacy.PartnerSMS, Purpose: privacy.ForLogin, Subject: s, Operation: "sms/send",
				Fields: map[privacy.Field]string{privacy.AccountPhone: "13912345678", privacy.IDNumber: "11010519491231002X"}}, "purpose_not_allowed sms:login verification.id_number"},
			{"UnknownField", partner.Disclosure{Partner: privacy.PartnerSMS, Purpose: privacy.ForLogin, Subject: s, Operation: "sms/send",
				Fields: map[privacy.Field]string{"account.shoe_size": "42"}}, "unknown_field sms:login account.shoe_size"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := w.gw.Send(ctx, c.d)
				if r := denial(err); r == "" || !minimall.IsCode(err, minimall.Invalid) {
					t.Fatalf("got %v", err)
				}
				if !hasAudit(auditOf(t, w.k, s), privacy.DecisionDeny, c.want) {
					t.Fatalf("denial %q not audited", c.want)
				}
			})
		}
		if n := len(inspect(t, w.logistics)) + len(inspect(t, w.set.SMS)); n != 0 {
			t.Fatalf("a refused disclosure reached a partner (%d requests)", n)
		}
		if rs := rows(t, st); len(rs) != 0 {
			t.Fatalf("a refused disclosure was logged as sent: %+v", rs)
		}
	})
}

// TestSendInvalid: malformed disclosures are refused before any traffic.
func TestSendInvalid(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		s := w.newSubject(t)
		mod := func(f func(*partner.Disclosure)) partner.Disclosure {
			d := smsTo(s, "13912345678")
			f(&d)
			return d
		}
		cases := []struct {
			name string
			d    partner.Disclosure
			code minimall.Code
		}{
			{"UnknownPartner", mod(func(d *partner.Disclosure) { d.Partner = "acme" }), minimall.Invalid},
			{"UnknownPurpose", mod(func(d *partner.Disclosure) { d.Purpose = "curiosity" }), minimall.Invalid},
			{"OperationEscapes", mod(func(d *partner.Disclosure) { d.Operation = "../admin" }), minimall.Invalid},
			{"OperationAbsolute", mod(func(d *partner.Disclosure) { d.Operation = "/sms/send" }), minimall.Invalid},
			{"OperationQuery", mod(func(d *partner.Disclosure) { d.Operation = "sms/send?x=1" }), minimall.Invalid},
			// Deletion notices go through NotifyDeletion, never as a disclosure.
			{"OperationDeletion", mod(func(d *partner.Disclosure) { d.Operation = "deletion" }), minimall.Invalid},
			// A field smuggled in as a param would escape the registry check.
			{"FieldAsParam", mod(func(d *partner.Disclosure) { d.Params = map[string]any{"account.phone": "13912345678"} }), minimall.Invalid},
			// Declared partner, but no endpoint configured.
			{"NoEndpoint", mod(func(d *partner.Disclosure) {
				d.Partner, d.Purpose = privacy.PartnerEmail, privacy.ForNotification
				d.Fields = nil
			}), minimall.Unavailable},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if _, err := w.gw.Send(ctx, c.d); !minimall.IsCode(err, c.code) {
					t.Fatalf("got %v, want %s", err, c.code)
				}
			})
		}
		if n := len(inspect(t, w.set.SMS)); n != 0 {
			t.Fatalf("%d requests reached the SMS sandbox", n)
		}
	})
}

// TestPartnerRef: each partner knows the person under its own stable
// pseudonym, never the subject id; erasure destroys it.
func TestPartnerRef(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		s := w.newSubject(t)
		mustSend(t, w.gw, smsTo(s, "13912345678"))
		mustSend(t, w.gw, smsTo(s, "13912345678"))
		mustSend(t, w.gw, riskOf(s, "13912345678"))
		sms, carrier := inspect(t, w.set.SMS), inspect(t, w.set.Carrier)
		if sms[0].PartnerRef != sms[1].PartnerRef {
			t.Error("the SMS partner's ref is not stable")
		}
		ref := sms[0].PartnerRef
		if ref == carrier[0].PartnerRef {
			t.Error("two partners share a ref: they could link their records")
		}
		if ref == "" || strings.Contains(ref, string(s)) || strings.Contains(carrier[0].PartnerRef, string(s)) {
			t.Errorf("ref %q reveals subject %q", ref, s)
		}

		t.Run("OneOff", func(t *testing.T) {
			mustSend(t, w.gw, smsTo("", "13700000001"))
			mustSend(t, w.gw, smsTo("", "13700000001"))
			got := inspect(t, w.set.SMS)
			a, b := got[len(got)-2].PartnerRef, got[len(got)-1].PartnerRef
			if a == b || len(a) != len(ref) {
				t.Fatalf("one-off refs %q, %q (account ref %q)", a, b, ref)
			}
		})

		t.Run("ErrErased", func(t *testing.T) {
			if err := w.k.Erase(ctx, minimall.SystemActor("test"), s, privacy.EraseAccount, "deregistered"); err != nil {
				t.Fatal(err)
			}
			if _, err := w.k.Pseudonym(ctx, s, "partner:sms"); denial(err) != privacy.SubjectErased {
				t.Fatalf("pseudonym after erasure: %v", err)
			}
			before := len(inspect(t, w.set.SMS))
			_, err := w.gw.Send(ctx, smsTo(s, "13912345678"))
			if denial(err) != privacy.SubjectErased || !minimall.IsCode(err, minimall.Gone) {
				t.Fatalf("send after erasure: %v", err)
			}
			// Even without fields (the payment status check), no ref can be made.
			_, err = w.gw.Send(ctx, partner.Disclosure{Partner: privacy.PartnerPayment, Purpose: privacy.ForIdentityCheck, Subject: s, Operation: "payment/realname-status"})
			if denial(err) != privacy.SubjectErased {
				t.Fatalf("status check after erasure: %v", err)
			}
			if after := len(inspect(t, w.set.SMS)); after != before {
				t.Fatal("a request for an erased person went out")
			}
		})
	})
}

// TestNotifyDeletion: the partners forget the person, the rows say so, and
// a second notice changes nothing.
func TestNotifyDeletion(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		s, other := w.newSubject(t), w.newSubject(t)
		mustSend(t, w.gw, smsTo(s, "13912345678"))
		mustSend(t, w.gw, riskOf(s, "13912345678"))
		mustSend(t, w.gw, smsTo(other, "13687654321"))
		ref, carrierRef := inspect(t, w.set.SMS)[0].PartnerRef, inspect(t, w.set.Carrier)[0].PartnerRef

		if err := w.gw.NotifyDeletion(ctx, s, privacy.PartnerSMS); err != nil {
			t.Fatal(err)
		}
		if n := len(inspect(t, w.set.Carrier)); n != 1 {
			t.Fatalf("a notice to SMS only reached the carrier too (%d records)", n)
		}
		if err := w.gw.NotifyDeletion(ctx, s); err != nil {
			t.Fatal(err)
		}
		for _, sb := range w.set.All() {
			for _, q := range inspect(t, sb) {
				if q.PartnerRef == ref || q.PartnerRef == carrierRef {
					t.Errorf("%s still holds %+v", sb.Name(), q)
				}
			}
		}
		if got := inspect(t, w.set.SMS); len(got) != 2 || got[0].Fields[privacy.AccountPhone] != "13687654321" || got[1].Operation != "deletion" {
			t.Fatalf("want the other person's record and one notice (SMS was notified once): %+v", got)
		}
		for _, r := range rows(t, st) {
			deleted := r.subject == string(s)
			if deleted != (r.status == partner.StatusDeleted) || (deleted && r.ref != "") {
				t.Errorf("row %+v", r)
			}
		}
		if !hasAudit(auditOf(t, w.k, s), partner.DecisionNotifyDeletion, "carrier") {
			t.Error("deletion not audited")
		}

		t.Run("Idempotent", func(t *testing.T) {
			before := len(inspect(t, w.set.SMS))
			if err := w.gw.NotifyDeletion(ctx, s); err != nil {
				t.Fatal(err)
			}
			if after := len(inspect(t, w.set.SMS)); after != before {
				t.Fatal("a second notice was sent")
			}
		})
		t.Run("AfterErasure", func(t *testing.T) {
			// The refs kept in the log reach partners after the keys are gone.
			if err := w.k.Erase(ctx, minimall.SystemActor("test"), other, privacy.EraseAccount, "deregistered"); err != nil {
				t.Fatal(err)
			}
			if err := w.gw.NotifyDeletion(ctx, other); err != nil {
				t.Fatal(err)
			}
			for _, q := range inspect(t, w.set.SMS) {
				if q.Fields[privacy.AccountPhone] != "" {
					t.Fatalf("still held: %+v", q)
				}
			}
		})
		t.Run("ErrUnknownPartner", func(t *testing.T) {
			if err := w.gw.NotifyDeletion(ctx, s, "acme"); !minimall.IsCode(err, minimall.Invalid) {
				t.Fatalf("got %v", err)
			}
		})
	})
}

// TestRecordsOutsideDataFolder: what partners hold lives in their own
// folders; the data folder holds field ids and refs, never the value.
func TestRecordsOutsideDataFolder(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		w := newWorld(t, st)
		s := w.newSubject(t)
		const marker = "13955501234"
		mustSend(t, w.gw, smsTo(s, marker))
		mustSend(t, w.gw, riskOf(s, marker))
		w.k.AuditFlush(context.Background())

		raw, err := os.ReadFile(filepath.Join(w.dir, "sms", "requests.jsonl"))
		if err != nil || !bytes.Contains(raw, []byte(marker)) {
			t.Fatalf("the SMS sandbox's own folder lacks its record: %v", err)
		}
		if rel, err := filepath.Rel(st.DataDir, w.set.SMS.Dir()); err == nil && !strings.HasPrefix(rel, "..") {
			t.Fatalf("sandbox folder %s is inside the data folder", w.set.SMS.Dir())
		}
		filepath.WalkDir(st.DataDir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := os.ReadFile(path)
			if bytes.Contains(b, []byte(marker)) {
				t.Errorf("%s holds the phone in plaintext", path)
			}
			if filepath.Base(path) == "requests.jsonl" {
				t.Errorf("sandbox records in the data folder: %s", path)
			}
			return nil
		})
	})
}
