package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"sort"

	"minimall/privacy"
)

// Snapshot is the canonical form of everything a policy version promises:
// the field registry (fields, features, purposes, partners), the closed
// list of public-disclosure grounds, the contact, and a hash of each
// hand-written template section. Two snapshots compare field by field, so
// a change can be classified as major or minor (policy 六).
type Snapshot struct {
	Fields    []SnapField    `json:"fields"`
	Features  []SnapFeature  `json:"features"`
	Purposes  []SnapPurpose  `json:"purposes"`
	Partners  []SnapPartner  `json:"partners"`
	Grounds   []string       `json:"disclosure_grounds"`
	Contact   Contact        `json:"contact"`
	Templates []SnapTemplate `json:"templates"`
}

// SnapField is one registry field as the policy states it. Where it is
// stored (table, column) is not a promise, so it is left out.
type SnapField struct {
	Field         string     `json:"field"`
	Name          string     `json:"name"`
	NameEN        string     `json:"name_en"`
	Category      string     `json:"category"`
	Sensitive     bool       `json:"sensitive"`
	Feature       string     `json:"feature"`
	Necessity     string     `json:"necessity"`
	Basis         string     `json:"basis"`
	Uses          []SnapUse  `json:"uses"`
	Retention     string     `json:"retention"`
	RetentionDays int        `json:"retention_days"`
	CrossBorder   bool       `json:"cross_border"`
	Visibility    string     `json:"visibility"`
	Recipients    []SnapPair `json:"recipients"`
	PersonMayEdit bool       `json:"person_may_edit"`
	Clause        string     `json:"clause"`
}

// SnapUse is a purpose with its basis.
type SnapUse struct {
	Purpose string `json:"purpose"`
	Basis   string `json:"basis"`
}

// SnapPair is a partner receiving a field for a purpose.
type SnapPair struct {
	Partner string `json:"partner"`
	Purpose string `json:"purpose"`
}

// SnapFeature is one function.
type SnapFeature struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Basic           bool   `json:"basic"`
	SeparateConsent bool   `json:"separate_consent"`
}

// SnapPurpose is one purpose.
type SnapPurpose struct {
	Purpose string   `json:"purpose"`
	Name    string   `json:"name"`
	Feature string   `json:"feature"`
	Roles   []string `json:"roles"`
}

// SnapPartner is one partner.
type SnapPartner struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Role    string `json:"role"`
	Contact string `json:"contact"`
	Abroad  bool   `json:"abroad"`
}

// SnapTemplate is a hand-written section and the hash of its source.
type SnapTemplate struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// Contact is how a person reaches minimall's personal-information
// protection officer (policy 八).
type Contact struct {
	DPO string `json:"dpo"` // the officer's e-mail address
	// Controller is who processes the information since a transfer (三(二));
	// zero while minimall's own provider is.
	Controller Controller `json:"controller,omitzero"`
}

// Controller is the receiver of a transfer of the information minimall
// holds, as the policy names it from the day the transfer takes effect.
type Controller struct {
	Name    string `json:"name"`
	Contact string `json:"contact"`
	Since   string `json:"since"` // YYYY-MM-DD
}

// Current returns the snapshot of the running code with contact c.
func Current(c Contact) *Snapshot {
	s := &Snapshot{Contact: c, Grounds: []string{}}
	for _, f := range privacy.Fields() {
		sf := SnapField{
			Field: string(f.Field), Name: f.Name, NameEN: f.NameEN, Category: string(f.Category), Sensitive: f.Sensitive,
			Feature: string(f.Feature), Necessity: f.Necessity.String(), Basis: f.Basis.String(),
			Retention: f.Retention.Rule.String(), RetentionDays: int(f.Retention.Period / privacy.Day),
			CrossBorder: f.CrossBorder, Visibility: f.Visibility.String(), PersonMayEdit: f.PersonMayEdit, Clause: f.Clause,
			Uses: []SnapUse{}, Recipients: []SnapPair{},
		}
		for _, u := range f.Uses {
			sf.Uses = append(sf.Uses, SnapUse{string(u.Purpose), u.Basis.String()})
		}
		for _, r := range f.Recipients {
			sf.Recipients = append(sf.Recipients, SnapPair{string(r.Partner), string(r.Purpose)})
		}
		s.Fields = append(s.Fields, sf)
	}
	for _, f := range privacy.Features() {
		s.Features = append(s.Features, SnapFeature{string(f.ID), f.Name, f.Basic, f.SeparateConsent})
	}
	for _, p := range privacy.Purposes() {
		sp := SnapPurpose{Purpose: string(p.Purpose), Name: p.Name, Feature: string(p.Feature), Roles: []string{}}
		for _, r := range p.Roles {
			sp.Roles = append(sp.Roles, string(r))
		}
		s.Purposes = append(s.Purposes, sp)
	}
	for _, p := range privacy.Partners() {
		s.Partners = append(s.Partners, SnapPartner{string(p.ID), p.Name, p.Role.String(), p.Contact, p.Abroad})
	}
	for _, g := range Grounds() {
		s.Grounds = append(s.Grounds, string(g.Ground))
	}
	names, _ := fs.Glob(templates, "template/*.tmpl")
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(templates, n)
		sum := sha256.Sum256(b)
		s.Templates = append(s.Templates, SnapTemplate{Name: n[len("template/"):], SHA256: hex.EncodeToString(sum[:])})
	}
	return s
}

// Canonical returns the snapshot as canonical JSON: declaration order and
// fixed key order, so equal snapshots are equal bytes.
func (s *Snapshot) Canonical() []byte {
	b, err := json.Marshal(s)
	if err != nil {
		panic("policy: snapshot does not encode: " + err.Error()) // plain data: cannot happen
	}
	return b
}

// ParseSnapshot reads a stored canonical snapshot.
func ParseSnapshot(b []byte) (*Snapshot, error) {
	var s Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
