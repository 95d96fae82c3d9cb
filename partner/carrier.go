package partner

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"minimall"
	"minimall/privacy"
)

// Carrier asks the mobile carrier about an account's phone number through
// the gateway (policy 二(一)3 号码验证). It satisfies account.PhoneChecker.
type Carrier struct{ Gateway *Gateway }

// PhoneRisk sends the number alone and returns the carrier's grade, "low"
// or "high".
//
// NB: phone is personal; never log it.
func (c Carrier) PhoneRisk(ctx context.Context, subject minimall.SubjectID, phone, requestID string) (string, error) {
	out, err := c.Gateway.Send(ctx, Disclosure{
		Partner: privacy.PartnerCarrier, Purpose: privacy.ForPhoneCheck, Subject: subject, Operation: "carrier/risk",
		Fields: map[privacy.Field]string{privacy.AccountPhone: phone}, RequestID: requestID,
	})
	if err != nil {
		return "", err
	}
	var ans struct{ Risk string }
	if err := json.Unmarshal(out, &ans); err != nil || (ans.Risk != "low" && ans.Risk != "high") {
		return "", unavailable("partner.Carrier", fmt.Errorf("carrier/risk answered without a grade"))
	}
	return ans.Risk, nil
}

// PhoneRecycled sends the number and the date the account bound it, and
// returns whether the carrier gave the number to someone new since. The
// date alone goes: the carrier's answer needs no finer time.
//
// NB: phone is personal; never log it.
func (c Carrier) PhoneRecycled(ctx context.Context, subject minimall.SubjectID, phone string, boundAt time.Time, requestID string) (bool, error) {
	out, err := c.Gateway.Send(ctx, Disclosure{
		Partner: privacy.PartnerCarrier, Purpose: privacy.ForPhoneCheck, Subject: subject, Operation: "carrier/recycled",
		Fields:    map[privacy.Field]string{privacy.AccountPhone: phone, privacy.PhoneBoundAt: boundAt.UTC().Format(time.DateOnly)},
		RequestID: requestID,
	})
	if err != nil {
		return false, err
	}
	var ans struct{ Recycled *bool }
	if err := json.Unmarshal(out, &ans); err != nil || ans.Recycled == nil {
		return false, unavailable("partner.Carrier", fmt.Errorf("carrier/recycled answered without a finding"))
	}
	return *ans.Recycled, nil
}
