package identity

import (
	"context"
	"encoding/json"
	"minimall/sqldb"
	"time"

	"minimall"
	"minimall/account"
	"minimall/partner"
	"minimall/privacy"
)

// Status is what a person sees of their own verifications. The name and
// ID number are shown masked; the birth date is not shown at all.
type Status struct {
	RealNameVerified bool       `json:"real_name_verified"`
	RealName         string     `json:"real_name,omitempty"` // masked
	IDNumber         string     `json:"id_number,omitempty"` // masked
	VerifiedAt       *time.Time `json:"verified_at,omitempty"`
	FaceVerified     bool       `json:"face_verified"`
	PaymentVerified  *bool      `json:"payment_real_name_verified,omitempty"`
	// Minor is "pending" or "consented" for a child under 14.
	Minor string `json:"minor,omitempty"`
	// GuardianToken is set only when this check revealed a child under 14:
	// the child hands it to a guardian, who consents with it (七).
	GuardianToken string `json:"guardian_token,omitempty"`
}

// authorityAnswer is the identity authority's answer.
type authorityAnswer struct {
	Match     bool   `json:"match"`
	BirthDate string `json:"birth_date"`
}

// askAuthority sends a real-name check to the identity authority through
// the gateway, which hands over only the name, ID number and type, for
// identity_check. subject is empty for a guardian, who is not a person
// minimall holds an account for: the authority then sees a one-off ref.
func (s *Service) askAuthority(ctx context.Context, subject minimall.SubjectID, r RealNameRequest, requestID string) (authorityAnswer, error) {
	var ans authorityAnswer
	raw, err := s.partners.Send(ctx, partner.Disclosure{
		Partner: privacy.PartnerIdentity, Purpose: privacy.ForIdentityCheck, Subject: subject, Operation: "identity/verify",
		Fields:    map[privacy.Field]string{privacy.RealName: r.RealName, privacy.IDNumber: r.IDNumber, privacy.IDType: r.IDType},
		RequestID: requestID,
	})
	if err != nil {
		return ans, err
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		return ans, minimall.Errorf(minimall.Unavailable, "identity.askAuthority", "The identity authority gave an unreadable answer. 身份认证机构应答异常。")
	}
	return ans, nil
}

// VerifyRealName checks the actor's real name and ID number with the
// identity authority (二(一)3 实名认证) and keeps them, with the result,
// sealed. A birth date less than 14 years ago starts the guardian
// procedure: nothing more is collected until a guardian consents (七).
// Returns Unauthorized for a visitor, Invalid for a malformed request or a
// name and number that do not match, Conflict if already verified,
// Unavailable if the authority cannot be reached.
func (s *Service) VerifyRealName(ctx context.Context, a minimall.Actor, req RealNameRequest, requestID string) (*Status, error) {
	const op = "identity.VerifyRealName"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	req, err := req.normalize(op)
	if err != nil {
		return nil, err
	}
	row, err := s.load(ctx, s.db, a.Subject)
	if err != nil {
		return nil, err
	}
	if len(row.realName) > 0 {
		return nil, minimall.Errorf(minimall.Conflict, op, "You are already real-name verified. 您已完成实名认证。")
	}
	ans, err := s.askAuthority(ctx, a.Subject, req, requestID)
	if err != nil {
		return nil, err
	}
	birth, dateErr := parseDate(ans.BirthDate)
	if !ans.Match || dateErr != nil {
		return nil, minimall.Errorf(minimall.Invalid, op, "The name and ID number do not match. 姓名与证件号码不一致。")
	}
	res, err := s.openResult(ctx, a, a.Subject, privacy.ForIdentityCheck, row)
	if err != nil {
		return nil, err
	}
	now := s.db.Now()
	res.RealName = &check{Verified: true, At: now, BirthDate: ans.BirthDate}
	sealed, err := s.seal(ctx, a.Subject, row, map[privacy.Field][]byte{
		privacy.RealName: []byte(req.RealName), privacy.IDNumber: []byte(req.IDNumber), privacy.IDType: []byte(req.IDType),
		privacy.VerificationResult: resultBytes(res),
	})
	if err != nil {
		return nil, err
	}
	hold, err := s.sealChildHold(ctx, a.Subject, birth, now, requestID)
	if err != nil {
		return nil, err
	}
	var token string
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := s.save(ctx, tx, a.Subject, row, sealed); err != nil {
			return err
		}
		// Held meanwhile (a guardian procedure under way): that hold stands.
		if hold == nil || s.k.Minor(a.Subject) != privacy.NotMinor {
			return nil
		}
		token = hold.Token
		return s.WriteMinorHold(ctx, tx, *hold)
	})
	if err != nil {
		return nil, err
	}
	st, err := s.Status(ctx, a)
	if err != nil {
		return nil, err
	}
	st.GuardianToken = token
	return st, nil
}

// sealChildHold seals a hold for a child the check reveals (七, PIPL
// art. 31): nil for an adult or a person held already.
func (s *Service) sealChildHold(ctx context.Context, subject minimall.SubjectID, birth, now time.Time, requestID string) (*account.MinorHold, error) {
	if !under(14, birth, now) || s.k.Minor(subject) != privacy.NotMinor {
		return nil, nil
	}
	h, err := s.SealMinorHold(ctx, subject, account.MinorRealName, requestID)
	if err != nil {
		return nil, err
	}
	return &h, nil
}

