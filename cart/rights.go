package cart

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
)

// cartItems is the table of cart lines; its sealed columns come from the
// registry.
var cartItems = privacy.TableOf("cart_items")

// RightsPart returns the cart's part of rights requests.
func (s *Service) RightsPart() rights.Part { return cartPart{s} }

type cartPart struct{ s *Service }

func (cartPart) Name() string { return "cart" }

func (cartPart) Holds() []privacy.Field { return rights.Holds(cartItems) }

func (p cartPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	return rights.ExportTables(ctx, p.s.db, p.s.k.Guard(), a, subject, "cart", cartItems)
}

func (cartPart) Correct(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f privacy.Field, value, requestID string) error {
	return rights.NotHere("cart.RightsCorrect", f)
}

// Delete empties the cart.
func (p cartPart) Delete(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, fields []privacy.Field, requestID string) (rights.Deleted, error) {
	n, err := rights.DeleteRows(ctx, p.s.db, p.s.k, subject, cartItems)
	return rights.Deleted{Removed: map[privacy.Field]int{privacy.CartItem: n}}, err
}

func (cartPart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}
