package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	nethttp "net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"minimall"
	"minimall/account"
	"minimall/catalog"
	"minimall/engage"
	"minimall/identity"
	"minimall/incident"
	"minimall/internal/echo"
	"minimall/oauth"
	"minimall/order"
	"minimall/privacy/policy"
	"minimall/recommend"
	"minimall/rights"
	"minimall/search"
	"minimall/security"
	"minimall/transfer"
)

// requestTypes makes an empty value of each request type an endpoint
// decodes with decodeJSON, family by family.
var requestTypes = []func() any{
	// account: registration, sign-in, codes, profile, phone change
	func() any { return new(account.RegisterRequest) },
	func() any { return new(account.LoginRequest) },
	func() any { return new(account.CodeRequest) },
	func() any { return new(account.ProfileUpdate) },
	func() any { return new(account.GuardianWithdrawalRequest) },
	func() any { return new(account.PhoneChangeRequest) },
	func() any { return new(account.PhoneCodeRequest) },
	func() any { return new(account.GuardianConsentRequest) },
	func() any { return new(account.RecoveryRequest) },
	func() any { return new(account.UnlockRequest) },
	// orders, checkout, payment
	func() any { return new(order.PlaceRequest) },
	func() any { return new(order.PayRequest) },
	// cart
	func() any { return new(cartAddRequest) },
	func() any { return new(cartUpdateRequest) },
	// catalogue and shops
	func() any { return new(catalog.NewItem) },
	func() any { return new(catalog.ItemUpdate) },
	func() any { return new(catalog.Category) },
	func() any { return new(catalog.Channel) },
	func() any { return new(shopCreateRequest) },
	// consents, policy, complaints
	func() any { return new(consentChangeRequest) },
	func() any { return new(policy.AcceptRequest) },
	func() any { return new(policy.DisclosureRequest) },
	func() any { return new(rights.NewComplaint) },
	func() any { return new(rights.ComplaintUpdate) },
	// rights requests
	func() any { return new(rights.ConsentChange) },
	func() any { return new(rights.NextOfKinRequest) },
	func() any { return new(rightsFileRequest) },
	func() any { return new(rightsRefuseRequest) },
	func() any { return new(rightsReviewRequest) },
	func() any { return new(rightsVerifyRequest) },
	// identity
	func() any { return new(identity.RealNameRequest) },
	func() any { return new(identity.FaceRequest) },
	// oauth
	func() any { return new(oauth.NewClient) },
	func() any { return new(oauth.Decision) },
	// recommendations, search, reviews and messages
	func() any { return new(recommend.Change) },
	func() any { return new(blockRequest) },
	func() any { return new(feedbackRequest) },
	func() any { return new(search.Settings) },
	func() any { return new(engage.NewEntry) },
	// automated decisions, security, transfer
	func() any { return new(decisionAnswerRequest) },
	func() any { return new(decisionAppealRequest) },
	func() any { return new(security.DeviceSignals) },
	func() any { return new(fraudReportRequest) },
	func() any { return new(transfer.ConsentRequest) },
	func() any { return new(transferRequest) },
	// operators
	func() any { return new(incident.Request) },
	func() any { return new(retentionRunRequest) },
	func() any { return new(shutdownRequest) },
	func() any { return new(clockAdvanceRequest) },
}

