package account

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"minimall"
	"minimall/mobile"
	"minimall/outbox"
	"minimall/sqldb"
)

// Session kinds: a cookie for the web, a bearer token for API clients.
const (
	SessionWeb = "web"
	SessionAPI = "api"
)

// TokenPrefix starts every session token, so the transport can tell a
// session from an operator token.
const TokenPrefix = "mms_"

// Session is one signed-in session. Token is set only when it is created.
type Session struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Current   bool      `json:"current,omitempty"`
	Token     string    `json:"token,omitempty"`
}

// LoginRequest signs in with a password (Login is the phone number or the
// member name) or with an SMS code (Phone and Code).
type LoginRequest struct {
	Login    string `json:"login,omitempty"`
	Password string `json:"password,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Code     string `json:"code,omitempty"`
	Kind     string `json:"kind,omitempty"` // web or api; default api
	// RequestID names the request in the partner disclosure log when a
	// code sign-in asks the carrier first; the transport sets it.
	RequestID string `json:"-"`
}

type loginRow struct {
	subject           minimall.SubjectID
	hash              string
	status            string
	phoneKey, nameKey []byte    // the blind indexes it answers to
	recycledAt        time.Time // the carrier said the number changed hands
}

// Login signs a person in and returns a new session with its token.
// Returns Unauthorized for a wrong login, password or code (the same answer
// whether or not the account exists); TooMany past the client's rate limit
// or while wrong passwords make password tries wait (throttle.go: the same
// answer whether or not the account exists; a code sign-in is not held
// back); Denied for the right password or code of an account its holder
// locked, or, for a code sign-in, when the carrier says the number changed
// hands (phonecheck.go); Unavailable when that must be asked and the
// carrier cannot answer.
func (s *Service) Login(ctx context.Context, req LoginRequest, client string) (*Session, error) {
	const op = "account.Login"
	now := s.db.Now()
	if !s.limits.allow("login:"+client, s.cfg.LoginsPerMinute, time.Minute, now) {
		return nil, minimall.Errorf(minimall.TooMany, op, "Too many sign-in attempts; wait a minute. 登录尝试过于频繁，请稍后再试。").
			After(s.limits.retryIn("login:"+client, time.Minute, now))
	}
	if req.Kind == "" {
		req.Kind = SessionAPI
	}
	if req.Kind != SessionAPI && req.Kind != SessionWeb {
		return nil, minimall.InvalidField(op, "kind", minimall.RuleChoice, "kind must be web or api. kind 须为 web 或 api。")
	}
	var row *loginRow
	var err error
	switch {
	case req.Code != "":
		row, err = s.loginByCode(ctx, req, client)
	case req.Password != "":
		row, err = s.loginByPassword(ctx, req, client)
	default:
		return nil, minimall.InvalidField(op, "password", minimall.RuleRequired, "Give a password, or a phone number and an SMS code. 请提供密码，或手机号和短信验证码。")
	}
	if err != nil {
		return nil, err
	}
	sess, err := s.createSession(ctx, row.subject, req.Kind)
	if err != nil {
		return nil, err
	}
	// A sign-in is account use the level rule counts (level.go).
	if _, err := s.refreshLevel(ctx, minimall.SystemActor("account-level"), row.subject); err != nil {
		return nil, err
	}
	return sess, nil
}

var (
	errBadLogin     = minimall.Errorf(minimall.Unauthorized, "account.Login", "Wrong account or password. 账号或密码错误。")
	errHolderLocked = minimall.Errorf(minimall.Denied, "account.Login", "This account is locked by its holder; unlock it with a code texted to its phone in the security centre. 账号已被本人冻结，请在安全中心用发送到账号手机的验证码解冻。")
)

// loginByPassword checks a password. Unknown names go the same way as
// known ones — the wait, a password hash compared (a dummy one), a failure
// counted — so neither the answer nor its time tells them apart.
func (s *Service) loginByPassword(ctx context.Context, req LoginRequest, client string) (*loginRow, error) {
	idx := s.nameIndex(req.Login)
	if phone, err := mobile.Normalize(req.Login); err == nil {
		idx = s.phoneIndex(phone)
	}
	wait, err := s.throttleWait(ctx, idx, client)
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		// While the wait runs no password is checked, so the right one
		// gets in no sooner than a guess; a texted code does.
		return nil, errThrottled(wait)
	}
	row, err := s.findLogin(ctx, idx)
	hash := s.dummyHash()
	switch {
	case err == nil && row.hash != unusablePassword:
		hash = row.hash
	case err != nil && !errors.Is(err, errBadLogin):
		return nil, err
	}
	// A password a restore made unusable (replayPasswordReset) costs a
	// hash like any other, so its answer's time tells nothing either.
	if !checkPassword(req.Password, hash) || row == nil || row.hash == unusablePassword {
		return nil, s.failPassword(ctx, idx, client, row)
	}
	// Told only to whoever knows the password, so it reveals nothing.
	if row.status == StatusLocked {
		return nil, errHolderLocked
	}
	if err := s.upgradePassword(ctx, row, req.Password); err != nil {
		return nil, err
	}
	return row, s.clearThrottle(ctx, row.phoneKey, row.nameKey, client)
}

// upgradePassword hashes a password that was just checked again at the
// current cost when its stored hash is cheaper (an account from before a
// cost rise, or seeded cheaply), so old hashes do not stay easy to crack.
// The write replaces only the hash it checked: a password changed
// meanwhile stays as it was changed.
func (s *Service) upgradePassword(ctx context.Context, row *loginRow, pw string) error {
	if !weakerThan(row.hash, s.argon) {
		return nil
	}
	hash := hashPassword(pw, s.argon) // outside the write: it takes tens of ms
	_, err := s.db.ExecContext(ctx, `UPDATE accounts SET password_hash = ? WHERE subject = ? AND password_hash = ?`, hash, string(row.subject), row.hash)
	return sqldb.FormatError("account.upgradePassword", err)
}

// failPassword counts a wrong password and, when it starts a wait on an
// account, records that automated decision (decisions.go).
func (s *Service) failPassword(ctx context.Context, idx []byte, client string, row *loginRow) error {
	started, err := s.countFailure(ctx, idx, client)
	if err != nil {
		return err
	}
	if row != nil && len(started) > 0 {
		if err := s.recordThrottle(ctx, row.subject, started[len(started)-1]); err != nil {
			return err
		}
	}
	return errBadLogin
}

func (s *Service) loginByCode(ctx context.Context, req LoginRequest, client string) (*loginRow, error) {
	phone, err := mobile.Normalize(req.Phone)
	if err != nil {
		return nil, minimall.AtField(err, "phone")
	}
	idx := s.phoneIndex(phone)
	id, err := s.verifyCode(ctx, idx, CodeLogin, req.Code)
	if err != nil {
		return nil, errBadLogin
	}
	row, err := s.findLogin(ctx, idx)
	if err != nil {
		return nil, err
	}
	if row.status == StatusLocked {
		return nil, errHolderLocked
	}
	// 二(一)3: before a code from this number is trusted with the account,
	// the carrier confirms the number did not change hands.
	check, err := s.checkRecycled(ctx, row, phone, req.RequestID)
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := spendCode(ctx, tx, id); err != nil {
			return errBadLogin
		}
		return recordRecycleCheck(ctx, tx, row.subject, check)
	})
	if err != nil {
		return nil, err
	}
	if check == recycleReassigned {
		// The code is spent and the finding kept, then the sign-in refused.
		if err := s.recordCodeLoginRefused(ctx, row.subject, req.RequestID); err != nil {
			return nil, err
		}
		return nil, errRecycled
	}
	// The code proved the phone: the password's wait ends (throttle.go).
	return row, s.clearThrottle(ctx, row.phoneKey, row.nameKey, client)
}

// findLogin finds the account a blind index belongs to.
func (s *Service) findLogin(ctx context.Context, idx []byte) (*loginRow, error) {
	var r loginRow
	var subject string
	var recycled int64
	err := s.db.QueryRowContext(ctx, `SELECT subject, password_hash, status, phone_index, member_name_index, phone_recycled_at FROM accounts
		WHERE (phone_index = ? OR member_name_index = ?) AND status <> ?`, idx, idx, StatusDeregistered).Scan(&subject, &r.hash, &r.status, &r.phoneKey, &r.nameKey, &recycled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errBadLogin
	}
	if err != nil {
		return nil, sqldb.FormatError("account.Login", err)
	}
	r.subject, r.recycledAt = minimall.SubjectID(subject), fromMicrosOrZero(recycled)
	return &r, nil
}

func (s *Service) createSession(ctx context.Context, subject minimall.SubjectID, kind string) (*Session, error) {
	now := s.db.Now()
	sess := &Session{ID: "se_" + minimall.RandomToken(8), Kind: kind, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL), Token: TokenPrefix + minimall.RandomToken(20)}
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (id, subject, token_hash, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		sess.ID, string(subject), sessionHash(sess.Token), kind, sqldb.Micros(now), sqldb.Micros(sess.ExpiresAt))
	if err != nil {
		return nil, sqldb.FormatError("account.Login", err)
	}
	return sess, nil
}

func sessionHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// sessionCache keeps checked sessions in memory so the check per request
// is a map lookup. Revocation on this node drops the entry at once; other
// nodes drop it on the TopicSessionRevoked change-feed event, and every
// entry is re-read after sessionCacheTTL whatever happens.
type sessionCache struct {
	mu sync.RWMutex
	m  map[string]cachedSession
}

type cachedSession struct {
	id       string
	subject  minimall.SubjectID
	expires  time.Time
	loadedAt time.Time
}

const sessionCacheTTL = 30 * time.Second

func newSessionCache() *sessionCache { return &sessionCache{m: map[string]cachedSession{}} }

// Authenticate returns the shopper a session token belongs to. Returns
// Unauthorized for an unknown, expired or revoked token.
func (s *Service) Authenticate(ctx context.Context, token string) (minimall.Actor, error) {
	key := string(sessionHash(token))
	now := s.db.Now()
	s.sessions.mu.RLock()
	c, ok := s.sessions.m[key]
	s.sessions.mu.RUnlock()
	if !ok || time.Since(c.loadedAt) > sessionCacheTTL {
		var err error
		if c, err = s.loadSession(ctx, key); err != nil {
			return minimall.Actor{}, err
		}
	}
	if now.After(c.expires) {
		return minimall.Actor{}, errNoSession
	}
	return minimall.Actor{Kind: minimall.Shopper, Subject: c.subject, ID: c.id}, nil
}

var errNoSession = minimall.Errorf(minimall.Unauthorized, "account.Authenticate", "Your session has ended; sign in again. 登录已失效，请重新登录。")

func (s *Service) loadSession(ctx context.Context, key string) (cachedSession, error) {
	var c cachedSession
	var subject string
	var expires, revoked int64
	err := s.db.QueryRowContext(ctx, `SELECT id, subject, expires_at, revoked_at FROM sessions WHERE token_hash = ?`, []byte(key)).
		Scan(&c.id, &subject, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && revoked != 0) {
		return c, errNoSession
	}
	if err != nil {
		return c, sqldb.FormatError("account.Authenticate", err)
	}
	c.subject, c.expires, c.loadedAt = minimall.SubjectID(subject), sqldb.FromMicros(expires), time.Now()
	s.sessions.mu.Lock()
	s.sessions.m[key] = c
	s.sessions.mu.Unlock()
	return c, nil
}

// Sessions lists the actor's live sessions, marking the current one.
func (s *Service) Sessions(ctx context.Context, a minimall.Actor) ([]Session, error) {
	if err := minimall.SignedIn(a, "account.Sessions"); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, kind, created_at, expires_at FROM sessions WHERE subject = ? AND revoked_at = 0 AND expires_at > ? ORDER BY created_at`,
		string(a.Subject), sqldb.Micros(s.db.Now()))
	if err != nil {
		return nil, sqldb.FormatError("account.Sessions", err)
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		var se Session
		var created, expires int64
		if err := rows.Scan(&se.ID, &se.Kind, &created, &expires); err != nil {
			return nil, err
		}
		se.CreatedAt, se.ExpiresAt, se.Current = sqldb.FromMicros(created), sqldb.FromMicros(expires), se.ID == a.ID
		out = append(out, se)
	}
	return out, rows.Err()
}

