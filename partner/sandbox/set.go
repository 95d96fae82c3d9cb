package sandbox

import (
	"errors"

	"minimall/partner"
	"minimall/privacy"
)

// Set is the sandbox partners the platform needs, each on its own
// loopback port.
type Set struct {
	SMS, Identity, Carrier, Payment, Logistics, Ads *Sandbox
	Overseas                                        *Sandbox // the overseas recipient of cross-border waybills
	Witness                                         *Witness // keeps the audit log's signed heads (witness.go)
	Authority                                       *Sandbox // a court, the police or a regulator (三(五)2)
}

// StartAll starts the SMS, identity, carrier, payment, logistics, ads,
// overseas-recipient and authority sandboxes on 127.0.0.1 with free ports,
// their records under dir/<partner>/, and the audit log's witness, its
// heads under dir/witness/.
func StartAll(dir string) (*Set, error) {
	set := &Set{}
	slots := []struct {
		id privacy.PartnerID
		to **Sandbox
	}{
		{privacy.PartnerSMS, &set.SMS}, {privacy.PartnerIdentity, &set.Identity},
		{privacy.PartnerCarrier, &set.Carrier}, {privacy.PartnerPayment, &set.Payment},
		{privacy.PartnerLogistics, &set.Logistics}, {privacy.PartnerAds, &set.Ads},
		{privacy.PartnerOverseas, &set.Overseas}, {privacy.PartnerAuthority, &set.Authority},
	}
	for _, sl := range slots {
		sb, err := Start(sl.id, dir, "127.0.0.1:0")
		if err != nil {
			return nil, errors.Join(err, set.Close())
		}
		*sl.to = sb
	}
	w, err := StartWitness(dir, "127.0.0.1:0")
	if err != nil {
		return nil, errors.Join(err, set.Close())
	}
	set.Witness = w
	return set, nil
}

// All returns the running sandboxes.
func (s *Set) All() []*Sandbox {
	var out []*Sandbox
	for _, sb := range []*Sandbox{s.SMS, s.Identity, s.Carrier, s.Payment, s.Logistics, s.Ads, s.Overseas, s.Authority} {
		if sb != nil {
			out = append(out, sb)
		}
	}
	return out
}

// Endpoints returns what the gateway needs to reach each of them.
func (s *Set) Endpoints() map[privacy.PartnerID]partner.Endpoint {
	m := map[privacy.PartnerID]partner.Endpoint{}
	for _, sb := range s.All() {
		m[sb.Name()] = sb.Endpoint()
	}
	return m
}

// Close stops them all.
func (s *Set) Close() error {
	var errs []error
	for _, sb := range s.All() {
		errs = append(errs, sb.Close())
	}
	if s.Witness != nil {
		errs = append(errs, s.Witness.Close())
	}
	return errors.Join(errs...)
}
