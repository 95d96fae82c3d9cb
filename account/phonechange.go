package account

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"minimall"
	"minimall/mobile"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// Changing the bound phone number (更换绑定手机, 二(一)1 and 二(一)3): a
// signed-in person proves the old number by an SMS code to it or, when
// they no longer have it, by the account-recovery real-name check (recovery.go),
// and proves the new number by an SMS code to it. The blind index and the
// sealed number change together, with a fresh binding date; what the
// carrier said about the old number goes with it, so SMS-code sign-in that
// was off because the old number changed hands (phonecheck.go) is on again
// for the new one. Every other session ends, the change is audited and the
// person is told on both numbers (the old one only if it is still theirs).

// Code purposes of a phone change.
const (
	CodePhoneOld = "phone_old" // to the account's current number
	CodePhoneNew = "phone_new" // to the number that replaces it
)

// TopicPhoneChanged is the change-feed topic of a changed number; the
// payload is empty.
const TopicPhoneChanged = "account.phone_changed"

// Phone-change attempts per account and per client per hour; a wrong code
// or real name counts.
const (
	phoneChangesPerAccount = 5
	phoneChangesPerClient  = 20
)

// PhoneCodeRequest asks for a code to the old number ("old") or to a new
// one ("new", with Phone).
type PhoneCodeRequest struct {
	To    string `json:"to"`
	Phone string `json:"phone,omitempty"`
}

// PhoneCodeSent says a code is on its way, and to which number (masked).
type PhoneCodeSent struct {
	CodeSent
	Phone string `json:"phone"`
}

// PhoneChangeRequest changes the bound number. Exactly one proof of the
// old side: OldCode, or RealName and IDNumber with ConsentReal.
type PhoneChangeRequest struct {
	NewPhone    string `json:"new_phone"`
	NewCode     string `json:"new_code"`
	OldCode     string `json:"old_code,omitempty"`
	RealName    string `json:"real_name,omitempty"`
	IDNumber    string `json:"id_number,omitempty"`
	ConsentReal bool   `json:"consent_real_name_use,omitempty"`
}

// PhoneChanged is the outcome of a change.
type PhoneChanged struct {
	Phone         string    `json:"phone"` // masked
	BoundAt       time.Time `json:"bound_at"`
	CodeLogin     bool      `json:"code_login"`
	SessionsEnded int       `json:"sessions_ended"`
}

var errPhoneTaken = minimall.Errorf(minimall.Conflict, "account.ChangePhone",
	"This number is already bound to another account. 该手机号已绑定其他账号。")

// boundRow is what a phone change reads of the account.
type boundRow struct {
	phoneSealed  []byte
	phoneVersion uint64 // the sealed phone's counter (privacy.FieldSpec.Versioned)
	boundVersion uint64 // the sealed binding date's counter
	phoneIdx     []byte
	recycled     bool
}

func (s *Service) boundPhone(ctx context.Context, op string, a minimall.Actor) (*boundRow, error) {
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	var r boundRow
	var recycled int64
	err := s.db.QueryRowContext(ctx, `SELECT phone_sealed, phone_version, phone_bound_at_version, phone_index, phone_recycled_at FROM accounts WHERE subject = ? AND status = ?`,
		string(a.Subject), StatusActive).Scan(&r.phoneSealed, &r.phoneVersion, &r.boundVersion, &r.phoneIdx, &recycled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, minimall.Errorf(minimall.Conflict, op, "Only an active account can change its number. 仅正常状态的账号可更换手机号。")
	}
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	r.recycled = recycled != 0
	return &r, nil
}

// newPhone checks the number to bind: well formed, not the current one,
// not bound to another account (without saying whose).
func (s *Service) newPhone(ctx context.Context, op string, subject minimall.SubjectID, cur *boundRow, phone string) (string, []byte, error) {
	p, err := mobile.Normalize(phone)
	if err != nil {
		return "", nil, err
	}
	idx := s.phoneIndex(p)
	if bytes.Equal(idx, cur.phoneIdx) {
		return "", nil, minimall.Errorf(minimall.Invalid, op, "That is the number already bound. 该号码即当前绑定的手机号。")
	}
	var other string
	err = s.db.QueryRowContext(ctx, `SELECT subject FROM accounts WHERE phone_index = ? OR phone_index = ?`, idx, s.pendingIndex(idx)).Scan(&other)
	if err == nil && other != string(subject) {
		return "", nil, errPhoneTaken
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", nil, sqldb.FormatError(op, err)
	}
	return p, idx, nil
}

