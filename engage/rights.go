package engage

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
)

// RightsPart returns engagement's part of rights requests: favourites,
// subscriptions, footprints, follows, shares and likes.
func (s *Service) RightsPart() rights.Part { return engagePart{s} }

type engagePart struct{ s *Service }

func (engagePart) Name() string { return "engage" }

func (engagePart) Holds() []privacy.Field { return rights.Holds(kindTables()...) }

// kindTables are the tables of every kind, in the order of Kinds.
func kindTables() []*privacy.Table {
	out := make([]*privacy.Table, 0, len(Kinds))
	for _, k := range Kinds {
		out = append(out, privacy.TableOf(kinds[k].table()))
	}
	return out
}

// Export opens every record's target for the rights request, views still
// queued by the item page included.
func (p engagePart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	if err := p.s.db.Flush(ctx); err != nil {
		return rights.Section{}, err
	}
	return rights.ExportTables(ctx, p.s.db, p.s.k.Guard(), a, subject, "engage", kindTables()...)
}

func (engagePart) Correct(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f privacy.Field, value, requestID string) error {
	return rights.NotHere("engage.RightsCorrect", f)
}

// Delete removes the records of the chosen kinds, or all of them.
func (p engagePart) Delete(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, fields []privacy.Field, requestID string) (rights.Deleted, error) {
	d := rights.Deleted{Removed: map[privacy.Field]int{}}
	if err := p.s.db.Flush(ctx); err != nil {
		return d, err
	}
	chosen := map[privacy.Field]bool{}
	for _, f := range fields {
		chosen[f] = true
	}
	for _, k := range Kinds {
		ks := kinds[k]
		if len(fields) > 0 && !chosen[ks.field] {
			continue
		}
		// Journalled first, so a restored backup never brings them back.
		upTo, found, err := p.s.k.RecordClear(ctx, subject, ks.table())
		if err != nil {
			return d, err
		}
		n := int64(0)
		if found {
			if n, err = p.s.clear(ctx, subject, k, ks, "rights_request", upTo); err != nil {
				return d, err
			}
		}
		d.Removed[ks.field] = int(n)
	}
	return d, nil
}

func (engagePart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}
