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
	return s.send(ctx, Disclosure{Subject: subject, RequestID: requestID}, phone, text)
}

// SendUnclaimed is SendSMS before an account exists: the disclosure is
// logged under claim, for the account that may follow to take over
// (ClaimSMS).
func (s SMS) SendUnclaimed(ctx context.Context, phone, text, claim, requestID string) error {
	return s.send(ctx, Disclosure{Claim: claim, RequestID: requestID}, phone, text)
}

func (s SMS) send(ctx context.Context, d Disclosure, phone, text string) error {
	d.Partner, d.Purpose, d.Operation = privacy.PartnerSMS, privacy.ForLogin, "sms/send"
	d.Fields, d.Params = map[privacy.Field]string{privacy.AccountPhone: phone}, map[string]any{"text": text}
	_, err := s.Gateway.Send(ctx, d)
	return err
}

// ClaimSMS attaches the messages sent under claim to subject (ClaimTx).
func (s SMS) ClaimSMS(ctx context.Context, tx *sqldb.Tx, claim string, subject minimall.SubjectID) error {
	_, err := s.Gateway.ClaimTx(ctx, tx, claim, subject)
	return err
}
