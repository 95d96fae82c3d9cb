package rights

import (
	"context"
	"encoding/json"

	"minimall"
	"minimall/sqldb"
)

// Review records the DPO's review of a next of kin's evidence (PIPL art.
// 49): accepted, the request counts as identity-checked; rejected, it is
// refused with ReasonEvidence. Returns Denied for anyone but the DPO,
// Conflict for a request not waiting for review.
func (s *Service) Review(ctx context.Context, a minimall.Actor, id string, accept bool) (*Request, error) {
	const op = "rights.Review"
	if err := requireDPO(a, op); err != nil {
		return nil, err
	}
	row, err := s.load(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if row.filedBy != ByNextOfKin || row.state != Received {
		return nil, minimall.Errorf(minimall.Conflict, op, "Only a next of kin's request waiting for review can be reviewed. 仅待审核的近亲属请求可审核。")
	}
	if !accept {
		return s.Refuse(ctx, a, id, ReasonEvidence)
	}
	proof, _ := json.Marshal(map[string]string{"method": "next_of_kin_evidence_reviewed", "operator": a.ID, "ticket": a.Reason})
	if err := s.check(ctx, op, row, proof, nil); err != nil {
		return nil, err
	}
	if err := s.k.AuditAppend(ctx, a, row.subject, "rights_review", "next_of_kin_accepted"); err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id, "")
}

// Answer has the DPO serve a request that needs an operator: deleting
// everything on a legal ground the DPO confirmed, and a next of kin's
// correction or deletion after their evidence was accepted. Access and
// copy are answered when the export is fetched. Returns Denied for anyone
// but the DPO, Conflict for a request in another state.
func (s *Service) Answer(ctx context.Context, a minimall.Actor, id string) (*Request, error) {
	const op = "rights.Answer"
	if err := requireDPO(a, op); err != nil {
		return nil, err
	}
	row, err := s.load(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if row.kind == Appeal {
		return nil, appealElsewhere(op, row)
	}
	if row.kind == Complaint {
		return nil, complaintElsewhere(op, row)
	}
	if row.state != IdentityChecked && row.state != InProgress {
		return nil, minimall.Errorf(minimall.Conflict, op, "The request is not ready to answer (state %s). 请求当前状态不可答复。", row.state)
	}
	d, err := s.details(ctx, a, row)
	if err != nil {
		return nil, err
	}
	var ans *Answer
	switch {
	case row.kind == Access || row.kind == Copy:
		return nil, minimall.Errorf(minimall.Conflict, op, "Access and copy are answered when the export is fetched. 查阅与复制请求在导出时即答复。")
	case row.kind == Delete && (d.All || row.filedBy == ByNextOfKin):
		// The whole record of the person goes, on the confirmed ground.
		ans, err = s.deleteAll(ctx, a, row, d)
	case row.kind == Delete:
		ans, err = s.deleteChosen(ctx, a, row, d.Fields)
	case row.kind == Correct:
		ans, err = s.correct(ctx, a, row, d)
	default:
		return nil, minimall.Errorf(minimall.Conflict, op, "The person serves this request themselves. 该请求由本人完成。")
	}
	if err := s.finish(ctx, row, ans, err); err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id, "")
}

// deleteAll erases everything, unless something is unfinished.
func (s *Service) deleteAll(ctx context.Context, a minimall.Actor, row *requestRow, d Details) (*Answer, error) {
	if len(d.Fields) > 0 && row.filedBy == ByNextOfKin && !d.All {
		return s.deleteChosen(ctx, a, row, d.Fields)
	}
	left, err := s.pending(ctx, row.subject)
	if err != nil {
		return nil, err
	}
	if len(left) > 0 {
		return &Answer{Pending: left, Message: "存在未完成的交易，暂不能删除全部信息 / unfinished transactions must be settled first"}, nil
	}
	return s.erase(ctx, a, row, "deleted:"+d.Ground)
}

// Refuse refuses a request with a reason code (policy 四(七)). Returns
// Denied for anyone but the DPO, Invalid for an unknown reason, Conflict
// for a request already closed.
func (s *Service) Refuse(ctx context.Context, a minimall.Actor, id, reason string) (*Request, error) {
	const op = "rights.Refuse"
	if err := requireDPO(a, op); err != nil {
		return nil, err
	}
	known := false
	for _, r := range refusalReasons {
		known = known || r == reason
	}
	if row, err := s.load(ctx, op, id); err != nil {
		return nil, err
	} else if row.kind == Appeal {
		return nil, appealElsewhere(op, row)
	} else if row.kind == Complaint {
		return nil, complaintElsewhere(op, row)
	}
	if !known {
		return nil, minimall.Errorf(minimall.Invalid, op, "Give a reason code: repeat_limit, conditions_unmet, evidence_insufficient, ground_not_met, not_directly_linked, impractical or identity_not_shown. 请给出拒绝理由代码。")
	}
	res, err := s.db.ExecContext(ctx, `UPDATE rights_requests SET state = ?, refused_reason = ?, closed_at = ? WHERE id = ? AND state NOT IN (?, ?)`,
		string(Refused), reason, sqldb.Micros(s.db.Now()), id, string(Answered), string(Refused))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.load(ctx, op, id); err != nil {
			return nil, err
		}
		return nil, minimall.Errorf(minimall.Conflict, op, "The request is already closed. 请求已关闭。")
	}
	return s.Get(ctx, a, id, "")
}
