package decision

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"
	"time"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
	"minimall/sqldb"
)

// Log records automated decisions as they are made. The areas that decide
// (account's risk control, search's ranking) write here; it needs no other
// area, so it is built before them.
type Log struct {
	db *sqldb.DB
	k  *privacy.Kernel
}

// NewLog returns the decision log.
func NewLog(db *sqldb.DB, k *privacy.Kernel) *Log { return &Log{db: db, k: k} }

// Service serves the recorded decisions to the person they affected: the
// list, the explanation and the appeal, and the operator's answer.
type Service struct {
	*Log
	reverse map[Kind]Reverser
	appeals Appeals
}

// NewService returns the decision service over log. Appeals go into the
// rights queue; an overturned decision of a kind in reversers is undone by
// the area that made it.
func NewService(log *Log, appeals Appeals, reversers map[Kind]Reverser) *Service {
	return &Service{Log: log, reverse: reversers, appeals: appeals}
}

// execer is a database or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

var errNotFound = minimall.Errorf(minimall.NotFound, "decision.Find", "No such decision. 未找到该决策记录。")

// Record stores a decision with its factors sealed. A Daily decision
// already recorded today for the person is not recorded again.
func (s *Log) Record(ctx context.Context, d Made) error {
	const op = "decision.Record"
	if _, ok := summaries[d.Kind]; !ok || d.Subject == "" {
		return minimall.Errorf(minimall.Invalid, op, "Unknown decision kind. 未知的决策类型。")
	}
	id := "dc_" + minimall.RandomToken(10)
	dedup := id
	if d.Daily {
		dedup = string(d.Kind) + ":" + string(d.Subject) + ":" + s.db.Now().UTC().Format("2006-01-02")
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM decisions WHERE dedup = ?`, dedup).Scan(&n); err != nil {
			return sqldb.FormatError(op, err)
		}
		if n > 0 {
			return nil
		}
	}
	b, _ := json.Marshal(d.Factors)
	sealed, err := s.k.Guard().Seal(ctx, d.Subject, privacy.DecisionFactors, id, b)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO decisions (id, subject, kind, dedup, factors_sealed, made_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (dedup) DO NOTHING`, id, string(d.Subject), string(d.Kind), dedup, sealed, sqldb.Micros(s.db.Now()))
	return sqldb.FormatError(op, err)
}

// row is one decisions row.
type row struct {
	d      Decision
	sealed []byte
}

const columns = `id, subject, kind, factors_sealed, made_at, appeal_reason, appealed_at, outcome, answered_at, appeal_request`

// scanRow reads a row; now marks an unanswered appeal overdue.
func scanRow(sc interface{ Scan(...any) error }, now time.Time) (*row, error) {
	var r row
	var subject, kind, reason, outcome, request string
	var made, appealed, answered int64
	if err := sc.Scan(&r.d.ID, &subject, &kind, &r.sealed, &made, &reason, &appealed, &outcome, &answered, &request); err != nil {
		return nil, err
	}
	r.d.Subject, r.d.Kind, r.d.MadeAt = minimall.SubjectID(subject), Kind(kind), sqldb.FromMicros(made)
	r.d.Summary, r.d.AppealState = summary(r.d.Kind), "none"
	if reason != "" {
		at := sqldb.FromMicros(appealed)
		r.d.Appeal = &Appeal{Reason: reason, AppealedAt: at, Request: request, DueAt: at.Add(rights.Deadline), Outcome: outcome}
		r.d.AppealState = "appealed"
		if answered != 0 {
			t := sqldb.FromMicros(answered)
			r.d.Appeal.AnsweredAt, r.d.AppealState = &t, "answered"
		} else {
			r.d.Appeal.Overdue = now.After(r.d.Appeal.DueAt)
		}
	}
	return &r, nil
}

// open opens the factors of r for actor a and purpose p.
func (s *Service) open(ctx context.Context, a minimall.Actor, p privacy.Purpose, r *row) error {
	b, err := s.k.Guard().Open(ctx, a, r.d.Subject, privacy.DecisionFactors, p, r.d.ID, r.sealed)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &r.d.Factors); err != nil {
		return minimall.Errorf(minimall.Internal, "decision.open", "Internal error.")
	}
	return nil
}

