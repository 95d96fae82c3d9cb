package rights

import (
	"context"
	"encoding/json"

	"minimall"
	"minimall/sqldb"
)

// ByGuardian marks a request filed by the guardian of a child under 14
// (policy 七, PIPL art. 31): the guardian has no account and acts for the
// child through the same queue, deadline and answers as the person.
const ByGuardian = "guardian"

// GuardianRequest is a guardian's request for a child: the guardian token
// of the consent, the guardian's phone with an SMS code sent to it
// (purpose "guardian"), and what is asked.
type GuardianRequest struct {
	Token string `json:"guardian_token"`
	Phone string `json:"guardian_phone"`
	Code  string `json:"code"`
	Kind  Kind   `json:"kind"` // access, copy, correct or delete
	Details
}

// FileGuardian files and serves a guardian's request for a child. The
// guardian proves who they are as at the consent: the token, and the code
// sent to the phone recorded then (Accounts.CheckGuardian compares it
// through the guard); the request is then identity-checked and served as
// the person's own is: corrections and chosen deletions at once, access
// and copy through the export with the returned token. Every act is
// audited as the guardian acting for the child, so the child's "who opened
// my data" view shows it. Returns Invalid for a malformed request or a
// wrong code, Denied for anyone but the recorded guardian (whether or not
// the child exists), TooMany past the limits or the repeat rule.
func (s *Service) FileGuardian(ctx context.Context, req GuardianRequest, client, requestID string) (*Request, error) {
	const op = "rights.FileGuardian"
	if req.Kind == Deregister || !validKind(req.Kind) {
		return nil, minimall.InvalidField(op, "kind", minimall.RuleChoice, "A guardian may ask for access, copy, correct or delete. 监护人可请求查阅、复制、更正或删除。")
	}
	d := req.Details
	d.Relation, d.Evidence = "", ""
	if err := s.validate(op, req.Kind, &d); err != nil {
		return nil, err
	}
	child, codeID, err := s.accounts.CheckGuardian(ctx, req.Token, req.Phone, req.Code, client, requestID)
	if err != nil {
		return nil, err
	}
	if err := s.checkRepeat(ctx, op, child, req.Kind); err != nil {
		return nil, err
	}
	token := "mmr_" + minimall.RandomToken(20)
	r, err := s.insert(ctx, child, req.Kind, ByGuardian, d, tokenHash(token))
	if err != nil {
		return nil, err
	}
	row, err := s.load(ctx, op, r.ID)
	if err != nil {
		return nil, err
	}
	proof, _ := json.Marshal(map[string]string{"method": "guardian_token+sms_code", "code": codeID})
	if err := s.check(ctx, op, row, proof, func(tx *sqldb.Tx) error { return s.accounts.SpendCode(ctx, tx, codeID) }); err != nil {
		return nil, err
	}
	guardian := minimall.GuardianActor(child, row.id)
	if err := s.k.AuditAppend(ctx, guardian, child, "rights_request", string(req.Kind)+":"+ByGuardian); err != nil {
		return nil, err
	}
	if err := s.serve(ctx, guardian, row); err != nil {
		return nil, err
	}
	out, err := s.Get(ctx, minimall.Actor{}, row.id, token)
	if err != nil {
		return nil, err
	}
	out.Token = token
	if req.Kind == Access || req.Kind == Copy {
		out.Next = "请凭此令牌（X-Rights-Token）获取导出 / fetch the export with this token (X-Rights-Token)"
	}
	return out, nil
}
