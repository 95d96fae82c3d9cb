package sandbox_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minimall/partner"
	"minimall/partner/sandbox"
	"minimall/privacy"
)

func mustStart(t *testing.T, name privacy.PartnerID, dir string) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start(name, dir, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

// post sends env to the sandbox's operation, signed as the gateway signs
// (at time at), and returns the status and the answer, whose signature it
// checks.
func post(t *testing.T, sb *sandbox.Sandbox, op string, env partner.Envelope) (int, map[string]any) {
	t.Helper()
	return postAt(t, sb, op, env, time.Now(), sb.Endpoint().SignKey)
}

func postAt(t *testing.T, sb *sandbox.Sandbox, op string, env partner.Envelope, at time.Time, key []byte) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(env)
	req, _ := http.NewRequest(http.MethodPost, sb.URL()+"/"+op, bytes.NewReader(body))
	ts, nonce := partner.Timestamp(at), partner.NewNonce()
	req.Header.Set(partner.HeaderTimestamp, ts)
	req.Header.Set(partner.HeaderNonce, nonce)
	if key != nil {
		req.Header.Set(partner.HeaderSignature, partner.SignRequest(key, ts, nonce, http.MethodPost, "/"+op, body))
	}
	return do(t, sb, req)
}

func do(t *testing.T, sb *sandbox.Sandbox, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	h := resp.Header
	if err := partner.VerifyResponse(sb.Endpoint().VerifyKey, h.Get(partner.HeaderPartnerTimestamp), h.Get(partner.HeaderPartnerSignature), req.Header.Get(partner.HeaderSignature), resp.StatusCode, data, time.Now()); err != nil {
		t.Fatalf("answer not signed by the sandbox: %v", err)
	}
	var out map[string]any
	json.Unmarshal(data, &out)
	return resp.StatusCode, out
}