func (s *Service) list(ctx context.Context, subject minimall.SubjectID) ([]*row, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+columns+` FROM decisions WHERE subject = ? ORDER BY made_at DESC, id`, string(subject))
	if err != nil {
		return nil, sqldb.FormatError("decision.List", err)
	}
	defer rows.Close()
	var out []*row
	now := s.db.Now()
	for rows.Next() {
		r, err := scanRow(rows, now)
		if err != nil {
			return nil, sqldb.FormatError("decision.List", err)
		}
		out = append(out, r)
	}
	return out, sqldb.FormatError("decision.List", rows.Err())
}

func (s *Service) load(ctx context.Context, id string) (*row, error) {
	r, err := scanRow(s.db.QueryRowContext(ctx, `SELECT `+columns+` FROM decisions WHERE id = ?`, id), s.db.Now())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return r, sqldb.FormatError("decision.Find", err)
}

// loadOwn loads a decision of the signed-in person; another's is NotFound.
func (s *Service) loadOwn(ctx context.Context, a minimall.Actor, op, id string) (*row, error) {
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	r, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.d.Subject != a.Subject {
		return nil, errNotFound
	}
	return r, nil
}

// List returns the signed-in person's decisions, newest first, with their
// factors. Returns Unauthorized for a visitor.
func (s *Service) List(ctx context.Context, a minimall.Actor) ([]*Decision, error) {
	if err := minimall.SignedIn(a, "decision.List"); err != nil {
		return nil, err
	}
	rows, err := s.list(ctx, a.Subject)
	if err != nil {
		return nil, err
	}
	out := make([]*Decision, 0, len(rows))
	for _, r := range rows {
		if err := s.open(ctx, a, privacy.ForRightsRequest, r); err != nil {
			return nil, err
		}
		out = append(out, &r.d)
	}
	return out, nil
}

// AppealReasons lists the reason codes an appeal may give.
func AppealReasons() []string {
	out := make([]string, 0, len(reasons))
	for k := range reasons {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Explain returns one of the person's decisions with its factors in plain
// Chinese and English. Returns NotFound for another person's decision.
func (s *Service) Explain(ctx context.Context, a minimall.Actor, id string) (*Explanation, error) {
	r, err := s.loadOwn(ctx, a, "decision.Explain", id)
	if err != nil {
		return nil, err
	}
	if err := s.open(ctx, a, privacy.ForRightsRequest, r); err != nil {
		return nil, err
	}
	e := &Explanation{Decision: &r.d, Explained: []ExplainedFactor{}, AppealReasons: AppealReasons(),
		HowToAppeal: "如不同意该决定，可选择一项理由提出申诉，由安全或个人信息保护负责人人工复核。 / If you disagree, appeal with one of the reasons; a security officer or the personal-information protection officer reviews it."}
	for _, f := range r.d.Factors {
		e.Explained = append(e.Explained, explain(f))
	}
	return e, nil
}

// Appeal files the person's appeal against one of their decisions; with
// the rights queue wired it is a rights request of kind appeal, due in 15
// days, in the same transaction. Returns Invalid for a reason not on the
// list, NotFound for another person's decision, Conflict if it was
// appealed before.
func (s *Service) Appeal(ctx context.Context, a minimall.Actor, id, reason string) (*Decision, error) {
	const op = "decision.Appeal"
	r, err := s.loadOwn(ctx, a, op, id)
	if err != nil {
		return nil, err
	}
	if _, ok := reasons[reason]; !ok {
		return nil, minimall.Errorf(minimall.Invalid, op, "reason must be one of %v. 申诉理由须从列表中选择。", AppealReasons())
	}
	again := minimall.Errorf(minimall.Conflict, op, "This decision was appealed already; follow that appeal in your rights requests. 该决策已提出过申诉，请在权利请求中查看进度。")
	if r.d.Appeal != nil {
		return nil, again
	}
	mark := func(ex execer, request string, at time.Time) error {
		res, err := ex.ExecContext(ctx, `UPDATE decisions SET appeal_reason = ?, appealed_at = ?, appeal_request = ? WHERE id = ? AND appeal_reason = ''`,
			reason, sqldb.Micros(at), request, id)
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return again // a concurrent appeal won
		}
		return nil
	}
	_, err = s.appeals.FileAppeal(ctx, a, id, reason, func(tx *sqldb.Tx, req *rights.Request) error {
		return mark(tx, req.ID, req.ReceivedAt)
	})
	if err != nil {
		return nil, err
	}
	if r, err = s.load(ctx, id); err != nil {
		return nil, err
	}
	return &r.d, nil
}

// mayAnswer reports whether an operator may answer appeals: the security
// role (risk control) or the personal-information protection officer.
func mayAnswer(a minimall.Actor) bool {
	return a.Kind == minimall.Operator && (a.Role == minimall.RoleSecurity || a.Role == minimall.RoleDPO)
}

// Answer closes an appeal with Upheld or Overturned. Overturning a
// risk-control decision undoes it in the area that made it. Returns
// Unauthorized for a visitor, Denied for anyone else but a dpo or security
// operator, Invalid for another outcome,
// NotFound for no such decision, Conflict when it is not awaiting an answer.
func (s *Service) Answer(ctx context.Context, a minimall.Actor, id, outcome string) (*Decision, error) {
	const op = "decision.Answer"
	if a.Kind == minimall.Anonymous {
		return nil, minimall.SignedIn(a, op) // a visitor is told to sign in (401), as everywhere else
	}
	if !mayAnswer(a) {
		return nil, minimall.Errorf(minimall.Denied, op, "Only a security officer or the personal-information protection officer answers appeals. 仅安全或个人信息保护负责人可答复申诉。")
	}
	if outcome != Upheld && outcome != Overturned {
		return nil, minimall.Errorf(minimall.Invalid, op, "outcome must be upheld or overturned. outcome 须为 upheld 或 overturned。")
	}
	r, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.d.AppealState != "appealed" {
		return nil, minimall.Errorf(minimall.Conflict, op, "This decision has no appeal awaiting an answer (%s). 该决策没有待答复的申诉。", r.d.AppealState)
	}
	if outcome == Overturned {
		if rev := s.reverse[r.d.Kind]; rev != nil {
			if err := rev.ReverseDecision(ctx, r.d.Subject, r.d.Kind); err != nil {
				return nil, err
			}
		}
	}
	record := func(ex execer) error {
		res, err := ex.ExecContext(ctx, `UPDATE decisions SET outcome = ?, answered_by = ?, answered_at = ? WHERE id = ? AND answered_at = 0`,
			outcome, a.ID, sqldb.Micros(s.db.Now()), id)
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return minimall.Errorf(minimall.Conflict, op, "Answered already. 已答复。")
		}
		return nil
	}
	// The appeal's rights request closes with the answer, in one transaction.
	if r.d.Appeal.Request != "" {
		err = s.appeals.CloseAppeal(ctx, a, r.d.Appeal.Request, outcome, func(tx *sqldb.Tx) error { return record(tx) })
	} else {
		err = record(s.db)
	}
	if err != nil {
		return nil, err
	}
	if r, err = s.load(ctx, id); err != nil {
		return nil, err
	}
	return &r.d, nil
}

