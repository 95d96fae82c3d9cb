package policy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// Broadcaster delivers one notice to every account holder, each at most
// once; the lifecycle area implements it.
type Broadcaster interface {
	NotifyAll(ctx context.Context, kind, title, body string) (int, error)
}

// TransferCause is why the information minimall holds moves to another
// controller: the cases of policy 三(二).
type TransferCause struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// TransferCauses are the only causes a transfer may give.
var TransferCauses = []TransferCause{
	{"merger", "合并 / merger"},
	{"division", "分立 / division"},
	{"dissolution", "解散 / dissolution"},
	{"bankruptcy", "被宣告破产 / declared bankrupt"},
}

func transferCause(code string) (TransferCause, bool) {
	for _, c := range TransferCauses {
		if c.Code == code {
			return c, true
		}
	}
	return TransferCause{}, false
}

// TransferRequest is a transfer as the DPO records it.
type TransferRequest struct {
	Cause            string    `json:"cause"`
	RecipientName    string    `json:"recipient_name"`
	RecipientContact string    `json:"recipient_contact"`
	EffectiveAt      time.Time `json:"effective_at,omitzero"` // default: now
}

// Transfer is a recorded transfer.
type Transfer struct {
	ID               string    `json:"id"`
	Cause            string    `json:"cause"`
	RecipientName    string    `json:"recipient_name"`
	RecipientContact string    `json:"recipient_contact"`
	EffectiveAt      time.Time `json:"effective_at"`
	Reference        string    `json:"reference"`
	CreatedAt        time.Time `json:"created_at"`
	NotifiedAt       time.Time `json:"notified_at,omitzero"`
	Notified         int       `json:"notified"`
}

// ControllerView is who processes the information now, and every transfer
// recorded.
type ControllerView struct {
	Controller Controller  `json:"controller"`
	Promise    string      `json:"promise"`
	Transfers  []*Transfer `json:"transfers"`
}

// ownController is the controller before any transfer.
const ownController = "minimall 服务提供者 / the minimall service provider"

// transferPromise is what 三(二) promises about the receiver.
const transferPromise = "接收方将继续履行本政策及其他法定义务；接收方变更原先的处理目的、处理方式的，会重新取得您的同意。 / " +
	"The receiver keeps this policy and the law's other duties; if it changes the purposes or ways of processing, it asks for your consent again."

func (r *TransferRequest) validate(op string, now time.Time) error {
	if _, ok := transferCause(r.Cause); !ok {
		return minimall.InvalidField(op, "cause", minimall.RuleChoice, "cause must be merger, division, dissolution or bankruptcy. 原因须为合并、分立、解散或被宣告破产。")
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"recipient_name", r.RecipientName, 100}, {"recipient_contact", r.RecipientContact, 200}} {
		v := strings.TrimSpace(f.value)
		if v == "" {
			return minimall.InvalidField(op, f.name, minimall.RuleRequired, "%s is required: people must be told who receives their information and how to reach it. 须告知接收方的名称和联系方式。", f.name)
		}
		if utf8.RuneCountInString(v) > f.max || strings.IndexFunc(v, unicode.IsControl) >= 0 {
			return minimall.InvalidField(op, f.name, minimall.RuleLength, "%s: at most %d characters on one line. 最多 %d 个字符，不可换行。", f.name, f.max, f.max)
		}
	}
	r.RecipientName, r.RecipientContact = strings.TrimSpace(r.RecipientName), strings.TrimSpace(r.RecipientContact)
	if r.EffectiveAt.IsZero() {
		r.EffectiveAt = now
	}
	return nil
}

