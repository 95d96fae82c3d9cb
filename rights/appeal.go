package rights

import (
	"context"
	"encoding/json"
	"strings"

	"minimall"
	"minimall/sqldb"
)

// Appeal outcomes, as the decision area answers them.
const (
	AppealUpheld     = "upheld"
	AppealOverturned = "overturned"
)

var appealMessages = map[string]string{
	AppealUpheld:     "经人工复核，维持原决定 / reviewed by a person: the decision stands",
	AppealOverturned: "经人工复核，撤销原决定并已纠正 / reviewed by a person: the decision is overturned and undone",
}

// FileAppeal puts the signed-in person's appeal of automated decision
// decisionID (PIPL art. 24) in the one rights queue: kind appeal, ref the
// decision, due in 15 days like every request (policy 四(七)). It is in
// progress at once: the session proves who asks, and an appeal discloses
// nothing. inTx runs in the same transaction as the insert, so the
// decision's appeal and its request stand or fall together. Returns
// Unauthorized for a visitor, Invalid without a decision or reason.
func (s *Queue) FileAppeal(ctx context.Context, a minimall.Actor, decisionID, reason string, inTx func(*sqldb.Tx, *Request) error) (*Request, error) {
	const op = "rights.FileAppeal"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	if strings.TrimSpace(decisionID) == "" || strings.TrimSpace(reason) == "" {
		return nil, minimall.Errorf(minimall.Invalid, op, "An appeal names the decision and a reason. 申诉须指明决策及理由。")
	}
	r, err := s.insertWith(ctx, newRequestID(), a.Subject, Appeal, BySelf, InProgress, decisionID, Details{Decision: decisionID, Reason: reason}, nil, inTx)
	if err != nil {
		return nil, err
	}
	r.Next = "安全或个人信息保护负责人将在截止日期前人工复核并答复 / a security officer or the personal-information protection officer reviews it and answers by the due date"
	return r, nil
}

// CloseAppeal answers appeal request requestID with outcome. inTx runs in
// the same transaction, before the request closes (the decision area
// records its answer there). The decision area checks the operator's
// role; here only an operator may close. Returns Denied for anyone else,
// Invalid for another outcome, NotFound for no such appeal, Conflict when
// it is closed already.
func (s *Queue) CloseAppeal(ctx context.Context, a minimall.Actor, requestID, outcome string, inTx func(*sqldb.Tx) error) error {
	const op = "rights.CloseAppeal"
	if a.Kind != minimall.Operator {
		return minimall.Errorf(minimall.Denied, op, "Only an operator answers appeals. 仅操作员可答复申诉。")
	}
	msg, ok := appealMessages[outcome]
	if !ok {
		return minimall.Errorf(minimall.Invalid, op, "outcome must be upheld or overturned. outcome 须为 upheld 或 overturned。")
	}
	row, err := s.load(ctx, op, requestID)
	if err != nil {
		return err
	}
	if row.kind != Appeal {
		return notFound(op)
	}
	b, _ := json.Marshal(&Answer{Outcome: outcome, Message: msg})
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if inTx != nil {
			if err := inTx(tx); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE rights_requests SET state = ?, answer = ?, closed_at = ? WHERE id = ? AND state NOT IN (?, ?)`,
			string(Answered), string(b), sqldb.Micros(tx.Now()), row.id, string(Answered), string(Refused))
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return minimall.Errorf(minimall.Conflict, op, "This appeal is closed already. 该申诉已关闭。")
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.Logger.Info("rights request closed", "request", row.id, "subject", string(row.subject), "kind", string(Appeal), "state", string(Answered))
	return nil
}

// appealElsewhere is the answer to serving or refusing an appeal through
// the rights routes: it is answered where the decision is, which undoes an
// overturned decision in the area that made it.
func appealElsewhere(op string, row *requestRow) error {
	return minimall.Errorf(minimall.Conflict, op,
		"Answer this appeal at POST /api/v1/ops/decisions/%s/answer (upheld or overturned). 请在自动化决策处答复该申诉。", row.ref)
}