// Decisions lists the decisions that affected s with their factors in
// plain words, for the rights export (rights.DecisionSource).
func (s *Service) Decisions(ctx context.Context, subject minimall.SubjectID) ([]any, error) {
	rows, err := s.list(ctx, subject)
	if err != nil {
		return nil, err
	}
	a := minimall.SystemActor("rights-export")
	out := make([]any, 0, len(rows))
	for _, r := range rows {
		if err := s.open(ctx, a, privacy.ForRightsRequest, r); err != nil {
			return nil, err
		}
		e := &Explanation{Decision: &r.d, Explained: []ExplainedFactor{}}
		for _, f := range r.d.Factors {
			e.Explained = append(e.Explained, explain(f))
		}
		out = append(out, e)
	}
	return out, nil
}

// ReasonText returns an appeal reason code's text in Chinese and English.
func ReasonText(code string) (zh, en string) {
	t := reasons[code]
	return t[0], t[1]
}

// Queue returns the appeals awaiting an answer, oldest first (overdue
// ones are the oldest), for the operators who answer them: each
// decision's kind, summary and appeal, never the person or the sealed
// factors. Returns Unauthorized for a visitor, Denied for anyone but a dpo
// or security operator.
func (s *Service) Queue(ctx context.Context, a minimall.Actor) ([]*Decision, error) {
	const op = "decision.Queue"
	if a.Kind == minimall.Anonymous {
		return nil, minimall.SignedIn(a, op)
	}
	if !mayAnswer(a) {
		return nil, minimall.Errorf(minimall.Denied, op, "Only a security officer or the personal-information protection officer answers appeals. 仅安全或个人信息保护负责人可答复申诉。")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+columns+` FROM decisions WHERE appeal_reason <> '' AND answered_at = 0
		ORDER BY appealed_at, id LIMIT 500`)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	var out []*Decision
	now := s.db.Now()
	for rows.Next() {
		r, err := scanRow(rows, now)
		if err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		out = append(out, &r.d)
	}
	return out, sqldb.FormatError(op, rows.Err())
}
