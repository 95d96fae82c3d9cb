package account

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"time"

	"minimall"
	"minimall/privacy"
)

// A guardian of a child under 14 exercises the child's rights (七, PIPL
// art. 31 and 44-47) through the rights queue. They prove who they are as
// when they consented: the guardian token, and an SMS code (purpose
// "guardian") to the phone recorded at the consent. Whoever is not that
// guardian gets one answer, whether or not the token names a child.

// Guardian-rights limits per token and per client per hour.
const (
	guardianActsPerToken  = 10
	guardianActsPerClient = 20
)

// notTheGuardian is the one refusal for a token that names no child, a
// child with no guardian recorded, and a phone other than the guardian's.
func notTheGuardian(op string) error {
	return minimall.Errorf(minimall.Denied, op, "Only the guardian recorded when consenting for the child may act, from the phone they consented with. 仅同意时登记的监护人可使用同意时的手机号办理。")
}

// CheckGuardian checks a guardian acting for a child: the code sent to
// phone (purpose "guardian"), then the phone against the guardian identity
// recorded at the consent, compared through the guard (rights.Accounts).
// It returns the child and the code's id, to be spent with the request.
// Returns Invalid for a malformed request or a wrong code, Denied for
// anyone but the recorded guardian, TooMany past the limits.
func (s *Service) CheckGuardian(ctx context.Context, token, phone, code, client, requestID string) (minimall.SubjectID, string, error) {
	const op = "account.CheckGuardian"
	phone, err := checkWithdrawal(GuardianWithdrawalRequest{Token: token, Phone: phone, Code: code})
	if err != nil {
		return "", "", err
	}
	hash := sha256.Sum256([]byte(token))
	now := s.db.Now()
	if !s.limits.allow("guardianrights:"+hex.EncodeToString(hash[:]), guardianActsPerToken, time.Hour, now) ||
		!s.limits.allow("guardianrightsclient:"+client, guardianActsPerClient, time.Hour, now) {
		return "", "", minimall.Errorf(minimall.TooMany, op, "Too many attempts; wait an hour. 尝试过于频繁，请一小时后再试。").After(time.Hour)
	}
	// The code first: it depends on the phone only, so a wrong one says
	// nothing about the child.
	codeID, err := s.verifyCode(ctx, s.phoneIndex(phone), CodeGuardian, code)
	if err != nil {
		return "", "", err
	}
	rec, err := s.identity.GuardianRecord(ctx, token)
	if minimall.IsCode(err, minimall.NotFound) || (err == nil && len(rec.GuardianIdentity) == 0) {
		return "", "", notTheGuardian(op)
	}
	if err != nil {
		return "", "", err
	}
	system := minimall.SystemActor("guardian-rights")
	system.Reason = requestID
	if !s.guardianPhoneMatches(ctx, system, rec, phone) {
		return "", "", notTheGuardian(op)
	}
	return rec.Subject, codeID, nil
}

// guardianPhoneMatches opens the guardian's sealed identity for the
// guardian-consent purpose (audited) and compares its phone in constant
// time. A child erased since cannot be opened: no match.
func (s *Service) guardianPhoneMatches(ctx context.Context, a minimall.Actor, rec GuardianRecord, phone string) bool {
	b, err := s.k.Guard().Open(ctx, a, rec.Subject, privacy.GuardianIdentity, privacy.ForGuardianConsent, string(rec.Subject), rec.GuardianIdentity)
	if err != nil {
		return false
	}
	var who struct {
		Phone string `json:"phone"`
	}
	return json.Unmarshal(b, &who) == nil && subtle.ConstantTimeCompare([]byte(who.Phone), []byte(phone)) == 1
}
