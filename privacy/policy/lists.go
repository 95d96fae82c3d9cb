// Package policy generates what the privacy policy publishes from the field
// registry (privacy/fields.go): the personal-information collection list
// (个人信息收集清单) and the third-party sharing list (第三方共享清单). It
// holds no facts of its own, so the published lists cannot drift from what
// the kernel enforces.
package policy

import (
	"minimall/privacy"
)

// Label is a code with its Chinese and English names.
type Label struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// PurposeUse is one purpose a field serves, with its legal basis.
type PurposeUse struct {
	Purpose Label `json:"purpose"`
	Basis   Label `json:"basis"`
}

// Retention says how long a field is kept, and why.
type Retention struct {
	Rule       Label  `json:"rule"`
	PeriodDays int    `json:"period_days,omitempty"`
	Period     string `json:"period,omitempty"` // Chinese / English
	Reason     string `json:"reason"`
}

// CollectionRow is one row of the collection list: one field.
type CollectionRow struct {
	Field     string `json:"field"`
	Name      string `json:"name"`
	NameEN    string `json:"name_en"`
	Category  Label  `json:"category"`
	Sensitive bool   `json:"sensitive"`
	Feature   Label  `json:"feature"`
	// Basic: collected by a basic function; otherwise by an additional one
	// the person opts into.
	Basic bool `json:"basic"`
	// SeparateConsent: collection needs the person's separate consent.
	SeparateConsent bool         `json:"separate_consent"`
	Purposes        []PurposeUse `json:"purposes"`
	Necessity       Label        `json:"necessity"`
	Basis           Label        `json:"basis"`
	Retention       Retention    `json:"retention"`
	CrossBorder     bool         `json:"cross_border"`
	Visibility      Label        `json:"visibility"`
	Clause          string       `json:"clause"`
}

// FieldRef names a field in the sharing list.
type FieldRef struct {
	Field  string `json:"field"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// SharingRow is one row of the sharing list: what one partner receives for
// one purpose.
type SharingRow struct {
	Partner string `json:"partner"`
	Name    string `json:"name"`
	NameEN  string `json:"name_en"`
	Role    Label  `json:"role"`
	Contact string `json:"contact"`
	Abroad  bool   `json:"abroad"`
	Purpose Label  `json:"purpose"`
	// Bases are the legal bases the fields' uses for Purpose rest on.
	Bases  []Label    `json:"bases"`
	Fields []FieldRef `json:"fields"`
}

// CollectionList returns one row per registry field, in field order.
func CollectionList() []CollectionRow {
	specs := privacy.Fields()
	out := make([]CollectionRow, 0, len(specs))
	for _, s := range specs {
		out = append(out, collectionRow(s))
	}
	return out
}

func collectionRow(s *privacy.FieldSpec) CollectionRow {
	r := CollectionRow{
		Field: string(s.Field), Name: s.Name, NameEN: s.NameEN,
		Category:        categoryLabel(s.Category),
		Sensitive:       s.Sensitive,
		Feature:         Label{Code: string(s.Feature), Name: string(s.Feature), NameEN: string(s.Feature)},
		SeparateConsent: s.Basis == privacy.SeparateConsent,
		Necessity:       necessityLabel(s.Necessity),
		Basis:           basisLabel(s.Basis),
		Retention:       retention(s.Retention),
		CrossBorder:     s.CrossBorder,
		Visibility:      visibilityLabel(s.Visibility),
		Clause:          s.Clause,
	}
	if f, ok := privacy.Feature(s.Feature); ok {
		r.Feature.Name, r.Feature.NameEN = f.Name, f.NameEN
		r.Basic = f.Basic
		r.SeparateConsent = r.SeparateConsent || f.SeparateConsent
	}
	for _, u := range s.Uses {
		r.Purposes = append(r.Purposes, PurposeUse{Purpose: purposeLabel(u.Purpose), Basis: basisLabel(u.Basis)})
	}
	return r
}

func retention(r privacy.Retention) Retention {
	out := Retention{Rule: retentionLabel(r.Rule), Reason: r.Reason}
	if r.Period > 0 {
		out.PeriodDays = int(r.Period / privacy.Day)
		zh, en := period(r.Period)
		out.Period = zh + " / " + en
	}
	return out
}

// SharingList returns one row per (partner, purpose) the registry declares,
// partners and purposes in declaration order.
func SharingList() []SharingRow {
	type key struct {
		partner privacy.PartnerID
		purpose privacy.Purpose
	}
	fields := map[key][]*privacy.FieldSpec{}
	for _, s := range privacy.Fields() {
		for _, r := range s.Recipients {
			k := key{r.Partner, r.Purpose}
			fields[k] = append(fields[k], s)
		}
	}
	var out []SharingRow
	for _, p := range privacy.Partners() {
		for _, pu := range privacy.Purposes() {
			specs := fields[key{p.ID, pu.Purpose}]
			if len(specs) == 0 {
				continue
			}
			out = append(out, sharingRow(p, pu.Purpose, specs))
		}
	}
	return out
}

func sharingRow(p *privacy.PartnerSpec, purpose privacy.Purpose, specs []*privacy.FieldSpec) SharingRow {
	r := SharingRow{
		Partner: string(p.ID), Name: p.Name, NameEN: p.NameEN,
		Role: roleLabel(p.Role), Contact: p.Contact, Abroad: p.Abroad,
		Purpose: purposeLabel(purpose),
	}
	seen := map[privacy.Basis]bool{}
	for _, s := range specs {
		r.Fields = append(r.Fields, FieldRef{Field: string(s.Field), Name: s.Name, NameEN: s.NameEN})
		if u, ok := s.Allows(purpose); ok && !seen[u.Basis] {
			seen[u.Basis] = true
			r.Bases = append(r.Bases, basisLabel(u.Basis))
		}
	}
	return r
}
