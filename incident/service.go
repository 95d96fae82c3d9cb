package incident

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// Notifier delivers a notice to people's message centres; the lifecycle
// area implements it.
type Notifier interface {
	Notify(ctx context.Context, kind, title, body string, subjects []minimall.SubjectID) (int, error)
}

// Service records incidents and notifies the people they affected.
type Service struct {
	db     *sqldb.DB
	k      *privacy.Kernel
	notify Notifier
}

// NewService returns the incident service.
func NewService(db *sqldb.DB, k *privacy.Kernel, n Notifier) *Service {
	return &Service{db: db, k: k, notify: n}
}

// responder checks a is a security or DPO operator with a ticket: incident
// response is their purpose (privacy.ForIncidentResponse).
func responder(a minimall.Actor, op string) error {
	switch {
	case a.Kind == minimall.Anonymous:
		return minimall.SignedIn(a, op)
	case a.Kind != minimall.Operator || !privacy.RoleMayActFor(a.Role, privacy.ForIncidentResponse):
		return minimall.Errorf(minimall.Denied, op, "Only security or the DPO handle incidents. 仅安全或个人信息保护负责人可处置安全事件。")
	case !privacy.ValidAccessReason(a.Reason):
		return minimall.Errorf(minimall.Invalid, op, "Give the ticket in X-Access-Reason. 请在 X-Access-Reason 中注明工单号。")
	}
	return nil
}

// Record records an incident, computes who it affected from the audit log
// (their information opened in the window, for the fields and purposes
// involved), and sends each of them the notice. Returns Unauthorized,
// Denied or Invalid (see responder), Invalid for a bad request.
func (s *Service) Record(ctx context.Context, a minimall.Actor, req Request) (*Incident, error) {
	const op = "incident.Record"
	if err := responder(a, op); err != nil {
		return nil, err
	}
	fields, err := req.validate(op, s.db.Now())
	if err != nil {
		return nil, err
	}
	affected, err := s.k.IncidentSubjects(ctx, privacy.IncidentQuery{Since: req.Since, Until: req.Until, Fields: fields, Purposes: req.Purposes})
	if err != nil {
		return nil, err
	}
	in := &Incident{ID: "inc_" + minimall.RandomToken(8), Title: strings.TrimSpace(req.Title), What: req.What, Impact: req.Impact,
		Measures: req.Measures, Advice: req.Advice, Since: req.Since.UTC(), Until: req.Until.UTC(), Fields: fields,
		Purposes: orEmpty(req.Purposes), Tables: orEmpty(req.Tables), RecordedBy: a.ID, Affected: len(affected)}
	if err := s.insert(ctx, in, affected); err != nil {
		return nil, err
	}
	subjects := make([]minimall.SubjectID, len(affected))
	for i, x := range affected {
		subjects[i] = x.Subject
	}
	// The incident and its people are durable before anyone is told: a
	// crash from here on leaves notified_at zero, and ResumeNotices tells
	// them.
	if err := s.tell(ctx, in, subjects); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return in, nil
}

// tell sends an incident's notice to subjects and marks it notified. The
// notifier delivers each notice at most once, so telling again after a
// crash only reaches those not yet told.
func (s *Service) tell(ctx context.Context, in *Incident, subjects []minimall.SubjectID) error {
	if _, err := s.notify.Notify(ctx, "incident:"+in.ID, "个人信息安全事件告知："+in.Title+" / Security incident notice", in.noticeBody(), subjects); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	in.NotifiedAt = s.db.Now()
	_, err := s.db.ExecContext(ctx, `UPDATE incidents SET notified_at = ? WHERE id = ?`, sqldb.Micros(in.NotifiedAt), in.ID)
	return sqldb.FormatError("incident.tell", err)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// noticeBody says what PIPL art. 57 asks a notice to say. It names no one.
func (in *Incident) noticeBody() string {
	names := make([]string, len(in.Fields))
	for i, f := range in.Fields {
		spec, _ := privacy.Spec(f)
		names[i] = spec.Name
	}
	return "发生了什么 / What happened: " + in.What +
		"\n时间 / When: " + in.Since.Format("2006-01-02 15:04") + " – " + in.Until.Format("2006-01-02 15:04") + " UTC" +
		"\n涉及的信息 / Information involved: " + strings.Join(names, "、") +
		"\n可能的影响 / Possible impact: " + in.Impact +
		"\n我们已采取的措施 / What we have done: " + in.Measures +
		"\n您可以做什么 / What you can do: " + in.Advice +
		"\n如有疑问，请联系个人信息保护负责人。 / Questions: contact our personal-information protection officer."
}

func joinStrings[T ~string](s []T) string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return strings.Join(out, ",")
}

func splitStrings[T ~string](s string) []T {
	out := []T{}
	if s == "" {
		return out
	}
	for _, v := range strings.Split(s, ",") {
		out = append(out, T(v))
	}
	return out
}

