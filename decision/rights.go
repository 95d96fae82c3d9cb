package decision

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
)

// RightsPart returns the decision area's part of rights requests: the
// sealed factors of each decision, as stored. The export also lists the
// decisions themselves, explained, through Decisions (rights.DecisionSource).
func (s *Service) RightsPart() rights.Part { return rightsPart{s} }

// decisions is the table of decisions; its sealed columns come from the
// registry.
var decisions = privacy.TableOf("decisions")

type rightsPart struct{ s *Service }

func (rightsPart) Name() string { return "decision" }

func (rightsPart) Holds() []privacy.Field { return rights.Holds(decisions) }

func (p rightsPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	return rights.ExportTables(ctx, p.s.db, p.s.k.Guard(), a, subject, "decision", decisions)
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
	n, err := rights.DeleteRows(ctx, p.s.db, p.s.k, subject, decisions)
	d.Removed[privacy.DecisionFactors] = n
	return d, err
}

func (rightsPart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}
