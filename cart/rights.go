package cart

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
	"minimall/sqldb"
)

// RightsPart returns the cart's part of rights requests.
func (s *Service) RightsPart() rights.Part { return cartPart{s} }

type cartPart struct{ s *Service }

func (cartPart) Name() string { return "cart" }

func (cartPart) Holds() []privacy.Field { return []privacy.Field{privacy.CartItem} }

func (p cartPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	rows, err := p.s.db.QueryContext(ctx, `SELECT id, item_sealed FROM cart_items WHERE subject = ? ORDER BY added_at, id`, string(subject))
	if err != nil {
		return rights.Section{}, sqldb.FormatError("cart.RightsExport", err)
	}
	defer rows.Close()
	var items []privacy.Sealed
	for rows.Next() {
		var id string
		var v []byte
		if err := rows.Scan(&id, &v); err != nil {
			return rights.Section{}, err
		}
		items = rights.AppendSealed(items, id, privacy.CartItem, v)
	}
	if err := rows.Err(); err != nil {
		return rights.Section{}, err
	}
	return rights.Section{Part: "cart", Values: rights.OpenValues(ctx, p.s.k.Guard(), a, subject, items)}, nil
}

func (cartPart) Correct(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f privacy.Field, value, requestID string) error {
	return rights.NotHere("cart.RightsCorrect", f)
}

// Delete empties the cart.
func (p cartPart) Delete(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, fields []privacy.Field, requestID string) (rights.Deleted, error) {
	d := rights.Deleted{Removed: map[privacy.Field]int{}}
	res, err := p.s.db.ExecContext(ctx, `DELETE FROM cart_items WHERE subject = ?`, string(subject))
	if err != nil {
		return d, sqldb.FormatError("cart.RightsDelete", err)
	}
	n, _ := res.RowsAffected()
	d.Removed[privacy.CartItem] = int(n)
	return d, nil
}

func (cartPart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}
