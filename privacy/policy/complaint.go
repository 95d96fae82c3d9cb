package policy

import (
	"context"
	"database/sql"
	"errors"
	"time"
	"unicode/utf8"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// Complaint states: the same as the rights-request queue's (policy 四(七)),
// so the two queues can merge.
const (
	StateReceived        = "received"
	StateIdentityChecked = "identity_checked"
	StateInProgress      = "in_progress"
	StateAnswered        = "answered"
	StateRefused         = "refused"
)

// next lists the states each state may move to.
var next = map[string][]string{
	StateReceived:        {StateIdentityChecked, StateRefused},
	StateIdentityChecked: {StateInProgress, StateAnswered, StateRefused},
	StateInProgress:      {StateAnswered, StateRefused},
}

// Topics a complaint may be about: a closed list, so the queue can be
// sorted without reading the sealed text.
var Topics = []string{"policy", "processing", "rights_request", "partner", "other"}

// RefusalReasons are the grounds for refusing a complaint (policy 四(七),
// 八): a closed list, so no free text with personal information is kept in
// the clear.
var RefusalReasons = []string{"identity_unverified", "unrelated_to_personal_information", "repeated_unreasonable", "impractical", "risk_to_others"}

// Complaint is one complaint in the queue.
type Complaint struct {
	ID            string             `json:"id"`
	Subject       minimall.SubjectID `json:"subject,omitempty"` // shown to operators
	Topic         string             `json:"topic"`
	Text          string             `json:"text"`
	Answer        string             `json:"answer,omitempty"`
	State         string             `json:"state"`
	RefusalReason string             `json:"refusal_reason,omitempty"`
	ReceivedAt    time.Time          `json:"received_at"`
	DeadlineAt    time.Time          `json:"deadline_at"`
	UpdatedAt     time.Time          `json:"updated_at"`
	Overdue       bool               `json:"overdue"`
}

// ComplaintRequest is a new complaint.
type ComplaintRequest struct {
	Topic string `json:"topic"`
	Text  string `json:"text"`
}

// ComplaintUpdate moves a complaint on.
type ComplaintUpdate struct {
	State         string `json:"state"`
	Answer        string `json:"answer,omitempty"`
	RefusalReason string `json:"refusal_reason,omitempty"`
}

const maxComplaintRunes = 4000

func oneOf(v string, list []string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// FileComplaint queues a signed-in person's complaint with a deadline of
// ReplyDays from receipt. The text is sealed under the person's key.
func (s *Service) FileComplaint(ctx context.Context, a minimall.Actor, req ComplaintRequest) (*Complaint, error) {
	const op = "policy.FileComplaint"
	if a.Kind != minimall.Shopper {
		return nil, minimall.Errorf(minimall.Unauthorized, op, "Sign in to file a complaint, or write to the personal-information protection officer at %s. 请登录后投诉，或发邮件至个人信息保护负责人 %s。", s.Contact().DPO, s.Contact().DPO)
	}
	n := utf8.RuneCountInString(req.Text)
	switch {
	case !oneOf(req.Topic, Topics):
		return nil, minimall.Errorf(minimall.Invalid, op, "topic must be one of policy, processing, rights_request, partner, other. 请选择投诉类别。")
	case n == 0 || n > maxComplaintRunes || !utf8.ValidString(req.Text):
		return nil, minimall.Errorf(minimall.Invalid, op, "text must be 1 to %d characters. 投诉内容须为 1 至 %d 个字符。", maxComplaintRunes, maxComplaintRunes)
	}
	c := &Complaint{ID: "cp_" + minimall.RandomToken(8), Topic: req.Topic, Text: req.Text, State: StateReceived}
	sealed, err := s.k.Guard().Seal(ctx, a.Subject, privacy.ComplaintText, c.ID, []byte(req.Text))
	if err != nil {
		return nil, err
	}
	var out *Complaint
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		var err error
		c.ReceivedAt, c.UpdatedAt = tx.Now(), tx.Now()
		c.DeadlineAt = c.ReceivedAt.Add(ReplyDays * privacy.Day)
		_, err = tx.ExecContext(ctx, `INSERT INTO policy_complaints (id, subject, topic, text_sealed, state, refusal_reason, received_at, deadline_at, updated_at, handled_by)
			VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, '')`, c.ID, string(a.Subject), c.Topic, sealed, c.State,
			sqldb.Micros(c.ReceivedAt), sqldb.Micros(c.DeadlineAt), sqldb.Micros(c.UpdatedAt))
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		out = c
		return nil
	})
	return out, err
}

const complaintColumns = `id, subject, topic, text_sealed, answer_sealed, state, refusal_reason, received_at, deadline_at, updated_at`

// MyComplaints lists the signed-in person's complaints, newest first.
func (s *Service) MyComplaints(ctx context.Context, a minimall.Actor) ([]*Complaint, error) {
	if err := minimall.SignedIn(a, "policy.MyComplaints"); err != nil {
		return nil, err
	}
	list, err := s.findComplaints(ctx, a, `WHERE subject = ? ORDER BY received_at DESC, id`, string(a.Subject))
	for _, c := range list {
		c.Subject = ""
	}
	return list, err
}

// ComplaintQueue lists open complaints for the DPO, oldest deadline first;
// with all set, answered and refused ones too. Each text is opened for the
// rights-request purpose, so each look is audited with the operator's
// ticket.
func (s *Service) ComplaintQueue(ctx context.Context, a minimall.Actor, all bool) ([]*Complaint, error) {
	if err := requireDPO(a, "policy.ComplaintQueue"); err != nil {
		return nil, err
	}
	if all {
		return s.findComplaints(ctx, a, `ORDER BY deadline_at, id`)
	}
	return s.findComplaints(ctx, a, `WHERE state <> ? AND state <> ? ORDER BY deadline_at, id`, StateAnswered, StateRefused)
}

