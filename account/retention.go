package account

import (
	"context"
	"time"

	"minimall"
	"minimall/lifecycle"
	"minimall/privacy"
	"minimall/sqldb"
)

// codeGrace keeps a spent or expired one-time code a day, so the send
// cooldown and the attempt count still see it; after that it serves no one.
const codeGrace = 24 * time.Hour

// Sweeper removes one-time codes once they are past use, sign-in
// throttling counters a day after their last wrong password, and sessions
// six months after they ended: a sign-in record is a security log
// (Cybersecurity Law art. 21: at least six months). It erases children's
// accounts whose hold lapsed (held.go): a registration no guardian
// consented to within Config.GuardianHold, and an account whose guardian
// withdrew consent, once its hold ends (PIPL art. 31, 47). The lifecycle
// sweeper calls it. Without a Kernel the holds are left alone.
type Sweeper struct {
	DB     *sqldb.DB
	Kernel *privacy.Kernel
	// Minors drops the identity area's record of a lapsed hold; nil leaves
	// it (the identity area's own sweep then finds no account for it).
	Minors interface {
		DropMinorTx(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID) error
	}
}

// Area names the area in sweep reports.
func (Sweeper) Area() string { return "account" }

// Sweep deletes expired codes, quiet throttling counters and long-ended
// sessions, and erases lapsed holds.
func (w Sweeper) Sweep(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
	rep := lifecycle.NewReport("account")
	n, err := lifecycle.DeleteWhere(ctx, w.DB, r, "verification_codes", "id", "expires_at < ?", sqldb.Micros(r.Now.Add(-codeGrace)))
	rep.Removed["verification_codes"] = n
	if err != nil {
		return rep, err
	}
	// A throttling counter is forgotten a day after its last wrong
	// password, once no wait it set is still running (throttle.go).
	quiet, now := sqldb.Micros(r.Now.Add(-throttleMemory)), sqldb.Micros(r.Now)
	n, err = lifecycle.DeleteWhere(ctx, w.DB, r, "login_throttle", "name_key", "last_failed_at < ? AND blocked_until < ?", quiet, now)
	rep.Removed["login_throttle"] = n
	if err != nil {
		return rep, err
	}
	ended := sqldb.Micros(r.Now.Add(-privacy.SixMonths))
	n, err = lifecycle.DeleteWhere(ctx, w.DB, r, "sessions", "id", "expires_at < ? OR (revoked_at > 0 AND revoked_at < ?)", ended, ended)
	rep.Removed["sessions"] = n
	if err != nil || w.Kernel == nil {
		return rep, err
	}
	held, withdrawn, err := sweepHolds(ctx, w, r)
	rep.Removed["held_registrations"], rep.Removed["guardian_withdrawn_accounts"] = held, withdrawn
	return rep, err
}

// Holders lists account holders who have not deregistered, for notices
// every user must receive (the shutdown notice, policy 三(四)).
type Holders struct{ DB *sqldb.DB }

// Holders returns up to limit holders with subject ids after after.
func (h Holders) Holders(ctx context.Context, after minimall.SubjectID, limit int) ([]minimall.SubjectID, error) {
	const op = "account.Holders"
	rows, err := h.DB.QueryContext(ctx, `SELECT subject FROM accounts WHERE subject > ? AND status <> ? ORDER BY subject LIMIT ?`,
		string(after), StatusDeregistered, limit)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	var out []minimall.SubjectID
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		out = append(out, minimall.SubjectID(s))
	}
	return out, sqldb.FormatError(op, rows.Err())
}
