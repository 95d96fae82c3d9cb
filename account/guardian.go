package account

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"minimall"
	"minimall/mobile"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// GuardianConsentRequest is a guardian's consent for a child under 14: the
// token the child got, the guardian's phone with the SMS code sent to it
// (purpose "guardian"), the guardian's real name and ID number for a check
// with the identity authority, and the guardian's acceptance of the policy.
type GuardianConsentRequest struct {
	Token               string `json:"guardian_token"`
	Phone               string `json:"guardian_phone"`
	Code                string `json:"code"`
	RealName            string `json:"guardian_real_name"`
	IDNumber            string `json:"guardian_id_number"`
	IDType              string `json:"guardian_id_type,omitempty"`
	AcceptPolicyVersion int    `json:"accept_policy_version"`
	Agree               bool   `json:"agree"` // "I am the child's guardian and consent"
}

// GuardianConsent is the outcome of a guardian's consent.
type GuardianConsent struct {
	Minor         string `json:"minor"`          // consented
	AccountStatus string `json:"account_status"` // active
}

// GuardianConsent records a guardian's consent (七, PIPL art. 31): the
// guardian is verified by an SMS code to their phone and a real-name check
// with the identity authority (an adult, 18 or over); the consent goes to
// the ledger as a guardian consent, with the guardian's identity and the
// evidence sealed under the child's keys (the identity area keeps those);
// the held registration becomes an active account. Returns Invalid for a
// malformed request, a wrong code or a guardian whose name and ID number
// do not match; NotFound for an unknown or used token; Conflict for an
// outdated policy version; Denied for a guardian under 18.
func (s *Service) GuardianConsent(ctx context.Context, req GuardianConsentRequest, requestID string) (*GuardianConsent, error) {
	subject, err := s.identity.GuardianMinor(ctx, req)
	if err != nil {
		return nil, err
	}
	// A lapsed hold is refused before the guardian's name and ID number go
	// to the identity authority for a registration that is over.
	if err := s.CheckHold(ctx, subject); err != nil {
		return nil, err
	}
	codeID, err := s.CheckCode(ctx, req.Phone, CodeGuardian, req.Code)
	if err != nil {
		return nil, err
	}
	if err := s.identity.VerifyGuardian(ctx, req, requestID); err != nil {
		return nil, err
	}
	sealed, err := s.identity.SealGuardianConsent(ctx, subject, req, requestID)
	if err != nil {
		return nil, err
	}
	act, err := s.prepareActivation(ctx, subject)
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := s.SpendCode(ctx, tx, codeID); err != nil {
			return err
		}
		if err := s.identity.WriteGuardianConsent(ctx, tx, sealed); err != nil {
			return err
		}
		return s.activate(ctx, tx, act)
	})
	if err != nil {
		return nil, err
	}
	return &GuardianConsent{Minor: string(privacy.MinorConsented), AccountStatus: StatusActive}, nil
}

// A guardian may withdraw the consent they gave for a child under 14 (七,
// PIPL art. 15 and 31). They prove who they are as when they consented: the
// guardian token, and an SMS code (purpose "guardian") to the phone they
// consented with. The withdrawal goes to the consent ledger as guardian
// withdrawals of every scope the guardian granted, and the kernel holds the
// child again as it did before the consent: nothing more is collected and
// nothing resting on consent is used. The account stops (no sign-in, every
// session ends), the child is told by SMS, and the account is erased when
// its hold lapses (Config.GuardianHold; held.go) unless it was erased
// before.
//
// The guardian token and the guardian's identity are the identity area's
// record of the consent; this file asks for them (Identity.GuardianRecord).

// GuardianWithdrawalRequest is a guardian's withdrawal of consent.
type GuardianWithdrawalRequest struct {
	Token string `json:"guardian_token"`
	Phone string `json:"guardian_phone"`
	Code  string `json:"code"` // sent to guardian_phone for purpose "guardian"
}

// GuardianWithdrawal is the outcome of a withdrawal.
type GuardianWithdrawal struct {
	AccountStatus string    `json:"account_status"` // guardian_withdrawn
	Minor         string    `json:"minor"`          // pending: held as before the consent
	ErasedAfter   time.Time `json:"erased_after"`
	ChildNotified bool      `json:"child_notified"`
	Withdrawn     []string  `json:"withdrawn"` // the consent scopes withdrawn
}

// TopicGuardianWithdrawn is the change-feed topic of a withdrawal; the
// payload is empty.
const TopicGuardianWithdrawn = "account.guardian_withdrawn"

