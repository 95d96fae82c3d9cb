package rights

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"time"

	"minimall"
	"minimall/partner"
	"minimall/privacy"
	"minimall/sqldb"
)

// Accounts is what rights needs from the account area to check who is
// asking: a fresh SMS code to the account's phone, and finding a deceased
// person's account for their next of kin. account.Service implements it
// (account/rights.go).
type Accounts interface {
	// SendRightsCode sends a one-time code to subject's account phone and
	// returns the masked number it went to.
	SendRightsCode(ctx context.Context, subject minimall.SubjectID, requestID string) (string, error)
	// CheckRightsCode checks a code sent by SendRightsCode without spending
	// it; it returns the code's id for SpendCode.
	CheckRightsCode(ctx context.Context, subject minimall.SubjectID, code string) (string, error)
	SpendCode(ctx context.Context, tx *sqldb.Tx, id string) error
	// SubjectByPhone finds the account registered with phone.
	SubjectByPhone(ctx context.Context, phone string) (minimall.SubjectID, error)
	// CheckGuardian checks a child's guardian by the guardian token and a
	// code sent to the guardian's phone, matched against the guardian
	// recorded at the consent; it returns the child and the code's id.
	CheckGuardian(ctx context.Context, token, phone, code, client, requestID string) (minimall.SubjectID, string, error)
	// CheckRecipientCode checks a code sent to phone for a recipient's
	// request (purpose "recipient") without spending it; it returns the
	// code's id.
	CheckRecipientCode(ctx context.Context, phone, code, client string) (string, error)
}

// DecisionSource lists the automated decisions that affected a person
// (decision.Service; cmd wires it).
type DecisionSource interface {
	Decisions(ctx context.Context, s minimall.SubjectID) ([]any, error)
}

// Queue is the rights-request queue: every request a person files (and
// every appeal of an automated decision) waits here with its 15-day
// deadline (四(七)). It needs no area, so an area that files into it (the
// decision area's appeals) is built before the rights Service that reads
// every area.
type Queue struct {
	db     *sqldb.DB
	k      *privacy.Kernel
	Logger *slog.Logger
}

// NewQueue returns the queue; logger hears requests closing (ids and
// states only).
func NewQueue(db *sqldb.DB, k *privacy.Kernel, logger *slog.Logger) *Queue {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Queue{db: db, k: k, Logger: logger}
}

// Service answers the requests in the queue over every area's part.
type Service struct {
	*Queue
	accounts   Accounts
	partners   *partner.Gateway
	parts      []Part
	decisions  DecisionSource
	recipients Recipients
	// AfterStep, when set, is called after each step of an erasure
	// ("marked", "parts", "erased") and may stop it there with an error,
	// as a crash would: the crash tests' way in. Nil in production.
	AfterStep func(step string) error
	// Grace replaces ResumeGrace when set: how long a request may sit
	// identity-checked before Resume serves it.
	Grace  time.Duration
	resume resumer
}

// Deps is what the rights Service works with besides the queue and the
// areas' parts.
type Deps struct {
	Accounts  Accounts         // identity checks by code
	Partners  *partner.Gateway // deletion notices to partners
	Decisions DecisionSource   // optional: decisions listed in an export
	// Recipients serves requests of orders' recipients without an account
	// (recipient.go); optional.
	Recipients Recipients
}

// NewService returns the rights service over q and the given parts; the
// rights area's own records are a part too.
func NewService(q *Queue, d Deps, parts ...Part) *Service {
	s := &Service{Queue: q, accounts: d.Accounts, partners: d.Partners, decisions: d.Decisions, recipients: d.Recipients}
	s.parts = append(append([]Part{}, parts...), requestsPart{s})
	return s
}

// Parts returns the wired parts.
func (s *Service) Parts() []Part { return s.parts }

