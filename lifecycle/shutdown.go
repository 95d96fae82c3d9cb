package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"minimall"
	"minimall/sqldb"
)

// Holders lists the account holders a notice goes to, in pages ordered by
// subject id after the given one. The account area implements it.
type Holders interface {
	Holders(ctx context.Context, after minimall.SubjectID, limit int) ([]minimall.SubjectID, error)
}

// Notice kinds.
const NoticeShutdown = "shutdown"

// notices are the texts of each kind, Chinese first. They name no one.
var notices = map[string]struct{ Title, Body string }{
	NoticeShutdown: {
		Title: "停止运营通知 / minimall is closing",
		Body: "minimall 已停止运营，并已停止收集您的个人信息。除法律要求留存的交易记录（自交易完成之日起三年）和安全日志（六个月）外，" +
			"我们持有的您的个人信息将被删除或匿名化。留存期满后，这些记录也将被销毁。您仍可查阅、复制您的信息。 / " +
			"minimall has stopped operating and no longer collects your personal information. Except transaction records the law " +
			"requires us to keep (three years from completion) and security logs (six months), what we hold about you is deleted or " +
			"anonymised; those records are destroyed when their period ends. You can still see and copy your information.",
	},
}

// Notification is one notice to a person.
type Notification struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// ShutdownReport is what the shutdown procedure did, or is doing.
type ShutdownReport struct {
	StoppedAt time.Time `json:"stopped_at,omitzero"`
	Reason    string    `json:"reason"`
	// State is ShutdownCompleted, or ShutdownUnderWay when another call is
	// carrying the procedure out: then Notified and Sweep are not known yet.
	State    string  `json:"state"`
	Notified int     `json:"notified"`
	Sweep    *Report `json:"sweep"`
}

// Shutdown states.
const (
	ShutdownCompleted = "completed"
	ShutdownUnderWay  = "under_way"
)

// ShutdownConfirmation must be sent with a shutdown: it cannot be undone.
const ShutdownConfirmation = "STOP-COLLECTION"

// ShutdownReason is a reason the platform may stop operating for.
type ShutdownReason struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// ShutdownReasons are the only reasons a shutdown may give, the cases in
// which policy 三(四) "如果我们停止运营产品及/或服务" applies: minimall stops
// operating its products and services, because it decides to, because an
// authority orders it to (PIPL art. 66), or because its operator ends
// with no successor to take the data over (PIPL art. 22 covers a
// successor; without one the data is deleted).
var ShutdownReasons = []ShutdownReason{
	{"ceased_operations", "停止运营产品及服务 / minimall stops operating its products and services"},
	{"authority_order", "主管部门责令停止提供服务 / a competent authority orders the service to stop"},
	{"operator_dissolved", "运营者解散或破产且无承接方 / the operator is dissolved or bankrupt, with no successor"},
}

func shutdownReason(code string) bool {
	for _, r := range ShutdownReasons {
		if r.Code == code {
			return true
		}
	}
	return false
}

