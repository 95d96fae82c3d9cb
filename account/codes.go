package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"math/big"
	"time"

	"minimall"
	"minimall/mobile"
	"minimall/privacy"
	"minimall/sqldb"
)

// Code purposes.
const (
	CodeRegister = "register"
	CodeLogin    = "login"
)

// CodeRequest asks for a one-time code by SMS.
type CodeRequest struct {
	Phone   string `json:"phone"`
	Purpose string `json:"purpose"` // register, login, unlock, recover, guardian or recipient
}

// CodeSent says a code is on its way; it never contains the code.
type CodeSent struct {
	ID        string    `json:"id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Sender hands an SMS to the SMS partner through the partner gateway.
// subject is empty before an account exists.
type Sender interface {
	SendSMS(ctx context.Context, subject minimall.SubjectID, phone, text string, p privacy.Purpose, requestID string) error
}

// Claimer is a Sender that can log a message sent before an account exists
// under a claim, and attach it to the account registered afterwards, so
// the person's sharing list shows the registration codes and the deletion
// notices of their erasure reach the SMS partner too (partner.SMS).
type Claimer interface {
	SendUnclaimed(ctx context.Context, phone, text string, p privacy.Purpose, claim, requestID string) error
	ClaimSMS(ctx context.Context, tx *sqldb.Tx, claim string, subject minimall.SubjectID) error
}

// registerClaim is the claim of the registration codes sent to the phone
// whose blind index is idx: the index itself, pseudonymous like the one in
// accounts.phone_index.
func registerClaim(idx []byte) string { return "register:" + hex.EncodeToString(idx) }

// SendCode sends a one-time code to phone. Limits: one code per phone per
// CodeCooldown, CodesPerHour per phone and per client. Returns Invalid for
// a malformed phone or purpose, TooMany past a limit, Unavailable if the
// SMS partner fails.
func (s *Service) SendCode(ctx context.Context, req CodeRequest, client, requestID string) (*CodeSent, error) {
	const op = "account.SendCode"
	phone, err := mobile.Normalize(req.Phone)
	if err != nil {
		return nil, minimall.AtField(err, "phone")
	}
	if !validCodePurpose(req.Purpose) {
		return nil, minimall.InvalidField(op, "purpose", minimall.RuleChoice, "purpose must be register, login, unlock, recover, guardian or recipient. 用途须为 register、login、unlock、recover、guardian 或 recipient。")
	}
	idx := s.phoneIndex(phone)
	return s.issueCode(ctx, s.codeSubject(ctx, req.Purpose, idx), phone, idx, req.Purpose, codeText, client, requestID)
}

// codeText is the SMS of a one-time code: code, minutes valid, code.
const codeText = "【minimall】验证码 %s，%d分钟内有效，请勿告诉他人。Your minimall code is %s."

// verifyCode finds the newest unused code for phone and purpose and checks
// it, without spending it: a wrong code counts an attempt (committed at
// once), and MaxCodeAttempts wrong ones spend it. It returns the code's id,
// to be spent with spendCode in the transaction that uses it. Returns
// Invalid for a wrong or expired code.
func (s *Service) verifyCode(ctx context.Context, phoneIdx []byte, purpose, code string) (string, error) {
	const op = "account.verifyCode"
	wrong := &minimall.Error{Code: minimall.Invalid, Op: op, Rule: minimall.RuleMismatch, Message: "The code is wrong or has expired; ask for a new one. 验证码错误或已过期，请重新获取。"}
	var id string
	var hash []byte
	var attempts int
	var expires int64
	err := s.db.QueryRowContext(ctx, `SELECT id, code_hash, attempts, expires_at FROM verification_codes
		WHERE phone_index = ? AND purpose = ? AND used_at = 0 ORDER BY created_at DESC LIMIT 1`, phoneIdx, purpose).Scan(&id, &hash, &attempts, &expires)
	if err != nil {
		if err = sqldb.FormatError(op, err); minimall.IsCode(err, minimall.NotFound) {
			return "", wrong
		}
		return "", err
	}
	if s.db.Now().After(sqldb.FromMicros(expires)) || attempts >= s.cfg.MaxCodeAttempts {
		return "", wrong
	}
	if subtle.ConstantTimeCompare(hash, s.codeHash(id, code)) != 1 {
		if _, err := s.db.ExecContext(ctx, `UPDATE verification_codes SET attempts = attempts + 1 WHERE id = ?`, id); err != nil {
			return "", sqldb.FormatError(op, err)
		}
		return "", wrong
	}
	return id, nil
}

// spendCode marks a verified code used inside tx; a code spent by a
// concurrent request in the meantime is refused.
func spendCode(ctx context.Context, tx *sqldb.Tx, id string) error {
	res, err := tx.ExecContext(ctx, `UPDATE verification_codes SET used_at = ? WHERE id = ? AND used_at = 0`, sqldb.Micros(tx.Now()), id)
	if err != nil {
		return sqldb.FormatError("account.spendCode", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return minimall.Errorf(minimall.Invalid, "account.spendCode", "The code was already used; ask for a new one. 验证码已使用，请重新获取。")
	}
	return nil
}

// codeHash is keyed: a copy of the database does not let anyone try the
// million six-digit codes offline.
func (s *Service) codeHash(id, code string) []byte {
	return s.k.BlindIndex(privacy.AccountPhone, []byte("code\x00"+id+"\x00"+code))
}

func (s *Service) phoneIndex(phone string) []byte {
	return s.k.BlindIndex(privacy.AccountPhone, []byte(phone))
}

func randomDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		b[i] = byte('0' + d.Int64())
	}
	return string(b)
}

// codePurpose is what a one-time code's SMS serves, as the sharing list
// shows it: a registration code opens an account, a recovery code recovers
// one, and the others sign a person in.
func codePurpose(code string) privacy.Purpose {
	switch code {
	case CodeRegister:
		return privacy.ForAccount
	case CodeRecover:
		return privacy.ForAccountRecovery
	case CodeRecipient:
		return privacy.ForRightsRequest
	}
	return privacy.ForLogin
}

// codeSubject names whose phone a code goes to, so the disclosure shows in
// that person's sharing list: the account holder for sign-in, unlock and
// recovery codes. A registration or guardian code goes to a number no
// account holds yet (""), and an unknown number stays "" too.
func (s *Service) codeSubject(ctx context.Context, purpose string, phoneIndex []byte) minimall.SubjectID {
	if purpose != CodeLogin && purpose != CodeUnlock && purpose != CodeRecover {
		return ""
	}
	var subject string
	if err := s.db.QueryRowContext(ctx, `SELECT subject FROM accounts WHERE phone_index = ?`, phoneIndex).Scan(&subject); err != nil {
		return ""
	}
	return minimall.SubjectID(subject)
}
