package account

import (
	"context"

	"minimall"
	"minimall/mobile"
	"minimall/outbox"
	"minimall/sqldb"
)

// CodeUnlock is the purpose of a code that unlocks a locked account.
const CodeUnlock = "unlock"

// Lock locks the actor's account at once (五(三)4 账号锁定): every session
// ends and nobody can sign in until the holder unlocks it with an SMS code
// sent to the account's phone.
func (s *Service) Lock(ctx context.Context, a minimall.Actor) error {
	const op = "account.Lock"
	if err := minimall.SignedIn(a, op); err != nil {
		return err
	}
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		now := sqldb.Micros(tx.Now())
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET status = ? WHERE subject = ? AND status = ?`, StatusLocked, string(a.Subject), StatusActive); err != nil {
			return sqldb.FormatError(op, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE subject = ? AND revoked_at = 0`, now, string(a.Subject)); err != nil {
			return sqldb.FormatError(op, err)
		}
		return outbox.Emit(ctx, tx, TopicLocked, a.Subject, nil)
	})
	if err != nil {
		return err
	}
	s.forgetSubject(a.Subject)
	return nil
}

// UnlockRequest proves possession of the account's phone.
type UnlockRequest struct {
	Phone string `json:"phone"`
	Code  string `json:"code"`
}

// Unlock unlocks an account its holder locked, and ends any wait after
// wrong passwords. Returns Invalid for a wrong or expired code.
func (s *Service) Unlock(ctx context.Context, req UnlockRequest) error {
	const op = "account.Unlock"
	phone, err := mobile.Normalize(req.Phone)
	if err != nil {
		return err
	}
	idx := s.phoneIndex(phone)
	id, err := s.verifyCode(ctx, idx, CodeUnlock, req.Code)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := spendCode(ctx, tx, id); err != nil {
			return err
		}
		var subject string
		if err := tx.QueryRowContext(ctx, `SELECT subject FROM accounts WHERE phone_index = ? AND status <> ?`, idx, StatusDeregistered).Scan(&subject); err != nil {
			// The code proved the phone; say no more than that nothing was locked.
			return minimall.Errorf(minimall.NotFound, op, "No account to unlock for this number. 该号码没有可解锁的账号。")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET status = ? WHERE subject = ?`, StatusActive, subject); err != nil {
			return sqldb.FormatError(op, err)
		}
		// The code proved the phone, as a code sign-in does: the wait after
		// wrong passwords ends too.
		if err := clearThrottleTx(ctx, tx, minimall.SubjectID(subject)); err != nil {
			return err
		}
		return outbox.Emit(ctx, tx, TopicUnlocked, minimall.SubjectID(subject), nil)
	})
}

// forgetSubject drops every cached session of a subject.
func (s *Service) forgetSubject(subject minimall.SubjectID) {
	s.sessions.mu.Lock()
	for k, c := range s.sessions.m {
		if c.subject == subject {
			delete(s.sessions.m, k)
		}
	}
	s.sessions.mu.Unlock()
}