func (s *Service) insert(ctx context.Context, in *Incident, affected []privacy.Affected) error {
	const op = "incident.Record"
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		var err error
		in.CreatedAt = tx.Now()
		_, err = tx.ExecContext(ctx, `INSERT INTO incidents (id, title, what, impact, measures, advice, since, until, fields, purposes, tables_hit, recorded_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.ID, in.Title, in.What, in.Impact, in.Measures, in.Advice, sqldb.Micros(in.Since), sqldb.Micros(in.Until),
			joinStrings(in.Fields), joinStrings(in.Purposes), strings.Join(in.Tables, ","), in.RecordedBy, sqldb.Micros(in.CreatedAt))
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		for _, x := range affected {
			if _, err := tx.ExecContext(ctx, `INSERT INTO incident_subjects (incident, subject, fields) VALUES (?, ?, ?)`,
				in.ID, string(x.Subject), joinStrings(x.Fields)); err != nil {
				return sqldb.FormatError(op, err)
			}
		}
		return nil
	})
}

// FindByID returns an incident. Returns NotFound for an unknown id, and
// the refusals of responder.
func (s *Service) FindByID(ctx context.Context, a minimall.Actor, id string) (*Incident, error) {
	if err := responder(a, "incident.FindByID"); err != nil {
		return nil, err
	}
	return s.find(ctx, id)
}

// find reads an incident. Returns NotFound for an unknown id.
func (s *Service) find(ctx context.Context, id string) (*Incident, error) {
	const op = "incident.FindByID"
	in := &Incident{ID: id}
	var since, until, created, notified int64
	var fields, purposes, tables string
	err := s.db.QueryRowContext(ctx, `SELECT title, what, impact, measures, advice, since, until, fields, purposes, tables_hit, recorded_by, created_at, notified_at
		FROM incidents WHERE id = ?`, id).Scan(&in.Title, &in.What, &in.Impact, &in.Measures, &in.Advice, &since, &until,
		&fields, &purposes, &tables, &in.RecordedBy, &created, &notified)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, minimall.Errorf(minimall.NotFound, op, "No such incident. 无此事件。")
	}
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	in.Since, in.Until, in.CreatedAt, in.NotifiedAt = sqldb.FromMicros(since), sqldb.FromMicros(until), sqldb.FromMicros(created), sqldb.FromMicros(notified)
	in.Fields, in.Purposes, in.Tables = splitStrings[privacy.Field](fields), splitStrings[privacy.Purpose](purposes), splitStrings[string](tables)
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM incident_subjects WHERE incident = ?`, id).Scan(&in.Affected)
	return in, sqldb.FormatError(op, err)
}

// Report returns the report for the regulator: the account, the counts of
// people per field and the timeline, with no personal values and no
// subject ids.
func (s *Service) Report(ctx context.Context, a minimall.Actor, id string) (*Report, error) {
	const op = "incident.Report"
	in, err := s.FindByID(ctx, a, id)
	if err != nil {
		return nil, err
	}
	counts, err := s.fieldCounts(ctx, id)
	if err != nil {
		return nil, err
	}
	rep := &Report{Incident: in.ID, Title: in.Title, What: in.What, Impact: in.Impact, Measures: in.Measures, Advice: in.Advice,
		Purposes: in.Purposes, Tables: in.Tables, Affected: in.Affected, Generated: s.db.Now(), ByField: []FieldCount{}}
	for _, f := range in.Fields {
		spec, _ := privacy.Spec(f)
		rep.ByField = append(rep.ByField, FieldCount{Field: f, Name: spec.Name, People: counts[f]})
	}
	rep.Timeline = []Event{{in.Since, "exposure_began"}, {in.Until, "exposure_ended"}, {in.CreatedAt, "recorded"}}
	if !in.NotifiedAt.IsZero() {
		rep.Notified = in.Affected
		rep.Timeline = append(rep.Timeline, Event{in.NotifiedAt, "people_notified"})
	}
	sort.SliceStable(rep.Timeline, func(i, j int) bool { return rep.Timeline[i].At.Before(rep.Timeline[j].At) })
	return rep, nil
}

func (s *Service) fieldCounts(ctx context.Context, id string) (map[privacy.Field]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT fields FROM incident_subjects WHERE incident = ?`, id)
	if err != nil {
		return nil, sqldb.FormatError("incident.Report", err)
	}
	defer rows.Close()
	out := map[privacy.Field]int{}
	for rows.Next() {
		var fields string
		if err := rows.Scan(&fields); err != nil {
			return nil, sqldb.FormatError("incident.Report", err)
		}
		for _, f := range splitStrings[privacy.Field](fields) {
			out[f]++
		}
	}
	return out, sqldb.FormatError("incident.Report", rows.Err())
}

// maxListed bounds the incidents List returns.
const maxListed = 200

// List returns the recorded incidents, newest first (at most 200), with
// their affected counts. Returns the refusals of responder.
func (s *Service) List(ctx context.Context, a minimall.Actor) ([]*Incident, error) {
	const op = "incident.List"
	if err := responder(a, op); err != nil {
		return nil, err
	}
	ids, err := sqldb.Strings(ctx, s.db, `SELECT id FROM incidents ORDER BY created_at DESC, id LIMIT ?`, maxListed)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	out := make([]*Incident, 0, len(ids))
	for _, id := range ids {
		in, err := s.find(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}
