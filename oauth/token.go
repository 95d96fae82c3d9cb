package oauth

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"minimall/sqldb"
	"strings"
	"time"

	"minimall"
	"minimall/outbox"
	"minimall/partner"
	"minimall/privacy"
)

// TokenRequest is an access-token request (RFC 6749 4.1.3, RFC 7636 4.5);
// the client authenticates with client_id and client_secret in the body.
type TokenRequest struct {
	GrantType    string
	Code         string
	RedirectURI  string
	ClientID     string
	ClientSecret string
	CodeVerifier string
}

// Token is an issued access token (RFC 6749 5.1).
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// Exchange trades a code for an access token. Returns Unauthorized
// (invalid_client) when the client does not authenticate; Invalid with
// unsupported_grant_type or invalid_request for a malformed request, and
// invalid_grant for a code that is unknown, expired, already used, issued
// to another client or redirect URI, or whose PKCE verifier does not
// match. A code is spent by its first use, right or wrong; a second use
// also revokes the token the first one obtained (RFC 6749 4.1.2).
func (s *Service) Exchange(ctx context.Context, req TokenRequest) (*Token, error) {
	const op = "oauth.Exchange"
	switch {
	case req.GrantType == "":
		return nil, fail(minimall.Invalid, ErrInvalidRequest, op, "grant_type is required. 缺少 grant_type。")
	case req.GrantType != "authorization_code":
		return nil, fail(minimall.Invalid, ErrUnsupportedGrantType, op, "Only authorization_code is supported. 仅支持授权码。")
	}
	if err := s.authenticateClient(ctx, op, req.ClientID, req.ClientSecret); err != nil {
		return nil, err
	}
	if req.Code == "" || req.CodeVerifier == "" || req.RedirectURI == "" {
		return nil, fail(minimall.Invalid, ErrInvalidRequest, op, "code, redirect_uri and code_verifier are required. 缺少 code、redirect_uri 或 code_verifier。")
	}
	badGrant := fail(minimall.Invalid, ErrInvalidGrant, op, "The code is invalid, expired or used, or the verifier does not match. 授权码无效、已过期或已使用，或校验码不符。")
	var tok *Token
	refused := false // the write commits (the code stays spent), the answer is badGrant
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		c, err := claimCode(ctx, tx, req.Code)
		if err != nil {
			return notFoundAs(err, badGrant)
		}
		switch {
		case c.reused:
			refused = true
			return revokeCodeTokens(ctx, tx, c.id)
		case !tx.Now().Before(c.expires), c.clientID != req.ClientID, c.redirectURI != req.RedirectURI,
			!verifierMatches(req.CodeVerifier, c.challenge), c.grantRevoked:
			refused = true
			return nil
		}
		tok = &Token{AccessToken: TokenPrefix + minimall.RandomToken(20), TokenType: "Bearer", ExpiresIn: int64(s.cfg.TokenTTL / time.Second), Scope: strings.Join(c.scopes, " ")}
		return insertToken(ctx, tx, tok.AccessToken, c.grantID, c.id, tx.Now().Add(s.cfg.TokenTTL))
	})
	switch {
	case err != nil:
		return nil, err
	case refused:
		return nil, badGrant
	}
	return tok, nil
}

func (s *Service) authenticateClient(ctx context.Context, op, id, secret string) error {
	bad := fail(minimall.Unauthorized, ErrInvalidClient, op, "Client authentication failed. 应用认证失败。")
	if id == "" || secret == "" {
		return bad
	}
	c, err := findClient(ctx, s.db, id)
	if err != nil {
		return notFoundAs(err, bad)
	}
	if c.disabled || subtle.ConstantTimeCompare(c.secretHash, hash(secret)) != 1 {
		return bad
	}
	return nil
}

// notFoundAs answers a missing row with the protocol's refusal and lets
// any other failure through as it is.
func notFoundAs(err, refusal error) error {
	if minimall.ErrorCode(err) == minimall.NotFound {
		return refusal
	}
	return err
}

// also returns err, joined with extra when there is one, so the caller
// still sees err's code.
func also(err, extra error) error {
	if extra == nil {
		return err
	}
	return errors.Join(err, extra)
}

var errBadToken = fail(minimall.Unauthorized, ErrInvalidToken, "oauth.UserInfo", "The access token is invalid, expired or revoked. 访问令牌无效、已过期或已撤销。")

// Authenticate checks an app's access token for the transport. The actor
// is the partner app, which the guard lets open nothing: an app's token
// is good for the userinfo endpoint only. Returns Unauthorized.
func (s *Service) Authenticate(ctx context.Context, token string) (minimall.Actor, error) {
	t, err := s.liveToken(ctx, token)
	if err != nil {
		return minimall.Actor{}, err
	}
	return minimall.Actor{Kind: minimall.Partner, ID: t.clientID}, nil
}

func (s *Service) liveToken(ctx context.Context, token string) (*tokenRow, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return nil, errBadToken
	}
	t, err := findToken(ctx, s.db, token)
	if err != nil {
		return nil, notFoundAs(err, errBadToken)
	}
	// Read on every call, never cached: a revocation stops the very next one.
	if t.revoked || !s.db.Now().Before(t.expires) {
		return nil, errBadToken
	}
	return t, nil
}

// UserInfo is what an app receives: a pseudonymous id for the person,
// unique to the app, and the consented fields that are set.
type UserInfo struct {
	Sub      string `json:"sub"`
	Nickname string `json:"nickname,omitempty"`
	Avatar   string `json:"avatar,omitempty"`
	Phone    string `json:"phone,omitempty"`
}