// Withdrawal limits per token and per client per hour.
const (
	withdrawalsPerToken  = 5
	withdrawalsPerClient = 20
)

// WithdrawGuardianConsent records a guardian's withdrawal. Returns Invalid
// for a malformed request or a wrong code; NotFound for an unknown token;
// Denied when the phone is not the one the guardian consented with;
// Conflict when no consent is in force (never given, or withdrawn before);
// Gone for an account erased since; TooMany past the limits.
func (s *Service) WithdrawGuardianConsent(ctx context.Context, req GuardianWithdrawalRequest, client, requestID string) (*GuardianWithdrawal, error) {
	const op = "account.WithdrawGuardianConsent"
	phone, err := checkWithdrawal(req)
	if err != nil {
		return nil, err
	}
	hash := sha256.Sum256([]byte(req.Token))
	now := s.db.Now()
	if !s.limits.allow("guardianwd:"+hex.EncodeToString(hash[:]), withdrawalsPerToken, time.Hour, now) ||
		!s.limits.allow("guardianwdclient:"+client, withdrawalsPerClient, time.Hour, now) {
		return nil, minimall.Errorf(minimall.TooMany, op, "Too many attempts; wait an hour. 尝试过于频繁，请一小时后再试。").After(time.Hour)
	}
	c, err := s.consentedChild(ctx, req.Token)
	if err != nil {
		return nil, err
	}
	codeID, err := s.verifyCode(ctx, s.phoneIndex(phone), CodeGuardian, req.Code)
	if err != nil {
		return nil, err
	}
	system := minimall.SystemActor("guardian-withdrawal")
	system.Reason = requestID
	if err := s.matchGuardianPhone(ctx, system, c, phone); err != nil {
		return nil, err
	}
	childPhone, err := s.k.Guard().OpenVersionString(ctx, system, c.subject, privacy.AccountPhone, privacy.ForLogin, string(c.subject), c.phoneVersion, c.phoneSealed)
	if err != nil {
		return nil, err
	}
	out := &GuardianWithdrawal{AccountStatus: StatusGuardianWithdrawn, Minor: string(privacy.MinorPending), ErasedAfter: now.Add(s.guardianHold())}
	if out.Withdrawn, err = s.stopChild(ctx, c, codeID, out.ErasedAfter, requestID); err != nil {
		return nil, err
	}
	s.k.AuditAppend(ctx, system, c.subject, "guardian_consent", "withdrawn")
	text := fmt.Sprintf("【minimall】你的监护人已撤回同意，你的账号已停用，将于%s删除。Your guardian withdrew consent: your minimall account is stopped and will be deleted on %s.",
		out.ErasedAfter.Format(time.DateOnly), out.ErasedAfter.Format(time.DateOnly))
	out.ChildNotified = s.sms.SendSMS(ctx, c.subject, childPhone, text, privacy.ForNotification, requestID) == nil
	return out, nil
}

func checkWithdrawal(req GuardianWithdrawalRequest) (string, error) {
	const op = "account.WithdrawGuardianConsent"
	if !strings.HasPrefix(req.Token, "gt_") {
		return "", minimall.Errorf(minimall.Invalid, op, "Give the guardian_token you consented with. 请提供您同意时使用的监护人令牌。")
	}
	phone, err := mobile.Normalize(req.Phone)
	if err != nil {
		return "", err
	}
	if req.Code == "" {
		return "", minimall.Errorf(minimall.Invalid, op, "Give the SMS code sent to your phone (purpose guardian). 请提供发送到您手机的验证码。")
	}
	return phone, nil
}

// guardedChild is what a withdrawal reads of the child.
type guardedChild struct {
	subject          minimall.SubjectID
	guardianSealed   []byte
	phoneSealed      []byte
	phoneVersion     uint64
	phoneIdx, name   []byte
	status, minorRow string
}

// consentedChild finds the child a guardian token belongs to, with a
// guardian's consent in force.
func (s *Service) consentedChild(ctx context.Context, token string) (*guardedChild, error) {
	const op = "account.WithdrawGuardianConsent"
	rec, err := s.identity.GuardianRecord(ctx, token)
	if err != nil {
		return nil, err
	}
	c := guardedChild{subject: rec.Subject, minorRow: string(rec.State), guardianSealed: rec.GuardianIdentity}
	subject := string(c.subject)
	err = s.db.QueryRowContext(ctx, `SELECT status, phone_sealed, phone_version, phone_index, member_name_index FROM accounts WHERE subject = ?`, subject).
		Scan(&c.status, &c.phoneSealed, &c.phoneVersion, &c.phoneIdx, &c.name)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && c.status == StatusDeregistered) {
		return nil, minimall.Errorf(minimall.Gone, op, "This child's account was deleted. 该儿童的账号已删除。")
	}
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	switch {
	case c.status == StatusGuardianWithdrawn:
		return nil, minimall.Errorf(minimall.Conflict, op, "The consent was withdrawn already. 同意已撤回。")
	case c.minorRow != string(privacy.MinorConsented) || c.status == StatusPendingGuardian:
		return nil, minimall.Errorf(minimall.Conflict, op, "No guardian's consent was given with this token yet; there is nothing to withdraw. 尚未以此令牌作出监护人同意，无可撤回。")
	}
	return &c, nil
}

