package account

import (
	"context"
	"encoding/json"
	"time"

	"minimall"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// Phone-number checks (policy 二(一)3 号码验证) ask the mobile carrier two
// things, through the partner gateway only:
//
//   - risk: how risky the account's number is. The holder asks for it on
//     demand (POST /api/v1/account/phone-check), not at registration, so
//     registering sends the number to no partner but the SMS provider.
//   - recycled: whether the number changed hands after the account bound
//     it (二次放号). Asked before an SMS-code sign-in is trusted, and only
//     when the number may have changed hands: the carrier last confirmed
//     it, or the account bound it, RecycleCooling ago or more. The number
//     and its binding date (the date only: the carrier needs no more) go
//     to the carrier. A number that changed hands turns SMS-code sign-in
//     off for the account; the password still works.

// Carrier risk grades.
const (
	RiskLow  = "low"
	RiskHigh = "high"
)

// RecycleCooling is how long a mainland carrier holds a cancelled number
// before it may give it to someone new (at least 90 days). A number bound
// or confirmed less than this long ago cannot have changed hands since, so
// it is not sent to the carrier again.
const RecycleCooling = 90 * 24 * time.Hour

// PhoneChecker asks the mobile carrier about an account's phone number;
// partner.Carrier implements it over the gateway. A nil PhoneChecker means
// no checks: code sign-in is not gated, and asking for a risk check
// returns Unavailable.
type PhoneChecker interface {
	// PhoneRisk returns RiskLow or RiskHigh for phone.
	PhoneRisk(ctx context.Context, subject minimall.SubjectID, phone, requestID string) (string, error)
	// PhoneRecycled reports whether phone was given to someone new after
	// boundAt.
	PhoneRecycled(ctx context.Context, subject minimall.SubjectID, phone string, boundAt time.Time, requestID string) (bool, error)
}

// TopicPhoneRecycled is the change-feed topic written when the carrier says
// an account's number changed hands; TopicPhoneChecked when a risk check
// is stored. Payloads are empty: the answers are personal information.
const (
	TopicPhoneRecycled = "account.phone_recycled"
	TopicPhoneChecked  = "account.phone_checked"
)

// PhoneCheck is what the holder sees of the checks on their number.
type PhoneCheck struct {
	Risk          string     `json:"risk,omitempty"` // low or high; empty before the first check
	RiskCheckedAt *time.Time `json:"risk_checked_at,omitempty"`
	BoundAt       time.Time  `json:"bound_at"`               // when the account bound the number
	ConfirmedAt   *time.Time `json:"confirmed_at,omitempty"` // the carrier's last "still yours"
	Recycled      bool       `json:"recycled"`
	RecycledAt    *time.Time `json:"recycled_at,omitempty"`
	// CodeLogin says whether SMS-code sign-in is open to this account.
	CodeLogin bool `json:"code_login"`
	// NextRecycleCheck is when code sign-in will next ask the carrier first.
	NextRecycleCheck time.Time `json:"next_recycle_check"`
}

// riskRecord is the carrier's risk answer as sealed in phone_risk_sealed.
type riskRecord struct {
	Risk      string    `json:"risk"`
	CheckedAt time.Time `json:"checked_at"`
}

var errPhoneChecksOff = minimall.Errorf(minimall.Unavailable, "account.CheckPhone", "Phone-number checks are not available. 暂不提供号码验证。")

// errRecycled refuses a code sign-in from a number that changed hands.
var errRecycled = minimall.Errorf(minimall.Denied, "account.Login",
	"The carrier reports this number was reassigned after it was bound to the account, so SMS-code sign-in is off for it. Sign in with your password, or recover the account to verify another way. "+
		"运营商核验该手机号在绑定后已二次放号，本账号已停用短信验证码登录。请使用密码登录，或通过找回账号以其他方式验证身份。")

// CheckPhone asks the carrier how risky the actor's number is, stores the
// sealed answer and returns the state of the checks. Returns Unauthorized
// for a visitor, TooMany past five checks an hour, Unavailable when no
// carrier is wired or it cannot answer.
func (s *Service) CheckPhone(ctx context.Context, a minimall.Actor, requestID string) (*PhoneCheck, error) {
	const op = "account.CheckPhone"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	if s.phones == nil {
		return nil, errPhoneChecksOff
	}
	if !s.limits.allow("phonecheck:"+string(a.Subject), 5, time.Hour, s.db.Now()) {
		return nil, minimall.Errorf(minimall.TooMany, op, "Too many checks; try again in an hour. 核验过于频繁，请一小时后再试。").After(time.Hour)
	}
	st, err := s.phoneState(ctx, a.Subject)
	if err != nil {
		return nil, err
	}
	row, g := string(a.Subject), s.k.Guard()
	phone, err := g.OpenVersionString(ctx, a, a.Subject, privacy.AccountPhone, privacy.ForPhoneCheck, row, st.phoneVersion, st.phoneSealed)
	if err != nil {
		return nil, err
	}
	risk, err := s.phones.PhoneRisk(ctx, a.Subject, phone, requestID)
	if err != nil {
		return nil, err
	}
	rec, _ := json.Marshal(riskRecord{Risk: risk, CheckedAt: s.db.Now()})
	sealed, err := g.Seal(ctx, a.Subject, privacy.PhoneRisk, row, rec)
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET phone_risk_sealed = ? WHERE subject = ?`, sealed, row); err != nil {
			return sqldb.FormatError(op, err)
		}
		return outbox.Emit(ctx, tx, TopicPhoneChecked, a.Subject, nil)
	})
	if err != nil {
		return nil, err
	}
	return s.PhoneStatus(ctx, a)
}

// PhoneStatus returns the state of the checks on the actor's number.
// Returns Unauthorized for a visitor.
func (s *Service) PhoneStatus(ctx context.Context, a minimall.Actor) (*PhoneCheck, error) {
	const op = "account.PhoneStatus"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	st, err := s.phoneState(ctx, a.Subject)
	if err != nil {
		return nil, err
	}
	row, g := string(a.Subject), s.k.Guard()
	bound, err := s.openBoundAt(ctx, a, a.Subject, st)
	if err != nil {
		return nil, err
	}
	pc := &PhoneCheck{BoundAt: bound, Recycled: !st.recycledAt.IsZero(), CodeLogin: st.recycledAt.IsZero(),
		NextRecycleCheck: latest(bound, st.confirmedAt).Add(RecycleCooling)}
	if !st.confirmedAt.IsZero() {
		pc.ConfirmedAt = &st.confirmedAt
	}
	if pc.Recycled {
		pc.RecycledAt = &st.recycledAt
	}
	if len(st.riskSealed) > 0 {
		b, err := g.Open(ctx, a, a.Subject, privacy.PhoneRisk, privacy.ForPhoneCheck, row, st.riskSealed)
		if err != nil {
			return nil, err
		}
		var rec riskRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, minimall.Errorf(minimall.Internal, op, "Internal error.")
		}
		pc.Risk, pc.RiskCheckedAt = rec.Risk, &rec.CheckedAt
	}
	return pc, nil
}

// phoneRow is what the checks read of an account row.
type phoneRow struct {
	phoneSealed, boundSealed, riskSealed []byte
	phoneVersion, boundVersion           uint64 // counters of the versioned seals
	confirmedAt, recycledAt              time.Time
}

func (s *Service) phoneState(ctx context.Context, subject minimall.SubjectID) (*phoneRow, error) {
	var r phoneRow
	var confirmed, recycled int64
	err := s.db.QueryRowContext(ctx, `SELECT phone_sealed, phone_version, phone_bound_at_sealed, phone_bound_at_version, phone_risk_sealed, phone_confirmed_at, phone_recycled_at
		FROM accounts WHERE subject = ?`, string(subject)).Scan(&r.phoneSealed, &r.phoneVersion, &r.boundSealed, &r.boundVersion, &r.riskSealed, &confirmed, &recycled)
	if err != nil {
		return nil, sqldb.FormatError("account.PhoneStatus", err)
	}
	r.confirmedAt, r.recycledAt = fromMicrosOrZero(confirmed), fromMicrosOrZero(recycled)
	return &r, nil
}

func (s *Service) openBoundAt(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, st *phoneRow) (time.Time, error) {
	v, err := s.k.Guard().OpenVersionString(ctx, a, subject, privacy.PhoneBoundAt, privacy.ForPhoneCheck, string(subject), st.boundVersion, st.boundSealed)
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, minimall.Errorf(minimall.Internal, "account.PhoneStatus", "Internal error.")
	}
	return t, nil
}

// recycleCheck is the outcome of asking the carrier before a code sign-in.
type recycleCheck int

const (
	recycleNotAsked recycleCheck = iota // no carrier, or the number is known good lately
	recycleConfirmed
	recycleReassigned
)

// checkRecycled decides whether a code sign-in for r may be trusted, and
// asks the carrier when the number may have changed hands. phone is the
// number the code went to (it matched the account's blind index).
func (s *Service) checkRecycled(ctx context.Context, r *loginRow, phone, requestID string) (recycleCheck, error) {
	if !r.recycledAt.IsZero() {
		return recycleReassigned, errRecycled
	}
	if s.phones == nil {
		return recycleNotAsked, nil
	}
	st, err := s.phoneState(ctx, r.subject)
	if err != nil {
		return recycleNotAsked, err
	}
	system := minimall.SystemActor("account-login")
	system.Reason = requestID
	bound, err := s.openBoundAt(ctx, system, r.subject, st)
	if err != nil {
		return recycleNotAsked, err
	}
	if s.db.Now().Sub(latest(bound, st.confirmedAt)) < RecycleCooling {
		return recycleNotAsked, nil
	}
	reassigned, err := s.phones.PhoneRecycled(ctx, r.subject, phone, bound, requestID)
	if err != nil {
		// Fail closed: an unconfirmed number is not trusted with the account.
		return recycleNotAsked, &minimall.Error{Code: minimall.Unavailable, Op: "account.Login", Err: err,
			Message: "The number cannot be confirmed with the carrier now; sign in with your password or try later. 暂时无法向运营商核验该手机号，请使用密码登录或稍后再试。"}
	}
	if reassigned {
		return recycleReassigned, nil
	}
	return recycleConfirmed, nil
}

// recordRecycleCheck stores the carrier's answer in tx: a confirmation
// moves the next check RecycleCooling on; a reassignment turns code
// sign-in off and goes to the change feed.
func recordRecycleCheck(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID, c recycleCheck) error {
	switch c {
	case recycleConfirmed:
		_, err := tx.ExecContext(ctx, `UPDATE accounts SET phone_confirmed_at = ? WHERE subject = ?`, sqldb.Micros(tx.Now()), string(subject))
		return sqldb.FormatError("account.Login", err)
	case recycleReassigned:
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET phone_recycled_at = ? WHERE subject = ? AND phone_recycled_at = 0`, sqldb.Micros(tx.Now()), string(subject))
		if err != nil {
			return sqldb.FormatError("account.Login", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // recorded before
		}
		return outbox.Emit(ctx, tx, TopicPhoneRecycled, subject, nil)
	}
	return nil
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func fromMicrosOrZero(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return sqldb.FromMicros(us)
}
