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
// sign-in from a number that changed hands and making password sign-in
// wait after wrong passwords are decided by rule, not by a person, so each is recorded with
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
		if bound, err := s.openBoundAt(ctx, system, subject, st); err == nil {
			f.Value = bound.UTC().Format(time.DateOnly)
		}
	}
	return s.recordDecision(ctx, decision.Made{Subject: subject, Kind: decision.CodeLoginRefused, Factors: []decision.Factor{f}})
}

// recordThrottle records that wrong passwords made password sign-in to
// the account wait (throttle.go): at most one record a day, naming the
// counter that began it — one client's or every client's — its count, the
// first wait and the longest.
func (s *Service) recordThrottle(ctx context.Context, subject minimall.SubjectID, t throttleStart) error {
	scope := decision.ScopeOneClient
	if t.all {
		scope = decision.ScopeAllClients
	}
	return s.recordDecision(ctx, decision.Made{Subject: subject, Kind: decision.LoginThrottled, Daily: true, Factors: []decision.Factor{
		{Code: decision.FactorFailedPasswords, Value: strconv.Itoa(t.failures)},
		{Code: decision.FactorThrottleScope, Value: scope},
		{Code: decision.FactorWaitSeconds, Value: strconv.Itoa(int(t.wait / time.Second))},
		{Code: decision.FactorMaxWaitMinutes, Value: strconv.Itoa(int(s.cfg.ThrottleDelayMax / time.Minute))},
	}})
}

// ReverseDecision undoes an overturned risk-control decision: code
// sign-in opens again and the number counts as confirmed now (so the
// carrier is not asked again for RecycleCooling), or the wait after wrong
// passwords ends (a lock-out recorded before throttling replaced it ends
// the same way). It implements decision.Reverser.
func (s *Service) ReverseDecision(ctx context.Context, subject minimall.SubjectID, kind decision.Kind) error {
	const op = "account.ReverseDecision"
	switch kind {
	case decision.CodeLoginRefused:
		_, err := s.db.ExecContext(ctx, `UPDATE accounts SET phone_recycled_at = 0, phone_confirmed_at = ? WHERE subject = ?`,
			sqldb.Micros(s.db.Now()), string(subject))
		return sqldb.FormatError(op, err)
	case decision.LoginThrottled, decision.LoginLocked:
		return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error { return clearThrottleTx(ctx, tx, subject) })
	}
	return minimall.Errorf(minimall.Invalid, op, "Not an account decision. 非账户决策。")
}
