package identity

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"minimall"
	"minimall/account"
	"minimall/mobile"
	"minimall/privacy"
	"minimall/sqldb"
)

// GuardianTokenPrefix starts every guardian token.
const GuardianTokenPrefix = "gt_"

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// SealMinorHold seals the start (or restart, with a new token) of the
// guardian procedure for subject, before the write that stores it
// (WriteMinorHold): the statement of how the age became known (source:
// account.MinorDeclared or account.MinorRealName) and the token the
// guardian acts with, minted here (account.Identity).
func (s *Service) SealMinorHold(ctx context.Context, subject minimall.SubjectID, source, requestID string) (account.MinorHold, error) {
	stmt, _ := json.Marshal(map[string]string{"source": source, "request_id": requestID})
	sealed, err := s.k.Guard().Seal(ctx, subject, privacy.MinorUnder14, string(subject), stmt)
	if err != nil {
		return account.MinorHold{}, err
	}
	return account.MinorHold{Subject: subject, Token: GuardianTokenPrefix + minimall.RandomToken(16), Under14: sealed}, nil
}

// WriteMinorHold stores in tx a hold SealMinorHold sealed: the kernel is
// told the person is a child under 14, so the guard refuses any further
// collection until a guardian consents (PIPL art. 31). A restart keeps the
// first statement and replaces the token (account.Identity).
func (s *Service) WriteMinorHold(ctx context.Context, tx *sqldb.Tx, h account.MinorHold) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO minors (subject, state, guardian_token_hash, under_14_sealed, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (subject) DO UPDATE SET guardian_token_hash = excluded.guardian_token_hash`,
		string(h.Subject), string(privacy.MinorPending), tokenHash(h.Token), h.Under14, sqldb.Micros(tx.Now()))
	if err != nil {
		return sqldb.FormatError("identity.WriteMinorHold", err)
	}
	return s.k.SetMinor(ctx, tx, h.Subject, privacy.MinorPending)
}

// GuardianMinor checks the shape of a guardian's consent (七, PIPL art.
// 31) and finds the child waiting for it (account.Identity).
func (s *Service) GuardianMinor(ctx context.Context, req account.GuardianConsentRequest) (minimall.SubjectID, error) {
	if _, err := s.checkGuardianRequest(req); err != nil {
		return "", err
	}
	return s.pendingMinor(ctx, req.Token)
}

// VerifyGuardian checks the guardian with the identity authority: an
// adult, 18 or over, whose name and ID number match (account.Identity).
func (s *Service) VerifyGuardian(ctx context.Context, req account.GuardianConsentRequest, requestID string) error {
	id, err := s.checkGuardianRequest(req)
	if err != nil {
		return err
	}
	return s.checkGuardian(ctx, id, requestID)
}

// SealGuardianConsent checks the consent's shape and seals, before the
// write, who consented and the evidence under the child's keys: the
// guardian is not an account holder (account.Identity).
func (s *Service) SealGuardianConsent(ctx context.Context, child minimall.SubjectID, req account.GuardianConsentRequest, requestID string) (account.SealedGuardianConsent, error) {
	id, err := s.checkGuardianRequest(req)
	if err != nil {
		return account.SealedGuardianConsent{}, err
	}
	p, _ := mobile.Normalize(req.Phone)
	c := account.SealedGuardianConsent{Child: child, At: s.db.Now(), RequestID: requestID}
	who, _ := json.Marshal(map[string]string{"real_name": id.RealName, "id_type": id.IDType, "id_number": id.IDNumber, "phone": p})
	evidence, _ := json.Marshal(map[string]any{"request_id": requestID, "policy_version": s.k.PolicyVersion(),
		"phone_proof": "sms_code", "identity_proof": "identity_authority", "at": c.At})
	g, row := s.k.Guard(), string(child)
	if c.Identity, err = g.Seal(ctx, child, privacy.GuardianIdentity, row, who); err != nil {
		return account.SealedGuardianConsent{}, err
	}
	if c.Evidence, err = g.Seal(ctx, child, privacy.GuardianConsentEvidence, row, evidence); err != nil {
		return account.SealedGuardianConsent{}, err
	}
	return c, nil
}

func (s *Service) checkGuardianRequest(req account.GuardianConsentRequest) (RealNameRequest, error) {
	const op = "identity.GuardianConsent"
	if !strings.HasPrefix(req.Token, GuardianTokenPrefix) {
		return RealNameRequest{}, minimall.Errorf(minimall.Invalid, op, "Give the guardian_token the child received. 请提供儿童获得的监护人令牌。")
	}
	if !req.Agree {
		return RealNameRequest{}, minimall.Errorf(minimall.Invalid, op, "The guardian must agree (agree: true). 监护人须明确同意。")
	}
	if _, err := mobile.Normalize(req.Phone); err != nil {
		return RealNameRequest{}, err
	}
	if v := s.k.PolicyVersion(); req.AcceptPolicyVersion != v {
		return RealNameRequest{}, minimall.Errorf(minimall.Conflict, op, "Read and accept the current privacy policy (version %d) first. 请先阅读并同意当前版本（第%d版）隐私政策。", v, v)
	}
	return RealNameRequest{RealName: req.RealName, IDNumber: req.IDNumber, IDType: req.IDType}.normalize(op)
}

// pendingMinor finds the child a guardian token belongs to.
func (s *Service) pendingMinor(ctx context.Context, token string) (minimall.SubjectID, error) {
	var subject string
	err := s.db.QueryRowContext(ctx, `SELECT subject FROM minors WHERE guardian_token_hash = ? AND state = ?`,
		tokenHash(token), string(privacy.MinorPending)).Scan(&subject)
	if errors.Is(err, sql.ErrNoRows) {
		return "", minimall.Errorf(minimall.NotFound, "identity.GuardianConsent", "No child is waiting for a guardian with this token. 没有与此令牌对应的待同意请求。")
	}
	if err != nil {
		return "", sqldb.FormatError("identity.GuardianConsent", err)
	}
	return minimall.SubjectID(subject), nil
}

// checkGuardian verifies the guardian with the identity authority. The
// guardian has no account: the authority sees a one-off ref, never the
// child's, so it cannot link the two.
func (s *Service) checkGuardian(ctx context.Context, id RealNameRequest, requestID string) error {
	const op = "identity.GuardianConsent"
	ans, err := s.askAuthority(ctx, "", id, requestID)
	if err != nil {
		return err
	}
	birth, dateErr := parseDate(ans.BirthDate)
	if !ans.Match || dateErr != nil {
		return minimall.Errorf(minimall.Invalid, op, "The guardian's name and ID number do not match. 监护人姓名与证件号码不一致。")
	}
	if under(18, birth, s.db.Now()) {
		return minimall.Errorf(minimall.Denied, op, "A guardian must be an adult. 监护人须为成年人。")
	}
	return nil
}

// WriteGuardianConsent records in tx a consent SealGuardianConsent
// sealed, appends the guardian's grants to the ledger and tells the
// kernel: from then on the child's data is treated as sensitive
// (account.Identity).
func (s *Service) WriteGuardianConsent(ctx context.Context, tx *sqldb.Tx, c account.SealedGuardianConsent) error {
	const op = "identity.GuardianConsent"
	res, err := tx.ExecContext(ctx, `UPDATE minors SET state = ?, guardian_identity_sealed = ?, guardian_consent_sealed = ?, consented_at = ?
		WHERE subject = ? AND state = ?`, string(privacy.MinorConsented), c.Identity, c.Evidence, sqldb.Micros(c.At), string(c.Child), string(privacy.MinorPending))
	if err != nil {
		return sqldb.FormatError(op, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return minimall.Errorf(minimall.NotFound, op, "No child is waiting for a guardian with this token. 没有与此令牌对应的待同意请求。")
	}
	for _, scope := range []privacy.Scope{privacy.FeatureScope(privacy.FeatMinor), privacy.PolicyScope} {
		if _, err := s.k.Consents.RecordTx(ctx, tx, privacy.ConsentChange{Subject: c.Child, Scope: scope, Kind: privacy.Guardian,
			Action: privacy.Grant, Channel: "api", Evidence: c.RequestID}); err != nil {
			return err
		}
	}
	return s.k.SetMinor(ctx, tx, c.Child, privacy.MinorConsented)
}

// RealNameVerified reports whether subject passed a real-name check with
// the identity authority. Nothing is opened: a name is kept only after a
// match.
func (s *Service) RealNameVerified(ctx context.Context, subject minimall.SubjectID) (bool, error) {
	row, err := s.load(ctx, s.db, subject)
	if err != nil {
		return false, err
	}
	return len(row.realName) > 0 && len(row.idNumber) > 0, nil
}

// MatchRealName compares a claimed name and ID number with the sealed
// ones for account recovery (二(一)3 找回账号). The guard opens them only
// for that purpose, only with the person's separate consent to it, and
// audits each opening with the request id.
func (s *Service) MatchRealName(ctx context.Context, subject minimall.SubjectID, realName, idNumber, requestID string) (bool, error) {
	row, err := s.load(ctx, s.db, subject)
	if err != nil || len(row.realName) == 0 {
		return false, err
	}
	a := minimall.SystemActor("account-recovery")
	a.Reason = requestID
	g, key := s.k.Guard(), string(subject)
	name, err := g.Open(ctx, a, subject, privacy.RealName, privacy.ForAccountRecovery, key, row.realName)
	if err != nil {
		return false, err
	}
	id, err := g.Open(ctx, a, subject, privacy.IDNumber, privacy.ForAccountRecovery, key, row.idNumber)
	if err != nil {
		return false, err
	}
	claimName := []byte(strings.TrimSpace(realName))
	claimID := []byte(strings.ToUpper(strings.TrimSpace(idNumber)))
	// Both compared, in constant time, so timing tells nothing about which failed.
	ok := subtle.ConstantTimeCompare(name, claimName) & subtle.ConstantTimeCompare(id, claimID)
	return ok == 1, nil
}

// GuardianRecord finds the child a guardian token belongs to, with the
// state of the guardian procedure and the guardian's sealed identity
// (account.Identity: a guardian's withdrawal checks the guardian against
// it). Returns NotFound for an unknown token.
func (s *Service) GuardianRecord(ctx context.Context, token string) (account.GuardianRecord, error) {
	const op = "identity.GuardianRecord"
	var rec account.GuardianRecord
	var subject, state string
	err := s.db.QueryRowContext(ctx, `SELECT subject, state, guardian_identity_sealed FROM minors WHERE guardian_token_hash = ?`, tokenHash(token)).
		Scan(&subject, &state, &rec.GuardianIdentity)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, minimall.Errorf(minimall.NotFound, op, "No guardian's consent with this token. 没有与此令牌对应的监护人同意。")
	}
	if err != nil {
		return rec, sqldb.FormatError(op, err)
	}
	rec.Subject, rec.State = minimall.SubjectID(subject), privacy.MinorState(state)
	return rec, nil
}

// Minors is the identity area's record of guardian procedures, as the
// account area's retention sweep needs it (account.Sweeper.Minors).
type Minors struct{}

// DropMinorTx deletes, in tx, the record of subject's guardian procedure:
// the held registration lapsed and is erased.
func (Minors) DropMinorTx(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM minors WHERE subject = ?`, string(subject))
	return sqldb.FormatError("identity.DropMinorTx", err)
}
