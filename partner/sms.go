package partner

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// SMS sends text messages through the gateway to the SMS partner. It
// satisfies account.Sender. Each message names its purpose (a
// registration code serves the account, a sign-in code the login, a
// recovery code the recovery), which the registry must allow the SMS
// partner and the person's sharing list shows.
type SMS struct{ Gateway *Gateway }

// SendSMS hands phone and text to the SMS partner for purpose p; subject is
// empty before an account exists.
//
// NB: phone and text are personal or secret; never log them.
func (s SMS) SendSMS(ctx context.Context, subject minimall.SubjectID, phone, text string, p privacy.Purpose, requestID string) error {
	return s.send(ctx, Disclosure{Subject: subject, Purpose: p, RequestID: requestID}, phone, text)
}

// SendUnclaimed is SendSMS before an account exists: the disclosure is
// logged under claim, for the account that may follow to take over
// (ClaimSMS).
func (s SMS) SendUnclaimed(ctx context.Context, phone, text string, p privacy.Purpose, claim, requestID string) error {
	return s.send(ctx, Disclosure{Claim: claim, Purpose: p, RequestID: requestID}, phone, text)
}

func (s SMS) send(ctx context.Context, d Disclosure, phone, text string) error {
	d.Partner, d.Operation = privacy.PartnerSMS, "sms/send"
	d.Fields, d.Params = map[privacy.Field]string{privacy.AccountPhone: phone}, map[string]any{"text": text}
	_, err := s.Gateway.Send(ctx, d)
	return err
}

// ClaimSMS attaches the messages sent under claim to subject (ClaimTx).
func (s SMS) ClaimSMS(ctx context.Context, tx *sqldb.Tx, claim string, subject minimall.SubjectID) error {
	_, err := s.Gateway.ClaimTx(ctx, tx, claim, subject)
	return err
}
