package recommend

import (
	"context"
	"encoding/json"

	"minimall"
	"minimall/cart"
	"minimall/engage"
	"minimall/order"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/search"
)

// The areas where behaviour happens announce it on the change feed, in
// the same transaction as the act, with ids of rows only. The follower
// reads each row back through its area (and so through the guard and the
// person's recommendation consent); nothing else of theirs is read.

// Engagements reads a person's engagement records (engage.Service).
type Engagements interface {
	Targets(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, k engage.Kind, ids []string, p privacy.Purpose) ([]*engage.Entry, error)
}

// CartLines reads the item of a cart line (cart.Service).
type CartLines interface {
	LineItem(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, id string, p privacy.Purpose) (string, error)
}

// OrderLines reads the items of an order (order.Service).
type OrderLines interface {
	Items(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, id string, p privacy.Purpose) ([]string, error)
}

// Searches reads the category a remembered search fell in (search.Service);
// "" when the person keeps searches out of personalisation.
type Searches interface {
	SearchCategory(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, id string, p privacy.Purpose) (string, error)
}

// engageKinds are the engagement records that say something about taste.
var engageKinds = map[engage.Kind]Kind{engage.Footprint: View, engage.Favourite: Cart, engage.Like: Search}

// behaviour returns the signals an event announces, only for a person whose
// recommendation consent is on: otherwise nothing of theirs is read. Rows
// removed since, or refused by the guard (audited), are skipped.
func (s *Service) behaviour(ctx context.Context, e outbox.Event) ([]Signal, error) {
	read := s.reader(e)
	if read == nil || e.Subject == "" {
		return nil, nil
	}
	if on, err := s.consented(ctx, minimall.ShopperActor(e.Subject), privacy.FeatRecommendation); err != nil || !on {
		return nil, err
	}
	return read(ctx, e.Subject), nil
}

// reader returns how to read the signals of e's topic, or nil.
func (s *Service) reader(e outbox.Event) func(context.Context, minimall.SubjectID) []Signal {
	switch e.Topic {
	case engage.TopicAdded:
		return s.engaged(e.Payload)
	case cart.TopicAdded:
		return s.carted(e.Payload)
	case order.TopicPlaced:
		return s.ordered(e.Payload)
	case search.TopicSearched:
		return s.searched(e.Payload)
	}
	return nil
}

func (s *Service) engaged(payload json.RawMessage) func(context.Context, minimall.SubjectID) []Signal {
	var ch engage.Changed
	kind, ok := Kind(""), false
	if s.cfg.Engage == nil || json.Unmarshal(payload, &ch) != nil {
		return nil
	}
	if kind, ok = engageKinds[ch.Kind]; !ok {
		return nil
	}
	return func(ctx context.Context, subject minimall.SubjectID) (out []Signal) {
		// One read and one audit entry for the person's records of the event.
		ens, err := s.cfg.Engage.Targets(ctx, s.actor, subject, ch.Kind, ch.Entries, privacy.ForRecommendation)
		if err != nil {
			return nil
		}
		for _, en := range ens {
			if en.Type == engage.Item {
				out = append(out, Signal{Kind: kind, Item: en.Target})
			}
		}
		return out
	}
}

func (s *Service) carted(payload json.RawMessage) func(context.Context, minimall.SubjectID) []Signal {
	var ch cart.Added
	if s.cfg.Carts == nil || json.Unmarshal(payload, &ch) != nil {
		return nil
	}
	return func(ctx context.Context, subject minimall.SubjectID) []Signal {
		item, err := s.cfg.Carts.LineItem(ctx, s.actor, subject, ch.Line, privacy.ForRecommendation)
		if err != nil {
			return nil
		}
		return []Signal{{Kind: Cart, Item: item}}
	}
}

func (s *Service) ordered(payload json.RawMessage) func(context.Context, minimall.SubjectID) []Signal {
	var ch order.Placed
	if s.cfg.Orders == nil || json.Unmarshal(payload, &ch) != nil {
		return nil
	}
	return func(ctx context.Context, subject minimall.SubjectID) (out []Signal) {
		for _, id := range ch.Orders {
			items, err := s.cfg.Orders.Items(ctx, s.actor, subject, id, privacy.ForRecommendation)
			if err != nil {
				continue
			}
			for _, it := range items {
				out = append(out, Signal{Kind: Order, Item: it})
			}
		}
		return out
	}
}

func (s *Service) searched(payload json.RawMessage) func(context.Context, minimall.SubjectID) []Signal {
	var ch search.Searched
	if s.cfg.Searches == nil || json.Unmarshal(payload, &ch) != nil {
		return nil
	}
	return func(ctx context.Context, subject minimall.SubjectID) []Signal {
		cat, err := s.cfg.Searches.SearchCategory(ctx, s.actor, subject, ch.Row, privacy.ForRecommendation)
		if err != nil || cat == "" {
			return nil
		}
		return []Signal{{Kind: Search, Category: cat}}
	}
}
