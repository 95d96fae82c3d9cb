package engage

import (
	"context"

	"minimall"
	"minimall/outbox"
	"minimall/sqldb"
)

// RecordFootprint records that the signed-in person subject viewed item
// (二(二)1 足迹); the catalogue's item page calls it after finding the item,
// so the item is not looked up again. Viewing an item again moves its
// footprint to the top rather than adding one. It returns once the
// footprint and its change-feed event are committed. Returns Unauthorized
// without a subject, Invalid for a malformed id.
func (s *Service) RecordFootprint(ctx context.Context, subject minimall.SubjectID, item string) error {
	p, err := s.footprint(ctx, "engage.RecordFootprint", subject, item)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, p.writeView)
}

// RecordView is RecordFootprint for the item page: the footprint is sealed
// now and written behind (sqldb.DB.WriteBehind), without the page waiting
// for the commit. The person's own footprint list flushes first, so they
// always see their latest views.
func (s *Service) RecordView(ctx context.Context, subject minimall.SubjectID, item string) error {
	p, err := s.footprint(ctx, "engage.RecordView", subject, item)
	if err != nil {
		return err
	}
	return s.db.WriteBehind(ctx, p.writeView)
}

// footprint checks and seals a view before any write.
func (s *Service) footprint(ctx context.Context, op string, subject minimall.SubjectID, item string) (*pending, error) {
	if err := minimall.SignedIn(minimall.ShopperActor(subject), op); err != nil {
		return nil, err
	}
	if !validID.MatchString(item) {
		return nil, invalid(op, "Malformed item id. 商品标识格式错误。")
	}
	return s.prepare(ctx, subject, Footprint, kinds[Footprint], sealedTarget{Type: Item, ID: item})
}

// writeView stores a footprint and announces it. A view, new or repeated,
// is a change: recommendations learn from views in real time (二(二)4);
// the event names the footprint's row, never the item. A person's views
// committed together make one event (outbox.Gather).
func (p *pending) writeView(ctx context.Context, tx *sqldb.Tx) error {
	if _, err := p.write(ctx, tx, kinds[Footprint]); err != nil {
		return err
	}
	outbox.Gather(tx, TopicAdded, p.subject, string(Footprint), p.entry.ID)
	return nil
}

// Close is kept for the wiring: footprints are written through the
// database's own group, which the database's Close drains.
func (s *Service) Close() error { return nil }
