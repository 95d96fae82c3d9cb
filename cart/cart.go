// Package cart keeps each person's shopping cart (policy 二(三)1): add,
// change quantity, remove, list, and price-drop reminders. What is in a
// cart is personal information (加购信息): each item is sealed with the
// price it had when added, so a reminder can say the price fell since.
package cart

import (
	"context"
	"time"

	"minimall/catalog"
)

// Limits of a cart.
const (
	MaxLines    = 120 // distinct items in one cart
	MaxQuantity = 999 // of one item
)

// Line is one item in a cart, with its current price.
type Line struct {
	ID       string `json:"id"`
	Item     string `json:"item"`
	Title    string `json:"title,omitempty"`
	Shop     string `json:"shop,omitempty"`
	Quantity int64  `json:"quantity"`
	// PriceFen is the item's price now; AddedPriceFen its price when it
	// was added. Both in fen.
	PriceFen      int64 `json:"price_fen"`
	AddedPriceFen int64 `json:"added_price_fen"`
	// PriceDropped: the price is lower now than when the item was added.
	PriceDropped bool `json:"price_dropped"`
	// Available: the item is still on sale; a removed item stays in the
	// cart, unavailable, until the person removes it.
	Available bool      `json:"available"`
	AddedAt   time.Time `json:"added_at"`
}

// Cart is a person's cart.
type Cart struct {
	Lines []*Line `json:"items"`
	// TotalFen adds up the available lines at today's prices.
	TotalFen int64 `json:"total_fen"`
}

// Taken is a cart line an order took.
type Taken struct {
	ID       string
	Item     string
	Quantity int64
}

// Prices reads the current data of items; catalog.Stock implements it.
type Prices interface {
	Prices(ctx context.Context, ids []string) (map[string]catalog.Priced, error)
}

// sealedItem is what is sealed of a line.
type sealedItem struct {
	Item     string `json:"item"`
	PriceFen int64  `json:"price_fen"`
}

// TopicAdded is the change-feed topic of an add to the cart, written in the
// same transaction; its payload (Added) names the line only, never the item.
const TopicAdded = "cart.added"

// Added is the payload of TopicAdded.
type Added struct {
	Line string `json:"line"`
}
