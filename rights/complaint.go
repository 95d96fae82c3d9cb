package rights

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"
	"unicode/utf8"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// ComplaintTopics are what a complaint may be about: a closed list, so the
// queue can be sorted without reading the sealed text.
var ComplaintTopics = []string{"policy", "processing", "rights_request", "partner", "other"}

// ComplaintRefusalReasons are the grounds for refusing a complaint (policy
// 四(七), 八): a closed list, so no free text with personal information is
// kept in the clear.
var ComplaintRefusalReasons = []string{"identity_unverified", "unrelated_to_personal_information", "repeated_unreasonable", "impractical", "risk_to_others"}

const maxComplaintRunes = 4000

// ComplaintRequest is a request of kind Complaint as the person and the
// DPO see it: what it says, and where it is in the queue.
type ComplaintRequest struct {
	ID            string             `json:"id"`
	Subject       minimall.SubjectID `json:"subject,omitempty"` // shown to operators
	Topic         string             `json:"topic"`
	Text          string             `json:"text"`
	Answer        string             `json:"answer,omitempty"`
	State         State              `json:"state"`
	RefusalReason string             `json:"refusal_reason,omitempty"`
	ReceivedAt    time.Time          `json:"received_at"`
	DeadlineAt    time.Time          `json:"deadline_at"`
	UpdatedAt     time.Time          `json:"updated_at"`
	Overdue       bool               `json:"overdue"`
}

// NewComplaint is a complaint as the person files it.
type NewComplaint struct {
	Topic string `json:"topic"`
	Text  string `json:"text"`
}

// ComplaintUpdate moves a complaint on.
type ComplaintUpdate struct {
	State         State  `json:"state"`
	Answer        string `json:"answer,omitempty"`
	RefusalReason string `json:"refusal_reason,omitempty"`
}

