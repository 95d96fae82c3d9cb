package identity

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
)

// RightsPart returns the identity area's part of rights requests:
// real-name and real-person verification, and the guardian procedure.
func (s *Service) RightsPart() rights.Part { return identityPart{s} }

// The identity area's tables; their sealed columns come from the registry.
var (
	verifications = privacy.TableOf("verifications")
	minors        = privacy.TableOf("minors")
)

type identityPart struct{ s *Service }

func (identityPart) Name() string { return "identity" }

func (identityPart) Holds() []privacy.Field { return rights.Holds(verifications, minors) }

func (p identityPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	sec, err := rights.ExportTables(ctx, p.s.db, p.s.k.Guard(), a, subject, "identity", verifications, minors)
	sec.Notes = []string{"人脸信息从不保存 / face data is never stored"}
	return sec, err
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
	n, err := rights.DeleteRows(ctx, p.s.db, p.s.k, subject, verifications)
	d.Removed[privacy.VerificationResult] = n
	return d, err
}

func (identityPart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}
