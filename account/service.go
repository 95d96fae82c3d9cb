package account

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"minimall"
	"minimall/decision"
	"minimall/mobile"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// Config holds the account rules an operator may tune (flags in cmd).
type Config struct {
	CodeTTL         time.Duration // how long a one-time code is valid
	CodeCooldown    time.Duration // at most one code per phone per cooldown
	CodesPerHour    int           // per phone; four times as many per client
	MaxCodeAttempts int           // wrong tries before a code is spent
	LoginsPerMinute int           // sign-in attempts per client per minute
	SessionTTL      time.Duration
	// Wrong passwords are throttled, never locked (throttle.go): after
	// ThrottleAfter of them for one typed name from one client, or
	// ThrottleAfterAll from every client, each further try waits, first
	// ThrottleDelay, doubling with every wrong password, at most
	// ThrottleDelayMax. A texted code signs in past the wait.
	ThrottleAfter    int
	ThrottleAfterAll int
	ThrottleDelay    time.Duration
	ThrottleDelayMax time.Duration
	// GuardianHold is how long a child's registration waits for a
	// guardian's consent, and how long a child's account whose guardian
	// withdrew consent waits before it is erased (minor.go, guardian.go).
	GuardianHold time.Duration
	// PasswordMemoryKiB and PasswordTime are the argon2id cost; zero means
	// the defaults (19 MiB, 2 passes).
	PasswordMemoryKiB uint32
	PasswordTime      uint32
}

// DefaultConfig returns the rules the platform ships with.
func DefaultConfig() Config {
	return Config{
		CodeTTL: 5 * time.Minute, CodeCooldown: time.Minute, CodesPerHour: 5, MaxCodeAttempts: 5,
		LoginsPerMinute: 20, ThrottleAfter: 5, ThrottleAfterAll: 20, ThrottleDelay: 30 * time.Second, ThrottleDelayMax: 15 * time.Minute,
		SessionTTL: 30 * 24 * time.Hour, GuardianHold: DefaultGuardianHold,
	}
}

// Service registers people, signs them in and keeps their sessions.
type Service struct {
	db        *sqldb.DB
	k         *privacy.Kernel
	sms       Sender
	cfg       Config
	argon     argonParams
	limits    *limiter
	sessions  *sessionCache
	identity  Identity          // the identity area, for minors and recovery
	phones    PhoneChecker      // the carrier, for phone-number checks
	orders    OrderHistory      // the orders area, for the level rule
	decisions decision.Recorder // automated decisions (decisions.go)
	dummyOnce sync.Once
	dummy     string // a password hash no account has (password.go)
}

// Deps are the areas and partners the account area works with, all built
// before it. A nil one turns its function off: no carrier check, no
// order count in the level, no decision record; Identity is needed only
// for children's registrations and recovery by real name.
type Deps struct {
	SMS       Sender
	Phones    PhoneChecker
	Orders    OrderHistory
	Decisions decision.Recorder
	Identity  Identity
}

// NewService returns the account service.
func NewService(db *sqldb.DB, k *privacy.Kernel, cfg Config, d Deps) *Service {
	p := defaultArgon
	if cfg.PasswordMemoryKiB > 0 {
		p.memoryKiB = cfg.PasswordMemoryKiB
	}
	if cfg.PasswordTime > 0 {
		p.time = cfg.PasswordTime
	}
	s := &Service{db: db, k: k, sms: d.SMS, cfg: cfg, argon: p, limits: newLimiter(), sessions: newSessionCache(),
		identity: d.Identity, phones: d.Phones, orders: d.Orders, decisions: d.Decisions}
	s.registerReplays()
	return s
}

// RegisterRequest is everything registration needs, and all it may ask
// for (policy 二(一)1; 2021 necessary-PI rules: only the phone is
// necessary, the member name and password make the account usable).
type RegisterRequest struct {
	Phone      string `json:"phone"`
	Code       string `json:"code"`
	MemberName string `json:"member_name"`
	Password   string `json:"password"`
	// AcceptPolicyVersion is the policy version the person read and
	// accepted; it must be the current one.
	AcceptPolicyVersion int `json:"accept_policy_version"`
	// Under14 is the optional statement "I am under 14" (policy 七). No age
	// is asked otherwise: the policy presumes full capacity.
	Under14 bool `json:"under_14,omitempty"`
}