var userInfoFields = map[privacy.Field]func(*UserInfo, string){
	privacy.Nickname:     func(u *UserInfo, v string) { u.Nickname = v },
	privacy.Avatar:       func(u *UserInfo, v string) { u.Avatar = v },
	privacy.AccountPhone: func(u *UserInfo, v string) { u.Phone = v },
}

// UserInfo answers an app's call with its access token: each scope's
// fields are opened through the guard for that scope's purpose, and the
// hand-over is logged as a disclosure before it is returned. Returns
// Unauthorized (invalid_token) for a token that is unknown, expired or
// revoked, or whose consent the person withdrew.
func (s *Service) UserInfo(ctx context.Context, token, requestID string) (*UserInfo, error) {
	t, err := s.liveToken(ctx, token)
	if err != nil {
		return nil, err
	}
	sub, err := s.k.Pseudonym(ctx, t.subject, "oauth:"+t.clientID)
	if err != nil {
		return nil, consentGone(err)
	}
	out := &UserInfo{Sub: sub}
	actor := minimall.Actor{Kind: minimall.System, ID: "oauth:" + t.clientID, Reason: requestID}
	for _, name := range t.scopes {
		sc, ok := Scope(name)
		if !ok {
			continue
		}
		// Checked even when nothing is set: an unset profile must not let a
		// withdrawn consent look like a live authorization.
		for _, f := range sc.Fields {
			if err := s.k.Guard().Check(ctx, actor, t.subject, f, sc.Purpose); err != nil {
				return nil, consentGone(err)
			}
		}
		vals, err := s.accounts.AppValues(ctx, actor, t.subject, sc.Purpose, sc.Fields...)
		if err != nil {
			return nil, consentGone(err)
		}
		given := map[privacy.Field]string{}
		for _, f := range sc.Fields {
			if v := vals[f]; v != "" {
				given[f] = v
			}
		}
		if len(given) == 0 {
			continue
		}
		// Logged before it is handed over: a disclosure the log does not
		// show must be impossible (PIPL art. 23, 55).
		if err := s.gw.RecordPull(ctx, partner.Disclosure{Partner: privacy.PartnerThirdApp, Purpose: sc.Purpose, Subject: t.subject,
			Operation: "oauth/" + t.clientID + "/userinfo", Fields: given, RequestID: requestID}); err != nil {
			return nil, consentGone(err)
		}
		for f, v := range given {
			userInfoFields[f](out, v)
		}
	}
	return out, nil
}

// consentGone turns a guard refusal into invalid_token: the person
// withdrew their consent or was erased, so the authorization is over.
func consentGone(err error) error {
	var d *privacy.Denied
	if errors.As(err, &d) {
		return &minimall.Error{Code: minimall.Unauthorized, Op: "oauth.UserInfo", Message: "The person withdrew this authorization. 用户已撤回授权。", Err: errors.Join(ErrInvalidToken, err)}
	}
	return err
}

// Authorization is one app a person authorized, as they see it.
type Authorization struct {
	ID        string     `json:"id"`
	ClientID  string     `json:"client_id"`
	AppName   string     `json:"app_name"`
	Scopes    []string   `json:"scopes"`
	Status    string     `json:"status"` // active or revoked
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Authorizations lists the actor's authorizations, oldest first, revoked
// ones included. Returns Unauthorized for anyone but a signed-in person.
func (s *Service) Authorizations(ctx context.Context, a minimall.Actor) ([]Authorization, error) {
	if err := minimall.SignedIn(a, "oauth.Authorizations"); err != nil {
		return nil, err
	}
	return findGrants(ctx, s.db, a.Subject)
}

// Revoke ends one of the actor's authorizations at once: its tokens stop
// working on the next call and its pending codes are spent; the separate
// consent is withdrawn in the ledger when no other app still holds it.
// Returns NotFound for an authorization that is not the actor's or is
// already revoked.
func (s *Service) Revoke(ctx context.Context, a minimall.Actor, id string) error {
	const op = "oauth.Revoke"
	if err := minimall.SignedIn(a, op); err != nil {
		return err
	}
	notFound := minimall.Errorf(minimall.NotFound, op, "No such authorization. 授权不存在。")
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM oauth_grants WHERE id = ? AND subject = ? AND revoked_at = 0`, id, string(a.Subject)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound
	}
	if err != nil {
		return sqldb.FormatError(op, err)
	}
	// Journalled first: a restore of a data backup taken before never
	// brings the authorization back (replayRevoke).
	if err := s.k.RecordAct(ctx, a.Subject, privacy.ActGrantRevoked, id); err != nil {
		return err
	}
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		revoked, err := s.revokeTx(ctx, tx, a.Subject, id)
		if err == nil && !revoked {
			err = notFound
		}
		return err
	})
}

// revokeTx revokes the subject's grant id with its tokens and codes,
// withdraws the separate consent no other app still holds and tells the
// change feed; it reports false when there was no live grant to revoke.
func (s *Service) revokeTx(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID, id string) (bool, error) {
	n, err := revokeGrant(ctx, tx, subject, id)
	if err != nil || n == 0 {
		return false, err
	}
	if err := s.withdrawUnusedTx(ctx, tx, subject, "oauth_grant:"+id); err != nil {
		return false, err
	}
	return true, outbox.Emit(ctx, tx, TopicRevoked, subject, map[string]string{"grant": id})
}

// replayRevoke replays a revocation (privacy.ActGrantRevoked) onto data
// restored from before it: the grant is revoked again.
func (s *Service) replayRevoke(ctx context.Context, tx *sqldb.Tx, a privacy.HeldAct) (bool, error) {
	return s.revokeTx(ctx, tx, a.Subject, a.Target)
}
