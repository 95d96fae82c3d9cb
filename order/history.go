package order

import (
	"context"
	"database/sql"
	"errors"

	"minimall"
	"minimall/privacy"
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

// Items returns the items of subject's order id, opened through the guard
// for purpose p on behalf of a: how a follower of TopicPlaced (the
// recommendation area) learns what was ordered.
func (s *Service) Items(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, id string, p privacy.Purpose) ([]string, error) {
	r, err := loadOrder(ctx, s.db, id, subject)
	if err != nil {
		return nil, err
	}
	v, err := s.open(ctx, a, r, p, privacy.OrderItems)
	if err != nil {
		return nil, err
	}
	lines, err := parseLines(v[privacy.OrderItems])
	items := make([]string, 0, len(lines))
	for _, l := range lines {
		items = append(items, l.Item)
	}
	return items, err
}

// HoldTarget returns the buyer of order id and, once it is finished, the
// month it completed in: the retention period a legal hold on the order
// keeps (五(一)); "" while it is unfinished. It reads no sealed field.
// Returns NotFound for an unknown order.
func (s *Service) HoldTarget(ctx context.Context, id string) (minimall.SubjectID, string, error) {
	const op = "order.HoldTarget"
	var subject, status string
	var updated int64
	err := s.db.QueryRowContext(ctx, `SELECT subject, status, updated_at FROM orders WHERE id = ?`, id).Scan(&subject, &status, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", noOrder(op)
	}
	if err != nil {
		return "", "", sqldb.FormatError(op, err)
	}
	switch Status(status) {
	case Delivered, Cancelled, Refunded:
		return minimall.SubjectID(subject), privacy.RetentionPeriod(sqldb.FromMicros(updated)), nil
	}
	return minimall.SubjectID(subject), "", nil
}
