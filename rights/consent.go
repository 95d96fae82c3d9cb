package rights

import (
	"context"

	"minimall"
	"minimall/privacy"
)

// ConsentChange changes the scope of what the person authorized (policy
// 四(四)): one feature, one purpose (its feature's consent) or one
// recipient, granted or withdrawn.
type ConsentChange struct {
	Feature   privacy.FeatureID `json:"feature,omitempty"`
	Purpose   privacy.Purpose   `json:"purpose,omitempty"`
	Recipient privacy.PartnerID `json:"recipient,omitempty"`
	Action    string            `json:"action"` // grant or withdraw
}

// ChangeConsent records a grant or withdrawal in the consent ledger at
// once: withdrawal stops processing from the next use and never undoes
// what was done before (PIPL art. 15). It is not queued and needs no SMS
// code, so withdrawing is as easy as granting. What a basic function needs
// rests on the contract, not on consent: withdrawing it is refused and the
// answer says so plainly, pointing to deregistration. Returns Unauthorized
// for a visitor, Invalid for an unknown scope or action, Conflict for a
// basic function's needs.
func (s *Service) ChangeConsent(ctx context.Context, a minimall.Actor, c ConsentChange, requestID string) (*privacy.ConsentRecord, error) {
	const op = "rights.ChangeConsent"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	if c.Action != string(privacy.Grant) && c.Action != string(privacy.Withdraw) {
		return nil, minimall.InvalidField(op, "action", minimall.RuleChoice, "action is grant or withdraw. action 须为 grant 或 withdraw。")
	}
	scope, kind, basic, name, err := resolveScope(op, c)
	if err != nil {
		return nil, err
	}
	if basic {
		return nil, minimall.Errorf(minimall.Conflict, op,
			"%s 是实现基本功能所必需的，依据与您的合同处理，不以同意为依据，无法单独撤回或授权；如需停止，请注销账户（政策四(四)）。 %s is needed by a basic function: it rests on your contract with us, not on consent, so it cannot be withdrawn or granted on its own; to stop it, deregister your account.",
			name, name)
	}
	rec, err := s.k.Consents.Record(ctx, privacy.ConsentChange{Subject: a.Subject, Scope: scope, Kind: kind,
		Action: privacy.ConsentAction(c.Action), Channel: "api", Evidence: requestID})
	if err != nil {
		return nil, err
	}
	return &rec, nil
}

// resolveScope turns a change into a ledger scope and says whether it is
// a basic function's need.
func resolveScope(op string, c ConsentChange) (scope privacy.Scope, kind privacy.ConsentKind, basic bool, name string, err error) {
	n := 0
	for _, set := range []bool{c.Feature != "", c.Purpose != "", c.Recipient != ""} {
		if set {
			n++
		}
	}
	bad := minimall.Errorf(minimall.Invalid, op, "Give exactly one of feature, purpose or recipient, as listed in the policy. 请指定一项功能、目的或接收方。")
	if n != 1 {
		return "", "", false, "", bad
	}
	feature := c.Feature
	if c.Purpose != "" {
		ps, ok := privacy.PurposeOf(c.Purpose)
		if !ok {
			return "", "", false, "", bad
		}
		feature = ps.Feature
	}
	if c.Recipient != "" {
		ps, ok := privacy.Partner(c.Recipient)
		if !ok {
			return "", "", false, "", bad
		}
		scope = privacy.RecipientScope(c.Recipient)
		return scope, privacy.ConsentKindFor(scope), servesBasic(c.Recipient), ps.Name + " / " + ps.NameEN, nil
	}
	f, ok := privacy.Feature(feature)
	if !ok {
		return "", "", false, "", bad
	}
	scope = privacy.FeatureScope(f.ID)
	return scope, privacy.ConsentKindFor(scope), f.Basic, f.Name + " / " + f.NameEN, nil
}

// servesBasic reports whether a partner receives a field for a basic
// function on the contract (payment, delivery, SMS codes): such a hand-over
// is necessary, not consented.
func servesBasic(p privacy.PartnerID) bool {
	for _, spec := range privacy.Fields() {
		for _, r := range spec.Recipients {
			if r.Partner != p {
				continue
			}
			u, ok := spec.Allows(r.Purpose)
			ps, _ := privacy.PurposeOf(r.Purpose)
			if ok && u.Basis == privacy.Contract && ps != nil {
				if f, ok := privacy.Feature(ps.Feature); ok && f.Basic {
					return true
				}
			}
		}
	}
	return false
}