// Revoke ends one of the actor's sessions at once, on every node. It is
// journalled first in the kernel's deletion ledger: a data backup taken
// before, restored, has the session deleted again rather than signed in.
// Returns NotFound for a session that is not the actor's.
func (s *Service) Revoke(ctx context.Context, a minimall.Actor, id string) error {
	const op = "account.Revoke"
	if err := minimall.SignedIn(a, op); err != nil {
		return err
	}
	notFound := minimall.Errorf(minimall.NotFound, op, "No such session. 会话不存在。")
	found, err := s.k.RecordDeletion(ctx, a.Subject, "sessions", id)
	if err != nil {
		return err
	}
	if !found {
		return notFound
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE id = ? AND subject = ? AND revoked_at = 0`, sqldb.Micros(tx.Now()), id, string(a.Subject))
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound
		}
		return outbox.Emit(ctx, tx, TopicSessionRevoked, a.Subject, map[string]string{"session": id})
	})
	if err != nil {
		return err
	}
	s.ForgetSession(id)
	return nil
}

// ForgetSession drops a session from this node's cache (on revocation here,
// or on a change-feed event from another node).
func (s *Service) ForgetSession(id string) {
	s.sessions.mu.Lock()
	for k, c := range s.sessions.m {
		if c.id == id {
			delete(s.sessions.m, k)
		}
	}
	s.sessions.mu.Unlock()
}

// OnChange is the change-feed handler that keeps other nodes' session
// caches honest.
func (s *Service) OnChange(ctx context.Context, evs []outbox.Event) error {
	for _, e := range evs {
		if e.Topic == TopicLocked {
			s.forgetSubject(e.Subject)
		}
		if e.Topic == TopicSessionRevoked {
			var p struct{ Session string }
			if err := json.Unmarshal(e.Payload, &p); err == nil {
				s.ForgetSession(p.Session)
			}
		}
	}
	return nil
}

// RegisterAndSignIn registers as Register does and, once the account is
// active, opens a session of kind for it: signing up on the web is one
// act, and the person is signed in after it. An account held for a
// guardian's consent (policy 七) gets no session; the Account says so.
func (s *Service) RegisterAndSignIn(ctx context.Context, req RegisterRequest, kind, requestID string) (*Account, *Session, error) {
	if kind != SessionAPI && kind != SessionWeb {
		return nil, nil, minimall.Errorf(minimall.Invalid, "account.RegisterAndSignIn", "kind must be web or api. kind 须为 web 或 api。")
	}
	a, err := s.Register(ctx, req, requestID)
	if err != nil || a.GuardianToken != "" {
		return a, nil, err
	}
	sess, err := s.createSession(ctx, a.Subject, kind)
	return a, sess, err
}
