package engage

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
	"minimall/sqldb"
)

// RightsPart returns engagement's part of rights requests: favourites,
// subscriptions, footprints, follows, shares and likes.
func (s *Service) RightsPart() rights.Part { return engagePart{s} }

type engagePart struct{ s *Service }

func (engagePart) Name() string { return "engage" }

func (engagePart) Holds() []privacy.Field {
	out := make([]privacy.Field, 0, len(Kinds))
	for _, k := range Kinds {
		out = append(out, kinds[k].field)
	}
	return out
}

// Export opens every record's target for the rights request, views still
// queued by the item page included.
func (p engagePart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	if err := p.s.db.Flush(ctx); err != nil {
		return rights.Section{}, err
	}
	var items []privacy.Sealed
	for _, k := range Kinds {
		ks := kinds[k]
		rows, err := p.s.db.QueryContext(ctx, `SELECT id, `+ks.column()+` FROM `+ks.table()+` WHERE subject = ? ORDER BY at, id`, string(subject))
		if err != nil {
			return rights.Section{}, sqldb.FormatError("engage.RightsExport", err)
		}
		for rows.Next() {
			var id string
			var v []byte
			if err := rows.Scan(&id, &v); err != nil {
				rows.Close()
				return rights.Section{}, err
			}
			items = rights.AppendSealed(items, id, ks.field, v)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return rights.Section{}, err
		}
	}
	return rights.Section{Part: "engage", Values: rights.OpenValues(ctx, p.s.k.Guard(), a, subject, items)}, nil
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
		n, err := p.s.clear(ctx, subject, k, ks, "rights_request")
		if err != nil {
			return d, err
		}
		d.Removed[ks.field] = int(n)
	}
	return d, nil
}

func (engagePart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}
