// Package activity announces what shoppers do to items with no one's
// identity: the hot list is counted from these aggregates (二(二)3), so a
// cart add or an order counts for everyone, whatever their recommendation
// consent, and links to no one. The area where an act happens emits it in
// the same transaction as the act; recommend follows the topic.
package activity

import (
	"context"

	"minimall/outbox"
	"minimall/sqldb"
)

// Topic is the change-feed topic of an item act. Its events carry no
// subject, only the kind of act and the item.
const Topic = "activity.item"

// Kinds of act, as recommend weighs them.
const (
	View  = "view"
	Click = "click"
	Cart  = "cart"
	Order = "order"
)

// Act is the payload of Topic.
type Act struct {
	Kind string `json:"kind"`
	Item string `json:"item"`
}

// Emit announces, in tx, one act of kind on each item.
func Emit(ctx context.Context, tx *sqldb.Tx, kind string, items ...string) error {
	for _, it := range items {
		if err := outbox.Emit(ctx, tx, Topic, "", Act{Kind: kind, Item: it}); err != nil {
			return err
		}
	}
	return nil
}
