package account

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"minimall"
	"minimall/mobile"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// Code purposes of the guardian procedure and account recovery.
const (
	CodeGuardian = "guardian" // sent to a guardian's phone (policy 七)
	CodeRecover  = "recover"  // sent to the account's phone (二(一)3 找回账号)
)

func validCodePurpose(p string) bool {
	switch p {
	case CodeRegister, CodeLogin, CodeUnlock, CodeRecover, CodeGuardian, CodeRecipient:
		return true
	}
	return false
}

// How a child came to be known to be under 14.
const (
	MinorDeclared = "declared"  // the registration's "I am under 14"
	MinorRealName = "real_name" // a real-name check revealed the birth date
)

// Identity is what the account area needs from the identity area: holding
// a child's registration for a guardian, and matching real-name data for
// account recovery. It is given in Deps.
type Identity interface {
	// GuardianMinor checks the shape of a guardian's consent and finds
	// the child waiting for it. Returns Invalid for a malformed request,
	// NotFound for an unknown or used token, Conflict for an outdated
	// policy version.
	GuardianMinor(ctx context.Context, req GuardianConsentRequest) (minimall.SubjectID, error)
	// VerifyGuardian checks the guardian with the identity authority: the
	// name and ID number match, and belong to an adult. Returns Invalid or
	// Denied.
	VerifyGuardian(ctx context.Context, req GuardianConsentRequest, requestID string) error
	// SealGuardianConsent seals the guardian's consent for child before
	// the write (sqldb: seal outside the write): who consented and the
	// evidence. Returns Invalid or Conflict as GuardianMinor.
	SealGuardianConsent(ctx context.Context, child minimall.SubjectID, req GuardianConsentRequest, requestID string) (SealedGuardianConsent, error)
	// WriteGuardianConsent records in tx a consent SealGuardianConsent
	// sealed, with the ledger's guardian grants. Returns NotFound if the
	// child no longer waits for a guardian.
	WriteGuardianConsent(ctx context.Context, tx *sqldb.Tx, c SealedGuardianConsent) error
	// SealMinorHold seals the start of the guardian procedure for
	// subject, before the write (sqldb: seal outside the write); source
	// says how the age became known (MinorDeclared, MinorRealName).
	SealMinorHold(ctx context.Context, subject minimall.SubjectID, source, requestID string) (MinorHold, error)
	// WriteMinorHold starts the guardian procedure in tx with a hold
	// SealMinorHold sealed.
	WriteMinorHold(ctx context.Context, tx *sqldb.Tx, h MinorHold) error
	// RealNameVerified reports whether subject passed a real-name check
	// with the identity authority, without opening anything.
	RealNameVerified(ctx context.Context, subject minimall.SubjectID) (bool, error)
	// MatchRealName compares a claimed name and ID number with the sealed
	// ones, opened for account recovery only (audited by the guard).
	MatchRealName(ctx context.Context, subject minimall.SubjectID, realName, idNumber, requestID string) (bool, error)
	// GuardianRecord finds the child a guardian token belongs to, with
	// the state of the guardian procedure and the guardian's sealed
	// identity (a guardian's withdrawal checks the guardian against it).
	// Returns NotFound for an unknown token.
	GuardianRecord(ctx context.Context, token string) (GuardianRecord, error)
}

// MinorHold is the start of a guardian procedure, sealed by the identity
// area before the write that stores it; only the identity area reads it.
type MinorHold struct {
	Subject minimall.SubjectID
	Token   string // the guardian acts with it; shown once, to the child
	Under14 []byte // sealed (privacy.MinorUnder14): how the age became known
}

// SealedGuardianConsent is a guardian's consent, sealed by the identity
// area before the write that records it; only the identity area reads it.
type SealedGuardianConsent struct {
	Child     minimall.SubjectID
	Identity  []byte    // sealed (privacy.GuardianIdentity): who consented
	Evidence  []byte    // sealed (privacy.GuardianConsentEvidence)
	At        time.Time // when the guardian consented, as the evidence says
	RequestID string    // the consent ledger's evidence
}

// GuardianRecord is the identity area's record of a guardian procedure.
type GuardianRecord struct {
	Subject          minimall.SubjectID
	State            privacy.MinorState
	GuardianIdentity []byte // sealed (privacy.GuardianIdentity)
}

// pendingIndex hides a held registration from sign-in, unlocking and
// recovery: its phone and member-name indexes live under a "pending"
// domain until a guardian consents, so no lookup by phone or name finds
// it (PIPL art. 31: a child cannot finish registering alone).
func (s *Service) pendingIndex(idx []byte) []byte {
	return s.k.BlindIndex(privacy.AccountPhone, append([]byte("pending\x00"), idx...))
}

// CheckCode checks a one-time code sent to phone for purpose, without
// spending it; SpendCode spends it in the transaction that uses it.
// Returns Invalid for a malformed phone or a wrong or expired code.
func (s *Service) CheckCode(ctx context.Context, phone, purpose, code string) (string, error) {
	p, err := mobile.Normalize(phone)
	if err != nil {
		return "", err
	}
	return s.verifyCode(ctx, s.phoneIndex(p), purpose, code)
}

// SpendCode marks a code checked by CheckCode used, in tx.
func (s *Service) SpendCode(ctx context.Context, tx *sqldb.Tx, id string) error {
	return spendCode(ctx, tx, id)
}

