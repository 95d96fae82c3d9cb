package catalog

import (
	"context"

	"minimall"
)

// ItemExists reports whether an item is in the catalogue (on sale or off
// the shelf), for areas that keep item ids (favourites, footprints).
func (s *Service) ItemExists(ctx context.Context, id string) (bool, error) {
	_, err := s.Item(ctx, id)
	return exists(err)
}

// ShopExists reports whether a shop is in the catalogue.
func (s *Service) ShopExists(ctx context.Context, id string) (bool, error) {
	_, err := s.Shop(ctx, id)
	return exists(err)
}

func exists(err error) (bool, error) {
	if minimall.IsCode(err, minimall.NotFound) {
		return false, nil
	}
	return err == nil, err
}
