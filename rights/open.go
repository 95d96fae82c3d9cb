package rights

import (
	"context"
	"errors"

	"minimall"
	"minimall/privacy"
)

// AppendSealed appends the non-empty sealed values of one row, given as
// field, value pairs (privacy.Field, []byte, ...), to items.
func AppendSealed(items []privacy.Sealed, row string, pairs ...any) []privacy.Sealed {
	for i := 0; i+1 < len(pairs); i += 2 {
		f, _ := pairs[i].(privacy.Field)
		v, _ := pairs[i+1].([]byte)
		if len(v) > 0 {
			items = append(items, privacy.Sealed{Field: f, Row: row, Value: v})
		}
	}
	return items
}

// OpenValues opens a part's values for a rights request in one bulk call:
// the guard checks each field once and audits one entry per field and
// purpose, not one per value. A value the guard refuses is listed with the
// reason instead of its plaintext (a record kept for the legal duty only).
func OpenValues(ctx context.Context, g *privacy.Guard, a minimall.Actor, s minimall.SubjectID, items []privacy.Sealed) []Value {
	out := make([]Value, 0, len(items))
	for _, o := range g.OpenAll(ctx, a, s, privacy.ForRightsRequest, items) {
		v := Value{Field: o.Field, Row: o.Row, Value: string(o.Value)}
		if o.Err != nil {
			v.Value, v.Unreadable = "", "unreadable"
			var d *privacy.Denied
			if errors.As(o.Err, &d) {
				v.Unreadable = string(d.Reason)
			}
		}
		out = append(out, v)
	}
	return out
}

// Wants reports whether a deletion of fields (empty: everything) covers f.
func Wants(fields []privacy.Field, f privacy.Field) bool {
	return len(fields) == 0 || contains(fields, f)
}

// KeepReason is the reason a field's values stay after a deletion: the
// registry's retention reason.
func KeepReason(f privacy.Field) string {
	if spec, ok := privacy.Spec(f); ok {
		return spec.Retention.Reason
	}
	return ""
}

// NotHere is the error a part returns for a correction it cannot make.
func NotHere(op string, f privacy.Field) error {
	return minimall.Errorf(minimall.Invalid, op, "Field %s cannot be corrected here. 该字段不可在此更正。", f)
}