// FileComplaint queues a signed-in person's complaint (policy 八) as a
// request of kind Complaint, due like every request. The text is sealed
// under the person's key. Returns Unauthorized for a visitor, Invalid for
// an unknown topic or a text that is empty or too long.
func (s *Service) FileComplaint(ctx context.Context, a minimall.Actor, req NewComplaint) (*ComplaintRequest, error) {
	const op = "rights.FileComplaint"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	n := utf8.RuneCountInString(req.Text)
	switch {
	case !slices.Contains(ComplaintTopics, req.Topic):
		return nil, minimall.InvalidField(op, "topic", minimall.RuleChoice, "topic must be one of policy, processing, rights_request, partner, other. 请选择投诉类别。")
	case n == 0 || n > maxComplaintRunes || !utf8.ValidString(req.Text):
		return nil, minimall.InvalidField(op, "text", minimall.RuleLength, "text must be 1 to %d characters. 投诉内容须为 1 至 %d 个字符。", maxComplaintRunes, maxComplaintRunes)
	}
	id := "cp_" + minimall.RandomToken(8)
	text, err := s.k.Guard().Seal(ctx, a.Subject, privacy.ComplaintText, id, []byte(req.Text))
	if err != nil {
		return nil, err
	}
	r, err := s.insertWith(ctx, id, a.Subject, Complaint, BySelf, Received, "", Details{Topic: req.Topic}, nil, func(tx *sqldb.Tx, r *Request) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO policy_complaints (id, subject, topic, text_sealed, received_at, updated_at, handled_by) VALUES (?, ?, ?, ?, ?, ?, '')`,
			id, string(a.Subject), req.Topic, text, sqldb.Micros(r.ReceivedAt), sqldb.Micros(r.ReceivedAt))
		return sqldb.FormatError(op, err)
	})
	if err != nil {
		return nil, err
	}
	return &ComplaintRequest{ID: r.ID, Topic: req.Topic, Text: req.Text, State: r.State, ReceivedAt: r.ReceivedAt, DeadlineAt: r.DueAt, UpdatedAt: r.ReceivedAt}, nil
}

// MyComplaints lists the signed-in person's complaints, newest first.
// Returns Unauthorized for a visitor.
func (s *Service) MyComplaints(ctx context.Context, a minimall.Actor) ([]*ComplaintRequest, error) {
	const op = "rights.MyComplaints"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	list, err := s.findComplaints(ctx, op, a, `AND r.subject = ? ORDER BY r.received_at DESC, r.id`, string(a.Subject))
	for _, c := range list {
		c.Subject = ""
	}
	return list, err
}

// ComplaintQueue lists open complaints for the DPO, oldest deadline first;
// with all set, answered and refused ones too. Each text is opened for the
// rights-request purpose, so each look is audited with the operator's
// ticket. Returns Unauthorized for a visitor, Denied for anyone else.
func (s *Service) ComplaintQueue(ctx context.Context, a minimall.Actor, all bool) ([]*ComplaintRequest, error) {
	const op = "rights.ComplaintQueue"
	if err := complaintHandler(a, op); err != nil {
		return nil, err
	}
	if all {
		return s.findComplaints(ctx, op, a, `ORDER BY r.due_at, r.id`)
	}
	return s.findComplaints(ctx, op, a, `AND r.state NOT IN (?, ?) ORDER BY r.due_at, r.id`, string(Answered), string(Refused))
}

// complaintHandler checks a is the DPO, who answers complaints as every
// request; a visitor is asked to sign in.
func complaintHandler(a minimall.Actor, op string) error {
	if a.Kind == minimall.Anonymous {
		return minimall.SignedIn(a, op)
	}
	return requireDPO(a, op)
}

// UpdateComplaint moves a complaint along the queue as next allows:
// received → identity_checked → in_progress → answered, or refused with a
// reason from ComplaintRefusalReasons at any open step. Returns
// Unauthorized for a visitor, Denied for anyone but the DPO, Invalid for a
// malformed update, NotFound for no such complaint, Conflict for a move
// its state does not allow.
func (s *Service) UpdateComplaint(ctx context.Context, a minimall.Actor, id string, u ComplaintUpdate) (*ComplaintRequest, error) {
	const op = "rights.UpdateComplaint"
	if err := complaintHandler(a, op); err != nil {
		return nil, err
	}
	if err := u.validate(op); err != nil {
		return nil, err
	}
	c, text, answer, err := s.loadComplaint(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(next[c.State], u.State) {
		return nil, minimall.Errorf(minimall.Conflict, op, "A complaint that is %s cannot become %s. 投诉当前状态为 %s，不能变为 %s。", c.State, u.State, c.State, u.State)
	}
	if u.State == Answered {
		if answer, err = s.k.Guard().Seal(ctx, c.Subject, privacy.ComplaintAnswer, c.ID, []byte(u.Answer)); err != nil {
			return nil, err
		}
	}
	if err := s.moveComplaint(ctx, op, a, c, u, answer); err != nil {
		return nil, err
	}
	if err := s.openComplaint(ctx, a, c, text, answer); err != nil {
		return nil, err
	}
	c.Overdue = overdue(c.State, c.DeadlineAt, s.db.Now())
	return c, nil
}

func (u ComplaintUpdate) validate(op string) error {
	switch {
	case u.State == Answered && (u.Answer == "" || utf8.RuneCountInString(u.Answer) > maxComplaintRunes):
		return minimall.Errorf(minimall.Invalid, op, "An answer of 1 to %d characters is required. 答复须为 1 至 %d 个字符。", maxComplaintRunes, maxComplaintRunes)
	case u.State == Refused && !slices.Contains(ComplaintRefusalReasons, u.RefusalReason):
		return minimall.Errorf(minimall.Invalid, op, "A refusal needs a reason: identity_unverified, unrelated_to_personal_information, repeated_unreasonable, impractical or risk_to_others. 拒绝须说明理由。")
	case u.State != Answered && u.Answer != "", u.State != Refused && u.RefusalReason != "":
		return minimall.Errorf(minimall.Invalid, op, "answer goes with answered, refusal_reason with refused. 答复与拒绝理由须与状态对应。")
	}
	return nil
}

// moveComplaint records the move in the queue and the answer, if any, in
// one transaction; the move fails with Conflict if another got there first.
func (s *Service) moveComplaint(ctx context.Context, op string, a minimall.Actor, c *ComplaintRequest, u ComplaintUpdate, answer []byte) error {
	var now int64
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		now = sqldb.Micros(tx.Now())
		set, args := "refused_reason = ?", []any{u.RefusalReason}
		switch u.State {
		case IdentityChecked:
			set, args = set+", checked_at = ?", append(args, now)
		case Answered, Refused:
			set, args = set+", closed_at = ?", append(args, now)
		}
		if err := moveState(ctx, tx, op, c.ID, c.State, u.State, set, args...); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE policy_complaints SET answer_sealed = ?, updated_at = ?, handled_by = ? WHERE id = ?`, answer, now, a.ID, c.ID)
		return sqldb.FormatError(op, err)
	})
	if err != nil {
		return err
	}
	c.State, c.RefusalReason, c.UpdatedAt = u.State, u.RefusalReason, sqldb.FromMicros(now)
	if u.State == Answered || u.State == Refused {
		s.Logger.Info("rights request closed", "request", c.ID, "subject", string(c.Subject), "kind", string(Complaint), "state", string(u.State))
	}
	return nil
}

