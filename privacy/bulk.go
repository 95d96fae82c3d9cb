package privacy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"minimall"
	"minimall/sqldb"
)

// Sealed is one stored value to open in bulk.
type Sealed struct {
	Field   Field
	Row     string
	Version uint64 // the row's counter, for a versioned field (FieldSpec.Versioned)
	Value   []byte
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
			if err == nil {
				err = g.allow(ctx, a, s, it.Field, p, "bulk", "")
			}
			checked[it.Field], specOf[it.Field] = err, spec
		}
		if err != nil {
			out[i].Err = err
			continue
		}
		out[i].Value, out[i].Err = g.open(ctx, a, s, specOf[it.Field], p, it.Row, it.Version, it.Value)
	}
	return out
}

// bulkChunk is how many people NewSubjects registers per transaction, and
// bulkRow how many subject rows go in one INSERT statement.
const (
	bulkChunk = 50_000
	bulkRow   = 1_000
)

// NewSubjects registers n people at once, each with a data key of their
// own, in few statements: AddSubject and the key its first Seal creates,
// for a bulk import or a load test that needs a platform of realistic size
// (a million people in seconds, not the hour one transaction each takes).
// progress, if not nil, is told how many are done after each chunk. The
// subjects are stored before their keys, so a failure leaves at worst
// people without a key yet, which their first Seal makes as usual.
func (k *Kernel) NewSubjects(ctx context.Context, n int, region string, progress func(done int)) ([]minimall.SubjectID, error) {
	const op = "privacy.NewSubjects"
	if region == "" {
		region = "CN"
	}
	out := make([]minimall.SubjectID, 0, n)
	for len(out) < n {
		chunk := make([]minimall.SubjectID, min(bulkChunk, n-len(out)))
		for i := range chunk {
			chunk[i] = minimall.NewSubjectID()
		}
		// In key order, each chunk fills the subject indexes page by page
		// instead of touching a random page per row.
		slices.Sort(chunk)
		if err := k.insertSubjects(ctx, chunk, region); err != nil {
			return out, err
		}
		if err := k.vault.CreateDataKeys(ctx, chunk); err != nil {
			return out, fmt.Errorf("%s: %w", op, err)
		}
		out = append(out, chunk...)
		if progress != nil {
			progress(len(out))
		}
	}
	return out, nil
}

func (k *Kernel) insertSubjects(ctx context.Context, ids []minimall.SubjectID, region string) error {
	const op = "privacy.NewSubjects"
	return k.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		now := sqldb.Micros(tx.Now())
		for len(ids) > 0 {
			m := min(bulkRow, len(ids))
			args := make([]any, 0, 3*m)
			for _, s := range ids[:m] {
				args = append(args, string(s), region, now)
			}
			q := `INSERT INTO subjects (id, region, created_at) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", m), ", ")
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return sqldb.FormatError(op, err)
			}
			ids = ids[m:]
		}
		return nil
	})
}