// TransferController records that the information minimall holds moves to
// another controller (三(二)), tells every account holder the receiver's
// name and contact, and from the effective date names the receiver in the
// policy: the next published version says so (a minor change unless the
// registry changes too; a changed purpose or way of processing is a major
// change, and consents given before it stop counting until the person
// accepts again). The transfer is durable before anyone is told; a crash
// in between is finished by ResumeNotices.
//
// Returns Denied unless a is the DPO, Invalid without a ticket in the
// access reason or for a bad request.
func (s *Service) TransferController(ctx context.Context, a minimall.Actor, req TransferRequest) (*Transfer, error) {
	const op = "policy.TransferController"
	switch {
	case a.Kind == minimall.Anonymous:
		return nil, minimall.SignedIn(a, op)
	case a.Kind != minimall.Operator || a.Role != minimall.RoleDPO:
		return nil, minimall.Errorf(minimall.Denied, op, "Only the personal-information protection officer records a transfer. 仅个人信息保护负责人可登记个人信息转移。")
	case !privacy.ValidAccessReason(a.Reason):
		return nil, minimall.Errorf(minimall.Invalid, op, "Give the reference (the deal or court decision) in X-Access-Reason. 请在 X-Access-Reason 中注明依据编号。")
	}
	if err := req.validate(op, s.db.Now()); err != nil {
		return nil, err
	}
	t := &Transfer{ID: "ct_" + minimall.RandomToken(8), Cause: req.Cause, RecipientName: req.RecipientName,
		RecipientContact: req.RecipientContact, EffectiveAt: req.EffectiveAt.UTC(), Reference: a.Reason, CreatedAt: s.db.Now()}
	_, err := s.db.ExecContext(ctx, `INSERT INTO controller_transfers (id, cause, recipient_name, recipient_contact, effective_at, recorded_by, reference, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, t.Cause, t.RecipientName, t.RecipientContact, sqldb.Micros(t.EffectiveAt), a.ID, t.Reference, sqldb.Micros(t.CreatedAt))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	if err := s.k.AuditAppend(ctx, a, "", "controller_transfer", t.ID+" "+t.Cause); err != nil {
		return nil, err
	}
	if err := s.tellTransfer(ctx, t); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return t, s.Load(ctx)
}

// transferNotice is what every person is told, naming no one of them.
func (t *Transfer) notice() (title, body string) {
	c, _ := transferCause(t.Cause)
	return "个人信息转移告知 / Your information moves to a new controller",
		"因" + c.Text + "，minimall 持有的您的个人信息将转移给：" + t.RecipientName +
			"\n接收方联系方式 / Receiver's contact: " + t.RecipientContact +
			"\n生效日期 / Effective: " + t.EffectiveAt.Format("2006-01-02") +
			"\n" + transferPromise +
			"\n您仍可通过隐私中心查阅、复制、更正、删除您的信息或注销账号。 / You can still see, copy, correct and delete your information or close your account in the privacy centre."
}

// tellTransfer sends the transfer's notice to every account holder and
// marks it told. Each person gets it once however often this runs.
func (s *Service) tellTransfer(ctx context.Context, t *Transfer) error {
	if s.Broadcast == nil {
		return errors.New("no notice channel wired")
	}
	title, body := t.notice()
	n, err := s.Broadcast.NotifyAll(ctx, "controller:"+t.ID, title, body)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	t.Notified += n
	t.NotifiedAt = s.db.Now()
	_, err = s.db.ExecContext(ctx, `UPDATE controller_transfers SET notified_at = ? WHERE id = ?`, sqldb.Micros(t.NotifiedAt), t.ID)
	return sqldb.FormatError("policy.tellTransfer", err)
}

// ResumeNotices tells everyone of each transfer recorded but not yet told
// (a crash or a failed delivery came between). Returns how many transfers
// it finished.
func (s *Service) ResumeNotices(ctx context.Context) (int, error) {
	list, err := s.transfers(ctx, `WHERE notified_at = 0`)
	if err != nil {
		return 0, err
	}
	done := 0
	var errs []error
	for _, t := range list {
		if err := s.tellTransfer(ctx, t); err != nil {
			errs = append(errs, err)
			continue
		}
		done++
	}
	return done, errors.Join(errs...)
}

// Controller returns who processes the information now and every
// transfer, newest first. Public: 三(二) asks that people be told.
func (s *Service) Controller(ctx context.Context) (*ControllerView, error) {
	list, err := s.transfers(ctx, "")
	if err != nil {
		return nil, err
	}
	v := &ControllerView{Controller: Controller{Name: ownController, Contact: s.Contact().DPO}, Promise: transferPromise, Transfers: list}
	if c := s.Contact().Controller; c.Name != "" {
		v.Controller = c
	}
	return v, nil
}

// transfers reads transfers, newest first, with an optional WHERE clause.
func (s *Service) transfers(ctx context.Context, where string) ([]*Transfer, error) {
	const op = "policy.transfers"
	rows, err := s.db.QueryContext(ctx, `SELECT id, cause, recipient_name, recipient_contact, effective_at, reference, created_at, notified_at
		FROM controller_transfers `+where+` ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	out := []*Transfer{}
	for rows.Next() {
		t := &Transfer{}
		var eff, created, notified int64
		if err := rows.Scan(&t.ID, &t.Cause, &t.RecipientName, &t.RecipientContact, &eff, &t.Reference, &created, &notified); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		t.EffectiveAt, t.CreatedAt, t.NotifiedAt = sqldb.FromMicros(eff), sqldb.FromMicros(created), sqldb.FromMicros(notified)
		out = append(out, t)
	}
	return out, rows.Err()
}

// loadController reads the controller in effect now: the receiver of the
// latest transfer whose effective date has come, or none.
func (s *Service) loadController(ctx context.Context) (Controller, error) {
	var c Controller
	var eff int64
	err := s.db.QueryRowContext(ctx, `SELECT recipient_name, recipient_contact, effective_at FROM controller_transfers
		WHERE effective_at <= ? ORDER BY effective_at DESC, created_at DESC LIMIT 1`, sqldb.Micros(s.db.Now())).Scan(&c.Name, &c.Contact, &eff)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Controller{}, nil
		}
		return c, sqldb.FormatError("policy.loadController", err)
	}
	c.Since = sqldb.FromMicros(eff).UTC().Format("2006-01-02")
	return c, nil
}