const complaintQuery = `SELECT r.id, r.subject, c.topic, c.text_sealed, c.answer_sealed, r.state, r.refused_reason, r.received_at, r.due_at, c.updated_at
	FROM rights_requests r JOIN policy_complaints c ON c.id = r.id WHERE r.kind = 'complaint' `

func scanComplaint(scan func(...any) error, text, answer *[]byte) (*ComplaintRequest, error) {
	var c ComplaintRequest
	var subject string
	var received, due, updated int64
	if err := scan(&c.ID, &subject, &c.Topic, text, answer, &c.State, &c.RefusalReason, &received, &due, &updated); err != nil {
		return nil, err
	}
	c.Subject = minimall.SubjectID(subject)
	c.ReceivedAt, c.DeadlineAt, c.UpdatedAt = sqldb.FromMicros(received), sqldb.FromMicros(due), sqldb.FromMicros(updated)
	return &c, nil
}

func (s *Service) loadComplaint(ctx context.Context, op, id string) (c *ComplaintRequest, text, answer []byte, err error) {
	c, err = scanComplaint(s.db.QueryRowContext(ctx, complaintQuery+`AND r.id = ?`, id).Scan, &text, &answer)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil, minimall.Errorf(minimall.NotFound, op, "No such complaint. 无此投诉。")
	}
	if err != nil {
		return nil, nil, nil, sqldb.FormatError(op, err)
	}
	return c, text, answer, nil
}

// findComplaints reads the complaints the query selects, then opens each
// text and answer as a: the rows are read first, so no query stays open
// while the guard writes its audit entries.
func (s *Service) findComplaints(ctx context.Context, op string, a minimall.Actor, where string, args ...any) ([]*ComplaintRequest, error) {
	rows, err := s.db.QueryContext(ctx, complaintQuery+where, args...)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	type sealedComplaint struct {
		c            *ComplaintRequest
		text, answer []byte
	}
	var found []sealedComplaint
	for rows.Next() {
		var sc sealedComplaint
		if sc.c, err = scanComplaint(rows.Scan, &sc.text, &sc.answer); err != nil {
			rows.Close()
			return nil, sqldb.FormatError(op, err)
		}
		found = append(found, sc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	now, out := s.db.Now(), make([]*ComplaintRequest, 0, len(found))
	for _, sc := range found {
		if err := s.openComplaint(ctx, a, sc.c, sc.text, sc.answer); err != nil {
			return nil, err
		}
		sc.c.Overdue = overdue(sc.c.State, sc.c.DeadlineAt, now)
		out = append(out, sc.c)
	}
	return out, nil
}

func (s *Service) openComplaint(ctx context.Context, a minimall.Actor, c *ComplaintRequest, text, answer []byte) error {
	var err error
	if c.Text, err = s.k.Guard().OpenString(ctx, a, c.Subject, privacy.ComplaintText, privacy.ForRightsRequest, c.ID, text); err != nil {
		return err
	}
	if len(answer) > 0 {
		if c.Answer, err = s.k.Guard().OpenString(ctx, a, c.Subject, privacy.ComplaintAnswer, privacy.ForRightsRequest, c.ID, answer); err != nil {
			return err
		}
	}
	return nil
}

// complaintElsewhere is the answer to serving or refusing a complaint
// through the rights routes: the DPO answers it, with its own text and
// refusal reasons, at the complaint routes.
func complaintElsewhere(op string, row *requestRow) error {
	return minimall.Errorf(minimall.Conflict, op,
		"Answer this complaint at POST /api/v1/ops/complaints/%s. 请在投诉处答复该投诉。", row.id)
}
