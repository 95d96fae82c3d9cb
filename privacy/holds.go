package privacy

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"time"

	"minimall"
	"minimall/privacy/internal/vault"
	"minimall/sqldb"
)

// HoldKind is the kind of legal reference a hold rests on.
type HoldKind string

// The closed list of hold kinds (五(一): kept longer where a law, a
// court or an authority requires it).
const (
	HoldCourtOrder    HoldKind = "court_order"   // 法院裁定或协助执行通知
	HoldInvestigation HoldKind = "investigation" // 侦查机关依法调取、保全
	HoldRegulator     HoldKind = "regulator"     // 监管机关依法要求
	HoldLitigation    HoldKind = "litigation"    // 诉讼、仲裁中的证据保全
)

var holdKinds = []HoldKind{HoldCourtOrder, HoldInvestigation, HoldRegulator, HoldLitigation}

// HoldKinds returns the closed list of hold kinds.
func HoldKinds() []HoldKind { return append([]HoldKind(nil), holdKinds...) }

// Audit decisions of legal holds.
const (
	DecisionHoldPlace   = "legal_hold_place"
	DecisionHoldRelease = "legal_hold_release"
)

// Hold is a legal hold on a person's transaction records, or on one
// order's: while it stands the retention sweep neither destroys their
// retention keys nor deletes their rows, and an erasure of the person
// keeps them (their data key still goes; see Erase).
type Hold struct {
	ID         string             `json:"id"`
	Subject    minimall.SubjectID `json:"subject,omitempty"`
	OrderID    string             `json:"order_id,omitempty"` // empty: every record of the person
	Kind       HoldKind           `json:"kind"`
	LegalRef   string             `json:"legal_ref,omitempty"`
	Operator   string             `json:"operator,omitempty"`
	Reference  string             `json:"reference,omitempty"` // the operator's ticket
	PlacedAt   time.Time          `json:"placed_at"`
	ReleasedAt *time.Time         `json:"released_at,omitempty"`

	period string // the held order's completion month, "" if unfinished or a person's hold
}

// HoldRequest asks to place a hold: on Subject's records, or, with
// OrderID, on that order's only. Period is the order's completion month
// (the order area knows it), empty while the order is unfinished.
type HoldRequest struct {
	Subject  minimall.SubjectID `json:"subject,omitempty"`
	OrderID  string             `json:"order_id,omitempty"`
	Kind     HoldKind           `json:"kind"`
	LegalRef string             `json:"legal_ref"`
	Period   string             `json:"-"`
}

