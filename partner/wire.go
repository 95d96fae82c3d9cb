package partner

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"minimall"
	"regexp"
	"strconv"
	"time"

	"minimall/privacy"
)

// The wire protocol, shared with the sandboxes. A request is a POST of an
// Envelope as JSON, signed by minimall; a response is JSON, signed by the
// partner with its own key. Signatures are hex(HMAC-SHA256(key, text)):
//
//	request:  timestamp + "\n" + nonce + "\n" + method + "\n" + path + "\n" + body
//	response: timestamp + "\n" + request signature + "\n" + status + "\n" + body
//
// A response signs the signature of the request it answers, and so its
// nonce and path: a signed answer (an identity match, a birth date) cannot
// be replayed as the answer to another request. A partner's callback is
// signed like a request, with the partner's key and a nonce of its own,
// which minimall remembers for MaxAge and refuses to see twice.
//
// Timestamps are unix seconds of the wall clock on each side, not the
// platform clock: the two parties keep their own time, and a fake clock
// moved forward in a test must not make every message look stale.
const (
	HeaderTimestamp        = "X-Minimall-Timestamp"
	HeaderNonce            = "X-Minimall-Nonce"
	HeaderPartnerNonce     = "X-Partner-Nonce"
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
	// IdempotencyKey is the same on every retry of one logical call (the
	// disclosure's id in minimall's log): a partner that saw it before
	// answers as it did the first time and does not act again.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// Errors of the signature checks.
var (
	ErrUnsigned     = errors.New("partner: message not signed")
	ErrBadSignature = errors.New("partner: bad signature")
	ErrStale        = errors.New("partner: message too old or from the future")
)

// NewNonce returns a fresh nonce for a signed request or callback.
func NewNonce() string { return minimall.RandomToken(16) }

// validNonce is NewNonce's shape: 26 characters of [a-z2-7].
var validNonce = regexp.MustCompile(`^[a-z2-7]{26}$`)

// SignRequest returns the signature of a request.
func SignRequest(key []byte, timestamp, nonce, method, path string, body []byte) string {
	return sign(key, timestamp+"\n"+nonce+"\n"+method+"\n"+path+"\n", body)
}

// SignResponse returns the signature of a response to the request signed
// requestSignature.
func SignResponse(key []byte, timestamp, requestSignature string, status int, body []byte) string {
	return sign(key, timestamp+"\n"+requestSignature+"\n"+strconv.Itoa(status)+"\n", body)
}

func sign(key []byte, head string, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(head))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyRequest checks a request's nonce, timestamp and signature at time
// now. Remembering the nonce, to refuse a replay, is the receiver's part.
func VerifyRequest(key []byte, timestamp, nonce, signature, method, path string, body []byte, now time.Time) error {
	if !validNonce.MatchString(nonce) {
		return ErrUnsigned
	}
	return verify(timestamp, signature, SignRequest(key, timestamp, nonce, method, path, body), now)
}

// VerifyResponse checks a response's timestamp and signature at time now,
// as the answer to the request signed requestSignature.
func VerifyResponse(key []byte, timestamp, signature, requestSignature string, status int, body []byte, now time.Time) error {
	return verify(timestamp, signature, SignResponse(key, timestamp, requestSignature, status, body), now)
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
