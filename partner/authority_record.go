package partner

import (
	"context"
	"strings"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// Record records an authority's request and hands the named fields the
// person has to the authority through the gateway. The operator's act is
// audited first, then the gateway logs and audits the disclosure itself;
// the person is told in their message centre unless the request says the
// law forbids it. Returns Unauthorized, Denied or Invalid for the wrong
// caller, Invalid naming the request field at fault (a field an authority
// may not receive, no legal basis), NotFound for an unknown person or
// when they have none of the fields, Unavailable if the authority cannot
// be reached.
func (s *Authorities) Record(ctx context.Context, a minimall.Actor, req AuthorityRequest) (*AuthorityDisclosure, error) {
	const op = "partner.Authorities.Record"
	// An operator's refused attempt is on record too, as a public
	// disclosure's is: who tried to send what out, and why not.
	deny := func(err error, why string) (*AuthorityDisclosure, error) {
		if a.Kind != minimall.Operator {
			return nil, err
		}
		// Under no subject: a refused attempt must not reach the person's
		// tracker, where it could tell of an authority the law may gag.
		if aerr := s.k.AuditAppend(ctx, a, "", privacy.DecisionDeny, "authority_request:"+why); aerr != nil {
			return nil, aerr
		}
		return nil, err
	}
	if err := authorityOperator(a, op); err != nil {
		return deny(err, "role")
	}
	if err := req.validate(op); err != nil {
		field, _ := minimall.ErrorField(err)
		return deny(err, "invalid:"+field)
	}
	if ok, err := s.subjectExists(ctx, req.Subject); err != nil || !ok {
		return nil, orNotFound(err, op)
	}
	d := &AuthorityDisclosure{ID: "ar_" + minimall.RandomToken(8), Subject: req.Subject, OrderID: req.OrderID,
		AuthorityKind: req.AuthorityKind, Authority: strings.TrimSpace(req.Authority), AuthorityRef: req.AuthorityRef,
		LegalBasis: strings.TrimSpace(req.LegalBasis), Withheld: req.NoticeForbidden, Operator: a.ID, Reference: a.Reason}
	// The audit entries of this request carry its id, not the ticket, so
	// the person's tracker can hide them while telling them is forbidden.
	acting := a
	acting.Reason = d.ID
	if err := s.k.AuditAppend(ctx, acting, d.Subject, DecisionAuthorityRequest, d.AuthorityKind+" "+d.ID); err != nil {
		return nil, err
	}
	values, err := s.k.Guard().OpenForAuthority(ctx, s.db, minimall.Actor{Kind: minimall.System, ID: "authority-request", Reason: d.ID}, d.Subject, d.OrderID, req.Fields)
	if err != nil {
		return nil, err
	}
	if len(values) == 0 {
		return nil, minimall.Errorf(minimall.NotFound, op, "None of the named fields is held for this person. 未持有该用户的所列信息。")
	}
	if err := s.send(ctx, d, values); err != nil {
		return nil, err
	}
	if !d.Withheld {
		if err := s.tell(ctx, d); err != nil {
			return d, err
		}
	}
	return d, nil
}

// send logs the request (in the disclosure's own transaction, so neither
// is on record without the other) and hands the values to the authority.
func (s *Authorities) send(ctx context.Context, d *AuthorityDisclosure, values map[privacy.Field]string) error {
	d.Fields = sortedFields(values)
	d.DisclosedAt = s.db.Now()
	_, err := s.gw.Send(ctx, Disclosure{Partner: privacy.PartnerAuthority, Purpose: privacy.ForLegalDuty, Subject: d.Subject,
		Operation: "authority/disclose", Fields: values, RequestID: d.ID,
		Params: map[string]any{"request_id": d.ID, "authority_kind": d.AuthorityKind, "authority": d.Authority,
			"authority_ref": d.AuthorityRef, "legal_basis": d.LegalBasis},
		Within: func(ctx context.Context, tx *sqldb.Tx) error { return s.insert(ctx, tx, d) },
	})
	return err
}

func (s *Authorities) insert(ctx context.Context, tx *sqldb.Tx, d *AuthorityDisclosure) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO authority_requests (id, subject, order_id, authority_kind, authority, authority_ref, legal_basis, fields, withheld, operator, reference, disclosed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, string(d.Subject), d.OrderID, d.AuthorityKind, d.Authority, d.AuthorityRef, d.LegalBasis, joinFields(d.Fields),
		boolInt(d.Withheld), d.Operator, d.Reference, sqldb.Micros(d.DisclosedAt))
	return sqldb.FormatError("partner.Authorities.insert", err)
}

// tell leaves the person the notice and records when.
func (s *Authorities) tell(ctx context.Context, d *AuthorityDisclosure) error {
	const op = "partner.Authorities.tell"
	if _, err := s.notify.Notify(ctx, "authority:"+d.ID, "有权机关依法调取了你的信息 / An authority obtained your information under the law", d.noticeBody(), []minimall.SubjectID{d.Subject}); err != nil {
		return err
	}
	now := s.db.Now()
	d.NotifiedAt = &now
	_, err := s.db.ExecContext(ctx, `UPDATE authority_requests SET notified_at = ? WHERE id = ?`, sqldb.Micros(now), d.ID)
	return sqldb.FormatError(op, err)
}

var authorityKindNames = map[string]string{AuthorityCourt: "法院 / court", AuthorityPolice: "公安机关 / police", AuthorityRegulator: "监管机关 / regulator"}

// noticeBody says who asked, on what basis, and which kinds of
// information went; never the values.
func (d *AuthorityDisclosure) noticeBody() string {
	names := make([]string, len(d.Fields))
	for i, f := range d.Fields {
		spec, _ := privacy.Spec(f)
		names[i] = spec.Name + " / " + spec.NameEN
	}
	return "机关 / Authority: " + d.Authority + "（" + authorityKindNames[d.AuthorityKind] + "）" +
		"\n文书编号 / Reference: " + d.AuthorityRef +
		"\n法律依据 / Legal basis: " + d.LegalBasis +
		"\n提供的信息 / Information provided: " + strings.Join(names, "、") +
		"\n时间 / When: " + d.DisclosedAt.Format("2006-01-02") +
		"\n我们只提供了该机关依法要求的信息（政策三(五)）。如有疑问，请联系个人信息保护负责人。 / We provided only what the authority asked for under the law (policy 三(五)). Questions: contact our personal-information protection officer."
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Authorities) subjectExists(ctx context.Context, subject minimall.SubjectID) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM subjects WHERE id = ?`, string(subject)).Scan(&n)
	return n > 0, sqldb.FormatError("partner.Authorities.subjectExists", err)
}

func orNotFound(err error, op string) error {
	if err != nil {
		return err
	}
	return minimall.Errorf(minimall.NotFound, op, "No such person. 无此用户。")
}