// validLegalRef is a decision, case or ticket number: no spaces, no CJK,
// so no personal information can be typed into it.
var validLegalRef = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{2,63}$`)

// holdOperator refuses a who may not place or release holds: only the
// legal_hold role, with a ticket (its purpose is the legal duty).
func holdOperator(a minimall.Actor, op string) error {
	switch {
	case a.Kind == minimall.Anonymous:
		return minimall.SignedIn(a, op)
	case a.Kind != minimall.Operator || a.Role != minimall.RoleLegalHold:
		return minimall.Errorf(minimall.Denied, op, "Only the legal-hold role places or releases holds. 仅法务（legal_hold）可设置或解除法律保全。")
	case !ValidAccessReason(a.Reason):
		return minimall.Errorf(minimall.Invalid, op, "Give the ticket in X-Access-Reason. 请在 X-Access-Reason 中注明工单号。")
	}
	return nil
}

func validHoldRequest(op string, req HoldRequest) error {
	switch {
	case req.Subject == "":
		return minimall.InvalidField(op, "subject", minimall.RuleRequired, "Name the person (subject) or the order (order_id) to hold. 请指定保全的用户或订单。")
	case !validHoldKind(req.Kind):
		return minimall.InvalidField(op, "kind", minimall.RuleChoice, "kind must be court_order, investigation, regulator or litigation. 保全依据类型须为列明的一种。")
	case req.LegalRef == "":
		return minimall.InvalidField(op, "legal_ref", minimall.RuleRequired, "legal_ref is required: the decision or case number. 须提供法律文书编号。")
	case !validLegalRef.MatchString(req.LegalRef):
		return minimall.InvalidField(op, "legal_ref", minimall.RuleFormat, "legal_ref is 3-64 of A-Z a-z 0-9 . _ : / -. 法律文书编号格式错误。")
	}
	return nil
}

func validHoldKind(k HoldKind) bool {
	for _, x := range holdKinds {
		if x == k {
			return true
		}
	}
	return false
}

// PlaceHold places a legal hold and audits it. Returns Unauthorized,
// Denied or Invalid for the wrong caller (holdOperator), Invalid without a
// kind or legal reference, NotFound for an unknown person.
func (k *Kernel) PlaceHold(ctx context.Context, a minimall.Actor, req HoldRequest) (*Hold, error) {
	const op = "privacy.PlaceHold"
	if err := holdOperator(a, op); err != nil {
		return nil, err
	}
	if err := validHoldRequest(op, req); err != nil {
		return nil, err
	}
	var n int
	if err := k.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM subjects WHERE id = ?`, string(req.Subject)).Scan(&n); err != nil {
		return nil, sqldb.FormatError(op, err)
	} else if n == 0 {
		return nil, minimall.Errorf(minimall.NotFound, op, "No such person. 无此用户。")
	}
	h := &Hold{ID: "lh_" + minimall.RandomToken(8), Subject: req.Subject, OrderID: req.OrderID, Kind: req.Kind,
		LegalRef: req.LegalRef, Operator: a.ID, Reference: a.Reason, PlacedAt: k.db.Now(), period: req.Period}
	// Audited before the row is written: a hold never stands without its
	// audit entry.
	if err := k.AuditAppend(ctx, a, h.Subject, DecisionHoldPlace, string(h.Kind)+" "+h.ID); err != nil {
		return nil, err
	}
	_, err := k.db.ExecContext(ctx, `INSERT INTO legal_holds (id, subject, order_id, period, kind, legal_ref, operator, reference, placed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		h.ID, string(h.Subject), h.OrderID, h.period, string(h.Kind), h.LegalRef, h.Operator, h.Reference, sqldb.Micros(h.PlacedAt))
	return h, sqldb.FormatError(op, err)
}

// ReleaseHold releases a standing hold and audits it; what it kept goes
// at the next retention sweep if its period has ended. Returns NotFound
// for an unknown hold, Conflict for one already released, and the
// refusals of holdOperator.
func (k *Kernel) ReleaseHold(ctx context.Context, a minimall.Actor, id string) (*Hold, error) {
	const op = "privacy.ReleaseHold"
	if err := holdOperator(a, op); err != nil {
		return nil, err
	}
	h, err := k.findHold(ctx, id)
	if err != nil {
		return nil, err
	}
	if h.ReleasedAt != nil {
		return nil, minimall.Errorf(minimall.Conflict, op, "The hold was released already. 该保全已解除。")
	}
	if err := k.AuditAppend(ctx, a, h.Subject, DecisionHoldRelease, string(h.Kind)+" "+h.ID); err != nil {
		return nil, err
	}
	now := k.db.Now()
	res, err := k.db.ExecContext(ctx, `UPDATE legal_holds SET released_at = ?, released_by = ?, release_reference = ? WHERE id = ? AND released_at = 0`,
		sqldb.Micros(now), a.ID, a.Reason, h.ID)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, minimall.Errorf(minimall.Conflict, op, "The hold was released already. 该保全已解除。")
	}
	h.ReleasedAt = &now
	return h, nil
}

// Holds lists a person's holds, standing and released, for the legal-hold
// role or the DPO.
func (k *Kernel) Holds(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) ([]*Hold, error) {
	const op = "privacy.Holds"
	switch {
	case a.Kind == minimall.Anonymous:
		return nil, minimall.SignedIn(a, op)
	case a.Kind != minimall.Operator || (a.Role != minimall.RoleLegalHold && a.Role != minimall.RoleDPO):
		return nil, minimall.Errorf(minimall.Denied, op, "Only legal hold or the DPO. 仅法务或个人信息保护负责人。")
	case subject == "":
		return nil, minimall.Errorf(minimall.Invalid, op, "Give ?subject=. 请指定用户。")
	}
	return k.findHolds(ctx, `subject = ?`, string(subject))
}

// MyHolds lists the holds on the signed-in person's records: the kind of
// legal reference, the scope and the dates. Who placed it, their ticket
// and the reference number stay internal.
func (k *Kernel) MyHolds(ctx context.Context, a minimall.Actor) ([]*Hold, error) {
	if err := minimall.SignedIn(a, "privacy.MyHolds"); err != nil {
		return nil, err
	}
	hs, err := k.findHolds(ctx, `subject = ?`, string(a.Subject))
	for _, h := range hs {
		h.Subject, h.Operator, h.Reference, h.LegalRef = "", "", "", ""
	}
	return hs, err
}

func (k *Kernel) findHold(ctx context.Context, id string) (*Hold, error) {
	hs, err := k.findHolds(ctx, `id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(hs) == 0 {
		return nil, minimall.Errorf(minimall.NotFound, "privacy.findHold", "No such hold. 无此保全。")
	}
	return hs[0], nil
}