// jsonRequest is a POST of body as JSON.
func jsonRequest(body []byte) *nethttp.Request {
	r := httptest.NewRequest("POST", "/api/v1/fuzz", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// FuzzDecodeJSON feeds one body to the decoder of every endpoint family.
// A body decodeJSON accepts re-encodes and decodes to the same value and
// has no flaw; a refusal is an Invalid or TooLarge problem that blames a
// field-shaped name, if any, and never echoes a string of the body that
// is not shaped like a field name (a client may put a phone number where
// a key belongs).
func FuzzDecodeJSON(f *testing.F) {
	f.Add(checkoutBody)
	for _, s := range []string{
		`{"phone":"13800138000","code":"123456"}`,
		`{"phone":"1","Phone":"2"}`,
		`{"13800138000":1}`,
		`{"recipient":{"name":"张三","name":"李四"}}`,
		"{\"name\":\"\xff\"}",
		`{"name":"\ud800"}`,
		`{"items":[{"item":"a","quantity":1e400}]}`,
		`{"quantity":"张三 13800138000"}`,
		`{"a":1} {"b":2}`,
		`[1,2,3]`,
		`{"scopes":["a","b"],"redirect_uri":"https://x.example/cb","approve":true}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for i, newValue := range requestTypes {
			v := newValue()
			err := decodeJSON(jsonRequest(body), v)
			if err != nil {
				checkRefusal(t, i, body, err, func(b []byte) error { return decodeJSON(jsonRequest(b), newValue()) })
				continue
			}
			if f := findJSONFlaw(body); f != nil {
				t.Fatalf("type %d: accepted a body with a flaw %+v", i, f)
			}
			checkRoundTrip(t, i, v, newValue())
		}
	})
}

// checkRoundTrip: what decodeJSON accepted encodes to a body it accepts
// again, decoding to the same value.
func checkRoundTrip(t *testing.T, i int, v, again any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("type %d %T: re-encoding a decoded value: %v", i, v, err)
	}
	if err := decodeJSON(jsonRequest(b), again); err != nil {
		t.Fatalf("type %d %T: its own encoding %s is refused: %v", i, v, b, err)
	}
	// Compared as encoded: an empty map or slice left out by omitempty
	// comes back nil, which is the same request.
	if b2, _ := json.Marshal(again); !bytes.Equal(b, b2) {
		t.Fatalf("type %d %T: round trip changed the value:\n%s\n%s", i, v, b, b2)
	}
}

// checkRefusal holds a refusal to the promises of decodeJSON.
// decodeAgain decodes another body the same way, for echo.Carried.
func checkRefusal(t *testing.T, i int, body []byte, err error, decodeAgain func([]byte) error) {
	t.Helper()
	var e *minimall.Error
	if !errors.As(err, &e) || (e.Code != minimall.Invalid && e.Code != minimall.TooLarge) {
		t.Fatalf("type %d: refusal %v is not an Invalid problem", i, err)
	}
	if e.Field != "" {
		if _, ok := shownPath(e.Field); !ok {
			t.Fatalf("type %d: refusal blames %q, which is not shaped like a field path", i, e.Field)
		}
	}
	// A field name the problem may name ("unknown field \"A00000\"") is
	// not an echo of a value that happens to be part of it.
	msg := quotedName.ReplaceAllString(e.Message, `""`)
	for _, s := range bodyStrings(body) {
		again := func(other string) string {
			err := decodeAgain(bytes.ReplaceAll(body, []byte(s), []byte(other)))
			return quotedName.ReplaceAllString(minimall.ErrorMessage(err), `""`)
		}
		if echo.Carried(msg, s, again) {
			t.Fatalf("type %d: refusal %q echoes %q from the body", i, e.Message, s)
		}
	}
}

// quotedName is a field name a problem quotes.
var quotedName = regexp.MustCompile(`"[A-Za-z_][A-Za-z0-9_.]*"`)

// bodyStrings returns the strings (keys and values) of a JSON text that
// are not shaped like field names and long enough to mean something, as
// far as the text can be read.
func bodyStrings(body []byte) []string {
	var out []string
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err == io.EOF || err != nil {
			return out
		}
		s, ok := tok.(string)
		if ok && utf8.RuneCountInString(s) >= 6 && !fieldName.MatchString(s) {
			if _, path := shownPath(s); !path {
				out = append(out, s)
			}
		}
	}
}

// FuzzFindJSONFlaw holds the flaw check to a plain reading of the same
// text through encoding/json's tokens: a key repeated in one object (case
// folded, as encoding/json matches fields) is found, at any depth and in
// an object of any size; a text of valid UTF-8 without surrogate escapes
// has no encoding flaw; a text with invalid UTF-8 has a flaw.
func FuzzFindJSONFlaw(f *testing.F) {
	f.Add(checkoutBody)
	for _, s := range []string{
		`{"a":1,"A":2}`, `{"k":"\u212a","K":1}`, `{"\u017f":1,"S":2}`,
		`{"a":{"b":[{"c":1,"c":2}]}}`, "[\"\xc3\"]", `{"x":"\udc00"}`,
		`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"K3":3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return // decodeJSON checks only what encoding/json accepted
		}
		flaw := findJSONFlaw(body)
		dup := repeatedKey(body)
		switch {
		case dup && flaw == nil:
			t.Fatalf("a repeated key is not found")
		case flaw != nil && flaw.dup && !dup:
			t.Fatalf("a repeated key is reported where there is none: %+v", flaw)
		case !utf8.Valid(body) && flaw == nil:
			t.Fatalf("invalid UTF-8 is not found")
		case flaw != nil && !flaw.dup && utf8.Valid(body) && !hasSurrogateEscape(body):
			t.Fatalf("an encoding flaw is reported in sound text: %+v", flaw)
		}
		if name, ok := flaw.fieldIfAny(); ok {
			if _, shaped := shownPath(name); !shaped {
				t.Fatalf("flaw names %q, not a field path", name)
			}
		}
	})
}

// fieldIfAny is field for a flaw that may be nil.
func (f *jsonFlaw) fieldIfAny() (string, bool) {
	if f == nil {
		return "", false
	}
	return f.field()
}

// repeatedKey reports whether some object of a valid JSON text has two
// keys that are equal under simple case folding.
func repeatedKey(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	type level struct {
		object bool
		keys   []string
		key    bool // the next string token is a key
	}
	var stack []*level
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *level
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if s, ok := tok.(string); ok && top != nil && top.object && top.key {
			for _, k := range top.keys {
				if strings.EqualFold(k, s) {
					return true
				}
			}
			top.keys = append(top.keys, s)
			top.key = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &level{object: true, key: true})
			continue
		case json.Delim('['):
			stack = append(stack, &level{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = true // a value ended: a key comes next
		}
	}
}

// hasSurrogateEscape reports whether a text has a \u escape of a UTF-16
// surrogate, which may be unpaired.
func hasSurrogateEscape(body []byte) bool {
	lower := bytes.ToLower(body)
	return bytes.Contains(lower, []byte(`\ud8`)) || bytes.Contains(lower, []byte(`\ud9`)) ||
		bytes.Contains(lower, []byte(`\uda`)) || bytes.Contains(lower, []byte(`\udb`)) ||
		bytes.Contains(lower, []byte(`\udc`)) || bytes.Contains(lower, []byte(`\udd`)) ||
		bytes.Contains(lower, []byte(`\ude`)) || bytes.Contains(lower, []byte(`\udf`))
}
