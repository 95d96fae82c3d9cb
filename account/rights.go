package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"minimall"
	"minimall/mobile"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/rights"
	"minimall/sqldb"
)

// CodeRights is the purpose of a code that confirms a rights request
// (policy 四(七): we verify your identity before serving it).
const CodeRights = "rights"

// SendRightsCode sends a one-time code to subject's account phone and
// returns the masked number. Returns NotFound for no active account,
// TooMany past the code limits, Unavailable if the SMS partner fails.
func (s *Service) SendRightsCode(ctx context.Context, subject minimall.SubjectID, requestID string) (string, error) {
	const op = "account.SendRightsCode"
	phone, err := s.accountPhone(ctx, op, subject)
	if err != nil {
		return "", err
	}
	now := s.db.Now()
	if !s.limits.allow("code:rights:"+string(subject), s.cfg.CodesPerHour, time.Hour, now) {
		return "", minimall.Errorf(minimall.TooMany, op, "Too many codes requested; wait and try again. 验证码请求过于频繁，请稍后再试。")
	}
	code := randomDigits(6)
	id := "vc_" + minimall.RandomToken(8)
	_, err = s.db.ExecContext(ctx, `INSERT INTO verification_codes (id, phone_index, purpose, code_hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		id, s.phoneIndex(phone), CodeRights, s.codeHash(id, code), sqldb.Micros(now.Add(s.cfg.CodeTTL)), sqldb.Micros(now))
	if err != nil {
		return "", sqldb.FormatError(op, err)
	}
	text := fmt.Sprintf("【minimall】您正在办理个人信息权利请求，验证码 %s，%d分钟内有效。Your minimall rights-request code is %s.", code, int(s.cfg.CodeTTL.Minutes()), code)
	if err := s.sms.SendSMS(ctx, subject, phone, text, privacy.ForRightsRequest, requestID); err != nil {
		return "", err
	}
	return mobile.Mask(phone), nil
}

// accountPhone opens the phone of an active account, to send it a code.
func (s *Service) accountPhone(ctx context.Context, op string, subject minimall.SubjectID) (string, error) {
	var sealed []byte
	var version uint64
	err := s.db.QueryRowContext(ctx, `SELECT phone_sealed, phone_version FROM accounts WHERE subject = ? AND status = ?`, string(subject), StatusActive).Scan(&sealed, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return "", minimall.Errorf(minimall.NotFound, op, "No active account. 没有有效的账户。")
	}
	if err != nil {
		return "", sqldb.FormatError(op, err)
	}
	// A code proves the person holds the phone: that is sign-in's purpose.
	return s.k.Guard().OpenVersionString(ctx, minimall.SystemActor("rights-code"), subject, privacy.AccountPhone, privacy.ForLogin, string(subject), version, sealed)
}

// CheckRightsCode checks a code sent by SendRightsCode, without spending
// it. A number the carrier said changed hands cannot prove anything any
// more: the person must go through customer service. Returns Invalid for a
// wrong or expired code, Denied for a recycled number.
func (s *Service) CheckRightsCode(ctx context.Context, subject minimall.SubjectID, code string) (string, error) {
	const op = "account.CheckRightsCode"
	var recycled int64
	if err := s.db.QueryRowContext(ctx, `SELECT phone_recycled_at FROM accounts WHERE subject = ?`, string(subject)).Scan(&recycled); err != nil {
		return "", sqldb.FormatError(op, err)
	}
	if recycled != 0 {
		return "", minimall.Errorf(minimall.Denied, op, "Your number changed hands; contact customer service to prove it is you. 您的手机号已被二次放号，请联系客服核验身份。")
	}
	phone, err := s.accountPhone(ctx, op, subject)
	if err != nil {
		return "", err
	}
	return s.verifyCode(ctx, s.phoneIndex(phone), CodeRights, code)
}

// SubjectByPhone finds the active account registered with phone. Returns
// Invalid for a malformed phone, NotFound for none.
func (s *Service) SubjectByPhone(ctx context.Context, phone string) (minimall.SubjectID, error) {
	const op = "account.SubjectByPhone"
	idx, err := s.PhoneIndex(phone)
	if err != nil {
		return "", err
	}
	var subject string
	err = s.db.QueryRowContext(ctx, `SELECT subject FROM accounts WHERE phone_index = ? AND status <> ?`, idx, StatusDeregistered).Scan(&subject)
	if errors.Is(err, sql.ErrNoRows) {
		return "", minimall.Errorf(minimall.NotFound, op, "No account with this number. 该号码没有注册账户。")
	}
	return minimall.SubjectID(subject), sqldb.FormatError(op, err)
}

// RightsPart returns the account area's part of rights requests: the
// account and the optional profile.
func (s *Service) RightsPart() rights.Part { return accountPart{s} }

// The account area's tables; their sealed columns come from the registry.
var (
	accountsTable = privacy.TableOf("accounts")
	profilesTable = privacy.TableOf("profiles")
)

// fieldColumns maps each sealed field of t to its column.
func fieldColumns(t *privacy.Table) map[privacy.Field]string {
	m := map[privacy.Field]string{}
	for _, s := range t.Sealed() {
		m[s.Field] = s.Column
	}
	return m
}

type accountPart struct{ s *Service }

func (accountPart) Name() string { return "account" }

func (accountPart) Holds() []privacy.Field { return rights.Holds(accountsTable, profilesTable) }

func (p accountPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	const op = "account.RightsExport"
	sec, err := rights.ExportTables(ctx, p.s.db, p.s.k.Guard(), a, subject, "account", accountsTable, profilesTable)
	if err != nil {
		return sec, err
	}
	var hash string
	err = p.s.db.QueryRowContext(ctx, `SELECT password_hash FROM accounts WHERE subject = ?`, string(subject)).Scan(&hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return rights.Section{}, sqldb.FormatError(op, err)
	}
	if hash != "" {
		// The password itself is never stored; showing the hash would only
		// help someone guess it.
		sec.Values = append(sec.Values, rights.Value{Field: privacy.PasswordHash, Row: string(subject), Value: "[argon2id 不可逆哈希，不显示 / one-way hash, not shown]"})
	}
	return sec, nil
}

// Correct changes the profile through UpdateProfile and the member name
// through its uniqueness rule; the phone is changed by rebinding and the
// password by recovery, each with its own checks.
func (p accountPart) Correct(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, f privacy.Field, value, requestID string) error {
	const op = "account.RightsCorrect"
	// The person, or a child's guardian acting for the child (七).
	if (a.Kind != minimall.Shopper && a.Kind != minimall.Guardian) || a.Subject != subject {
		return minimall.Errorf(minimall.Denied, op, "Only the person may correct their account. 仅本人可更正账户信息。")
	}
	v, guardian := value, a.Kind == minimall.Guardian
	switch f {
	case privacy.Nickname:
		return p.s.updateProfile(ctx, subject, ProfileUpdate{Nickname: &v}, requestID, guardian)
	case privacy.Gender:
		return p.s.updateProfile(ctx, subject, ProfileUpdate{Gender: &v}, requestID, guardian)
	case privacy.Avatar:
		return p.s.updateProfile(ctx, subject, ProfileUpdate{Avatar: &v}, requestID, guardian)
	case privacy.BirthdayMonth:
		return p.s.updateProfile(ctx, subject, ProfileUpdate{Birthday: &v}, requestID, guardian)
	case privacy.MemberName:
		return p.s.rename(ctx, subject, value)
	}
	return rights.NotHere(op, f)
}

// rename sets a new member name. Returns Invalid for a bad name, Conflict
// for one taken.
func (s *Service) rename(ctx context.Context, subject minimall.SubjectID, value string) error {
	const op = "account.Rename"
	name, err := ValidateMemberName(value)
	if err != nil {
		return minimall.AtField(err, "corrections.member_name")
	}
	sealed, err := s.k.Guard().Seal(ctx, subject, privacy.MemberName, string(subject), []byte(name))
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `UPDATE accounts SET member_name_sealed = ?, member_name_index = ? WHERE subject = ? AND status = ?`,
		sealed, s.nameIndex(name), string(subject), StatusActive)
	if err = sqldb.FormatError(op, err); minimall.IsCode(err, minimall.Conflict) {
		return minimall.Errorf(minimall.Conflict, op, "This member name is taken. 该会员名已被使用。")
	}
	return err
}

// Delete deletes chosen profile fields; the account's own fields are what
// the account is, so they go only with the whole account (fields empty):
// then the account is closed, its lookups freed, the password hash wiped
// and every session revoked on every node.
func (p accountPart) Delete(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, fields []privacy.Field, requestID string) (rights.Deleted, error) {
	d := rights.Deleted{Removed: map[privacy.Field]int{}, Kept: map[privacy.Field]string{}}
	if len(fields) > 0 {
		return d, p.s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error { return p.deleteProfile(ctx, tx, subject, fields, d) })
	}
	var ids []string
	err := p.s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := p.deleteProfile(ctx, tx, subject, fields, d); err != nil {
			return err
		}
		var err error
		ids, err = p.s.close(ctx, tx, subject)
		return err
	})
	if err != nil {
		return d, err
	}
	d.Removed[privacy.PasswordHash], d.Removed[privacy.AccountPhone], d.Removed[privacy.MemberName] = 1, 1, 1
	for _, id := range ids {
		p.s.ForgetSession(id)
	}
	p.s.forgetSubject(subject)
	return d, nil
}

// deleteProfile clears the profile fields asked for (all without a list)
// and says what the account keeps.
func (p accountPart) deleteProfile(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID, fields []privacy.Field, d rights.Deleted) error {
	const op = "account.RightsDelete"
	for f, col := range profileColumns {
		if !rights.Wants(fields, f) {
			continue
		}
		// The column name comes from the fixed map, never from input.
		res, err := tx.ExecContext(ctx, `UPDATE profiles SET `+col+` = NULL WHERE subject = ? AND `+col+` IS NOT NULL`, string(subject))
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		n, _ := res.RowsAffected()
		d.Removed[f] = int(n)
	}
	if len(fields) > 0 {
		for _, f := range fields {
			if _, profile := profileColumns[f]; !profile {
				d.Kept[f] = "账户本身所需，注销账户时删除 / what the account is; deleted when you deregister"
			}
		}
	}
	return nil
}

// close marks the account deregistered in tx: the phone and member name
// lookups become random tombstones (so both may be registered afresh and
// no blind index of the person remains), the password hash and the
// carrier's answer go, and every session is revoked with a change-feed
// event so other nodes drop their caches.
func (s *Service) close(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID) ([]string, error) {
	return closeAccount(ctx, tx, subject)
}

func closeAccount(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID) ([]string, error) {
	const op = "account.Close"
	tomb := func() []byte { return []byte("deregistered:" + minimall.RandomToken(16)) }
	_, err := tx.ExecContext(ctx, `UPDATE accounts SET status = ?, phone_index = ?, member_name_index = ?, password_hash = '', phone_risk_sealed = NULL WHERE subject = ?`,
		StatusDeregistered, tomb(), tomb(), string(subject))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM profiles WHERE subject = ?`, string(subject)); err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	ids, err := liveSessions(ctx, tx, subject)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE subject = ? AND revoked_at = 0`, sqldb.Micros(tx.Now()), string(subject)); err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	for _, id := range ids {
		if err := outbox.Emit(ctx, tx, TopicSessionRevoked, subject, map[string]string{"session": id}); err != nil {
			return nil, err
		}
	}
	return ids, outbox.Emit(ctx, tx, TopicDeregistered, subject, nil)
}

func (accountPart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}

// CodeRecipient is the purpose of a code sent to the phone an order names
// as its recipient's, for the recipient's own rights request (policy 四):
// the number need not hold an account.
const CodeRecipient = "recipient"

// Recipient-request limits per client per hour.
const recipientChecksPerClient = 20

// CheckRecipientCode checks a code sent to phone for a recipient's rights
// request, without spending it (rights.Accounts). Returns Invalid for a
// wrong or expired code, TooMany past the limit.
func (s *Service) CheckRecipientCode(ctx context.Context, phone, code, client string) (string, error) {
	const op = "account.CheckRecipientCode"
	if !s.limits.allow("recipientrights:"+client, recipientChecksPerClient, time.Hour, s.db.Now()) {
		return "", minimall.Errorf(minimall.TooMany, op, "Too many attempts; wait an hour. 尝试过于频繁，请一小时后再试。").After(time.Hour)
	}
	return s.verifyCode(ctx, s.phoneIndex(phone), CodeRecipient, code)
}
