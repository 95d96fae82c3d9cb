package partner_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"minimall/partner"
)

var wireNow = time.Unix(1_800_000_000, 0)

// wireNonce is a nonce of the shape NewNonce makes; wireRequestSig the
// signature of the request an answer answers.
const (
	wireNonce      = "abcdefghijklmnopqrstuvwxyz"
	wireRequestSig = "0a1b2c"
)

// FuzzSignedRequest: a request signed with the key verifies; the same
// request with its body, path, nonce or method changed, signed by another key,
// or stamped outside MaxAge does not; any timestamp and signature a
// client sends is answered with one of the wire's errors, never a panic,
// and accepted only when it is the request's own signature.
func FuzzSignedRequest(f *testing.F) {
	f.Add([]byte("k"), "POST", "/payment/charge", []byte(`{"partner_ref":"o_1"}`), "", "", int64(0))
	f.Add([]byte{}, "GET", "/", []byte{}, "1800000000", "00", int64(-301))
	f.Add([]byte("key"), "POST", "/x", []byte("\n"), "+1800000000", strings.Repeat("zz", 32), int64(300))
	f.Fuzz(func(t *testing.T, key []byte, method, path string, body []byte, ts, sig string, skew int64) {
		if strings.Contains(method, "\n") || strings.Contains(path, "\n") {
			return // net/http sends neither; the signed text relies on it
		}
		stamp := partner.Timestamp(wireNow.Add(time.Duration(skew%1000) * time.Second))
		good := partner.SignRequest(key, stamp, wireNonce, method, path, body)
		err := partner.VerifyRequest(key, stamp, wireNonce, good, method, path, body, wireNow)
		if fresh := skew%1000 >= -300 && skew%1000 <= 300; fresh != (err == nil) || (err != nil && !errors.Is(err, partner.ErrStale)) {
			t.Fatalf("own signature, skew %ds: %v", skew%1000, err)
		}
		if len(body) > 0 {
			changed := bytes.Clone(body)
			changed[len(changed)/2] ^= 1
			if err := partner.VerifyRequest(key, stamp, wireNonce, good, method, path, changed, wireNow); !errors.Is(err, partner.ErrBadSignature) {
				t.Fatalf("changed body: %v", err)
			}
		}
		if err := partner.VerifyRequest(key, stamp, wireNonce, good, method, path+"x", body, wireNow); !errors.Is(err, partner.ErrBadSignature) {
			t.Fatalf("changed path: %v", err)
		}
		if err := partner.VerifyRequest(key, stamp, "bcdefghijklmnopqrstuvwxyza", good, method, path, body, wireNow); !errors.Is(err, partner.ErrBadSignature) {
			t.Fatalf("changed nonce: %v", err)
		}
		if err := partner.VerifyRequest(append(bytes.Clone(key), 'x'), stamp, wireNonce, good, method, path, body, wireNow); !errors.Is(err, partner.ErrBadSignature) {
			t.Fatalf("another key: %v", err)
		}
		err = partner.VerifyRequest(key, ts, wireNonce, sig, method, path, body, wireNow)
		own := strings.EqualFold(sig, partner.SignRequest(key, ts, wireNonce, method, path, body))
		if err == nil && !own {
			t.Fatalf("a signature %q that is not the request's own accepted", sig)
		}
		if err != nil && !errors.Is(err, partner.ErrUnsigned) && !errors.Is(err, partner.ErrBadSignature) && !errors.Is(err, partner.ErrStale) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// FuzzSignedResponse: a partner's answer verifies only with its own
// signature, status and body, as the answer to its own request.
func FuzzSignedResponse(f *testing.F) {
	f.Add([]byte("k"), 200, []byte(`{"trade_no":"t1"}`), "", "")
	f.Add([]byte("k"), -1, []byte{}, "1800000000", "")
	f.Fuzz(func(t *testing.T, key []byte, status int, body []byte, ts, sig string) {
		stamp := partner.Timestamp(wireNow)
		good := partner.SignResponse(key, stamp, wireRequestSig, status, body)
		if err := partner.VerifyResponse(key, stamp, good, wireRequestSig, status, body, wireNow); err != nil {
			t.Fatalf("own signature: %v", err)
		}
		if err := partner.VerifyResponse(key, stamp, good, wireRequestSig, status+1, body, wireNow); !errors.Is(err, partner.ErrBadSignature) {
			t.Fatalf("changed status: %v", err)
		}
		if err := partner.VerifyResponse(key, stamp, good, wireRequestSig+"00", status, body, wireNow); !errors.Is(err, partner.ErrBadSignature) {
			t.Fatalf("the answer to another request: %v", err)
		}
		err := partner.VerifyResponse(key, ts, sig, wireRequestSig, status, body, wireNow)
		if err == nil && !strings.EqualFold(sig, partner.SignResponse(key, ts, wireRequestSig, status, body)) {
			t.Fatalf("a signature %q that is not the answer's own accepted", sig)
		}
	})
}

// FuzzEnvelope: an envelope decoded as the sandboxes decode it (unknown
// fields refused) encodes to a body that decodes to the same envelope
// (an empty map is left out, as omitempty says).
func FuzzEnvelope(f *testing.F) {
	f.Add([]byte(`{"partner_ref":"o_1","purpose":"delivery","fields":{"order.recipient_phone":"13800138000"},"params":{"amount_fen":100,"items":["a"]}}`))
	f.Add([]byte(`{"partner_ref":"","fields":null,"params":{"x":{"y":[1,2.5,true,null]}}}`))
	f.Add([]byte(`{"partner_ref":"o","extra":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := decodeEnvelope(body)
		if err != nil {
			return
		}
		b, err := json.Marshal(env)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", env, err)
		}
		again, err := decodeEnvelope(b)
		if err != nil || !reflect.DeepEqual(emptyAsNil(env), emptyAsNil(again)) {
			t.Fatalf("round trip of %s: %+v, %v", b, again, err)
		}
	})
}

func decodeEnvelope(body []byte) (*partner.Envelope, error) {
	env := &partner.Envelope{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return env, dec.Decode(env)
}

func emptyAsNil(e *partner.Envelope) *partner.Envelope {
	c := *e
	if len(c.Fields) == 0 {
		c.Fields = nil
	}
	if len(c.Params) == 0 {
		c.Params = nil
	}
	return &c
}
