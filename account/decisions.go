package account

import (
	"context"
	"strconv"
	"time"

	"minimall"
	"minimall/decision"
	"minimall/sqldb"
)

// Automated decisions (policy 四(六), PIPL art. 24): refusing a code
// sign-in from a number that changed hands and locking sign-in after wrong
// passwords are decided by rule, not by a person, so each is recorded with
// its main factors; an operator who overturns one on appeal undoes it here.

// recordDecision records d if a recorder is wired. The decision stands
// whether or not its record could be written, so a failure is returned
// only to callers that can report it.
func (s *Service) recordDecision(ctx context.Context, d decision.Made) error {
	if s.decisions == nil {
		return nil
	}
	return s.decisions.Record(ctx, d)
}

// recordCodeLoginRefused records the refusal of a code sign-in because
// the carrier said the number changed hands; the factor names the binding
// date the carrier was given.
func (s *Service) recordCodeLoginRefused(ctx context.Context, subject minimall.SubjectID, requestID string) error {
	if s.decisions == nil {
		return nil
	}
	f := decision.Factor{Code: decision.FactorNumberReassigned}
	if st, err := s.phoneState(ctx, subject); err == nil {
		system := minimall.SystemActor("account-decision")
		system.Reason = requestID
		if bound, err := s.openBoundAt(ctx, system, subject, st.boundSealed); err == nil {
			f.Value = bound.UTC().Format(time.DateOnly)
		}
	}
	return s.recordDecision(ctx, decision.Made{Subject: subject, Kind: decision.CodeLoginRefused, Factors: []decision.Factor{f}})
}

// recordLockout records a lock-out after failed passwords.
func (s *Service) recordLockout(ctx context.Context, subject minimall.SubjectID) error {
	return s.recordDecision(ctx, decision.Made{Subject: subject, Kind: decision.LoginLocked, Factors: []decision.Factor{
		{Code: decision.FactorFailedPasswords, Value: strconv.Itoa(s.cfg.MaxFailedLogins)},
		{Code: decision.FactorLockMinutes, Value: strconv.Itoa(int(s.cfg.LockoutFor / time.Minute))},
	}})
}

// ReverseDecision undoes an overturned risk-control decision: code
// sign-in opens again and the number counts as confirmed now (so the
// carrier is not asked again for RecycleCooling), or the lock-out ends.
// It implements decision.Reverser.
func (s *Service) ReverseDecision(ctx context.Context, subject minimall.SubjectID, kind decision.Kind) error {
	const op = "account.ReverseDecision"
	var q string
	switch kind {
	case decision.CodeLoginRefused:
		q = `UPDATE accounts SET phone_recycled_at = 0, phone_confirmed_at = ? WHERE subject = ?`
	case decision.LoginLocked:
		q = `UPDATE accounts SET failed_logins = 0, locked_until = ? WHERE subject = ?`
	default:
		return minimall.Errorf(minimall.Invalid, op, "Not an account decision. 非账户决策。")
	}
	now := sqldb.Micros(s.db.Now())
	if kind == decision.LoginLocked {
		now = 0
	}
	_, err := s.db.ExecContext(ctx, q, now, string(subject))
	return sqldb.FormatError(op, err)
}
