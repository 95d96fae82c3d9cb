package oauth

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"minimall"
	"minimall/outbox"
	"minimall/partner"
	"minimall/privacy"
	"minimall/sqldb"
)

// Accounts opens the account and profile values an app may receive; the
// account area holds them and the guard decides. account.Service
// implements it.
type Accounts interface {
	AppValues(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, p privacy.Purpose, fields ...privacy.Field) (map[privacy.Field]string, error)
}

// Config holds the lifetimes of codes and tokens.
type Config struct {
	CodeTTL  time.Duration // RFC 6749 4.1.2: short; 10 minutes at most
	TokenTTL time.Duration
}

// DefaultConfig returns a one-minute code and a one-hour access token.
func DefaultConfig() Config { return Config{CodeTTL: time.Minute, TokenTTL: time.Hour} }

// Service is the authorization server.
type Service struct {
	db       *sqldb.DB
	k        *privacy.Kernel
	gw       *partner.Gateway
	accounts Accounts
	cfg      Config
}

// NewService returns the service. gw logs each hand-over to an app.
func NewService(db *sqldb.DB, k *privacy.Kernel, gw *partner.Gateway, accounts Accounts, cfg Config) *Service {
	if cfg.CodeTTL <= 0 || cfg.CodeTTL > 10*time.Minute {
		cfg.CodeTTL = DefaultConfig().CodeTTL
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = DefaultConfig().TokenTTL
	}
	s := &Service{db: db, k: k, gw: gw, accounts: accounts, cfg: cfg}
	if k != nil {
		k.OnReplayAct(privacy.ActGrantRevoked, s.replayRevoke)
	}
	return s
}

// Token prefixes let the transport tell an app's token from a person's.
const (
	TokenPrefix  = "mmat_"
	clientPrefix = "mmc_"
	secretPrefix = "mmcs_"
	codePrefix   = "mmac_"
)

// RegisterClient registers a third-party app for an operator of the ops
// role and returns it with its secret, shown this once. Returns
// Unauthorized for a visitor, Denied for anyone else, Invalid for a bad
// registration.
func (s *Service) RegisterClient(ctx context.Context, a minimall.Actor, n NewClient) (*Client, error) {
	const op = "oauth.RegisterClient"
	if err := requireOps(op, a); err != nil {
		return nil, err
	}
	n, err := n.Validate()
	if err != nil {
		return nil, err
	}
	c := &Client{ID: clientPrefix + minimall.RandomToken(10), Secret: secretPrefix + minimall.RandomToken(20), Name: n.Name,
		RedirectURIs: n.RedirectURIs, Scopes: n.Scopes, CreatedAt: s.db.Now()}
	if err := insertClient(ctx, s.db, c, a.ID); err != nil {
		return nil, err
	}
	if err := s.k.AuditAppend(ctx, a, "", "oauth_client_registered", c.ID); err != nil {
		return nil, err
	}
	return c, nil
}

func requireOps(op string, a minimall.Actor) error {
	switch {
	case a.Kind == minimall.Anonymous:
		return minimall.SignedIn(a, op)
	case a.Kind != minimall.Operator || a.Role != minimall.RoleOps:
		return minimall.Errorf(minimall.Denied, op, "Only operators of the ops role register apps. 仅运维人员可登记应用。")
	}
	return nil
}

// AuthRequest is an authorization request (RFC 6749 4.1.1, RFC 7636 4.3).
type AuthRequest struct {
	ResponseType        string `json:"response_type"`
	ClientID            string `json:"client_id"`
	RedirectURI         string `json:"redirect_uri"`
	Scope               string `json:"scope"`
	State               string `json:"state"`
	CodeChallenge       string `json:"code_challenge"`
	CodeChallengeMethod string `json:"code_challenge_method"`
}

// ConsentScreen is what the person is shown before deciding: the app and
// every field it would receive, grouped by the consent each needs.
type ConsentScreen struct {
	ClientID    string        `json:"client_id"`
	AppName     string        `json:"app_name"`
	RedirectURI string        `json:"redirect_uri"`
	State       string        `json:"state,omitempty"`
	Scopes      []ScreenScope `json:"scopes"`
	Notice      string        `json:"notice"`
}

// ScreenScope is one separate consent on the screen. Required is set for
// the profile scope, without which there is no authorized login at all;
// every other scope may be refused on its own.
type ScreenScope struct {
	Scope           string            `json:"scope"`
	Title           string            `json:"title"`
	TitleEN         string            `json:"title_en"`
	Feature         privacy.FeatureID `json:"feature"`
	Required        bool              `json:"required"`
	SeparateConsent bool              `json:"separate_consent"`
	Fields          []ScreenField     `json:"fields"`
}

// ScreenField names one field the app would receive.
type ScreenField struct {
	Field  privacy.Field `json:"field"`
	Name   string        `json:"name"`
	NameEN string        `json:"name_en"`
}