func requireDPO(a minimall.Actor, op string) error {
	if a.Kind == minimall.Anonymous {
		return minimall.SignedIn(a, op) // a visitor is told to sign in (401), as everywhere else
	}
	if a.Kind != minimall.Operator || !privacy.RoleMayActFor(a.Role, privacy.ForRightsRequest) {
		return minimall.Errorf(minimall.Denied, op, "Only the personal-information protection officer (dpo role) handles rights requests. 仅个人信息保护负责人可处理权利请求。")
	}
	return nil
}

// File files a request of the signed-in person. The identity check comes
// next: a code goes to the account's phone. Returns Unauthorized for a
// visitor, Invalid for a malformed request, TooMany past the repeat rule.
func (s *Service) File(ctx context.Context, a minimall.Actor, kind Kind, d Details, requestID string) (*Request, error) {
	const op = "rights.File"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	d.Relation, d.Evidence = "", ""
	if err := s.validate(op, kind, &d); err != nil {
		return nil, err
	}
	if err := s.checkRepeat(ctx, op, a.Subject, kind); err != nil {
		return nil, err
	}
	r, err := s.insert(ctx, a.Subject, kind, BySelf, d, nil)
	if err != nil {
		return nil, err
	}
	masked, err := s.accounts.SendRightsCode(ctx, a.Subject, r.ID)
	if err != nil {
		return nil, err
	}
	r.Next = "请输入发送至 " + masked + " 的验证码以核验身份 / enter the code sent to " + masked + " to confirm it is you"
	return r, nil
}

// validate checks a request's details against its kind and the registry.
func (s *Service) validate(op string, kind Kind, d *Details) error {
	bad := func(field string, rule minimall.Rule, msg string) error {
		return minimall.InvalidField(op, field, rule, "%s", msg)
	}
	if !validKind(kind) && kind != Appeal {
		return bad("kind", minimall.RuleChoice, "kind is access, copy, correct, delete or deregister. 请求类型须为 access、copy、correct、delete 或 deregister。")
	}
	if kind == Appeal {
		return bad("kind", minimall.RuleChoice, "Appeal an automated decision at POST /api/v1/account/decisions/{id}/appeal. 请在自动化决策记录处提出申诉。")
	}
	held := s.held()
	switch kind {
	case Correct:
		if len(d.Corrections) == 0 {
			return bad("corrections", minimall.RuleRequired, "Give the fields to correct and their new values. 请给出要更正的字段及新值。")
		}
		for f := range d.Corrections {
			if spec, ok := privacy.Spec(f); !ok || !spec.PersonMayEdit || held[f] == nil {
				return bad("corrections", minimall.RuleChoice, "Field "+string(f)+" cannot be corrected here; see the export for the fields you may change. 该字段不可在此更正。")
			}
		}
	case Delete:
		if d.All {
			if _, ok := Grounds[d.Ground]; !ok {
				return bad("ground", minimall.RuleChoice, "Deleting everything needs a ground: unlawful, no_consent, breach_of_terms, purpose_fulfilled or service_ended (policy 四(三)); or deregister. 删除全部信息须说明依据。")
			}
			d.Fields = nil
			return nil
		}
		if len(d.Fields) == 0 {
			return bad("fields", minimall.RuleRequired, "Choose the fields to delete, or all with a ground. 请选择要删除的信息。")
		}
		for _, f := range d.Fields {
			if held[f] == nil {
				return bad("fields", minimall.RuleChoice, "Field "+string(f)+" is not held by minimall. 未持有该字段。")
			}
		}
	}
	return nil
}

// held maps each field to the part that stores it.
func (s *Service) held() map[privacy.Field]Part {
	m := map[privacy.Field]Part{}
	for _, p := range s.parts {
		for _, f := range p.Holds() {
			m[f] = p
		}
	}
	return m
}

