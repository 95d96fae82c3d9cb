package sandbox_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"minimall/partner"
	"minimall/partner/sandbox"
	"minimall/privacy"
)

// rawAnswer is an answer as it arrived, unchecked.
type rawAnswer struct {
	status  int
	body    []byte
	readErr error
	sigErr  error
}

// postRaw sends env signed, and returns the answer without trusting it.
func postRaw(t *testing.T, sb *sandbox.Sandbox, op string, env partner.Envelope, timeout time.Duration) (rawAnswer, error) {
	t.Helper()
	body, _ := json.Marshal(env)
	req, _ := http.NewRequest(http.MethodPost, sb.URL()+"/"+op, bytes.NewReader(body))
	ts, nonce := partner.Timestamp(time.Now()), partner.NewNonce()
	sig := partner.SignRequest(sb.Endpoint().SignKey, ts, nonce, http.MethodPost, "/"+op, body)
	req.Header.Set(partner.HeaderTimestamp, ts)
	req.Header.Set(partner.HeaderNonce, nonce)
	req.Header.Set(partner.HeaderSignature, sig)
	resp, err := (&http.Client{Timeout: timeout}).Do(req)
	if err != nil {
		return rawAnswer{}, err
	}
	defer resp.Body.Close()
	a := rawAnswer{status: resp.StatusCode}
	a.body, a.readErr = io.ReadAll(resp.Body)
	h := resp.Header
	a.sigErr = partner.VerifyResponse(sb.Endpoint().VerifyKey, h.Get(partner.HeaderPartnerTimestamp), h.Get(partner.HeaderPartnerSignature), sig, resp.StatusCode, a.body, time.Now())
	return a, nil
}

// TestFaults: each fault spoils the answer the way it says, after the
// partner acted, and only as many times as it was set for.
func TestFaults(t *testing.T) {
	sb := mustStart(t, privacy.PartnerSMS, t.TempDir())
	sb.SetSlowFor(300 * time.Millisecond)
	send := sms("13800138000", "hello", privacy.ForNotification)
	cases := []struct {
		fault sandbox.Fault
		check func(a rawAnswer, err error) bool
	}{
		{sandbox.FaultSlow, func(a rawAnswer, err error) bool {
			var ne interface{ Timeout() bool }
			return errors.As(err, &ne) && ne.Timeout()
		}},
		{sandbox.FaultMalformed, func(a rawAnswer, err error) bool {
			return err == nil && a.status == 200 && a.sigErr == nil && !json.Valid(a.body)
		}},
		{sandbox.FaultBadSignature, func(a rawAnswer, err error) bool {
			return err == nil && a.status == 200 && errors.Is(a.sigErr, partner.ErrBadSignature) && json.Valid(a.body)
		}},
		{sandbox.FaultServerError, func(a rawAnswer, err error) bool { return err == nil && a.status == 500 && a.sigErr == nil }},
		{sandbox.FaultTruncated, func(a rawAnswer, err error) bool { return err == nil && a.readErr != nil }},
	}
	for _, c := range cases {
		t.Run(string(c.fault), func(t *testing.T) {
			before := len(sb.Requests())
			sb.SetFault(c.fault, 1)
			if a, err := postRaw(t, sb, "sms/send", send, 100*time.Millisecond); !c.check(a, err) {
				t.Fatalf("spoiled answer: %d %q read %v sig %v err %v", a.status, a.body, a.readErr, a.sigErr, err)
			}
			if got := len(sb.Requests()); got != before+1 {
				t.Fatalf("the partner acted %d times, want once", got-before)
			}
			if a, err := postRaw(t, sb, "sms/send", send, time.Second); err != nil || a.status != 200 || a.sigErr != nil || a.readErr != nil {
				t.Fatalf("the fault was set for one answer: %d %v %v %v", a.status, err, a.sigErr, a.readErr)
			}
		})
	}
}

// TestIdempotencyKey: a request repeating a key is answered as the first
// was and not acted on again; another key, or the same key on another
// operation, is a new call.
func TestIdempotencyKey(t *testing.T) {
	sb := mustStart(t, privacy.PartnerSMS, t.TempDir())
	env := sms("13800138000", "code 333333", privacy.ForLogin)
	env.IdempotencyKey = "pd_one"
	_, first := post(t, sb, "sms/send", env)
	_, again := post(t, sb, "sms/send", env)
	if first["message_id"] == nil || again["message_id"] != first["message_id"] {
		t.Fatalf("first %v, again %v", first, again)
	}
	env.IdempotencyKey = "pd_two"
	if _, other := post(t, sb, "sms/send", env); other["message_id"] == first["message_id"] {
		t.Fatal("another key got the first answer")
	}
	acted, replayed := 0, 0
	for _, q := range inspect(t, sb) {
		if q.Replayed {
			replayed++
		} else {
			acted++
		}
	}
	if acted != 2 || replayed != 1 {
		t.Fatalf("acted %d, replayed %d; want 2 and 1", acted, replayed)
	}
	// A spoiled answer does not undo the act: the retry gets its answer
	// and nothing is sent again.
	env.IdempotencyKey = "pd_three"
	sb.SetFault(sandbox.FaultServerError, 1)
	postRaw(t, sb, "sms/send", env, time.Second)
	if status, ans := post(t, sb, "sms/send", env); status != 200 || ans["message_id"] == nil {
		t.Fatalf("after a fault: %d %v", status, ans)
	}
	acted, replayed = 0, 0
	for _, q := range inspect(t, sb) {
		if q.IdempotencyKey == "pd_three" && q.Replayed {
			replayed++
		} else if q.IdempotencyKey == "pd_three" {
			acted++
		}
	}
	if acted != 1 || replayed != 1 {
		t.Fatalf("after a spoiled answer: acted %d, replayed %d; want 1 and 1", acted, replayed)
	}
}