// Authorize checks a request for a signed-in person and returns the
// consent screen. Returns Unauthorized for a visitor; Invalid, carrying
// the OAuth error code, for an unknown client, a redirect URI not
// registered exactly, a scope the app did not register, or a missing or
// non-S256 PKCE challenge.
func (s *Service) Authorize(ctx context.Context, a minimall.Actor, req AuthRequest) (*ConsentScreen, error) {
	const op = "oauth.Authorize"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	c, err := s.checkClient(ctx, op, req)
	if err != nil {
		return nil, err
	}
	requested, err := checkRequest(op, c, req)
	if err != nil {
		return nil, err
	}
	screen := &ConsentScreen{ClientID: c.ID, AppName: c.Name, RedirectURI: req.RedirectURI, State: req.State,
		Notice: "经您单独同意，我们将向「" + c.Name + "」提供以下信息，用于在该应用登录或注册；您可随时在“授权管理”中撤回。 With your separate consent we give this app the information below so you can sign in there; you may revoke it at any time."}
	for _, name := range requested {
		sc, _ := Scope(name)
		ss := ScreenScope{Scope: sc.Name, Title: sc.Title, TitleEN: sc.TitleEN, Feature: sc.Feature, Required: sc.Name == ScopeProfile, SeparateConsent: true}
		for _, f := range sc.Fields {
			spec, _ := privacy.Spec(f)
			ss.Fields = append(ss.Fields, ScreenField{Field: f, Name: spec.Name, NameEN: spec.NameEN})
		}
		screen.Scopes = append(screen.Scopes, ss)
	}
	return screen, nil
}

// checkClient finds the client and checks the redirect URI matches one it
// registered exactly. Its errors must never be redirected (RFC 6749
// 4.1.2.1): the URI is not known to be the app's.
func (s *Service) checkClient(ctx context.Context, op string, req AuthRequest) (*clientRow, error) {
	c, err := findClient(ctx, s.db, req.ClientID)
	if err != nil || c.disabled {
		return nil, fail(minimall.Invalid, ErrInvalidClient, op, "Unknown app. 未知的应用。")
	}
	for _, u := range c.RedirectURIs {
		if u == req.RedirectURI {
			return c, nil
		}
	}
	return nil, fail(minimall.Invalid, ErrInvalidRequest, op, "The redirect URI is not registered for this app. 回调地址未登记。")
}