// SendPhoneCode sends a phone-change code to the actor's bound number or
// to the new one. Returns Unauthorized for a visitor, Invalid for a bad
// request, Denied for the old number when the carrier said it changed
// hands (use the real-name path), Conflict for a new number bound to
// another account, TooMany past the code limits.
func (s *Service) SendPhoneCode(ctx context.Context, a minimall.Actor, req PhoneCodeRequest, client, requestID string) (*PhoneCodeSent, error) {
	const op = "account.SendPhoneCode"
	cur, err := s.boundPhone(ctx, op, a)
	if err != nil {
		return nil, err
	}
	// Counted per account too, refusals included: the "bound to another
	// account" answer must not become a way to test many numbers.
	limited := func() error {
		if !s.limits.allow("phonecode:"+string(a.Subject), s.cfg.CodesPerHour, time.Hour, s.db.Now()) {
			return minimall.Errorf(minimall.TooMany, op, "Too many codes requested; wait and try again. 验证码请求过于频繁，请稍后再试。")
		}
		return nil
	}
	var phone, purpose string
	var idx []byte
	switch req.To {
	case "old":
		if err := limited(); err != nil {
			return nil, err
		}
		if cur.recycled {
			return nil, errOldNumberGone
		}
		system := minimall.SystemActor("phone-change")
		system.Reason = requestID
		if phone, err = s.k.Guard().OpenVersionString(ctx, system, a.Subject, privacy.AccountPhone, privacy.ForLogin, string(a.Subject), cur.phoneVersion, cur.phoneSealed); err != nil {
			return nil, err
		}
		purpose, idx = CodePhoneOld, cur.phoneIdx
	case "new":
		if _, err := mobile.Normalize(req.Phone); err != nil {
			return nil, err
		}
		if err := limited(); err != nil {
			return nil, err
		}
		if phone, idx, err = s.newPhone(ctx, op, a.Subject, cur, req.Phone); err != nil {
			return nil, err
		}
		purpose = CodePhoneNew
	default:
		return nil, minimall.Errorf(minimall.Invalid, op, `to must be "old" or "new". to 须为 old 或 new。`)
	}
	text := "【minimall】您正在更换绑定手机，验证码 %s，%d分钟内有效，请勿告诉他人。Your minimall phone-change code is %s."
	sent, err := s.issueCode(ctx, a.Subject, phone, idx, purpose, text, client, requestID)
	if err != nil {
		return nil, err
	}
	return &PhoneCodeSent{CodeSent: *sent, Phone: mobile.Mask(phone)}, nil
}

var errOldNumberGone = minimall.Errorf(minimall.Denied, "account.ChangePhone",
	"The carrier reports your bound number changed hands, so it cannot prove anything; change it with your real name and ID number instead. "+
		"运营商核验您绑定的手机号已二次放号，无法用于验证；请改用姓名和证件号码核验后更换。")

