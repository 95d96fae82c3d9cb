package account

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"minimall"
	"minimall/mobile"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// RecoveryRequest is "find my account / reset my password" (二(一)3
// 找回账号/密码): proof of the account's phone by an SMS code, and, where
// the account is real-name verified, the real name and ID number, with the
// person's separate consent to their use for this (PIPL art. 29).
type RecoveryRequest struct {
	Phone       string `json:"phone"`
	Code        string `json:"code"` // an SMS code sent for purpose "recover"
	RealName    string `json:"real_name,omitempty"`
	IDNumber    string `json:"id_number,omitempty"`
	ConsentReal bool   `json:"consent_real_name_use,omitempty"`
	NewPassword string `json:"new_password"`
}

// Recovery limits: attempts per phone and per client per hour. A wrong
// name or ID number counts like a wrong code.
const (
	recoveriesPerPhone  = 5
	recoveriesPerClient = 20
)

// errNotRecovered is the one answer for an unknown account, a real-name
// mismatch and missing real-name data, so a caller cannot tell whether an
// account exists or is real-name verified.
var errNotRecovered = minimall.Errorf(minimall.Unauthorized, "account.Recover",
	"Your identity could not be verified. If your account is real-name verified, give your real name and ID number and agree to their use. 身份核验未通过。若账号已实名认证，请提供姓名和证件号码并同意用于找回账号。")

// Recover verifies the claimant against what the account holds and sets a
// new password; every session of the account ends at once. Returns
// Invalid for a malformed request, a weak password or a wrong or expired
// code; Unauthorized (the same answer) for an unknown account or a
// real-name mismatch; TooMany past the limits.
func (s *Service) Recover(ctx context.Context, req RecoveryRequest, client, requestID string) error {
	const op = "account.Recover"
	phone, err := s.checkRecovery(req)
	if err != nil {
		return err
	}
	idx, now := s.phoneIndex(phone), s.db.Now()
	if !s.limits.allow("recover:"+hex.EncodeToString(idx), recoveriesPerPhone, time.Hour, now) ||
		!s.limits.allow("recoverclient:"+client, recoveriesPerClient, time.Hour, now) {
		return minimall.Errorf(minimall.TooMany, op, "Too many recovery attempts; wait an hour. 找回尝试过于频繁，请一小时后再试。").After(time.Hour)
	}
	codeID, err := s.verifyCode(ctx, idx, CodeRecover, req.Code)
	if err != nil {
		return err
	}
	subject, name, err := s.recoveryAccount(ctx, idx)
	if err != nil {
		return err
	}
	audit := func(outcome string) {
		s.k.AuditAppend(ctx, minimall.SystemActor("account-recovery"), subject, "recover", outcome)
	}
	if err := s.matchRealName(ctx, subject, req, requestID); err != nil {
		audit("real_name_mismatch")
		return err
	}
	if err := ValidatePassword(req.NewPassword, phone, name); err != nil {
		return minimall.AtField(err, "new_password")
	}
	if err := s.resetPassword(ctx, subject, codeID, hashPassword(req.NewPassword, s.argon)); err != nil {
		return err
	}
	audit("recovered")
	return nil
}

// checkRecovery checks the request's shape before anything is looked up.
func (s *Service) checkRecovery(req RecoveryRequest) (string, error) {
	const op = "account.Recover"
	phone, err := mobile.Normalize(req.Phone)
	if err != nil {
		return "", minimall.AtField(err, "phone")
	}
	if err := ValidatePassword(req.NewPassword, phone, ""); err != nil {
		return "", minimall.AtField(err, "new_password")
	}
	if (req.RealName == "") != (req.IDNumber == "") {
		return "", minimall.Errorf(minimall.Invalid, op, "Give both your real name and your ID number, or neither. 姓名和证件号码须同时提供。")
	}
	if req.RealName != "" && !req.ConsentReal {
		return "", minimall.Errorf(minimall.Invalid, op, "Agree to the use of your real name and ID number for account recovery (consent_real_name_use). 请同意将您的姓名和证件号码用于找回账号。")
	}
	return phone, nil
}

