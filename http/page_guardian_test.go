package http_test

import (
	"net/url"
	"strings"
	"testing"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// TestPagesGuardian (七): the guardian of a child under 14, with the
// guardian token and a code to the phone recorded at consent, reads the
// child's data on a page, downloads a copy, and asks for its deletion; a
// stranger's phone is refused like an unknown token.
func TestPagesGuardian(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		const childPhone, guardianPhone, strangerPhone = "13822227101", "13922227101", "13922227102"
		child := registerChild(t, e, childPhone, "kid71")
		mustStatus(t, e.Do(t, "POST", "/api/v1/guardian-consents", guardianConsent(t, e, child.GuardianToken, guardianPhone, "王五", residentID("19850101", "789"))), 201, "guardian consent")
		b := newBrowser(t, e, "zh-CN")
		mustPage(t, b.get("/guardian"), 200, "guardian page")
		ask := func(phone, kind string, extra url.Values) *page {
			t.Helper()
			b.get("/guardian") // back to the start, as a person would
			p := b.post("/guardian/code", url.Values{"guardian_token": {child.GuardianToken}, "guardian_phone": {phone}})
			mustPage(t, p, 200, "code")
			form := url.Values{"guardian_token": {child.GuardianToken}, "guardian_phone": {phone}, "code": {e.SMS.Code(t, phone)}, "kind": {kind}}
			for k, v := range extra {
				form[k] = v
			}
			return b.post("/guardian", form)
		}
		if p := ask(strangerPhone, "access", nil); p.Status != 403 || strings.Contains(p.HTML, "kid71") {
			t.Fatalf("a stranger: %d", p.Status)
		}
		p := ask(guardianPhone, "access", nil)
		if p.Status != 200 || !strings.Contains(p.HTML, "kid71") || !strings.Contains(p.HTML, childPhone) {
			t.Fatalf("the guardian's readable copy: %d %.500s", p.Status, p.HTML)
		}
		p = ask(guardianPhone, "copy", nil)
		if p.Status != 200 || !strings.Contains(p.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(p.HTML, "kid71") {
			t.Fatalf("the guardian's download: %d %q", p.Status, p.Header.Get("Content-Disposition"))
		}
		p = ask(guardianPhone, "delete", url.Values{"ground": {"no_consent"}})
		if p.Status != 200 || !strings.Contains(p.HTML, `role="status"`) {
			t.Fatalf("the guardian's deletion: %d %.800s", p.Status, p.HTML)
		}
	})
}