// Shutdown carries out policy 三(四): it stops collection platform-wide
// (every Seal refused from now on), sends the notice to every account
// holder one by one, and sweeps with the shutdown rule, so everything not
// kept under a legal duty is deleted now and the rest when its period
// ends. It happens once: a call while the procedure is under way on this
// node answers that (State under_way), and a call after it completed
// answers with its report, reason and sweep, starting nothing. A call
// after a failed run finishes what that run left; the stop and the
// notices are recorded once.
//
// Returns Denied unless a is a DPO or ops operator, Invalid without the
// confirmation or with a reason not in ShutdownReasons.
func (s *Service) Shutdown(ctx context.Context, a minimall.Actor, reason, confirm string) (*ShutdownReport, error) {
	const op = "lifecycle.Shutdown"
	if a.Kind != minimall.Operator || (a.Role != minimall.RoleDPO && a.Role != minimall.RoleOps) {
		return nil, minimall.Errorf(minimall.Denied, op, "Only the DPO or ops may shut the platform down. 仅个人信息保护负责人或运维可执行停止运营。")
	}
	if confirm != ShutdownConfirmation {
		return nil, minimall.InvalidField(op, "confirm", minimall.RuleMismatch, "Confirm with %q: stopping collection cannot be undone. 停止收集不可撤销，请确认。", ShutdownConfirmation)
	}
	if !shutdownReason(reason) {
		return nil, minimall.InvalidField(op, "reason", minimall.RuleChoice, "reason must be ceased_operations, authority_order or operator_dissolved. 原因须为 ceased_operations、authority_order 或 operator_dissolved。")
	}
	// The stop comes first, so a call that finds the procedure under way
	// can answer with its time and reason.
	if err := s.stopCollection(ctx, a, reason); err != nil {
		return nil, err
	}
	if !s.shutting.TryLock() {
		return s.shutdownSoFar(ctx, ShutdownUnderWay, nil)
	}
	defer s.shutting.Unlock()
	done, err := s.shutdownSweep(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if done != nil {
		return s.shutdownSoFar(ctx, ShutdownCompleted, done)
	}
	return s.finishShutdown(ctx)
}

// stopCollection records the stop, unless it is recorded already.
func (s *Service) stopCollection(ctx context.Context, a minimall.Actor, reason string) error {
	st, err := s.Status(ctx)
	if err != nil || st.Stopped {
		return err
	}
	_, err = s.k.Shutdown(ctx, a, reason)
	return err
}

// ResumeShutdown finishes a shutdown a crash interrupted: the stop was
// recorded but its notices or sweep were not completed. It does nothing
// on a running platform, after a completed shutdown, or while this node
// is carrying the procedure out. It returns 1 when it finished one.
func (s *Service) ResumeShutdown(ctx context.Context) (int, error) {
	done, err := s.shutdownSweep(ctx)
	if err != nil || done != nil {
		return 0, err
	}
	st, err := s.Status(ctx)
	if err != nil || !st.Stopped {
		return 0, err
	}
	if !s.shutting.TryLock() {
		return 0, nil
	}
	defer s.shutting.Unlock()
	if _, err := s.finishShutdown(ctx); err != nil {
		return 0, err
	}
	return 1, nil
}

// finishShutdown does the rest of the procedure: the notices and the
// sweep.
func (s *Service) finishShutdown(ctx context.Context) (*ShutdownReport, error) {
	const op = "lifecycle.Shutdown"
	rep, err := s.shutdownSoFar(ctx, ShutdownCompleted, nil)
	if err != nil {
		return nil, err
	}
	if rep.Notified, err = s.notifyAll(ctx, NoticeShutdown); err != nil {
		return rep, fmt.Errorf("%s: notify: %w", op, err)
	}
	rep.Sweep, err = s.Sweep(ctx, Options{Shutdown: true, procedure: true})
	return rep, err
}

// shutdownSoFar answers with the shutdown as recorded: its time and
// reason (the first call's, whatever later ones gave), and sweep.
func (s *Service) shutdownSoFar(ctx context.Context, state string, sweep *Report) (*ShutdownReport, error) {
	st, err := s.Status(ctx)
	if err != nil {
		return nil, err
	}
	reason, err := s.k.ShutdownReason(ctx)
	if err != nil {
		return nil, err
	}
	rep := &ShutdownReport{Reason: reason, State: state, Sweep: sweep}
	if st.StoppedAt != nil {
		rep.StoppedAt = *st.StoppedAt
	}
	return rep, nil
}

// shutdownSweep returns the report of the sweep that completed the
// shutdown procedure, or nil if none has (not stopped yet, or a run
// failed before its sweep was recorded).
func (s *Service) shutdownSweep(ctx context.Context) (*Report, error) {
	st, err := s.Status(ctx)
	if err != nil || !st.Stopped {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT report FROM retention_runs WHERE shutdown = 1 AND started_at >= ? ORDER BY started_at, id`,
		sqldb.Micros(*st.StoppedAt))
	if err != nil {
		return nil, sqldb.FormatError("lifecycle.shutdownSweep", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b string
		var rep Report
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(b), &rep); err != nil {
			return nil, err
		}
		if rep.ShutdownProcedure {
			return &rep, nil
		}
	}
	return nil, rows.Err()
}

// notifyAll records the notice for every holder, a page at a time; the id
// is derived from kind and subject, so each person gets it once.
func (s *Service) notifyAll(ctx context.Context, kind string) (int, error) {
	if s.holders == nil {
		return 0, fmt.Errorf("no account holders wired")
	}
	const page = 500
	var after minimall.SubjectID
	total := 0
	for {
		list, err := s.holders.Holders(ctx, after, page)
		if err != nil || len(list) == 0 {
			return total, err
		}
		n, err := s.insertNotices(ctx, kind, list)
		total += n
		if err != nil {
			return total, err
		}
		after = list[len(list)-1]
		if len(list) < page {
			return total, nil
		}
	}
}

func (s *Service) insertNotices(ctx context.Context, kind string, list []minimall.SubjectID) (int, error) {
	var out int
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		now := sqldb.Micros(tx.Now())
		n := 0
		for _, sub := range list {
			res, err := tx.ExecContext(ctx, `INSERT INTO lifecycle_notifications (id, subject, kind, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
				"nt_"+kind+"_"+string(sub), string(sub), kind, now)
			if err != nil {
				return sqldb.FormatError("lifecycle.notify", err)
			}
			if k, _ := res.RowsAffected(); k > 0 {
				n++
			}
		}
		out = n
		return nil
	})
	return out, err
}

// Notifications returns the signed-in person's notices, newest first.
// Returns Unauthorized for anyone but a signed-in shopper.
func (s *Service) Notifications(ctx context.Context, a minimall.Actor) ([]Notification, error) {
	const op = "lifecycle.Notifications"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, kind, created_at FROM lifecycle_notifications WHERE subject = ? ORDER BY created_at DESC, id LIMIT 100`, string(a.Subject))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		var at int64
		if err := rows.Scan(&n.ID, &n.Kind, &at); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		n.CreatedAt = sqldb.FromMicros(at)
		text := notices[n.Kind]
		n.Title, n.Body = text.Title, text.Body
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	return s.withNoticeTexts(ctx, out) // notify.go
}

// ShutdownStatus is whether, and since when, collection has stopped.
type ShutdownStatus struct {
	Stopped   bool       `json:"stopped"`
	StoppedAt *time.Time `json:"stopped_at,omitempty"`
}

// Status returns the platform's shutdown status.
func (s *Service) Status(ctx context.Context) (ShutdownStatus, error) {
	at, ok, err := s.k.ShutDownAt(ctx)
	if err != nil || !ok {
		return ShutdownStatus{}, err
	}
	return ShutdownStatus{Stopped: true, StoppedAt: &at}, nil
}
