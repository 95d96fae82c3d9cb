package partner

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"minimall/privacy"
)

// The wire protocol, shared with the sandboxes. A request is a POST of an
// Envelope as JSON, signed by minimall; a response is JSON, signed by the
// partner with its own key. Signatures are hex(HMAC-SHA256(key, text)):
//
//	request:  timestamp + "\n" + method + "\n" + path + "\n" + body
//	response: timestamp + "\n" + status + "\n" + body
//
// Timestamps are unix seconds of the wall clock on each side, not the
// platform clock: the two parties keep their own time, and a fake clock
// moved forward in a test must not make every message look stale.
const (
	HeaderTimestamp        = "X-Minimall-Timestamp"
	HeaderSignature        = "X-Minimall-Signature"
	HeaderPartnerTimestamp = "X-Partner-Timestamp"
	HeaderPartnerSignature = "X-Partner-Signature"
	// MaxAge is how old (or how far ahead) a signed message may be; older
	// ones are refused as possible replays.
	MaxAge = 5 * time.Minute
)

// Envelope is the JSON body of every request to a partner.
//
// NB: Fields holds plaintext personal information; never log it.
type Envelope struct {
	PartnerRef string                   `json:"partner_ref"`
	Purpose    privacy.Purpose          `json:"purpose,omitempty"`
	Fields     map[privacy.Field]string `json:"fields,omitempty"`
	Params     map[string]any           `json:"params,omitempty"`
}

// Errors of the signature checks.
var (
	ErrUnsigned     = errors.New("partner: message not signed")
	ErrBadSignature = errors.New("partner: bad signature")
	ErrStale        = errors.New("partner: message too old or from the future")
)

// SignRequest returns the signature of a request.
func SignRequest(key []byte, timestamp, method, path string, body []byte) string {
	return sign(key, timestamp+"\n"+method+"\n"+path+"\n", body)
}

// SignResponse returns the signature of a response.
func SignResponse(key []byte, timestamp string, status int, body []byte) string {
	return sign(key, timestamp+"\n"+strconv.Itoa(status)+"\n", body)
}

func sign(key []byte, head string, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(head))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyRequest checks a request's timestamp and signature at time now.
func VerifyRequest(key []byte, timestamp, signature, method, path string, body []byte, now time.Time) error {
	return verify(timestamp, signature, SignRequest(key, timestamp, method, path, body), now)
}

// VerifyResponse checks a response's timestamp and signature at time now.
func VerifyResponse(key []byte, timestamp, signature string, status int, body []byte, now time.Time) error {
	return verify(timestamp, signature, SignResponse(key, timestamp, status, body), now)
}

func verify(timestamp, got, want string, now time.Time) error {
	if timestamp == "" || got == "" {
		return ErrUnsigned
	}
	g, err := hex.DecodeString(got)
	if err != nil {
		return ErrBadSignature
	}
	w, _ := hex.DecodeString(want)
	// Constant time, so the signature cannot be found byte by byte.
	if !hmac.Equal(g, w) {
		return ErrBadSignature
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	if age := now.Sub(time.Unix(sec, 0)); age > MaxAge || age < -MaxAge {
		return ErrStale
	}
	return nil
}

// Timestamp formats t for the timestamp headers.
func Timestamp(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
