// Package incident records personal-information security incidents,
// computes the people they affected from the audit log, tells each of them
// in the message centre what happened, its possible impact, what was done
// and what they can do, and reports the incident to the regulator without
// anyone's personal values (policy 五(三)3, PIPL art. 57).
package incident

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"minimall"
	"minimall/privacy"
)

// Request is an incident as an operator records it.
type Request struct {
	Title    string            `json:"title"`
	What     string            `json:"what"`     // what happened
	Impact   string            `json:"impact"`   // its possible impact
	Measures string            `json:"measures"` // what was done or will be done
	Advice   string            `json:"advice"`   // what people can do themselves
	Since    time.Time         `json:"since"`    // the window of exposure, [since, until)
	Until    time.Time         `json:"until"`
	Fields   []privacy.Field   `json:"fields,omitempty"`
	Purposes []privacy.Purpose `json:"purposes,omitempty"`
	Tables   []string          `json:"tables,omitempty"` // tables reached; their registry fields are added
}

// Incident is a recorded incident.
type Incident struct {
	ID         string            `json:"id"`
	Title      string            `json:"title"`
	What       string            `json:"what"`
	Impact     string            `json:"impact"`
	Measures   string            `json:"measures"`
	Advice     string            `json:"advice"`
	Since      time.Time         `json:"since"`
	Until      time.Time         `json:"until"`
	Fields     []privacy.Field   `json:"fields"`
	Purposes   []privacy.Purpose `json:"purposes"`
	Tables     []string          `json:"tables"`
	RecordedBy string            `json:"recorded_by"`
	CreatedAt  time.Time         `json:"created_at"`
	NotifiedAt time.Time         `json:"notified_at"`
	Affected   int               `json:"affected"`
}

// FieldCount is how many people an incident reached per field.
type FieldCount struct {
	Field  privacy.Field `json:"field"`
	Name   string        `json:"name"`
	People int           `json:"people"`
}

// Event is one step of an incident's timeline.
type Event struct {
	At    time.Time `json:"at"`
	Event string    `json:"event"`
}

// Report is what goes to the regulator: counts and times, no person.
type Report struct {
	Incident  string            `json:"incident"`
	Title     string            `json:"title"`
	What      string            `json:"what"`
	Impact    string            `json:"impact"`
	Measures  string            `json:"measures"`
	Advice    string            `json:"advice"`
	Purposes  []privacy.Purpose `json:"purposes"`
	Tables    []string          `json:"tables"`
	Affected  int               `json:"affected_people"`
	Notified  int               `json:"notified_people"`
	ByField   []FieldCount      `json:"by_field"`
	Timeline  []Event           `json:"timeline"`
	Generated time.Time         `json:"generated_at"`
}

var (
	// longDigits catches phone, ID and card numbers: the texts go to every
	// affected person alike and must name no one.
	longDigits = regexp.MustCompile(`\d{7,}`)
	tableName  = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
)

// maxWindow bounds an incident's window, so one mistaken date cannot
// notify everyone who ever used the platform.
const maxWindow = 366 * 24 * time.Hour

func invalid(op, msg string) error { return minimall.Errorf(minimall.Invalid, op, "%s", msg) }

// validate checks r and returns the fields it covers: those named and
// those the registry keeps in the named tables.
func (r *Request) validate(op string, now time.Time) ([]privacy.Field, error) {
	for _, t := range []struct {
		v   string
		max int
	}{{r.Title, 100}, {r.What, 2000}, {r.Impact, 2000}, {r.Measures, 2000}, {r.Advice, 2000}} {
		n := utf8.RuneCountInString(strings.TrimSpace(t.v))
		if n == 0 || n > t.max || !utf8.ValidString(t.v) {
			return nil, invalid(op, "title, what, impact, measures and advice are required (title ≤ 100, others ≤ 2000 characters). 标题、经过、影响、处置措施和建议均为必填。")
		}
		if longDigits.MatchString(t.v) {
			return nil, invalid(op, "The texts go to every affected person alike: no phone, ID or card numbers. 告知文本不得包含手机号、证件号等个人信息。")
		}
	}
	switch {
	case r.Since.IsZero() || r.Until.IsZero() || !r.Until.After(r.Since):
		return nil, invalid(op, "since and until are required, since before until. 须提供起止时间且起点早于终点。")
	case r.Since.After(now):
		return nil, invalid(op, "An incident cannot start in the future. 事件开始时间不能晚于当前时间。")
	case r.Until.Sub(r.Since) > maxWindow:
		return nil, invalid(op, "The window may span at most 366 days. 时间窗口最长 366 天。")
	}
	for _, p := range r.Purposes {
		if _, ok := privacy.PurposeOf(p); !ok {
			return nil, invalid(op, "Unknown purpose. 未知的处理目的。")
		}
	}
	return r.fields(op)
}

func (r *Request) fields(op string) ([]privacy.Field, error) {
	seen := map[privacy.Field]bool{}
	var out []privacy.Field
	add := func(f privacy.Field) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, f := range r.Fields {
		if _, ok := privacy.Spec(f); !ok {
			return nil, invalid(op, "Unknown field. 未知的个人信息字段。")
		}
		add(f)
	}
	for _, t := range r.Tables {
		if !tableName.MatchString(t) {
			return nil, invalid(op, "Malformed table name. 表名格式错误。")
		}
		found := false
		for _, s := range privacy.Fields() {
			if s.Table == t {
				add(s.Field)
				found = true
			}
		}
		if !found {
			return nil, invalid(op, "No personal information is kept in table "+t+". 该表不含个人信息字段。")
		}
	}
	if len(out) == 0 {
		return nil, invalid(op, "Name the fields or tables involved. 须列明涉及的字段或数据表。")
	}
	return out, nil
}