// checkRepeat applies the declared rule (RepeatRuleText). Deregistration
// is exempt: refusing it for repetition would keep data against the
// person's will.
func (s *Service) checkRepeat(ctx context.Context, op string, subject minimall.SubjectID, kind Kind) error {
	if kind == Deregister {
		return nil
	}
	var n int
	since := sqldb.Micros(s.db.Now().Add(-RepeatWindow))
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM rights_requests WHERE subject = ? AND kind = ? AND received_at > ?`, string(subject), string(kind), since).Scan(&n)
	if err != nil {
		return sqldb.FormatError(op, err)
	}
	if n >= RepeatMax {
		return minimall.Errorf(minimall.TooMany, op, "Request refused (%s): %s. 请求不予受理。", ReasonRepeatLimit, RepeatRuleText)
	}
	return nil
}

// NextOfKinRequest is filed by a close relative of a deceased person (PIPL
// art. 49) for their own lawful interests, with evidence a DPO reviews.
type NextOfKinRequest struct {
	Phone    string `json:"phone"` // the deceased person's account phone
	Kind     Kind   `json:"kind"`  // access, copy, correct or delete
	Relation string `json:"relation"`
	Evidence string `json:"evidence"` // e.g. death certificate and kinship document references
	Details
}

// FileNextOfKin files a next of kin's request. The returned token, shown
// once, lets them follow it. Returns Invalid for a malformed request,
// NotFound if no account has that phone.
func (s *Service) FileNextOfKin(ctx context.Context, req NextOfKinRequest) (*Request, error) {
	const op = "rights.FileNextOfKin"
	if req.Kind == Deregister || !validKind(req.Kind) {
		return nil, minimall.InvalidField(op, "kind", minimall.RuleChoice, "A next of kin may ask for access, copy, correct or delete. 近亲属可请求查阅、复制、更正或删除。")
	}
	const kin = "Give your relation (2-64 bytes) and your evidence (10-4000 bytes). 请说明亲属关系并提供证明材料。"
	if len(req.Relation) < 2 || len(req.Relation) > 64 {
		return nil, minimall.InvalidField(op, "relation", minimall.RuleLength, kin)
	}
	if len(req.Evidence) < 10 || len(req.Evidence) > 4000 {
		return nil, minimall.InvalidField(op, "evidence", minimall.RuleLength, kin)
	}
	d := req.Details
	d.Relation, d.Evidence = req.Relation, req.Evidence
	if err := s.validate(op, req.Kind, &d); err != nil {
		return nil, err
	}
	subject, err := s.accounts.SubjectByPhone(ctx, req.Phone)
	if err != nil {
		return nil, err
	}
	if err := s.checkRepeat(ctx, op, subject, req.Kind); err != nil {
		return nil, err
	}
	token := "mmr_" + minimall.RandomToken(20)
	r, err := s.insert(ctx, subject, req.Kind, ByNextOfKin, d, tokenHash(token))
	if err != nil {
		return nil, err
	}
	r.Token = token
	r.Next = "个人信息保护负责人将审核您的证明材料 / the personal-information protection officer will review your evidence"
	return r, nil
}

func tokenHash(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

// Verify completes the identity check of the person's own request with the
// code sent to the account phone: both the signed-in session and the phone
// are proved, which are every identifier that leads to the data the
// request reaches (all of it is kept under the one subject). Self-service
// requests are then served at once. Returns NotFound for someone else's
// request, Conflict if it is not waiting for the check, Invalid for a
// wrong code.
func (s *Service) Verify(ctx context.Context, a minimall.Actor, id, code string) (*Request, error) {
	const op = "rights.Verify"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	row, err := s.load(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if row.subject != a.Subject || row.filedBy != BySelf {
		return nil, notFound(op)
	}
	if row.state != Received {
		return nil, minimall.Errorf(minimall.Conflict, op, "This request is not waiting for an identity check. 该请求不在待核验状态。")
	}
	codeID, err := s.accounts.CheckRightsCode(ctx, a.Subject, code)
	if err != nil {
		return nil, err
	}
	proof, _ := json.Marshal(map[string]string{"method": "session+sms_code", "session": a.ID, "code": codeID})
	if err := s.check(ctx, op, row, proof, func(tx *sqldb.Tx) error { return s.accounts.SpendCode(ctx, tx, codeID) }); err != nil {
		return nil, err
	}
	if err := s.serve(ctx, a, row); err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id, "")
}

// check seals the identity proof and moves row to identity_checked.
func (s *Service) check(ctx context.Context, op string, row *requestRow, proof []byte, inTx func(*sqldb.Tx) error) error {
	sealed, err := s.k.Guard().SealRetained(ctx, row.subject, privacy.RightsIdentityProof, row.id, row.receivedAt, proof)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if inTx != nil {
			if err := inTx(tx); err != nil {
				return err
			}
		}
		if err := moveState(ctx, tx, op, row.id, Received, IdentityChecked, "identity_proof_sealed = ?, checked_at = ?", sealed, sqldb.Micros(tx.Now())); err != nil {
			return err
		}
		row.state = IdentityChecked
		return nil
	})
}

// serve answers a request whose identity is checked, as far as it can be
// served without an operator: corrections and chosen deletions at once,
// deregistration after its conditions; access and copy when the export is
// fetched; deleting everything waits for a DPO to confirm the ground.
func (s *Service) serve(ctx context.Context, a minimall.Actor, row *requestRow) error {
	d, err := s.details(ctx, a, row)
	if err != nil {
		return err
	}
	var ans *Answer
	switch {
	case row.kind == Correct:
		ans, err = s.correct(ctx, a, row, d)
	case row.kind == Delete && !d.All:
		ans, err = s.deleteChosen(ctx, a, row, d.Fields)
	case row.kind == Delete:
		return s.setState(ctx, row, InProgress)
	case row.kind == Deregister:
		ans, err = s.deregister(ctx, a, row)
	default:
		return nil
	}
	return s.finish(ctx, row, ans, err)
}

// finish records the answer, or a refusal when the answer says why not.
func (s *Service) finish(ctx context.Context, row *requestRow, ans *Answer, err error) error {
	if err != nil {
		return err
	}
	b, _ := json.Marshal(ans)
	state, reason := Answered, ""
	if len(ans.Pending) > 0 {
		state, reason = Refused, ReasonConditionsUnmet
	}
	pending := 0
	if ans.PartnerNotices == NoticesRetrying {
		pending = 1 // Resume retries them until every partner confirms
	}
	_, err = s.db.ExecContext(ctx, `UPDATE rights_requests SET state = ?, refused_reason = ?, answer = ?, closed_at = ?, notices_pending = ? WHERE id = ?`,
		string(state), reason, string(b), sqldb.Micros(s.db.Now()), pending, row.id)
	if err != nil {
		return sqldb.FormatError("rights.finish", err)
	}
	s.Logger.Info("rights request closed", "request", row.id, "subject", string(row.subject), "kind", string(row.kind), "state", string(state))
	return nil
}

func (s *Service) setState(ctx context.Context, row *requestRow, st State) error {
	_, err := s.db.ExecContext(ctx, `UPDATE rights_requests SET state = ? WHERE id = ?`, string(st), row.id)
	row.state = st
	return sqldb.FormatError("rights.setState", err)
}

func moveState(ctx context.Context, tx *sqldb.Tx, op, id string, from, to State, set string, args ...any) error {
	q := `UPDATE rights_requests SET state = ?`
	if set != "" {
		q += ", " + set
	}
	q += ` WHERE id = ? AND state = ?`
	all := append(append([]any{string(to)}, args...), id, string(from))
	res, err := tx.ExecContext(ctx, q, all...)
	if err != nil {
		return sqldb.FormatError(op, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return minimall.Errorf(minimall.Conflict, op, "The request changed meanwhile; reload it. 请求状态已变化，请刷新。")
	}
	return nil
}

func notFound(op string) error {
	return minimall.Errorf(minimall.NotFound, op, "No such request. 请求不存在。")
}

// deadline returns when a request received at t must be answered.
func deadline(t time.Time) time.Time { return t.Add(Deadline) }