func get(t *testing.T, sb *sandbox.Sandbox, path string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(sb.URL() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// inspect reads GET /requests, as anyone on loopback can.
func inspect(t *testing.T, sb *sandbox.Sandbox) []sandbox.Request {
	t.Helper()
	status, data := get(t, sb, "/requests")
	if status != http.StatusOK {
		t.Fatalf("GET /requests: %d", status)
	}
	var out []sandbox.Request
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func sms(phone, text string, p privacy.Purpose) partner.Envelope {
	return partner.Envelope{PartnerRef: "ref1", Purpose: p, Fields: map[privacy.Field]string{privacy.AccountPhone: phone}, Params: map[string]any{"text": text}}
}

func TestSMS(t *testing.T) {
	sb := mustStart(t, privacy.PartnerSMS, t.TempDir())
	t.Run("SendAndLast", func(t *testing.T) {
		post(t, sb, "sms/send", sms("13800138000", "code 111111", privacy.ForLogin))
		status, ans := post(t, sb, "sms/send", sms("13800138000", "code 222222", privacy.ForLogin))
		if status != http.StatusOK || ans["message_id"] == "" {
			t.Fatalf("send: %d %v", status, ans)
		}
		status, data := get(t, sb, "/sms/last?phone=13800138000")
		if status != http.StatusOK || !strings.Contains(string(data), "code 222222") {
			t.Fatalf("last: %d %s", status, data)
		}
	})
	t.Run("LastNone", func(t *testing.T) {
		if status, _ := get(t, sb, "/sms/last?phone=13900000001"); status != http.StatusNotFound {
			t.Fatalf("status %d", status)
		}
	})
	t.Run("ErrTextMissing", func(t *testing.T) {
		if status, _ := post(t, sb, "sms/send", sms("13800138000", "", privacy.ForLogin)); status != http.StatusBadRequest {
			t.Fatalf("status %d", status)
		}
	})
	t.Run("ErrPurposeNotServed", func(t *testing.T) {
		if status, _ := post(t, sb, "sms/send", sms("13800138000", "hi", privacy.ForSearch)); status != http.StatusForbidden {
			t.Fatalf("status %d", status)
		}
	})
}

// TestFieldNotAllowed: the sandbox is a second line of defence. A field the
// registry does not let this partner receive is refused even when the
// request is properly signed, and its value is not kept.
func TestFieldNotAllowed(t *testing.T) {
	sb := mustStart(t, privacy.PartnerSMS, t.TempDir())
	env := sms("13800138000", "hi", privacy.ForLogin)
	env.Fields[privacy.IDNumber] = "11010519491231002X"
	status, ans := post(t, sb, "sms/send", env)
	if status != http.StatusForbidden || ans["error"] != "field_not_allowed: "+string(privacy.IDNumber) {
		t.Fatalf("got %d %v", status, ans)
	}
	reqs := inspect(t, sb)
	if len(reqs) != 1 || reqs[0].Rejected == "" || reqs[0].Fields != nil {
		t.Fatalf("records: %+v", reqs)
	}
	raw, _ := os.ReadFile(filepath.Join(sb.Dir(), "requests.jsonl"))
	if bytes.Contains(raw, []byte("11010519491231002X")) || bytes.Contains(raw, []byte("13800138000")) {
		t.Fatal("a refused request's values were kept")
	}
}

func TestSignatureRefused(t *testing.T) {
	sb := mustStart(t, privacy.PartnerSMS, t.TempDir())
	env := sms("13800138000", "hi", privacy.ForLogin)
	cases := []struct {
		name, want string
		at         time.Time
		key        []byte
	}{
		{"BadKey", "bad_signature", time.Now(), []byte("not the key")},
		{"Unsigned", "unsigned", time.Now(), nil},
		{"Stale", "stale", time.Now().Add(-6 * time.Minute), sb.Endpoint().SignKey},
		{"FromTheFuture", "stale", time.Now().Add(6 * time.Minute), sb.Endpoint().SignKey},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, ans := postAt(t, sb, "sms/send", env, c.at, c.key)
			if status != http.StatusUnauthorized || ans["error"] != c.want {
				t.Fatalf("got %d %v", status, ans)
			}
			reqs := inspect(t, sb)
			if len(reqs) != i+1 || reqs[i].Rejected != c.want || reqs[i].Fields != nil || reqs[i].PartnerRef != "" {
				t.Fatalf("records: %+v", reqs)
			}
		})
	}
	t.Run("BodyChanged", func(t *testing.T) {
		body, _ := json.Marshal(env)
		ts, nonce := partner.Timestamp(time.Now()), partner.NewNonce()
		sig := partner.SignRequest(sb.Endpoint().SignKey, ts, nonce, http.MethodPost, "/sms/send", body)
		req, _ := http.NewRequest(http.MethodPost, sb.URL()+"/sms/send", bytes.NewReader(bytes.Replace(body, []byte("hi"), []byte("ho"), 1)))
		req.Header.Set(partner.HeaderTimestamp, ts)
		req.Header.Set(partner.HeaderNonce, nonce)
		req.Header.Set(partner.HeaderSignature, sig)
		if status, _ := do(t, sb, req); status != http.StatusUnauthorized {
			t.Fatalf("status %d", status)
		}
	})
}

func TestIdentity(t *testing.T) {
	sb := mustStart(t, privacy.PartnerIdentity, t.TempDir())
	const valid = "11010519491231002X"
	realName := func(ref, id string) partner.Envelope {
		return partner.Envelope{PartnerRef: ref, Purpose: privacy.ForIdentityCheck, Fields: map[privacy.Field]string{privacy.RealName: "张三", privacy.IDNumber: id}}
	}
	face := func(ref, f string) partner.Envelope {
		return partner.Envelope{PartnerRef: ref, Purpose: privacy.ForFaceVerification, Fields: map[privacy.Field]string{privacy.FaceData: f}}
	}
	t.Run("Match", func(t *testing.T) {
		status, ans := post(t, sb, "identity/verify", realName("r1", valid))
		if status != http.StatusOK || ans["match"] != true || ans["birth_date"] != "1949-12-31" {
			t.Fatalf("got %d %v", status, ans)
		}
	})
	t.Run("BadChecksum", func(t *testing.T) {
		_, ans := post(t, sb, "identity/verify", realName("r2", "110105194912310021"))
		if ans["match"] != false || ans["birth_date"] != nil {
			t.Fatalf("got %v", ans)
		}
	})
	t.Run("FaceMatch", func(t *testing.T) {
		if _, ans := post(t, sb, "identity/verify", face("r1", "face-of-"+valid)); ans["match"] != true {
			t.Fatalf("got %v", ans)
		}
	})
	t.Run("FaceOfSomeoneElse", func(t *testing.T) {
		if _, ans := post(t, sb, "identity/verify", face("r1", "face-of-110105194912310021")); ans["match"] != false {
			t.Fatalf("got %v", ans)
		}
	})
	t.Run("FaceWithoutRealName", func(t *testing.T) {
		// r2's ID number did not verify, so there is nothing to match.
		if _, ans := post(t, sb, "identity/verify", face("r2", "face-of-110105194912310021")); ans["match"] != false {
			t.Fatalf("got %v", ans)
		}
	})
	t.Run("ErrFaceWithIDNumber", func(t *testing.T) {
		env := face("r1", "face-of-"+valid)
		env.Fields[privacy.IDNumber] = valid
		if status, _ := post(t, sb, "identity/verify", env); status != http.StatusForbidden {
			t.Fatalf("status %d", status)
		}
	})
}

// TestIDNumberRule: GB 11643 check characters (ISO 7064 MOD 11-2).
func TestIDNumberRule(t *testing.T) {
	cases := []struct {
		id    string
		birth string // "" when it must not match
	}{
		{"11010519491231002X", "1949-12-31"},
		{"11010519491231002x", "1949-12-31"},                                         // lower-case x is the same check character
		{"110105194912310021", ""},                                                   // wrong check character
		{"11010519491331002" + string(sandbox.IDCheckChar("11010519491331002")), ""}, // valid check, month 13
		{"440524188001010014", "1880-01-01"},
		{"11010519491231002", ""},  // 17 characters
		{"1101051949123100AX", ""}, // not digits
	}
	for _, c := range cases {
		birth, ok := sandbox.IDNumberBirthDate(c.id)
		got := ""
		if ok {
			got = birth.Format(time.DateOnly)
		}
		if got != c.birth {
			t.Errorf("%s: got %q, want %q", c.id, got, c.birth)
		}
	}
}

func TestCarrier(t *testing.T) {
	sb := mustStart(t, privacy.PartnerCarrier, t.TempDir())
	risk := func(phone string) string {
		_, ans := post(t, sb, "carrier/risk", partner.Envelope{PartnerRef: "r", Purpose: privacy.ForPhoneCheck, Fields: map[privacy.Field]string{privacy.AccountPhone: phone}})
		s, _ := ans["risk"].(string)
		return s
	}
	if r := risk("13812340000"); r != "high" {
		t.Errorf("ends in 0000: %q", r)
	}
	if r := risk("13812345678"); r != "low" {
		t.Errorf("ordinary: %q", r)
	}
	recycled := []struct {
		phone, bound string
		want         any
	}{
		{"17012345678", "2025-06-01T08:00:00Z", true},  // bound before the 170 block was reassigned
		{"17012345678", "2026-02-01T08:00:00Z", false}, // bound after: the number is the holder's own
		{"17012345678", "2025-06-01", true},
		{"13812345678", "2020-01-01T00:00:00Z", false}, // never reassigned
	}
	for _, c := range recycled {
		_, ans := post(t, sb, "carrier/recycled", partner.Envelope{PartnerRef: "r", Purpose: privacy.ForPhoneCheck,
			Fields: map[privacy.Field]string{privacy.AccountPhone: c.phone, privacy.PhoneBoundAt: c.bound}})
		if ans["recycled"] != c.want {
			t.Errorf("%s bound %s: got %v", c.phone, c.bound, ans)
		}
	}
	t.Run("ErrBoundAtMalformed", func(t *testing.T) {
		status, _ := post(t, sb, "carrier/recycled", partner.Envelope{PartnerRef: "r", Purpose: privacy.ForPhoneCheck,
			Fields: map[privacy.Field]string{privacy.AccountPhone: "17012345678", privacy.PhoneBoundAt: "last year"}})
		if status != http.StatusBadRequest {
			t.Fatalf("status %d", status)
		}
	})
	t.Run("ErrFieldNotExpected", func(t *testing.T) {
		// The registry lets the carrier have the binding time, but the
		// risk check does not need it.
		status, ans := post(t, sb, "carrier/risk", partner.Envelope{PartnerRef: "r", Purpose: privacy.ForPhoneCheck,
			Fields: map[privacy.Field]string{privacy.AccountPhone: "13812345678", privacy.PhoneBoundAt: "2025-06-01"}})
		if status != http.StatusBadRequest || !strings.HasPrefix(ans["error"].(string), "field_not_expected") {
			t.Fatalf("got %d %v", status, ans)
		}
	})
}

func TestPayment(t *testing.T) {
	sb := mustStart(t, privacy.PartnerPayment, t.TempDir())
	status := func(ref string) any {
		_, ans := post(t, sb, "payment/realname-status", partner.Envelope{PartnerRef: ref, Purpose: privacy.ForIdentityCheck})
		return ans["verified"]
	}
	if v := status("abcdefghijklmnopqrst"); v != true {
		t.Errorf("ref starting a: %v", v)
	}
	if v := status("zbcdefghijklmnopqrst"); v != false {
		t.Errorf("ref starting z: %v", v)
	}
	resp, err := http.Post(sb.URL()+"/payment/realname-status/set", "application/json", strings.NewReader(`{"partner_ref":"zbcdefghijklmnopqrst","verified":true}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("set: %v %v", err, resp)
	}
	resp.Body.Close()
	if v := status("zbcdefghijklmnopqrst"); v != true {
		t.Errorf("after set: %v", v)
	}
	t.Run("ErrAnyField", func(t *testing.T) {
		code, _ := post(t, sb, "payment/realname-status", partner.Envelope{PartnerRef: "r", Purpose: privacy.ForIdentityCheck,
			Fields: map[privacy.Field]string{privacy.RealName: "张三"}})
		if code != http.StatusForbidden {
			t.Fatalf("status %d", code)
		}
	})
}

// TestDeletion: a deletion notice removes the ref's records from memory
// and from the file; other refs stay; a second notice changes nothing.
func TestDeletion(t *testing.T) {
	sb := mustStart(t, privacy.PartnerSMS, t.TempDir())
	keep := sms("13900000002", "keep me", privacy.ForNotification)
	keep.PartnerRef = "other"
	post(t, sb, "sms/send", sms("13800138000", "forget me", privacy.ForNotification))
	post(t, sb, "sms/send", keep)
	for i, want := range []float64{1, 0} {
		status, ans := post(t, sb, "deletion", partner.Envelope{PartnerRef: "ref1"})
		if status != http.StatusOK || ans["deleted"] != want {
			t.Fatalf("notice %d: %d %v", i, status, ans)
		}
	}
	for _, q := range inspect(t, sb) {
		if q.PartnerRef == "ref1" {
			t.Fatalf("record of ref1 kept: %+v", q)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(sb.Dir(), "requests.jsonl"))
	if bytes.Contains(raw, []byte("13800138000")) || bytes.Contains(raw, []byte("ref1")) || !bytes.Contains(raw, []byte("keep me")) {
		t.Fatalf("file after deletion:\n%s", raw)
	}
	if status, _ := get(t, sb, "/sms/last?phone=13800138000"); status != http.StatusNotFound {
		t.Fatalf("last after deletion: %d", status)
	}
	t.Run("ErrUnsigned", func(t *testing.T) {
		if status, _ := postAt(t, sb, "deletion", partner.Envelope{PartnerRef: "other"}, time.Now(), nil); status != http.StatusUnauthorized {
			t.Fatalf("status %d", status)
		}
	})
}

// TestRecordsOwnFolder: records live in dir/<partner>/, survive a restart,
// and the keys do not.
func TestRecordsOwnFolder(t *testing.T) {
	dir := t.TempDir()
	sb, err := sandbox.Start(privacy.PartnerSMS, dir, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	post(t, sb, "sms/send", sms("13800138000", "hello", privacy.ForNotification))
	oldKey := sb.Endpoint().SignKey
	sb.Close()
	if sb.Dir() != filepath.Join(dir, "sms") {
		t.Fatalf("dir %s", sb.Dir())
	}
	if _, err := os.Stat(filepath.Join(dir, "sms", "requests.jsonl")); err != nil {
		t.Fatal(err)
	}
	again := mustStart(t, privacy.PartnerSMS, dir)
	if reqs := inspect(t, again); len(reqs) != 1 || reqs[0].Params["text"] != "hello" {
		t.Fatalf("after restart: %+v", reqs)
	}
	if bytes.Equal(oldKey, again.Endpoint().SignKey) {
		t.Fatal("keys reused across starts")
	}
}

func TestStartAll(t *testing.T) {
	set, err := sandbox.StartAll(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	eps := set.Endpoints()
	for _, p := range []privacy.PartnerID{privacy.PartnerSMS, privacy.PartnerIdentity, privacy.PartnerCarrier, privacy.PartnerPayment} {
		if !strings.HasPrefix(eps[p].URL, "http://127.0.0.1:") {
			t.Errorf("%s: %q", p, eps[p].URL)
		}
	}
	if eps[privacy.PartnerSMS].URL == eps[privacy.PartnerCarrier].URL {
		t.Error("two sandboxes share a port")
	}
	t.Run("ErrUnknownPartner", func(t *testing.T) {
		if _, err := sandbox.Start("nobody", t.TempDir(), "127.0.0.1:0"); err == nil {
			t.Fatal("started an undeclared partner")
		}
	})
}
