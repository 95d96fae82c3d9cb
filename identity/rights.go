package identity

import (
	"context"
	"database/sql"
	"errors"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
	"minimall/sqldb"
)

// RightsPart returns the identity area's part of rights requests:
// real-name and real-person verification, and the guardian procedure.
func (s *Service) RightsPart() rights.Part { return identityPart{s} }

type identityPart struct{ s *Service }

func (identityPart) Name() string { return "identity" }

func (identityPart) Holds() []privacy.Field {
	return []privacy.Field{privacy.RealName, privacy.IDNumber, privacy.IDType, privacy.FaceData, privacy.VerificationResult,
		privacy.AlipayRealNameStatus, privacy.MinorUnder14, privacy.GuardianIdentity, privacy.GuardianConsentEvidence}
}

func (p identityPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	const op = "identity.RightsExport"
	row := string(subject)
	var name, num, typ, face, res, alipay []byte
	err := p.s.db.QueryRowContext(ctx, `SELECT real_name_sealed, id_number_sealed, id_type_sealed, face_sealed, result_sealed, alipay_status_sealed
		FROM verifications WHERE subject = ?`, row).Scan(&name, &num, &typ, &face, &res, &alipay)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return rights.Section{}, sqldb.FormatError(op, err)
	}
	items := rights.AppendSealed(nil, row, privacy.RealName, name, privacy.IDNumber, num, privacy.IDType, typ, privacy.FaceData, face,
		privacy.VerificationResult, res, privacy.AlipayRealNameStatus, alipay)
	var under, who, ev []byte
	err = p.s.db.QueryRowContext(ctx, `SELECT under_14_sealed, guardian_identity_sealed, guardian_consent_sealed FROM minors WHERE subject = ?`, row).Scan(&under, &who, &ev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return rights.Section{}, sqldb.FormatError(op, err)
	}
	items = rights.AppendSealed(items, row, privacy.MinorUnder14, under, privacy.GuardianIdentity, who, privacy.GuardianConsentEvidence, ev)
	return rights.Section{Part: "identity", Values: rights.OpenValues(ctx, p.s.k.Guard(), a, subject, items),
		Notes: []string{"人脸信息从不保存 / face data is never stored"}}, nil
}

func (identityPart) Correct(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f privacy.Field, value, requestID string) error {
	return minimall.Errorf(minimall.Invalid, "identity.RightsCorrect", "Verified identity comes from the identity authority: verify again to change it. 实名信息以权威机构核验为准，请重新认证。")
}

// Delete removes the verification evidence; the guardian's consent record
// stays, as proof the child's data was collected lawfully (PIPL art. 31).
func (p identityPart) Delete(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, fields []privacy.Field, requestID string) (rights.Deleted, error) {
	d := rights.Deleted{Removed: map[privacy.Field]int{}, Kept: map[privacy.Field]string{}}
	verification := false
	for _, f := range p.Holds() {
		if !rights.Wants(fields, f) {
			continue
		}
		switch f {
		case privacy.MinorUnder14, privacy.GuardianIdentity, privacy.GuardianConsentEvidence:
			d.Kept[f] = "监护人同意的证明 / proof of the guardian's consent (PIPL art. 31)"
		default:
			verification = true
		}
	}
	if !verification {
		return d, nil
	}
	res, err := p.s.db.ExecContext(ctx, `DELETE FROM verifications WHERE subject = ?`, string(subject))
	if err != nil {
		return d, sqldb.FormatError("identity.RightsDelete", err)
	}
	n, _ := res.RowsAffected()
	d.Removed[privacy.VerificationResult] = int(n)
	return d, nil
}

func (identityPart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}
