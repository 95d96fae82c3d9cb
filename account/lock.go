package account

import (
	"context"
	"time"

	"minimall"
	"minimall/mobile"
	"minimall/outbox"
	"minimall/privacy"
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
	// Journalled first: a restore of a data backup taken before locks the
	// account again (replayLock).
	if err := s.k.RecordAct(ctx, a.Subject, privacy.ActAccountLocked, ""); err != nil {
		return err
	}
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		_, err := lockTx(ctx, tx, a.Subject, tx.Now())
		return err
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
	var subject string
	if err := s.db.QueryRowContext(ctx, `SELECT subject FROM accounts WHERE phone_index = ? AND status <> ?`, idx, StatusDeregistered).Scan(&subject); err != nil {
		// The code proved the phone; say no more than that nothing was locked.
		return minimall.Errorf(minimall.NotFound, op, "No account to unlock for this number. 该号码没有可解锁的账号。")
	}
	// Journalled too, so that after a restore the last of a lock and an
	// unlock holds.
	if err := s.k.RecordAct(ctx, minimall.SubjectID(subject), privacy.ActAccountUnlocked, ""); err != nil {
		return err
	}
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := spendCode(ctx, tx, id); err != nil {
			return err
		}
		// The code proved the phone, as a code sign-in does: the wait after
		// wrong passwords ends too.
		if err := clearThrottleTx(ctx, tx, minimall.SubjectID(subject)); err != nil {
			return err
		}
		_, err := unlockTx(ctx, tx, minimall.SubjectID(subject))
		return err
	})
}

// lockTx locks subject's active account and ends its sessions begun by
// at; it reports whether the account was active.
func lockTx(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID, at time.Time) (bool, error) {
	const op = "account.Lock"
	res, err := tx.ExecContext(ctx, `UPDATE accounts SET status = ? WHERE subject = ? AND status = ?`, StatusLocked, string(subject), StatusActive)
	if err != nil {
		return false, sqldb.FormatError(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if err := revokeSessionsTx(ctx, tx, subject, at); err != nil {
		return false, err
	}
	return true, outbox.Emit(ctx, tx, TopicLocked, subject, nil)
}

// unlockTx unlocks subject's locked account; it reports whether the
// account was locked.
func unlockTx(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE accounts SET status = ? WHERE subject = ? AND status = ?`, StatusActive, string(subject), StatusLocked)
	if err != nil {
		return false, sqldb.FormatError("account.Unlock", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, outbox.Emit(ctx, tx, TopicUnlocked, subject, nil)
}

// revokeSessionsTx ends subject's live sessions begun by at, telling the
// change feed of each so every node drops it.
func revokeSessionsTx(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID, at time.Time) error {
	const op = "account.revokeSessions"
	ids, err := sqldb.Strings(ctx, tx, `SELECT id FROM sessions WHERE subject = ? AND revoked_at = 0 AND created_at <= ?`, string(subject), sqldb.Micros(at))
	if err != nil {
		return sqldb.FormatError(op, err)
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE id = ?`, sqldb.Micros(tx.Now()), id); err != nil {
			return sqldb.FormatError(op, err)
		}
		if err := outbox.Emit(ctx, tx, TopicSessionRevoked, subject, map[string]string{"session": id}); err != nil {
			return err
		}
	}
	return nil
}

// Replays of held acts (privacy.HeldAct) onto data restored from a backup
// taken before them.

func (s *Service) replayLock(ctx context.Context, tx *sqldb.Tx, a privacy.HeldAct) (bool, error) {
	return lockTx(ctx, tx, a.Subject, a.At)
}

func (s *Service) replayUnlock(ctx context.Context, tx *sqldb.Tx, a privacy.HeldAct) (bool, error) {
	return unlockTx(ctx, tx, a.Subject)
}

// replayPasswordReset makes a password the person replaced unusable: the
// new one is not in the data restored (and never leaves it), so the
// person signs in with a texted code and sets a password again (account
// recovery). Sessions begun before the reset end, as the reset ended them.
func (s *Service) replayPasswordReset(ctx context.Context, tx *sqldb.Tx, a privacy.HeldAct) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = ?, password_set_at = ? WHERE subject = ? AND password_set_at < ?`,
		unusablePassword, sqldb.Micros(a.At), string(a.Subject), sqldb.Micros(a.At))
	if err != nil {
		return false, sqldb.FormatError("account.replayPasswordReset", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, revokeSessionsTx(ctx, tx, a.Subject, a.At)
}

// unusablePassword is a password hash no password matches (checkPassword
// refuses anything but an argon2id PHC string).
const unusablePassword = "!reset-replayed"

// registerReplays names the account's replays of held acts.
func (s *Service) registerReplays() {
	if s.k == nil {
		return
	}
	s.k.OnReplayAct(privacy.ActAccountLocked, s.replayLock)
	s.k.OnReplayAct(privacy.ActAccountUnlocked, s.replayUnlock)
	s.k.OnReplayAct(privacy.ActPasswordReset, s.replayPasswordReset)
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
