package catalog

import (
	"context"
	"minimall/sqldb"
	"time"

	"minimall"
	"minimall/outbox"
)

// ImportShop adds a shop the platform runs (no seller account), for
// seeding demo and benchmark data. Returns Invalid for a bad name.
func (s *Service) ImportShop(ctx context.Context, name, description string) (*Shop, error) {
	return s.CreateShop(ctx, minimall.SystemActor("seed"), name, description)
}

// ImportItems adds many items to existing shops in one transaction, with
// one change-feed event listing them all: seeding 100,000 items this way
// takes seconds, where one transaction per item would take minutes. Each
// item is validated as CreateItem does; shops and categories are checked
// by the foreign keys.
func (s *Service) ImportItems(ctx context.Context, shop []string, items []NewItem) ([]string, error) {
	const op = "catalog.ImportItems"
	if len(shop) != len(items) {
		return nil, invalid(op, "one shop per item")
	}
	for i := range items {
		if err := items[i].Validate(); err != nil {
			return nil, err
		}
	}
	var out []string
	err := s.write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		ids := make([]string, len(items))
		for i := range items {
			it := newItem(shop[i], &items[i], tx)
			// Newer items sort first on a page; spread them a microsecond
			// apart so a batch keeps its order.
			it.CreatedAt = it.CreatedAt.Add(time.Duration(i) * time.Microsecond)
			it.UpdatedAt = it.CreatedAt
			if err := insertItem(ctx, tx, it); err != nil {
				return err
			}
			ids[i] = it.ID
		}
		if err := outbox.Emit(ctx, tx, TopicItemsChanged, "", ItemsChanged{Items: ids}); err != nil {
			return err
		}
		out = ids
		return nil
	})
	return out, err
}
