package cart

import (
	"context"
	"encoding/json"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// Reindexer writes cart_items.item_index anew when the cart-item lookup
// key is rotated (privacy.Kernel.RotateLookup).
type Reindexer struct {
	DB     *sqldb.DB
	Kernel *privacy.Kernel
}

func (Reindexer) Lookups() []privacy.Field { return []privacy.Field{privacy.CartItem} }

func (r Reindexer) Reindex(ctx context.Context, _ privacy.Field) (int, error) {
	s := &Service{k: r.Kernel}
	return r.Kernel.Reindex(ctx, r.DB, privacy.ReindexSpec{
		Table: privacy.TableOf("cart_items"), Field: privacy.CartItem, Purpose: privacy.ForCart, Column: "item_index",
		Index: func(subject minimall.SubjectID, b []byte) ([]byte, error) {
			var it sealedItem
			if err := json.Unmarshal(b, &it); err != nil {
				return nil, err
			}
			return s.itemIndex(subject, it.Item), nil
		},
	})
}
