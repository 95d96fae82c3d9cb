package policy_test

import (
	"strings"
	"testing"

	"minimall/privacy/policy"
)

// TestClassify: each kind of registry change is classified as the policy
// 六 says, with its reason listed.
func TestClassify(t *testing.T) {
	base := func() *policy.Snapshot { return policy.Current(policy.Contact{DPO: "dpo@minimall.example"}) }
	if c := policy.Classify(nil, base()); c.Kind() != "initial" || !c.Major {
		t.Fatalf("first version: %+v", c)
	}
	if c := policy.Classify(base(), base()); c.Kind() != "none" {
		t.Fatalf("no change: %+v", c)
	}
	tests := []struct {
		name   string
		change func(s *policy.Snapshot)
		kind   string
		code   string
	}{
		{"NewPurposeOfField", func(s *policy.Snapshot) {
			s.Fields[0].Uses = append(s.Fields[0].Uses, policy.SnapUse{Purpose: "marketing", Basis: "consent"})
		}, "major", policy.ReasonNewPurpose},
		{"NewPurpose", func(s *policy.Snapshot) {
			s.Purposes = append(s.Purposes, policy.SnapPurpose{Purpose: "profiling", Name: "画像"})
		}, "major", policy.ReasonNewPurpose},
		{"NewField", func(s *policy.Snapshot) {
			s.Fields = append(s.Fields, policy.SnapField{Field: "x.shoe_size", Category: "profile"})
		}, "major", policy.ReasonNewField},
		{"NewCategory", func(s *policy.Snapshot) {
			s.Fields = append(s.Fields, policy.SnapField{Field: "x.dna", Category: "genetic"})
		}, "major", policy.ReasonNewCategory},
		{"NewRecipient", func(s *policy.Snapshot) {
			s.Fields[0].Recipients = append(s.Fields[0].Recipients, policy.SnapPair{Partner: "ads", Purpose: "marketing"})
		}, "major", policy.ReasonNewRecipient},
		{"NewPartner", func(s *policy.Snapshot) {
			s.Partners = append(s.Partners, policy.SnapPartner{ID: "broker", Name: "数据经纪"})
		}, "major", policy.ReasonNewRecipient},
		{"PartnerAbroad", func(s *policy.Snapshot) { s.Partners[0].Abroad = !s.Partners[0].Abroad }, "major", policy.ReasonPartnerChanged},
		{"Retention", func(s *policy.Snapshot) { s.Fields[0].RetentionDays += 365 }, "major", policy.ReasonRetention},
		{"Sensitive", func(s *policy.Snapshot) { s.Fields[0].Sensitive = false; s.Fields[1].Sensitive = true }, "major", policy.ReasonNowSensitive},
		{"RightsLost", func(s *policy.Snapshot) {
			for i := range s.Fields {
				if s.Fields[i].PersonMayEdit {
					s.Fields[i].PersonMayEdit = false
					return
				}
			}
		}, "major", policy.ReasonRightsChanged},
		{"RightsSection", func(s *policy.Snapshot) { setTemplate(s, "04_rights.tmpl") }, "major", policy.ReasonRightsChanged},
		{"ContactSection", func(s *policy.Snapshot) { setTemplate(s, "08_contact.tmpl") }, "major", policy.ReasonContactChanged},
		{"Contact", func(s *policy.Snapshot) { s.Contact.DPO = "other@minimall.example" }, "major", policy.ReasonContactChanged},
		{"Grounds", func(s *policy.Snapshot) { s.Grounds = append(s.Grounds, "curiosity") }, "major", policy.ReasonDisclosure},
		{"ConsentLoosened", func(s *policy.Snapshot) {
			for i := range s.Features {
				if s.Features[i].SeparateConsent {
					s.Features[i].SeparateConsent = false
					return
				}
			}
		}, "major", policy.ReasonConsentLoosened},
		// Minor: less collection, less sharing, wording.
		{"FieldRemoved", func(s *policy.Snapshot) { s.Fields = s.Fields[1:] }, "minor", policy.ReasonFieldRemoved},
		{"UseRemoved", func(s *policy.Snapshot) { s.Fields[0].Uses = s.Fields[0].Uses[1:] }, "minor", policy.ReasonUseRemoved},
		{"Renamed", func(s *policy.Snapshot) { s.Fields[0].Name += "（新）" }, "minor", policy.ReasonWording},
		{"ScopeSection", func(s *policy.Snapshot) { setTemplate(s, "01_scope.tmpl") }, "minor", policy.ReasonWording},
		{"PartnerContact", func(s *policy.Snapshot) { s.Partners[0].Contact = "new@partner.example" }, "minor", policy.ReasonWording},
		// 三(二): a receiver that keeps this policy is a minor change; one that
		// changes the purposes is major, so people consent again.
		{"ControllerKeepsPolicy", func(s *policy.Snapshot) {
			s.Contact.Controller = policy.Controller{Name: "新橙科技", Contact: "privacy@xc.example", Since: "2027-01-01"}
		}, "minor", policy.ReasonControllerChanged},
		{"ControllerNewPurpose", func(s *policy.Snapshot) {
			s.Contact.Controller = policy.Controller{Name: "新橙科技", Contact: "privacy@xc.example", Since: "2027-01-01"}
			s.Purposes = append(s.Purposes, policy.SnapPurpose{Purpose: "profiling", Name: "画像"})
		}, "major", policy.ReasonNewPurpose},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := base()
			tt.change(next)
			c := policy.Classify(base(), next)
			found := false
			for _, r := range c.Reasons {
				found = found || r.Code == tt.code
				if r.Detail == "" || !strings.Contains(r.Detail, "/") {
					t.Errorf("reason without a bilingual detail: %+v", r)
				}
			}
			if c.Kind() != tt.kind || !found {
				t.Fatalf("got %s %+v, want %s with %s", c.Kind(), c.Reasons, tt.kind, tt.code)
			}
		})
	}
}

func setTemplate(s *policy.Snapshot, name string) {
	for i := range s.Templates {
		if s.Templates[i].Name == name {
			s.Templates[i].SHA256 = "changed"
		}
	}
}

// TestSnapshotCanonical: the snapshot encodes the same every time and
// round-trips.
func TestSnapshotCanonical(t *testing.T) {
	a := policy.Current(policy.Contact{DPO: "d@x"}).Canonical()
	b := policy.Current(policy.Contact{DPO: "d@x"}).Canonical()
	if string(a) != string(b) {
		t.Fatal("snapshot is not deterministic")
	}
	s, err := policy.ParseSnapshot(a)
	if err != nil || string(s.Canonical()) != string(a) {
		t.Fatalf("round trip: %v", err)
	}
	if len(s.Templates) != 10 {
		t.Fatalf("templates: %d", len(s.Templates))
	}
}