// Register creates an account. Returns Invalid for a malformed phone, a
// weak password, a bad member name or a wrong or expired code; Conflict
// for a phone or member name already registered or an outdated policy
// version; Denied for a person under 14 without a guardian's consent.
func (s *Service) Register(ctx context.Context, req RegisterRequest, requestID string) (*Account, error) {
	const op = "account.Register"
	phone, name, err := s.validateRegistration(req)
	if err != nil {
		return nil, err
	}
	if req.Under14 && s.identity == nil {
		// PIPL art. 31: without the guardian procedure wired, a child's
		// registration stops here.
		return nil, minimall.Errorf(minimall.Denied, op, "Under 14: a guardian must consent before you can register. 未满14周岁：须经监护人同意后方可注册。")
	}
	phoneIdx := s.phoneIndex(phone)
	codeID, err := s.verifyCode(ctx, phoneIdx, CodeRegister, req.Code)
	if err != nil {
		return nil, minimall.AtField(err, "code")
	}
	hash := hashPassword(req.Password, s.argon) // ~30 ms: outside the write
	n, err := s.sealAccount(ctx, phone, phoneIdx, name, hash, requestID, req.Under14)
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := spendCode(ctx, tx, codeID); err != nil {
			return err
		}
		if err := s.insertAccount(ctx, tx, n, requestID); err != nil {
			return err
		}
		if c, ok := s.sms.(Claimer); ok {
			if err := c.ClaimSMS(ctx, tx, registerClaim(phoneIdx), n.acct.Subject); err != nil {
				return err
			}
		}
		if n.hold == nil {
			return nil
		}
		return s.identity.WriteMinorHold(ctx, tx, *n.hold)
	})
	if err != nil {
		return nil, err
	}
	return n.acct, nil
}

func (s *Service) validateRegistration(req RegisterRequest) (phone, name string, err error) {
	if phone, err = mobile.Normalize(req.Phone); err != nil {
		return "", "", minimall.AtField(err, "phone")
	}
	if name, err = ValidateMemberName(req.MemberName); err != nil {
		return "", "", err
	}
	if err = ValidatePassword(req.Password, phone, name); err != nil {
		return "", "", err
	}
	if v := s.k.PolicyVersion(); req.AcceptPolicyVersion != v {
		return "", "", &minimall.Error{Code: minimall.Conflict, Op: "account.Register", Field: "accept_policy_version", Rule: minimall.RuleOutdated,
			Message: fmt.Sprintf("Read and accept the current privacy policy (version %d) first. 请先阅读并同意当前版本（第%d版）隐私政策。", v, v)}
	}
	return phone, name, nil
}

// newAccount is a registration sealed for its write: the account as the
// answer shows it, its row's lookups and sealed values, and a child's hold.
type newAccount struct {
	acct              *Account
	phoneKey, nameKey []byte
	hash              string
	sealed            map[privacy.Field][]byte
	hold              *MinorHold // under 14 (PIPL art. 31)
}

// sealAccount mints the person's subject and seals the account under it,
// before the write (sqldb: seal outside the write): the first Seal makes
// the person's key. A registration whose write then fails leaves that key
// with nothing stored under it, harmless. A child's registration is held,
// invisible to sign-in, until a guardian consents (minor.go): its lookups
// are pending ones and the identity area seals the hold.
func (s *Service) sealAccount(ctx context.Context, phone string, phoneIdx []byte, name, hash, requestID string, under14 bool) (*newAccount, error) {
	subject, now := minimall.NewSubjectID(), s.db.Now()
	g, row := s.k.Guard(), string(subject)
	n := &newAccount{phoneKey: phoneIdx, nameKey: s.nameIndex(name), hash: hash, sealed: map[privacy.Field][]byte{},
		acct: &Account{Subject: subject, MemberName: name, Phone: mobile.Mask(phone), Level: 1, Status: StatusActive, CreatedAt: now}}
	for f, v := range map[privacy.Field]string{
		privacy.AccountPhone: phone, privacy.MemberName: name, privacy.AccountLevel: "1",
		privacy.PhoneBoundAt: now.Format(time.RFC3339),
	} {
		var err error
		if n.sealed[f], err = g.Seal(ctx, subject, f, row, []byte(v)); err != nil {
			return nil, err
		}
	}
	if !under14 {
		return n, nil
	}
	h, err := s.identity.SealMinorHold(ctx, subject, MinorDeclared, requestID)
	if err != nil {
		return nil, err
	}
	heldUntil := now.Add(s.guardianHold())
	n.hold, n.phoneKey, n.nameKey = &h, s.pendingIndex(n.phoneKey), s.pendingIndex(n.nameKey)
	n.acct.Status, n.acct.HeldUntil, n.acct.GuardianToken = StatusPendingGuardian, &heldUntil, h.Token
	return n, nil
}