func (k *Kernel) findHolds(ctx context.Context, where string, arg any) ([]*Hold, error) {
	const op = "privacy.findHolds"
	rows, err := k.db.QueryContext(ctx, `SELECT id, subject, order_id, period, kind, legal_ref, operator, reference, placed_at, released_at FROM legal_holds WHERE `+where+` ORDER BY placed_at, id`, arg)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	out := []*Hold{}
	for rows.Next() {
		h := &Hold{}
		var subject, kind string
		var placed, released int64
		if err := rows.Scan(&h.ID, &subject, &h.OrderID, &h.period, &kind, &h.LegalRef, &h.Operator, &h.Reference, &placed, &released); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		h.Subject, h.Kind, h.PlacedAt = minimall.SubjectID(subject), HoldKind(kind), sqldb.FromMicros(placed)
		if released != 0 {
			t := sqldb.FromMicros(released)
			h.ReleasedAt = &t
		}
		out = append(out, h)
	}
	return out, sqldb.FormatError(op, rows.Err())
}

// heldKeys returns the retention keys standing holds keep: every period
// of a held person, the completion period of a held order, and every
// period of the buyer of a held order not yet finished (its period is
// not known yet, so none of theirs may go).
func (k *Kernel) heldKeys(ctx context.Context) ([]vault.Keep, error) {
	rows, err := k.db.QueryContext(ctx, `SELECT DISTINCT subject, period FROM legal_holds WHERE released_at = 0`)
	if err != nil {
		return nil, sqldb.FormatError("privacy.heldKeys", err)
	}
	defer rows.Close()
	var out []vault.Keep
	for rows.Next() {
		var s, period string
		if err := rows.Scan(&s, &period); err != nil {
			return nil, err
		}
		out = append(out, vault.Keep{Subject: minimall.SubjectID(s), Period: period})
	}
	return out, rows.Err()
}

// Held reports whether a standing hold covers any of s's records.
func (k *Kernel) Held(ctx context.Context, s minimall.SubjectID) (bool, error) {
	var n int
	err := k.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM legal_holds WHERE subject = ? AND released_at = 0`, string(s)).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return n > 0, sqldb.FormatError("privacy.Held", err)
}

// NotHeldOrder is the SQL condition, for a sweep of order rows, that no
// standing hold covers the row: none on its buyer (subjectCol) and none on
// its order (orderCol). The columns are the caller's constants.
func NotHeldOrder(subjectCol, orderCol string) string {
	return `NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.released_at = 0 AND h.subject = ` + subjectCol +
		` AND (h.order_id = '' OR h.order_id = ` + orderCol + `))`
}

func init() {
	// Legal holds (0036): ids, codes, times and reference numbers.
	for c, class := range map[string]ColumnClass{
		"id": Pseudonymous, "subject": Pseudonymous, "order_id": Pseudonymous, "period": NotPersonal,
		"kind": NotPersonal, "legal_ref": NotPersonal, "operator": Pseudonymous, "reference": Pseudonymous,
		"placed_at": NotPersonal, "released_at": NotPersonal, "released_by": Pseudonymous, "release_reference": Pseudonymous,
	} {
		columns["legal_holds."+c] = class
	}
}