// issueCode makes a one-time code for phone (its blind index idx) and
// sends it by SMS with text (code, minutes, code), under the same limits
// as SendCode: one per phone per cooldown, CodesPerHour per phone, four
// times as many per client.
func (s *Service) issueCode(ctx context.Context, subject minimall.SubjectID, phone string, idx []byte, purpose, text, client, requestID string) (*CodeSent, error) {
	const op = "account.SendCode"
	now := s.db.Now()
	key := hex.EncodeToString(idx)
	if !s.limits.allow("cool:"+key, 1, s.cfg.CodeCooldown, now) ||
		!s.limits.allow("code:"+key, s.cfg.CodesPerHour, time.Hour, now) ||
		!s.limits.allow("codeclient:"+client, s.cfg.CodesPerHour*4, time.Hour, now) {
		return nil, minimall.Errorf(minimall.TooMany, op, "Too many codes requested; wait and try again. 验证码请求过于频繁，请稍后再试。")
	}
	code := randomDigits(6)
	sent := &CodeSent{ID: "vc_" + minimall.RandomToken(8), ExpiresAt: now.Add(s.cfg.CodeTTL)}
	_, err := s.db.ExecContext(ctx, `INSERT INTO verification_codes (id, phone_index, purpose, code_hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		sent.ID, idx, purpose, s.codeHash(sent.ID, code), sqldb.Micros(sent.ExpiresAt), sqldb.Micros(now))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	msg := fmt.Sprintf(text, code, int(s.cfg.CodeTTL.Minutes()), code)
	if c, ok := s.sms.(Claimer); ok && subject == "" && purpose == CodeRegister {
		// Sent before the account exists: the account, once registered
		// with this phone, takes the message over (Register).
		err = c.SendUnclaimed(ctx, phone, msg, codePurpose(purpose), registerClaim(idx), requestID)
	} else {
		err = s.sms.SendSMS(ctx, subject, phone, msg, codePurpose(purpose), requestID)
	}
	if err != nil {
		return nil, err
	}
	return sent, nil
}

// ChangePhone binds a new number to the actor's account. Returns
// Unauthorized for a visitor; Invalid for a bad request or a wrong or
// expired code; Denied for an old-number code when that number changed
// hands, for the real-name path on an account that is not real-name
// verified, and for a real name that does not match; Conflict for a new
// number bound to another account; TooMany past the limits.
func (s *Service) ChangePhone(ctx context.Context, a minimall.Actor, req PhoneChangeRequest, client, requestID string) (*PhoneChanged, error) {
	const op = "account.ChangePhone"
	cur, err := s.boundPhone(ctx, op, a)
	if err != nil {
		return nil, err
	}
	byCode := req.OldCode != ""
	byRealName := req.RealName != "" || req.IDNumber != ""
	switch {
	case byCode == byRealName:
		return nil, minimall.Errorf(minimall.Invalid, op, "Prove the old number with old_code, or with real_name and id_number if you no longer have it; not both. 请用旧手机号验证码（old_code）或姓名与证件号码之一证明身份。")
	case byRealName && (req.RealName == "" || req.IDNumber == ""):
		return nil, minimall.Errorf(minimall.Invalid, op, "Give both your real name and your ID number. 姓名和证件号码须同时提供。")
	case byRealName && !req.ConsentReal:
		return nil, minimall.Errorf(minimall.Invalid, op, "Agree to the use of your real name and ID number for this (consent_real_name_use). 请同意将您的姓名和证件号码用于本次核验。")
	case req.NewCode == "":
		return nil, minimall.Errorf(minimall.Invalid, op, "Give the code sent to the new number (new_code). 请提供发送到新手机号的验证码。")
	}
	now := s.db.Now()
	if !s.limits.allow("phonechange:"+string(a.Subject), phoneChangesPerAccount, time.Hour, now) ||
		!s.limits.allow("phonechangeclient:"+client, phoneChangesPerClient, time.Hour, now) {
		return nil, minimall.Errorf(minimall.TooMany, op, "Too many attempts; wait an hour. 尝试过于频繁，请一小时后再试。").After(time.Hour)
	}
	phone, idx, err := s.newPhone(ctx, op, a.Subject, cur, req.NewPhone)
	if err != nil {
		return nil, err
	}
	newCode, err := s.verifyCode(ctx, idx, CodePhoneNew, req.NewCode)
	if err != nil {
		return nil, err
	}
	var oldCode string
	if byCode {
		if cur.recycled {
			return nil, errOldNumberGone
		}
		if oldCode, err = s.verifyCode(ctx, cur.phoneIdx, CodePhoneOld, req.OldCode); err != nil {
			return nil, err
		}
	} else if err := s.phoneChangeRealName(ctx, a.Subject, req, requestID); err != nil {
		s.k.AuditAppend(ctx, a, a.Subject, "phone_change", "real_name_mismatch")
		return nil, err
	}
	oldPhone, err := s.k.Guard().OpenVersionString(ctx, a, a.Subject, privacy.AccountPhone, privacy.ForAccount, string(a.Subject), cur.phoneVersion, cur.phoneSealed)
	if err != nil {
		return nil, err
	}
	out, err := s.rebind(ctx, a, cur, phone, idx, newCode, oldCode)
	if err != nil {
		return nil, err
	}
	proof := "old_code"
	if !byCode {
		proof = "real_name"
	}
	s.k.AuditAppend(ctx, a, a.Subject, "phone_change", "changed_by_"+proof)
	// Told on both numbers; the old one only while it is still the person's.
	notice := "【minimall】您的账号已将绑定手机更换为 %s，如非本人操作请立即联系客服。Your minimall account's phone number was changed to %s; if this was not you, contact customer service."
	masked := mobile.Mask(phone)
	_ = s.sms.SendSMS(ctx, a.Subject, phone, fmt.Sprintf(notice, masked, masked), privacy.ForNotification, requestID)
	if !cur.recycled {
		_ = s.sms.SendSMS(ctx, a.Subject, oldPhone, fmt.Sprintf(notice, masked, masked), privacy.ForNotification, requestID)
	}
	return out, nil
}

// phoneChangeRealName is the recovery path's real-name step for a person
// who lost the old number: the account must be real-name verified, and
// the name and ID number must match, opened for account recovery only
// with the separate consent given in this request (recorded first).
func (s *Service) phoneChangeRealName(ctx context.Context, subject minimall.SubjectID, req PhoneChangeRequest, requestID string) error {
	const op = "account.ChangePhone"
	notVerified := minimall.Errorf(minimall.Denied, op, "Without the old number, only a real-name verified account can change its number here; contact customer service. 无旧手机号时，仅已实名认证的账号可在此更换手机号，请联系客服。")
	if s.identity == nil {
		return notVerified
	}
	verified, err := s.identity.RealNameVerified(ctx, subject)
	if err != nil {
		return err
	}
	if !verified {
		return notVerified
	}
	if _, err := s.k.Consents.Record(ctx, privacy.ConsentChange{Subject: subject, Scope: privacy.FeatureScope(privacy.FeatAccountRecovery),
		Kind: privacy.Separate, Action: privacy.Grant, Channel: "api", Evidence: requestID}); err != nil {
		return err
	}
	ok, err := s.identity.MatchRealName(ctx, subject, req.RealName, req.IDNumber, requestID)
	if err != nil {
		return err
	}
	if !ok {
		return minimall.Errorf(minimall.Denied, op, "The real name and ID number do not match the account's. 姓名或证件号码与账号实名信息不一致。")
	}
	return nil
}

// rebind writes the new number in one transaction: both codes spent, the
// blind index, the sealed number and a fresh binding date replaced, the
// carrier's answers about the old number dropped, every session but the
// current one ended on every node.
func (s *Service) rebind(ctx context.Context, a minimall.Actor, cur *boundRow, phone string, idx []byte, newCode, oldCode string) (*PhoneChanged, error) {
	const op = "account.ChangePhone"
	g, row := s.k.Guard(), string(a.Subject)
	// The counter moves on with every seal, so the old number's
	// ciphertext, written back into the cell, no longer opens.
	version := cur.phoneVersion + 1
	sealedPhone, err := g.SealVersion(ctx, a.Subject, privacy.AccountPhone, row, version, []byte(phone))
	if err != nil {
		return nil, err
	}
	// Sealed before the write, which only runs SQL: the binding date is
	// now, not the commit's time.
	bound := s.db.Now()
	sealedBound, err := g.SealVersion(ctx, a.Subject, privacy.PhoneBoundAt, row, cur.boundVersion+1, []byte(bound.Format(time.RFC3339)))
	if err != nil {
		return nil, err
	}
	var ended []string
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		for _, id := range []string{newCode, oldCode} {
			if id == "" {
				continue
			}
			if err := spendCode(ctx, tx, id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET phone_index = ?, phone_sealed = ?, phone_version = ?, phone_bound_at_sealed = ?, phone_bound_at_version = ?,
			phone_risk_sealed = NULL, phone_confirmed_at = 0, phone_recycled_at = 0
			WHERE subject = ? AND status = ? AND phone_index = ? AND phone_version = ? AND phone_bound_at_version = ?`,
			idx, sealedPhone, version, sealedBound, cur.boundVersion+1, row, StatusActive, cur.phoneIdx, cur.phoneVersion, cur.boundVersion)
		if err != nil {
			if err = sqldb.FormatError(op, err); minimall.IsCode(err, minimall.Conflict) {
				return errPhoneTaken
			}
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return minimall.Errorf(minimall.Conflict, op, "The account changed meanwhile; try again. 账号状态已变化，请重试。")
		}
		ended, err = s.endSessions(ctx, tx, a.Subject, a.ID)
		if err != nil {
			return err
		}
		return outbox.Emit(ctx, tx, TopicPhoneChanged, a.Subject, nil)
	})
	if err != nil {
		return nil, err
	}
	for _, id := range ended {
		s.ForgetSession(id)
	}
	return &PhoneChanged{Phone: mobile.Mask(phone), BoundAt: bound.Truncate(time.Second), CodeLogin: true, SessionsEnded: len(ended)}, nil
}