// insertAccount registers the subject, records acceptance of the policy
// and stores the sealed account row, all in tx.
func (s *Service) insertAccount(ctx context.Context, tx *sqldb.Tx, n *newAccount, requestID string) error {
	const op = "account.Register"
	a := n.acct
	if err := s.k.AddSubject(ctx, tx, a.Subject, "CN"); err != nil {
		return err
	}
	if _, err := s.k.Consents.RecordTx(ctx, tx, privacy.ConsentChange{
		Subject: a.Subject, Scope: privacy.PolicyScope, Kind: privacy.General, Action: privacy.Grant, Channel: "api", Evidence: requestID,
	}); err != nil {
		return err
	}
	var heldUntil time.Time
	if a.HeldUntil != nil {
		heldUntil = *a.HeldUntil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO accounts (subject, phone_index, phone_sealed, phone_version, member_name_index, member_name_sealed,
		password_hash, level_sealed, level_version, phone_bound_at_sealed, phone_bound_at_version, status, created_at, held_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(a.Subject), n.phoneKey, n.sealed[privacy.AccountPhone], privacy.FirstVersion, n.nameKey, n.sealed[privacy.MemberName],
		n.hash, n.sealed[privacy.AccountLevel], privacy.FirstVersion, n.sealed[privacy.PhoneBoundAt], privacy.FirstVersion, a.Status, sqldb.Micros(a.CreatedAt), microsOrZero(heldUntil))
	if err != nil {
		if err = sqldb.FormatError(op, err); minimall.IsCode(err, minimall.Conflict) {
			return minimall.Errorf(minimall.Conflict, op, "This phone number or member name is already registered. 该手机号或会员名已被注册。")
		}
		return err
	}
	if n.hold != nil { // a held registration is announced when it is activated
		return nil
	}
	return outbox.Emit(ctx, tx, TopicRegistered, a.Subject, nil)
}

func (s *Service) nameIndex(name string) []byte {
	return s.k.BlindIndex(privacy.MemberName, []byte(memberNameKey(name)))
}

// Get returns the actor's own account; the phone is masked unless full is
// set. Returns Unauthorized for a visitor, NotFound for anyone else's.
func (s *Service) Get(ctx context.Context, a minimall.Actor, full bool) (*Account, error) {
	const op = "account.Get"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	if _, err := s.refreshLevel(ctx, a, a.Subject); err != nil { // the level shown is current (level.go)
		return nil, err
	}
	var phone, name, level []byte
	var status string
	var created int64
	var phoneVersion, levelVersion uint64
	err := s.db.QueryRowContext(ctx, `SELECT phone_sealed, phone_version, member_name_sealed, level_sealed, level_version, status, created_at FROM accounts WHERE subject = ?`,
		string(a.Subject)).Scan(&phone, &phoneVersion, &name, &level, &levelVersion, &status, &created)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	g, row := s.k.Guard(), string(a.Subject)
	acct := &Account{Subject: a.Subject, Status: status, CreatedAt: sqldb.FromMicros(created)}
	p, err := g.OpenVersionString(ctx, a, a.Subject, privacy.AccountPhone, privacy.ForAccount, row, phoneVersion, phone)
	if err != nil {
		return nil, err
	}
	if acct.MemberName, err = g.OpenString(ctx, a, a.Subject, privacy.MemberName, privacy.ForAccount, row, name); err != nil {
		return nil, err
	}
	lv, err := g.OpenVersionString(ctx, a, a.Subject, privacy.AccountLevel, privacy.ForAccount, row, levelVersion, level)
	if err != nil {
		return nil, err
	}
	acct.Level, _ = strconv.Atoi(lv)
	acct.Phone = mobile.Mask(p)
	if full {
		acct.Phone = p
	}
	return acct, nil
}
