package privacy

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"minimall"
	"minimall/sqldb"
)

// IncidentQuery says which accesses an incident may have exposed: audit
// entries in [Since, Until) whose field is one of Fields (all fields when
// empty) and whose purpose is one of Purposes (all when empty).
type IncidentQuery struct {
	Since, Until time.Time
	Fields       []Field
	Purposes     []Purpose
}

// Affected is one person an incident reached, with the fields involved.
type Affected struct {
	Subject minimall.SubjectID
	Fields  []Field
}

// IncidentSubjects lists, from the audit log, the people whose information
// was opened (allowed guard decisions and disclosures) inside the query's
// window, in subject order (policy 五(三)3: the people to be told). It
// waits for pending audit entries first, so nothing just opened is missed.
func (k *Kernel) IncidentSubjects(ctx context.Context, q IncidentQuery) ([]Affected, error) {
	const op = "privacy.IncidentSubjects"
	if q.Since.IsZero() || !q.Until.After(q.Since) {
		return nil, minimall.Errorf(minimall.Invalid, op, "The window needs a start before its end. 时间窗口须有起止且起点早于终点。")
	}
	if err := k.AuditFlush(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	where := []string{"at >= ?", "at < ?", "subject <> ''", "field <> ''", "decision IN ('allow', 'disclose')"}
	args := []any{sqldb.Micros(q.Since), sqldb.Micros(q.Until)}
	if len(q.Fields) > 0 {
		where = append(where, "field IN ("+marks(len(q.Fields))+")")
		for _, f := range q.Fields {
			args = append(args, string(f))
		}
	}
	if len(q.Purposes) > 0 {
		where = append(where, "purpose IN ("+marks(len(q.Purposes))+")")
		for _, p := range q.Purposes {
			args = append(args, string(p))
		}
	}
	rows, err := k.db.QueryContext(ctx, `SELECT DISTINCT subject, field FROM audit_log WHERE `+strings.Join(where, " AND ")+` ORDER BY subject, field`, args...)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	var out []Affected
	for rows.Next() {
		var s, f string
		if err := rows.Scan(&s, &f); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		if n := len(out); n == 0 || out[n-1].Subject != minimall.SubjectID(s) {
			out = append(out, Affected{Subject: minimall.SubjectID(s)})
		}
		last := &out[len(out)-1]
		last.Fields = append(last.Fields, Field(f))
	}
	for i := range out {
		sort.Slice(out[i].Fields, func(a, b int) bool { return out[i].Fields[a] < out[i].Fields[b] })
	}
	return out, sqldb.FormatError(op, rows.Err())
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }
