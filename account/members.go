package account

import (
	"context"

	"minimall"
	"minimall/sqldb"
)

// MemberExists reports whether subject is a member others may follow: an
// account that is active (not held for a guardian, not deregistered).
func (s *Service) MemberExists(ctx context.Context, subject minimall.SubjectID) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE subject = ? AND status = ?`, string(subject), StatusActive).Scan(&n)
	if err != nil {
		return false, sqldb.FormatError("account.MemberExists", err)
	}
	return n > 0, nil
}