func requireDPO(a minimall.Actor, op string) error {
	switch {
	case a.Kind == minimall.Anonymous:
		return minimall.SignedIn(a, op)
	case a.Kind != minimall.Operator || a.Role != minimall.RoleDPO:
		return minimall.Errorf(minimall.Denied, op, "Only the personal-information protection officer handles complaints. 仅个人信息保护负责人可处理投诉。")
	}
	return nil
}

func (s *Service) findComplaints(ctx context.Context, a minimall.Actor, where string, args ...any) ([]*Complaint, error) {
	const op = "policy.findComplaints"
	rows, err := s.db.QueryContext(ctx, `SELECT `+complaintColumns+` FROM policy_complaints `+where, args...)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	type sealedComplaint struct {
		c            *Complaint
		text, answer []byte
	}
	var found []sealedComplaint
	for rows.Next() {
		var sc sealedComplaint
		c, err := scanComplaint(rows.Scan, &sc.text, &sc.answer)
		if err != nil {
			rows.Close()
			return nil, sqldb.FormatError(op, err)
		}
		sc.c = c
		found = append(found, sc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	now := s.db.Now()
	out := make([]*Complaint, 0, len(found))
	for _, sc := range found {
		if err := s.openComplaint(ctx, a, sc.c, sc.text, sc.answer); err != nil {
			return nil, err
		}
		sc.c.Overdue = overdue(sc.c, now)
		out = append(out, sc.c)
	}
	return out, nil
}

func overdue(c *Complaint, now time.Time) bool {
	return c.State != StateAnswered && c.State != StateRefused && now.After(c.DeadlineAt)
}

func scanComplaint(scan func(...any) error, text, answer *[]byte) (*Complaint, error) {
	var c Complaint
	var subject string
	var received, deadline, updated int64
	if err := scan(&c.ID, &subject, &c.Topic, text, answer, &c.State, &c.RefusalReason, &received, &deadline, &updated); err != nil {
		return nil, err
	}
	c.Subject = minimall.SubjectID(subject)
	c.ReceivedAt, c.DeadlineAt, c.UpdatedAt = sqldb.FromMicros(received), sqldb.FromMicros(deadline), sqldb.FromMicros(updated)
	return &c, nil
}

func (s *Service) openComplaint(ctx context.Context, a minimall.Actor, c *Complaint, text, answer []byte) error {
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

// UpdateComplaint moves a complaint along the queue: received →
// identity_checked → in_progress → answered, or refused with a reason
// from RefusalReasons at any open step.
func (s *Service) UpdateComplaint(ctx context.Context, a minimall.Actor, id string, u ComplaintUpdate) (*Complaint, error) {
	const op = "policy.UpdateComplaint"
	if err := requireDPO(a, op); err != nil {
		return nil, err
	}
	switch {
	case u.State == StateAnswered && (u.Answer == "" || utf8.RuneCountInString(u.Answer) > maxComplaintRunes):
		return nil, minimall.Errorf(minimall.Invalid, op, "An answer of 1 to %d characters is required. 答复须为 1 至 %d 个字符。", maxComplaintRunes, maxComplaintRunes)
	case u.State == StateRefused && !oneOf(u.RefusalReason, RefusalReasons):
		return nil, minimall.Errorf(minimall.Invalid, op, "A refusal needs a reason: identity_unverified, unrelated_to_personal_information, repeated_unreasonable, impractical or risk_to_others. 拒绝须说明理由。")
	case u.State != StateAnswered && u.Answer != "", u.State != StateRefused && u.RefusalReason != "":
		return nil, minimall.Errorf(minimall.Invalid, op, "answer goes with answered, refusal_reason with refused. 答复与拒绝理由须与状态对应。")
	}
	// The answer is sealed before the write, under the subject the row
	// names; the write then changes the row only if its state is still
	// the one read (compare-and-set), so the sealed answer matches it.
	var text, answer []byte
	c, err := scanComplaint(s.db.QueryRowContext(ctx, `SELECT `+complaintColumns+` FROM policy_complaints WHERE id = ?`, id).Scan, &text, &answer)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, minimall.Errorf(minimall.NotFound, op, "No such complaint. 无此投诉。")
	}
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	if !oneOf(u.State, next[c.State]) {
		return nil, minimall.Errorf(minimall.Conflict, op, "A complaint that is %s cannot become %s. 投诉当前状态为 %s，不能变为 %s。", c.State, u.State, c.State, u.State)
	}
	if u.State == StateAnswered {
		if answer, err = s.k.Guard().Seal(ctx, c.Subject, privacy.ComplaintAnswer, c.ID, []byte(u.Answer)); err != nil {
			return nil, err
		}
	}
	was := c.State
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		c.State, c.RefusalReason, c.UpdatedAt = u.State, u.RefusalReason, tx.Now()
		res, err := tx.ExecContext(ctx, `UPDATE policy_complaints SET state = ?, refusal_reason = ?, answer_sealed = ?, updated_at = ?, handled_by = ? WHERE id = ? AND state = ?`,
			c.State, c.RefusalReason, answer, sqldb.Micros(c.UpdatedAt), a.ID, c.ID, was)
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return minimall.Errorf(minimall.Conflict, op, "The complaint changed meanwhile; try again. 投诉状态已变化，请重试。")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.openComplaint(ctx, a, c, text, answer); err != nil {
		return nil, err
	}
	c.Overdue = overdue(c, s.db.Now())
	return c, nil
}