// PhoneIndex returns the blind index of a phone number, so another area
// can tell two numbers apart without holding either.
func (s *Service) PhoneIndex(phone string) ([]byte, error) {
	p, err := mobile.Normalize(phone)
	if err != nil {
		return nil, err
	}
	return s.phoneIndex(p), nil
}

// DefaultGuardianHold is how long a child's registration waits for a
// guardian: long enough to reach a parent, short enough that a child's
// phone number and name are not kept for a consent that never comes.
const DefaultGuardianHold = 7 * 24 * time.Hour

func (s *Service) guardianHold() time.Duration {
	if s.cfg.GuardianHold > 0 {
		return s.cfg.GuardianHold
	}
	return DefaultGuardianHold
}

// errHoldLapsed refuses a guardian's consent for a registration that
// waited longer than the hold, or was erased since.
var errHoldLapsed = minimall.Errorf(minimall.Gone, "account.GuardianConsent",
	"This registration waited too long for a guardian and has lapsed; the child must register again. 该注册等待监护人同意已超过期限并已失效，请儿童重新注册。")

// CheckHold reports, without changing anything, whether a guardian may
// still consent for subject: Gone for a hold that lapsed or an account
// erased or closed since, nil otherwise. The guardian procedure should ask
// before it hands the guardian's identity to the identity authority, so a
// lapsed request discloses nothing; the activation checks again.
func (s *Service) CheckHold(ctx context.Context, subject minimall.SubjectID) error {
	var status string
	var heldUntil int64
	err := s.db.QueryRowContext(ctx, `SELECT status, held_until FROM accounts WHERE subject = ?`, string(subject)).Scan(&status, &heldUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return errHoldLapsed
	}
	if err != nil {
		return sqldb.FormatError("account.CheckHold", err)
	}
	return holdState(status, heldUntil, s.db.Now())
}

// holdState is CheckHold's rule: nil means a guardian may consent.
func holdState(status string, heldUntil int64, now time.Time) error {
	switch status {
	case StatusPendingGuardian:
		if heldUntil != 0 && !now.Before(sqldb.FromMicros(heldUntil)) {
			return errHoldLapsed
		}
	case StatusGuardianWithdrawn, StatusDeregistered:
		return errHoldLapsed
	}
	return nil
}

// activation is what activating a registration held for a guardian
// writes: the lookups of its phone and member name, opened before the
// write, and the hold they were read under.
type activation struct {
	subject               minimall.SubjectID
	heldUntil             int64
	phoneIndex, nameIndex []byte
}

// prepareActivation reads a registration held for a guardian and opens its
// phone and member name for their lookups, before the write that activates
// it (a write only runs SQL). It returns nil for an account already active
// (its holder's age came out of a real-name check later): it is left as it
// is. Returns Gone for a hold that lapsed (Config.GuardianHold) or an
// account erased or closed since.
func (s *Service) prepareActivation(ctx context.Context, subject minimall.SubjectID) (*activation, error) {
	const op = "account.GuardianConsent"
	var status string
	var heldUntil int64
	var phoneSealed, nameSealed []byte
	var phoneVersion uint64
	err := s.db.QueryRowContext(ctx, `SELECT status, held_until, phone_sealed, phone_version, member_name_sealed FROM accounts WHERE subject = ?`,
		string(subject)).Scan(&status, &heldUntil, &phoneSealed, &phoneVersion, &nameSealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errHoldLapsed
	}
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	if err := holdState(status, heldUntil, s.db.Now()); err != nil || status != StatusPendingGuardian {
		return nil, err
	}
	a, g, row := minimall.SystemActor("guardian-consent"), s.k.Guard(), string(subject)
	phone, err := g.OpenVersionString(ctx, a, subject, privacy.AccountPhone, privacy.ForAccount, row, phoneVersion, phoneSealed)
	if err != nil {
		return nil, err
	}
	name, err := g.OpenString(ctx, a, subject, privacy.MemberName, privacy.ForAccount, row, nameSealed)
	if err != nil {
		return nil, err
	}
	return &activation{subject: subject, heldUntil: heldUntil, phoneIndex: s.phoneIndex(phone), nameIndex: s.nameIndex(name)}, nil
}

// activate finishes the held registration in tx once the guardian
// consented: the account becomes active and findable by its phone and
// member name. Only the hold that was read activates: one that lapsed,
// was withdrawn or closed since answers Gone. Returns Conflict if the
// phone or name was registered by someone else meanwhile. A nil act does
// nothing.
func (s *Service) activate(ctx context.Context, tx *sqldb.Tx, act *activation) error {
	const op = "account.GuardianConsent"
	if act == nil {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE accounts SET status = ?, phone_index = ?, member_name_index = ?, held_until = 0
		WHERE subject = ? AND status = ? AND held_until = ? AND (held_until = 0 OR held_until > ?)`,
		StatusActive, act.phoneIndex, act.nameIndex, string(act.subject), StatusPendingGuardian, act.heldUntil, sqldb.Micros(tx.Now()))
	if err != nil {
		if err = sqldb.FormatError(op, err); minimall.IsCode(err, minimall.Conflict) {
			return minimall.Errorf(minimall.Conflict, op, "This phone number or member name was registered meanwhile; register again. 该手机号或会员名已被注册，请重新注册。")
		}
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errHoldLapsed
	}
	return outbox.Emit(ctx, tx, TopicRegistered, act.subject, nil)
}

func microsOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return sqldb.Micros(t)
}