// matchGuardianPhone checks phone is the one the guardian consented with,
// opened for the guardian-consent purpose only and audited.
func (s *Service) matchGuardianPhone(ctx context.Context, a minimall.Actor, c *guardedChild, phone string) error {
	b, err := s.k.Guard().Open(ctx, a, c.subject, privacy.GuardianIdentity, privacy.ForGuardianConsent, string(c.subject), c.guardianSealed)
	if err != nil {
		return err
	}
	var who struct {
		Phone string `json:"phone"`
	}
	if json.Unmarshal(b, &who) != nil || subtle.ConstantTimeCompare([]byte(who.Phone), []byte(phone)) != 1 {
		return minimall.Errorf(minimall.Denied, "account.WithdrawGuardianConsent", "Only the guardian who consented may withdraw, from the phone they consented with. 仅作出同意的监护人可使用同意时的手机号撤回。")
	}
	return nil
}

// stopChild records the withdrawal in one transaction: the code is spent,
// every scope the guardian granted is withdrawn in the ledger, the kernel
// holds the child again, the account stops (its lookups move where no
// sign-in, unlock or recovery finds them) with its erasure date, and every
// session ends on every node. It returns the scopes withdrawn.
func (s *Service) stopChild(ctx context.Context, c *guardedChild, codeID string, eraseAt time.Time, requestID string) ([]string, error) {
	const op = "account.WithdrawGuardianConsent"
	hist, err := s.k.Consents.History(ctx, c.subject)
	if err != nil {
		return nil, err
	}
	latest := map[privacy.Scope]privacy.ConsentRecord{}
	for _, r := range hist {
		latest[r.Scope] = r
	}
	var scopes, ids []string
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := spendCode(ctx, tx, codeID); err != nil {
			return err
		}
		for _, r := range hist {
			if l := latest[r.Scope]; l.ID != r.ID || l.Kind != privacy.Guardian || l.Action != privacy.Grant {
				continue
			}
			if _, err := s.k.Consents.RecordTx(ctx, tx, privacy.ConsentChange{Subject: c.subject, Scope: r.Scope, Kind: privacy.Guardian,
				Action: privacy.Withdraw, Channel: "api", Evidence: requestID}); err != nil {
				return err
			}
			scopes = append(scopes, string(r.Scope))
		}
		if err := s.k.SetMinor(ctx, tx, c.subject, privacy.MinorPending); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET status = ?, phone_index = ?, member_name_index = ?, held_until = ? WHERE subject = ? AND status = ?`,
			StatusGuardianWithdrawn, s.pendingIndex(c.phoneIdx), s.pendingIndex(c.name), sqldb.Micros(eraseAt), string(c.subject), c.status)
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return minimall.Errorf(minimall.Conflict, op, "The consent was withdrawn already. 同意已撤回。")
		}
		ids, err = s.endSessions(ctx, tx, c.subject, "")
		if err != nil {
			return err
		}
		return outbox.Emit(ctx, tx, TopicGuardianWithdrawn, c.subject, nil)
	})
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		s.ForgetSession(id)
	}
	s.forgetSubject(c.subject)
	return scopes, nil
}

// endSessions revokes every live session of subject but keep (none if
// keep is ""), in tx, with a change-feed event each so other nodes drop
// them; it returns the ids revoked, for the caller to forget after commit.
func (s *Service) endSessions(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID, keep string) ([]string, error) {
	ids, err := liveSessions(ctx, tx, subject)
	if err != nil {
		return nil, err
	}
	var ended []string
	for _, id := range ids {
		if id == keep {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, sqldb.Micros(tx.Now()), id); err != nil {
			return nil, sqldb.FormatError("account.EndSessions", err)
		}
		if err := outbox.Emit(ctx, tx, TopicSessionRevoked, subject, map[string]string{"session": id}); err != nil {
			return nil, err
		}
		ended = append(ended, id)
	}
	return ended, nil
}
