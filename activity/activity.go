// Package activity announces what shoppers do to items with no one's
// identity: the hot list is counted from these aggregates (二(二)3), so a
// cart add or an order counts for everyone, whatever their recommendation
// consent, and links to no one. The area where an act happens emits it in
// the same transaction as the act; recommend follows the topic.
package activity

import (
	"minimall/outbox"
	"minimall/sqldb"
)

// Topic is the change-feed topic of item acts. Its events carry no
// subject, only the kind of act and the items.
const Topic = "activity.item"

// Kinds of act, as recommend weighs them.
const (
	View  = "view"
	Click = "click"
	Cart  = "cart"
	Order = "order"
)

// Act is the payload of Topic: acts of one kind on items, one entry per
// act. Events written before acts were gathered name one Item instead.
type Act struct {
	Kind    string   `json:"kind"`
	Item    string   `json:"item,omitempty"`
	Entries []string `json:"entries,omitempty"`
}

// Items returns the items acted on, one per act.
func (a Act) Items() []string {
	if a.Item != "" {
		return append([]string{a.Item}, a.Entries...)
	}
	return a.Entries
}

// Emit announces, in tx, one act of kind on each item. The acts of one
// kind that a group commit gathers go out as one event (outbox.Gather).
func Emit(tx *sqldb.Tx, kind string, items ...string) {
	for _, it := range items {
		outbox.Gather(tx, Topic, "", kind, it)
	}
}
