package account

import (
	"context"

	"minimall"
	"minimall/lifecycle"
	"minimall/privacy"
	"minimall/sqldb"
)

// A child's account is held while no guardian's consent is in force: a
// registration waiting for one (StatusPendingGuardian), or an account whose
// guardian withdrew it (StatusGuardianWithdrawn). Neither waits for ever:
// held_until is when the hold lapses, and the retention sweeper then erases
// the account through the kernel (PIPL art. 31; art. 47: the purpose is
// gone, or consent withdrawn).
//
//   - A registration that never became an account is erased whole: every
//     key of the child is destroyed (nothing was bought, so no record is
//     kept for the E-commerce Law), and its rows go, the identity area's
//     record of the guardian procedure with them (Sweeper.Minors).
//   - An account whose guardian withdrew consent is closed like a
//     deregistration: the data key is destroyed, transaction records live
//     on under their retention keys for the legal duty only.

// Erasure reasons recorded in the erasure ledger and the audit chain.
const (
	ReasonHoldLapsed       = "guardian_consent_lapsed"
	ReasonGuardianWithdrew = "guardian_consent_withdrawn"
)

// sweepHolds erases every account whose hold lapsed before r.Now. It
// returns how many held registrations and how many withdrawn accounts went
// (or, in a dry run, would go).
func sweepHolds(ctx context.Context, w Sweeper, r lifecycle.Rules) (held, withdrawn int, err error) {
	const op = "account.SweepHolds"
	db := w.DB
	rows, err := db.QueryContext(ctx, `SELECT subject, status FROM accounts WHERE status IN (?, ?) AND held_until > 0 AND held_until <= ? ORDER BY subject`,
		StatusPendingGuardian, StatusGuardianWithdrawn, sqldb.Micros(r.Now))
	if err != nil {
		return 0, 0, sqldb.FormatError(op, err)
	}
	type lapsed struct {
		subject minimall.SubjectID
		status  string
	}
	var all []lapsed
	for rows.Next() {
		var l lapsed
		if err := rows.Scan(&l.subject, &l.status); err != nil {
			rows.Close()
			return 0, 0, sqldb.FormatError(op, err)
		}
		all = append(all, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, sqldb.FormatError(op, err)
	}
	for _, l := range all {
		if !r.DryRun {
			if err := eraseHold(ctx, w, l.subject, l.status); err != nil {
				return held, withdrawn, err
			}
		}
		if l.status == StatusPendingGuardian {
			held++
		} else {
			withdrawn++
		}
		if r.Progress != nil {
			r.Progress(1)
		}
	}
	return held, withdrawn, nil
}

// eraseHold erases one lapsed hold. The keys go first: should the rows
// then fail to go, the next sweep finds them again, and their sealed
// values are already unreadable.
func eraseHold(ctx context.Context, w Sweeper, subject minimall.SubjectID, status string) error {
	const op = "account.SweepHolds"
	db, k := w.DB, w.Kernel
	a := minimall.SystemActor("retention")
	scope, reason := privacy.EraseAll, ReasonHoldLapsed
	if status == StatusGuardianWithdrawn {
		scope, reason = privacy.EraseAccount, ReasonGuardianWithdrew
	}
	if err := k.Erase(ctx, a, subject, scope, reason); err != nil {
		return err
	}
	return db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if status == StatusGuardianWithdrawn {
			if _, err := closeAccount(ctx, tx, subject); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE accounts SET held_until = 0 WHERE subject = ?`, string(subject))
			return sqldb.FormatError(op, err)
		}
		return dropHeld(ctx, tx, w, subject)
	})
}

// dropHeld removes a registration that never became an account.
func dropHeld(ctx context.Context, tx *sqldb.Tx, w Sweeper, subject minimall.SubjectID) error {
	const op = "account.SweepHolds"
	row := string(subject)
	// Never an account: nothing of the registration is kept, nor the
	// identity area's record of this very hold.
	if w.Minors != nil {
		if err := w.Minors.DropMinorTx(ctx, tx, subject); err != nil {
			return err
		}
	}
	for _, q := range []string{`DELETE FROM sessions WHERE subject = ?`, `DELETE FROM profiles WHERE subject = ?`,
		`DELETE FROM accounts WHERE subject = ? AND status = '` + StatusPendingGuardian + `'`} {
		if _, err := tx.ExecContext(ctx, q, row); err != nil {
			return sqldb.FormatError(op, err)
		}
	}
	return nil
}
