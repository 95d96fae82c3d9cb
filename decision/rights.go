package decision

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
	"minimall/sqldb"
)

// RightsPart returns the decision area's part of rights requests: the
// sealed factors of each decision, as stored. The export also lists the
// decisions themselves, explained, through Decisions (rights.DecisionSource).
func (s *Service) RightsPart() rights.Part { return rightsPart{s} }

type rightsPart struct{ s *Service }

func (rightsPart) Name() string { return "decision" }

func (rightsPart) Holds() []privacy.Field { return []privacy.Field{privacy.DecisionFactors} }

func (p rightsPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	rows, err := p.s.list(ctx, subject)
	if err != nil {
		return rights.Section{}, err
	}
	var items []privacy.Sealed
	for _, r := range rows {
		items = rights.AppendSealed(items, r.d.ID, privacy.DecisionFactors, r.sealed)
	}
	return rights.Section{Part: "decision", Values: rights.OpenValues(ctx, p.s.k.Guard(), a, subject, items)}, nil
}

func (rightsPart) Correct(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f privacy.Field, value, requestID string) error {
	return rights.NotHere("decision.RightsCorrect", f)
}

// Delete keeps the record of decisions and appeals when chosen, to show
// how minimall answered (like rights requests); on deregistration the rows
// go, since the erased key has made their factors unreadable already.
func (p rightsPart) Delete(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, fields []privacy.Field, requestID string) (rights.Deleted, error) {
	d := rights.Deleted{Removed: map[privacy.Field]int{}, Kept: map[privacy.Field]string{}}
	if len(fields) > 0 {
		for _, f := range fields {
			d.Kept[f] = rights.KeepReason(f)
		}
		return d, nil
	}
	res, err := p.s.db.ExecContext(ctx, `DELETE FROM decisions WHERE subject = ?`, string(subject))
	if err != nil {
		return d, sqldb.FormatError("decision.RightsDelete", err)
	}
	n, _ := res.RowsAffected()
	d.Removed[privacy.DecisionFactors] = int(n)
	return d, nil
}

func (rightsPart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}