// VerifyPayment asks the payment institution whether the person's payment
// account is real-name verified: only minimall's ref for the person
// crosses, no field (二(一)3, the alternative to the authority). Returns
// Unauthorized for a visitor, Unavailable if the partner cannot be reached.
func (s *Service) VerifyPayment(ctx context.Context, a minimall.Actor, requestID string) (*Status, error) {
	const op = "identity.VerifyPayment"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	raw, err := s.partners.Send(ctx, partner.Disclosure{
		Partner: privacy.PartnerPayment, Purpose: privacy.ForIdentityCheck, Subject: a.Subject,
		Operation: "payment/realname-status", RequestID: requestID,
	})
	if err != nil {
		return nil, err
	}
	var ans struct{ Verified bool }
	if err := json.Unmarshal(raw, &ans); err != nil {
		return nil, minimall.Errorf(minimall.Unavailable, op, "The payment institution gave an unreadable answer. 支付机构应答异常。")
	}
	err = s.updateResult(ctx, a, func(r *result, now time.Time) { r.Payment = &check{Verified: ans.Verified, At: now} })
	if err != nil {
		return nil, err
	}
	return s.Status(ctx, a)
}

// FaceRequest carries a face image or template for a real-person check.
//
// NB: biometric data; never log it.
type FaceRequest struct {
	Face string `json:"face"`
}

// maxFace bounds a face image (base64).
const maxFace = 512 << 10

// VerifyFace checks the actor's face with the identity authority (二(一)3
// 实人认证). Face data is sensitive: it needs the person's separate consent
// to the face_verification feature (PIPL art. 28-29), follows a real-name
// check, goes to the identity authority alone, for face verification
// alone, and is never stored; only the result is kept. Returns Denied
// without the separate consent, Conflict before a real-name check, Invalid
// for an empty or oversized face or one that does not match.
func (s *Service) VerifyFace(ctx context.Context, a minimall.Actor, req FaceRequest, requestID string) (*Status, error) {
	const op = "identity.VerifyFace"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	// Before anything else: no separate consent, no face processing.
	if err := s.k.Guard().Check(ctx, a, a.Subject, privacy.FaceData, privacy.ForFaceVerification); err != nil {
		return nil, err
	}
	if req.Face == "" || len(req.Face) > maxFace {
		return nil, minimall.Errorf(minimall.Invalid, op, "Give one face image of at most 512 KiB. 请提供一张不超过512 KiB的人脸图像。")
	}
	row, err := s.load(ctx, s.db, a.Subject)
	if err != nil {
		return nil, err
	}
	if len(row.realName) == 0 {
		return nil, minimall.Errorf(minimall.Conflict, op, "Complete real-name verification first. 请先完成实名认证。")
	}
	raw, err := s.partners.Send(ctx, partner.Disclosure{
		Partner: privacy.PartnerIdentity, Purpose: privacy.ForFaceVerification, Subject: a.Subject, Operation: "identity/verify",
		Fields: map[privacy.Field]string{privacy.FaceData: req.Face}, RequestID: requestID,
	})
	if err != nil {
		return nil, err
	}
	var ans struct{ Match bool }
	if err := json.Unmarshal(raw, &ans); err != nil {
		return nil, minimall.Errorf(minimall.Unavailable, op, "The identity authority gave an unreadable answer. 身份认证机构应答异常。")
	}
	if !ans.Match {
		return nil, minimall.Errorf(minimall.Invalid, op, "The face does not match the verified identity. 人脸与已认证身份不一致。")
	}
	if err := s.updateResult(ctx, a, func(r *result, now time.Time) { r.Face = &check{Verified: true, At: now} }); err != nil {
		return nil, err
	}
	return s.Status(ctx, a)
}

// updateResult changes the sealed result in one transaction.
func (s *Service) updateResult(ctx context.Context, a minimall.Actor, change func(*result, time.Time)) error {
	row, err := s.load(ctx, s.db, a.Subject)
	if err != nil {
		return err
	}
	res, err := s.openResult(ctx, a, a.Subject, privacy.ForIdentityCheck, row)
	if err != nil {
		return err
	}
	change(&res, s.db.Now())
	sealed, err := s.seal(ctx, a.Subject, row, map[privacy.Field][]byte{privacy.VerificationResult: resultBytes(res)})
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		return s.save(ctx, tx, a.Subject, row, sealed)
	})
}

// Status returns the actor's own verifications. Returns Unauthorized for a
// visitor.
func (s *Service) Status(ctx context.Context, a minimall.Actor) (*Status, error) {
	const op = "identity.Status"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	row, err := s.load(ctx, s.db, a.Subject)
	if err != nil {
		return nil, err
	}
	res, err := s.openResult(ctx, a, a.Subject, privacy.ForIdentityCheck, row)
	if err != nil {
		return nil, err
	}
	st := &Status{Minor: string(s.k.Minor(a.Subject))}
	if c := res.RealName; c != nil && c.Verified {
		at := c.At
		st.RealNameVerified, st.VerifiedAt = true, &at
		g := s.k.Guard()
		name, err := g.OpenString(ctx, a, a.Subject, privacy.RealName, privacy.ForIdentityCheck, string(a.Subject), row.realName)
		if err != nil {
			return nil, err
		}
		id, err := g.OpenString(ctx, a, a.Subject, privacy.IDNumber, privacy.ForIdentityCheck, string(a.Subject), row.idNumber)
		if err != nil {
			return nil, err
		}
		st.RealName, st.IDNumber = maskName(name), maskID(id)
	}
	st.FaceVerified = res.Face != nil && res.Face.Verified
	if res.Payment != nil {
		v := res.Payment.Verified
		st.PaymentVerified = &v
	}
	return st, nil
}
