package privacy

import (
	"context"

	"minimall"
)

// Sealed is one stored value to open in bulk.
type Sealed struct {
	Field Field
	Row   string
	Value []byte
}

// Opened is the result of opening one Sealed value; Err is set if this one
// value could not be opened (for example a record whose retention ended).
type Opened struct {
	Field Field
	Row   string
	Value []byte
	Err   error
}

// OpenAll opens many values of one subject for one purpose, as an export
// does. The rules are checked once per field, and the audit log gets one
// entry per field and purpose, not one per value, so a complete export does
// not flood the log.
func (g *Guard) OpenAll(ctx context.Context, a minimall.Actor, s minimall.SubjectID, p Purpose, items []Sealed) []Opened {
	out := make([]Opened, len(items))
	checked := map[Field]error{}
	specOf := map[Field]*FieldSpec{}
	for i, it := range items {
		out[i] = Opened{Field: it.Field, Row: it.Row}
		err, seen := checked[it.Field]
		if !seen {
			var spec *FieldSpec
			spec, err = g.check(ctx, a, s, it.Field, p)
			checked[it.Field], specOf[it.Field] = err, spec
			if err == nil {
				g.record(a, s, it.Field, p, DecisionAllow, "bulk", "")
			}
		}
		if err != nil {
			out[i].Err = err
			continue
		}
		out[i].Value, out[i].Err = g.open(ctx, a, s, specOf[it.Field], p, it.Row, it.Value)
	}
	return out
}