// checkRequest checks the rest of a request and returns the scopes asked
// for, profile first. Its errors may be redirected to the app.
func checkRequest(op string, c *clientRow, req AuthRequest) ([]string, error) {
	switch {
	case req.ResponseType != "code":
		return nil, fail(minimall.Invalid, ErrUnsupportedResponseType, op, "response_type must be code. 仅支持授权码模式。")
	case !statePattern.MatchString(req.State):
		return nil, fail(minimall.Invalid, ErrInvalidRequest, op, "state is at most 256 printable ASCII characters. state 格式错误。")
	case req.CodeChallenge == "":
		return nil, fail(minimall.Invalid, ErrInvalidRequest, op, "PKCE is required: send code_challenge. 须使用 PKCE。")
	case req.CodeChallengeMethod != "S256":
		// RFC 7636 4.3: a missing method means plain, which sends the
		// verifier itself through the browser; only S256 is accepted.
		return nil, fail(minimall.Invalid, ErrInvalidRequest, op, "code_challenge_method must be S256. 仅支持 S256。")
	case !challengePattern.MatchString(req.CodeChallenge):
		return nil, fail(minimall.Invalid, ErrInvalidRequest, op, "code_challenge must be 43 base64url characters. code_challenge 格式错误。")
	}
	asked := strings.Fields(req.Scope)
	for _, sc := range asked {
		if !contains(c.Scopes, sc) {
			return nil, fail(minimall.Invalid, ErrInvalidScope, op, "The app did not register that scope. 该应用未登记此授权范围。")
		}
	}
	return dedupe(append([]string{ScopeProfile}, asked...)), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Decision is the person's answer on the consent screen: the request it
// answers, whether they approve, and which scopes beyond profile they
// agree to (each a separate consent; leaving one out refuses it alone).
type Decision struct {
	AuthRequest
	Approve bool     `json:"approve"`
	Scopes  []string `json:"scopes"`
}

// Decide records the person's answer and returns where to send the
// browser: the app's redirect URI with a one-time code, or with an error
// (access_denied when they refuse). Returns an error, never a redirect,
// when the client or redirect URI is wrong; Unauthorized for a visitor;
// Invalid for a scope in the answer that the request did not ask for.
func (s *Service) Decide(ctx context.Context, a minimall.Actor, d Decision, requestID string) (string, error) {
	const op = "oauth.Decide"
	if err := minimall.SignedIn(a, op); err != nil {
		return "", err
	}
	c, err := s.checkClient(ctx, op, d.AuthRequest)
	if err != nil {
		return "", err
	}
	requested, err := checkRequest(op, c, d.AuthRequest)
	if err != nil {
		return errorRedirect(d.RedirectURI, Protocol(err), d.State), nil
	}
	if !d.Approve {
		return errorRedirect(d.RedirectURI, ErrAccessDenied, d.State), nil
	}
	granted := []string{ScopeProfile}
	for _, sc := range d.Scopes {
		if !contains(requested, sc) {
			return "", fail(minimall.Invalid, ErrInvalidScope, op, "You can only agree to what the app asked for. 只能同意应用请求的范围。")
		}
	}
	granted = dedupe(append(granted, d.Scopes...))
	code, err := s.grant(ctx, a.Subject, c, granted, d.AuthRequest, requestID)
	if err != nil {
		return "", err
	}
	return withQuery(d.RedirectURI, "code", code, d.State), nil
}

func errorRedirect(uri string, pe ProtocolError, state string) string {
	if pe == "" {
		pe = ErrInvalidRequest
	}
	return withQuery(uri, "error", string(pe), state)
}

// withQuery adds key=value and the state to a registered redirect URI,
// keeping any query it already has (RFC 6749 3.1.2).
func withQuery(uri, key, value, state string) string {
	u, _ := url.Parse(uri) // registered, so it parses
	q := u.Query()
	q.Set(key, value)
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// grantRecord is the sealed evidence of what the person agreed to.
type grantRecord struct {
	ClientID string          `json:"client_id"`
	AppName  string          `json:"app_name"`
	Scopes   []string        `json:"scopes"`
	Fields   []privacy.Field `json:"fields"`
}

// grant records the separate consents, then the grant and its code. A
// new authorization of the same app replaces the old one; consent no
// active grant needs any more is withdrawn.
func (s *Service) grant(ctx context.Context, subject minimall.SubjectID, c *clientRow, granted []string, req AuthRequest, requestID string) (string, error) {
	const op = "oauth.Decide"
	gid := "og_" + minimall.RandomToken(10)
	evidence := "oauth_grant:" + gid
	rec := grantRecord{ClientID: c.ID, AppName: c.Name, Scopes: granted}
	for _, name := range granted {
		sc, _ := Scope(name)
		rec.Fields = append(rec.Fields, sc.Fields...)
		// The consent goes first, in its own transaction: sealing the grant
		// below needs it in force (PIPL art. 14, 23).
		if _, err := s.k.Consents.Record(ctx, privacy.ConsentChange{Subject: subject, Scope: privacy.FeatureScope(sc.Feature),
			Kind: privacy.Separate, Action: privacy.Grant, Channel: "api", Evidence: evidence}); err != nil {
			return "", err
		}
	}
	code, err := s.storeGrant(ctx, subject, gid, rec, req)
	if err != nil {
		// Nothing was granted after all: take back consent nothing needs.
		return "", also(err, s.withdrawUnused(context.WithoutCancel(ctx), subject, evidence))
	}
	return code, s.withdrawUnused(ctx, subject, evidence)
}

func (s *Service) storeGrant(ctx context.Context, subject minimall.SubjectID, gid string, rec grantRecord, req AuthRequest) (string, error) {
	plain, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	sealed, err := s.k.Guard().Seal(ctx, subject, privacy.AuthorizedLoginGrant, gid, plain)
	if err != nil {
		return "", err
	}
	code := codePrefix + minimall.RandomToken(20)
	var out string
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := revokeAppGrants(ctx, tx, subject, rec.ClientID); err != nil {
			return err
		}
		if err := insertGrant(ctx, tx, gid, subject, rec.ClientID, rec.Scopes, sealed); err != nil {
			return err
		}
		if err := insertCode(ctx, tx, code, gid, req, tx.Now().Add(s.cfg.CodeTTL)); err != nil {
			return err
		}
		if err := outbox.Emit(ctx, tx, TopicAuthorized, subject, map[string]string{"grant": gid, "client": rec.ClientID}); err != nil {
			return err
		}
		out = code
		return nil
	})
	return out, err
}

// withdrawUnused withdraws, in the ledger, the separate consent of each
// scope's feature that no active grant of the subject needs any more
// (PIPL art. 15). The ledger holds consent per feature, not per app, so
// one app's revocation withdraws it only when no other app still holds
// that scope; the per-app revocation is the grant row, kept with its time.
func (s *Service) withdrawUnused(ctx context.Context, subject minimall.SubjectID, evidence string) error {
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		return s.withdrawUnusedTx(ctx, tx, subject, evidence)
	})
}

func (s *Service) withdrawUnusedTx(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID, evidence string) error {
	active, err := activeScopes(ctx, tx, subject)
	if err != nil {
		return err
	}
	needed := map[privacy.FeatureID]bool{}
	for _, sc := range scopes {
		needed[sc.Feature] = needed[sc.Feature] || active[sc.Name]
	}
	for _, sc := range scopes {
		if needed[sc.Feature] {
			continue
		}
		state, _, err := s.k.Consents.State(ctx, subject, privacy.FeatureScope(sc.Feature))
		if err != nil {
			return err
		}
		if state != privacy.Granted && state != privacy.Outdated {
			continue
		}
		needed[sc.Feature] = true // once per feature
		if _, err := s.k.Consents.RecordTx(ctx, tx, privacy.ConsentChange{Subject: subject, Scope: privacy.FeatureScope(sc.Feature),
			Kind: privacy.Separate, Action: privacy.Withdraw, Channel: "api", Evidence: evidence}); err != nil {
			return err
		}
	}
	return nil
}
