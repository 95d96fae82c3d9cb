package partner

import (
	"context"
	"time"

	"minimall"
	"minimall/sqldb"
)

// LiftProhibition records that the law no longer forbids telling the
// person about request id (the authority said so, or its period ended):
// the withheld notice is sent now, and the request and its disclosure
// show in the person's views from then on. Audited. Returns NotFound for
// an unknown request, Conflict for one whose person was told already,
// and the refusals of Record for the wrong caller.
func (s *Authorities) LiftProhibition(ctx context.Context, a minimall.Actor, id string) (*AuthorityDisclosure, error) {
	const op = "partner.Authorities.LiftProhibition"
	if err := authorityOperator(a, op); err != nil {
		return nil, err
	}
	list, err := s.find(ctx, `id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, minimall.Errorf(minimall.NotFound, op, "No such request. 无此调取记录。")
	}
	d := list[0]
	if !d.Withheld || d.LiftedAt != nil {
		return nil, minimall.Errorf(minimall.Conflict, op, "The person may already be told of this request. 该调取已可告知本人。")
	}
	acting := a
	acting.Reason = d.ID
	if err := s.k.AuditAppend(ctx, acting, d.Subject, DecisionAuthorityLifted, d.ID); err != nil {
		return nil, err
	}
	now := s.db.Now()
	res, err := s.db.ExecContext(ctx, `UPDATE authority_requests SET lifted_at = ?, lifted_by = ? WHERE id = ? AND lifted_at = 0`, sqldb.Micros(now), a.ID, d.ID)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, minimall.Errorf(minimall.Conflict, op, "The person may already be told of this request. 该调取已可告知本人。")
	}
	d.LiftedAt = &now
	return d, s.tell(ctx, d)
}

// Requests lists a person's authority requests, withheld ones included,
// for the DPO or the legal-hold role.
func (s *Authorities) Requests(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) ([]*AuthorityDisclosure, error) {
	const op = "partner.Authorities.Requests"
	if err := authorityOperator(a, op); err != nil {
		return nil, err
	}
	if subject == "" {
		return nil, minimall.InvalidField(op, "subject", minimall.RuleRequired, "Give ?subject=. 请指定用户。")
	}
	return s.find(ctx, `subject = ?`, string(subject))
}

// Mine lists the authority requests about the signed-in person that they
// may be told of: every one but those whose notice the law still forbids.
// Who on the staff recorded it stays internal.
func (s *Authorities) Mine(ctx context.Context, a minimall.Actor) ([]*AuthorityDisclosure, error) {
	if err := minimall.SignedIn(a, "partner.Authorities.Mine"); err != nil {
		return nil, err
	}
	list, err := s.find(ctx, `subject = ? AND (withheld = 0 OR lifted_at <> 0)`, string(a.Subject))
	for _, d := range list {
		d.Subject, d.Operator, d.Reference = "", "", ""
	}
	return list, err
}

// Withheld returns the ids of the requests about subject whose notice the
// law still forbids: the person's views leave out their disclosures and
// audit entries (which carry these ids) until the prohibition is lifted.
func (s *Authorities) Withheld(ctx context.Context, subject minimall.SubjectID) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM authority_requests WHERE subject = ? AND withheld = 1 AND lifted_at = 0`, string(subject))
	if err != nil {
		return nil, sqldb.FormatError("partner.Authorities.Withheld", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

func (s *Authorities) find(ctx context.Context, where string, arg any) ([]*AuthorityDisclosure, error) {
	const op = "partner.Authorities.find"
	rows, err := s.db.QueryContext(ctx, `SELECT id, subject, order_id, authority_kind, authority, authority_ref, legal_basis, fields, withheld, operator, reference, disclosed_at, notified_at, lifted_at
		FROM authority_requests WHERE `+where+` ORDER BY disclosed_at, id`, arg)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	out := []*AuthorityDisclosure{}
	for rows.Next() {
		d := &AuthorityDisclosure{}
		var subject, fields string
		var withheld int
		var disclosed, notified, lifted int64
		if err := rows.Scan(&d.ID, &subject, &d.OrderID, &d.AuthorityKind, &d.Authority, &d.AuthorityRef, &d.LegalBasis, &fields,
			&withheld, &d.Operator, &d.Reference, &disclosed, &notified, &lifted); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		d.Subject, d.Fields, d.Withheld, d.DisclosedAt = minimall.SubjectID(subject), splitFields(fields), withheld == 1, sqldb.FromMicros(disclosed)
		d.NotifiedAt, d.LiftedAt = timeOrNil(notified), timeOrNil(lifted)
		out = append(out, d)
	}
	return out, sqldb.FormatError(op, rows.Err())
}

func timeOrNil(us int64) *time.Time {
	if us == 0 {
		return nil
	}
	t := sqldb.FromMicros(us)
	return &t
}