// recoveryAccount finds the account of a proven phone and opens its member
// name (for the password check). A held child's registration, a
// deregistered account and no account at all give the same answer.
func (s *Service) recoveryAccount(ctx context.Context, idx []byte) (minimall.SubjectID, string, error) {
	var subject string
	var nameSealed []byte
	err := s.db.QueryRowContext(ctx, `SELECT subject, member_name_sealed FROM accounts WHERE phone_index = ? AND status IN (?, ?)`,
		idx, StatusActive, StatusLocked).Scan(&subject, &nameSealed)
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword("x", s.dummyHash()) // about as long as a real attempt
		return "", "", errNotRecovered
	}
	if err != nil {
		return "", "", sqldb.FormatError("account.Recover", err)
	}
	name, err := s.k.Guard().OpenString(ctx, minimall.SystemActor("account-recovery"), minimall.SubjectID(subject), privacy.MemberName, privacy.ForAccount, subject, nameSealed)
	return minimall.SubjectID(subject), name, err
}

// matchRealName applies the real-name step when the account has passed a
// real-name check: the claimant's name and ID number must match the sealed
// ones, which the guard opens for account recovery only, with the separate
// consent the claimant gave in this request (recorded in the ledger).
func (s *Service) matchRealName(ctx context.Context, subject minimall.SubjectID, req RecoveryRequest, requestID string) error {
	if s.identity == nil {
		return nil
	}
	verified, err := s.identity.RealNameVerified(ctx, subject)
	if err != nil || !verified {
		return err
	}
	if req.RealName == "" {
		return errNotRecovered
	}
	// The claimant proved the account's phone (the same proof that signs a
	// person in by SMS) and agreed in this request.
	if _, err := s.k.Consents.Record(ctx, privacy.ConsentChange{Subject: subject, Scope: privacy.FeatureScope(privacy.FeatAccountRecovery),
		Kind: privacy.Separate, Action: privacy.Grant, Channel: "api", Evidence: requestID}); err != nil {
		return err
	}
	ok, err := s.identity.MatchRealName(ctx, subject, req.RealName, req.IDNumber, requestID)
	if err != nil {
		return err
	}
	if !ok {
		return errNotRecovered
	}
	return nil
}

// resetPassword spends the code, sets the new password, ends the wait
// after wrong passwords (throttle.go) and revokes every session, on every node.
func (s *Service) resetPassword(ctx context.Context, subject minimall.SubjectID, codeID, hash string) error {
	const op = "account.Recover"
	// Journalled first: after a restore of a data backup taken before,
	// the password replaced stops working again (replayPasswordReset).
	if err := s.k.RecordAct(ctx, subject, privacy.ActPasswordReset, ""); err != nil {
		return err
	}
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := spendCode(ctx, tx, codeID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = ?, password_set_at = ? WHERE subject = ?`, hash, sqldb.Micros(tx.Now()), string(subject)); err != nil {
			return sqldb.FormatError(op, err)
		}
		if err := clearThrottleTx(ctx, tx, subject); err != nil {
			return err
		}
		ids, err := liveSessions(ctx, tx, subject)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE subject = ? AND revoked_at = 0`, sqldb.Micros(tx.Now()), string(subject)); err != nil {
			return sqldb.FormatError(op, err)
		}
		for _, id := range ids {
			if err := outbox.Emit(ctx, tx, TopicSessionRevoked, subject, map[string]string{"session": id}); err != nil {
				return err
			}
		}
		return outbox.Emit(ctx, tx, TopicRecovered, subject, nil)
	})
	if err != nil {
		return err
	}
	s.forgetSubject(subject)
	return nil
}

func liveSessions(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID) ([]string, error) {
	ids, err := sqldb.Strings(ctx, tx, `SELECT id FROM sessions WHERE subject = ? AND revoked_at = 0`, string(subject))
	return ids, sqldb.FormatError("account.Recover", err)
}
