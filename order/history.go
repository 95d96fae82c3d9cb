package order

import (
	"context"

	"minimall"
	"minimall/sqldb"
)

// CompletedOrders counts subject's delivered orders, for the account level
// rule (account.OrderHistory). It reads only statuses, never a sealed field.
func (s *Service) CompletedOrders(ctx context.Context, subject minimall.SubjectID) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders WHERE subject = ? AND status = ?`, string(subject), string(Delivered)).Scan(&n)
	if err != nil {
		return 0, sqldb.FormatError("order.CompletedOrders", err)
	}
	return n, nil
}
