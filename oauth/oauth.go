// Package oauth makes minimall an OAuth 2.0 provider for authorized login
// (policy 二(一)2): an operator registers a third-party app; a signed-in
// person sees what the app would receive and gives or refuses separate
// consent; the app exchanges a one-time code, with PKCE (RFC 7636, S256
// only), for an access token and reads the person's avatar, nickname and
// only the other fields the consent screen named. Every hand-over is a
// logged disclosure to the third-party-app partner, and revoking an
// authorization stops the app at once.
package oauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"minimall"
	"minimall/privacy"
)

// ScopeSpec is what a scope hands an app: fields opened for one purpose,
// resting on the separate consent to one feature.
type ScopeSpec struct {
	Name    string            `json:"scope"`
	Title   string            `json:"title"` // Chinese first
	TitleEN string            `json:"title_en"`
	Fields  []privacy.Field   `json:"fields"`
	Purpose privacy.Purpose   `json:"purpose"`
	Feature privacy.FeatureID `json:"feature"`
}

// ScopeProfile is always granted with an authorization: 二(一)2 names the
// avatar and nickname as what an app receives.
const ScopeProfile = "profile"

// ScopePhone sends the account phone so the app can find and bind the
// person's account there; it needs its own consent (二(一)2, 账号绑定).
const ScopePhone = "phone"

var scopes = []ScopeSpec{
	{ScopeProfile, "头像和昵称", "avatar and nickname", []privacy.Field{privacy.Avatar, privacy.Nickname}, privacy.ForAuthorizedLogin, privacy.FeatAuthorizedLogin},
	{ScopePhone, "手机号（用于查询并绑定您在该应用的账号）", "mobile number, to find and bind your account in the app", []privacy.Field{privacy.AccountPhone}, privacy.ForAccountBinding, privacy.FeatAccountBinding},
}

// Scope returns the declaration of a scope.
func Scope(name string) (*ScopeSpec, bool) {
	for i := range scopes {
		if scopes[i].Name == name {
			return &scopes[i], true
		}
	}
	return nil, false
}

// Scopes returns every scope an app may be registered for.
func Scopes() []*ScopeSpec {
	out := make([]*ScopeSpec, len(scopes))
	for i := range scopes {
		out[i] = &scopes[i]
	}
	return out
}

// ProtocolError is an OAuth error code (RFC 6749 4.1.2.1 and 5.2, RFC 6750
// 3.1). It travels as the Err of a *minimall.Error, so the transport can
// answer in both the platform's and the protocol's terms.
type ProtocolError string

func (e ProtocolError) Error() string { return string(e) }

// OAuth error codes.
const (
	ErrInvalidRequest          ProtocolError = "invalid_request"
	ErrInvalidClient           ProtocolError = "invalid_client"
	ErrInvalidGrant            ProtocolError = "invalid_grant"
	ErrUnsupportedGrantType    ProtocolError = "unsupported_grant_type"
	ErrUnsupportedResponseType ProtocolError = "unsupported_response_type"
	ErrInvalidScope            ProtocolError = "invalid_scope"
	ErrAccessDenied            ProtocolError = "access_denied"
	ErrInvalidToken            ProtocolError = "invalid_token"
)

// Protocol returns the OAuth error code carried by err, or "".
func Protocol(err error) ProtocolError {
	var pe ProtocolError
	errors.As(err, &pe)
	return pe
}

func fail(code minimall.Code, pe ProtocolError, op, msg string) error {
	return &minimall.Error{Code: code, Op: op, Message: msg, Err: pe}
}

// Client is a registered third-party app. Secret is set only in the answer
// to registration: it is stored hashed and never shown again.
type Client struct {
	ID           string    `json:"client_id"`
	Secret       string    `json:"client_secret,omitempty"`
	Name         string    `json:"name"`
	RedirectURIs []string  `json:"redirect_uris"`
	Scopes       []string  `json:"scopes"`
	CreatedAt    time.Time `json:"created_at"`
}

// NewClient is what an operator registers.
type NewClient struct {
	Name         string   `json:"name"`
	RedirectURIs []string `json:"redirect_uris"`
	Scopes       []string `json:"scopes"`
}

// Validate checks a registration and returns it normalised: the profile
// scope added, duplicates dropped. Returns Invalid.
func (n NewClient) Validate() (NewClient, error) {
	const op = "oauth.RegisterClient"
	bad := func(msg string) error { return minimall.Errorf(minimall.Invalid, op, "%s", msg) }
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" || utf8.RuneCountInString(n.Name) > 64 || strings.IndexFunc(n.Name, unicode.IsControl) >= 0 {
		return n, bad("An app name of 1 to 64 characters is required. 应用名称须为1至64个字符。")
	}
	if len(n.RedirectURIs) == 0 || len(n.RedirectURIs) > 10 {
		return n, bad("Register 1 to 10 redirect URIs. 须登记1至10个回调地址。")
	}
	for _, u := range n.RedirectURIs {
		if !validRedirectURI(u) {
			return n, bad("A redirect URI is an absolute https URL (http only on loopback) without a fragment. 回调地址须为不含片段的 https 绝对地址（仅本机可用 http）。")
		}
	}
	for _, s := range n.Scopes {
		if _, ok := Scope(s); !ok {
			return n, bad("Unknown scope; scopes are profile and phone. 未知的授权范围。")
		}
	}
	n.Scopes = dedupe(append([]string{ScopeProfile}, n.Scopes...))
	n.RedirectURIs = dedupe(n.RedirectURIs)
	return n, nil
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// validRedirectURI accepts what RFC 6749 3.1.2 and RFC 8252 7.3 allow a
// confidential web client: https anywhere, http only on loopback.
func validRedirectURI(s string) bool {
	u, err := url.Parse(s)
	if err != nil || len(s) > 512 || u.Fragment != "" || strings.Contains(s, "#") || u.Host == "" || u.User != nil {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		return h == "127.0.0.1" || h == "localhost" || h == "::1"
	}
	return false
}

// PKCE (RFC 7636): a verifier is 43-128 unreserved characters; the
// challenge is BASE64URL(SHA256(verifier)), 43 characters.
var (
	verifierPattern  = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)
	challengePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	statePattern     = regexp.MustCompile(`^[\x20-\x7e]{0,256}$`)
)

// Challenge returns the S256 challenge of a verifier.
func Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func verifierMatches(verifier, challenge string) bool {
	if !verifierPattern.MatchString(verifier) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(Challenge(verifier)), []byte(challenge)) == 1
}

// hash is a plain SHA-256: secrets, codes and tokens are 100+ random bits,
// so a slow hash adds nothing and lookups stay fast.
func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// Change-feed topics of grants; payloads name the grant (and client) only.
const (
	TopicAuthorized = "oauth.authorized"
	TopicRevoked    = "oauth.revoked"
)
