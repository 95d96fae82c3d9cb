package partner

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// SMS sends text messages through the gateway to the SMS partner. It
// satisfies account.Sender: one-time codes for registration, login and
// unlocking all serve the login purpose.
type SMS struct{ Gateway *Gateway }

// SendSMS hands phone and text to the SMS partner; subject is empty before
// an account exists.
//
// NB: phone and text are personal or secret; never log them.
func (s SMS) SendSMS(ctx context.Context, subject minimall.SubjectID, phone, text, requestID string) error {
	_, err := s.Gateway.Send(ctx, Disclosure{
		Partner: privacy.PartnerSMS, Purpose: privacy.ForLogin, Subject: subject, Operation: "sms/send",
		Fields: map[privacy.Field]string{privacy.AccountPhone: phone}, Params: map[string]any{"text": text}, RequestID: requestID,
	})
	return err
}

// SendUnclaimed is SendSMS before an account exists: the disclosure is
// logged under claim, for the account that may follow to take over
// (ClaimSMS).
func (s SMS) SendUnclaimed(ctx context.Context, phone, text, claim, requestID string) error {
	_, err := s.Gateway.Send(ctx, Disclosure{
		Partner: privacy.PartnerSMS, Purpose: privacy.ForLogin, Operation: "sms/send", Claim: claim,
		Fields: map[privacy.Field]string{privacy.AccountPhone: phone}, Params: map[string]any{"text": text}, RequestID: requestID,
	})
	return err
}

// ClaimSMS attaches the messages sent under claim to subject (ClaimTx).
func (s SMS) ClaimSMS(ctx context.Context, tx *sqldb.Tx, claim string, subject minimall.SubjectID) error {
	_, err := s.Gateway.ClaimTx(ctx, tx, claim, subject)
	return err
}
