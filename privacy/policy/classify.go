package policy

import (
	"fmt"
	"slices"
)

// Reason is one difference between two snapshots, with whether the policy
// counts it as a major change (policy 六 1-6).
type Reason struct {
	Code   string `json:"code"`
	Major  bool   `json:"major"`
	Detail string `json:"detail"` // Chinese / English; names fields and partners, never people
}

// Change is the classification of a new version against the last one.
type Change struct {
	Major   bool     `json:"major"`
	Reasons []Reason `json:"reasons"`
}

// Kind names the classification: initial, major, minor or none.
func (c Change) Kind() string {
	switch {
	case len(c.Reasons) == 0:
		return "none"
	case c.Reasons[0].Code == "initial":
		return "initial"
	case c.Major:
		return "major"
	}
	return "minor"
}

// Reason codes. The major ones follow policy 六: a new purpose, a new kind
// of personal information or way of using it (六1), a new recipient or
// public disclosure (六3), changed rights (六4), changed contact or
// complaint channel (六5); retention is part of how information is used.
const (
	ReasonInitial         = "initial"
	ReasonNewPurpose      = "new_purpose"
	ReasonNewField        = "new_kind_of_information"
	ReasonNewCategory     = "new_category"
	ReasonNowSensitive    = "now_sensitive"
	ReasonBasisChanged    = "basis_changed"
	ReasonNewRecipient    = "new_recipient"
	ReasonPartnerChanged  = "partner_changed"
	ReasonCrossBorder     = "cross_border"
	ReasonMorePublic      = "more_public"
	ReasonRetention       = "retention_changed"
	ReasonRightsChanged   = "rights_changed"
	ReasonContactChanged  = "contact_changed"
	ReasonDisclosure      = "disclosure_grounds_changed"
	ReasonConsentLoosened = "consent_loosened"
	// Minor.
	ReasonFieldRemoved      = "field_removed"
	ReasonUseRemoved        = "use_removed"
	ReasonRecipientRemoved  = "recipient_removed"
	ReasonWording           = "wording"
	ReasonControllerChanged = "controller_changed" // 三(二): the receiver keeps this policy
	ReasonRolesChanged      = "operator_roles_changed"
	ReasonMoreRights        = "more_rights"
	ReasonConsentTightened  = "consent_tightened"
)

// Classify compares the last published snapshot with the next one. With
// no last snapshot the next is the initial version, which counts as major:
// everyone accepts it.
func Classify(last, next *Snapshot) Change {
	var c Change
	add := func(major bool, code, format string, args ...any) {
		c.Reasons = append(c.Reasons, Reason{Code: code, Major: major, Detail: fmt.Sprintf(format, args...)})
		c.Major = c.Major || major
	}
	if last == nil {
		add(true, ReasonInitial, "首次发布 / first published version")
		return c
	}
	lastFields := map[string]SnapField{}
	lastCats := map[string]bool{}
	for _, f := range last.Fields {
		lastFields[f.Field] = f
		lastCats[f.Category] = true
	}
	lastPurposes := map[string]SnapPurpose{}
	for _, p := range last.Purposes {
		lastPurposes[p.Purpose] = p
	}
	for _, p := range next.Purposes {
		old, ok := lastPurposes[p.Purpose]
		switch {
		case !ok:
			add(true, ReasonNewPurpose, "新的处理目的：%s / new purpose %s", p.Name, p.Purpose)
		case !slices.Equal(old.Roles, p.Roles):
			add(false, ReasonRolesChanged, "可为“%s”处理信息的内部岗位调整 / operator roles for %s changed", p.Name, p.Purpose)
		case old.Name != p.Name || old.Feature != p.Feature:
			add(false, ReasonWording, "目的“%s”的表述调整 / purpose %s reworded", p.Name, p.Purpose)
		}
	}
	nextFields := map[string]bool{}
	for _, f := range next.Fields {
		nextFields[f.Field] = true
		old, ok := lastFields[f.Field]
		if !ok {
			if !lastCats[f.Category] {
				add(true, ReasonNewCategory, "新的个人信息类别：%s / new category of personal information", f.Category)
			}
			add(true, ReasonNewField, "新收集的个人信息：%s / newly collected: %s", f.Name, f.NameEN)
			continue
		}
		classifyField(old, f, add)
	}
	for _, f := range last.Fields {
		if !nextFields[f.Field] {
			add(false, ReasonFieldRemoved, "不再收集：%s / no longer collected: %s", f.Name, f.NameEN)
		}
	}
	classifyFeatures(last, next, add)
	classifyPartners(last, next, add)
	if !slices.Equal(last.Grounds, next.Grounds) {
		add(true, ReasonDisclosure, "公开披露的情形变化 / the grounds for public disclosure changed")
	}
	if last.Contact.Controller != next.Contact.Controller {
		// 六2 counts a change of controller as major when the receiver changes
		// the purposes or ways of processing; those changes are major reasons
		// of their own here. A receiver that keeps this policy (三(二)) is a
		// minor change: everyone was told its name and contact one by one.
		add(false, ReasonControllerChanged, "个人信息处理者变更为“%s”，其继续履行本政策 / the controller is now %s, which keeps this policy",
			next.Contact.Controller.Name, next.Contact.Controller.Name)
	}
	if last.Contact.DPO != next.Contact.DPO {
		add(true, ReasonContactChanged, "个人信息保护负责人的联络方式变化 / the DPO contact changed")
	}
	classifyTemplates(last, next, add)
	return c
}

type addFunc func(major bool, code, format string, args ...any)

func classifyField(old, f SnapField, add addFunc) {
	oldUses := map[string]string{}
	for _, u := range old.Uses {
		oldUses[u.Purpose] = u.Basis
	}
	newUses := map[string]bool{}
	for _, u := range f.Uses {
		newUses[u.Purpose] = true
		basis, ok := oldUses[u.Purpose]
		switch {
		case !ok:
			add(true, ReasonNewPurpose, "“%s”新用于：%s / %s now used for %s", f.Name, u.Purpose, f.Field, u.Purpose)
		case basis != u.Basis:
			add(true, ReasonBasisChanged, "“%s”用于 %s 的法律依据变化 / legal basis of %s for %s changed", f.Name, u.Purpose, f.Field, u.Purpose)
		}
	}
	for _, u := range old.Uses {
		if !newUses[u.Purpose] {
			add(false, ReasonUseRemoved, "“%s”不再用于：%s / %s no longer used for %s", f.Name, u.Purpose, f.Field, u.Purpose)
		}
	}
	oldRecipients := map[SnapPair]bool{}
	for _, r := range old.Recipients {
		oldRecipients[r] = true
	}
	newRecipients := map[SnapPair]bool{}
	for _, r := range f.Recipients {
		newRecipients[r] = true
		if !oldRecipients[r] {
			add(true, ReasonNewRecipient, "“%s”新提供给：%s（%s）/ %s now shared with %s for %s", f.Name, r.Partner, r.Purpose, f.Field, r.Partner, r.Purpose)
		}
	}
	for _, r := range old.Recipients {
		if !newRecipients[r] {
			add(false, ReasonRecipientRemoved, "“%s”不再提供给：%s / %s no longer shared with %s", f.Name, r.Partner, f.Field, r.Partner)
		}
	}
	if f.Sensitive && !old.Sensitive {
		add(true, ReasonNowSensitive, "“%s”按敏感个人信息处理 / %s is now sensitive", f.Name, f.Field)
	}
	if f.Basis != old.Basis || f.Necessity != old.Necessity {
		add(true, ReasonBasisChanged, "“%s”的收集依据或必要性变化 / basis or necessity of collecting %s changed", f.Name, f.Field)
	}
	if f.Category != old.Category || f.Feature != old.Feature {
		add(true, ReasonNewField, "“%s”的类别或所属功能变化 / category or feature of %s changed", f.Name, f.Field)
	}
	if f.Retention != old.Retention || f.RetentionDays != old.RetentionDays {
		add(true, ReasonRetention, "“%s”的保存期限变化 / retention of %s changed", f.Name, f.Field)
	}
	if f.CrossBorder && !old.CrossBorder {
		add(true, ReasonCrossBorder, "“%s”可能向境外提供 / %s may now go abroad", f.Name, f.Field)
	}
	if visibilityRank[f.Visibility] > visibilityRank[old.Visibility] {
		add(true, ReasonMorePublic, "“%s”的可见范围扩大 / %s is now visible to more", f.Name, f.Field)
	} else if f.Visibility != old.Visibility {
		add(false, ReasonWording, "“%s”的可见范围缩小 / %s is now visible to fewer", f.Name, f.Field)
	}
	switch {
	case old.PersonMayEdit && !f.PersonMayEdit:
		add(true, ReasonRightsChanged, "“%s”不再可由您更正 / you may no longer correct %s", f.Name, f.Field)
	case !old.PersonMayEdit && f.PersonMayEdit:
		add(false, ReasonMoreRights, "“%s”现可由您更正 / you may now correct %s", f.Name, f.Field)
	}
	if f.Name != old.Name || f.NameEN != old.NameEN || f.Clause != old.Clause {
		add(false, ReasonWording, "“%s”的名称或条款调整 / %s renamed or re-referenced", f.Name, f.Field)
	}
}

var visibilityRank = map[string]int{"private": 0, "shared": 1, "public": 2}

func classifyFeatures(last, next *Snapshot, add addFunc) {
	old := map[string]SnapFeature{}
	for _, f := range last.Features {
		old[f.ID] = f
	}
	for _, f := range next.Features {
		o, ok := old[f.ID]
		switch {
		case !ok:
			// A new function brings its fields and purposes, which are
			// classified on their own; on its own it is a new way of use.
			add(true, ReasonNewPurpose, "新增功能：%s / new function %s", f.Name, f.ID)
		case (o.SeparateConsent && !f.SeparateConsent) || (!o.Basic && f.Basic):
			add(true, ReasonConsentLoosened, "“%s”不再单独征求同意 / %s no longer asks for its own consent", f.Name, f.ID)
		case (!o.SeparateConsent && f.SeparateConsent) || (o.Basic && !f.Basic):
			add(false, ReasonConsentTightened, "“%s”改为单独征求同意 / %s now asks for its own consent", f.Name, f.ID)
		case o.Name != f.Name:
			add(false, ReasonWording, "功能“%s”更名 / function %s renamed", f.Name, f.ID)
		}
	}
}

func classifyPartners(last, next *Snapshot, add addFunc) {
	old := map[string]SnapPartner{}
	for _, p := range last.Partners {
		old[p.ID] = p
	}
	for _, p := range next.Partners {
		o, ok := old[p.ID]
		switch {
		case !ok:
			add(true, ReasonNewRecipient, "新的合作方：%s / new partner %s", p.Name, p.ID)
		case o.Role != p.Role || o.Abroad != p.Abroad || o.Name != p.Name:
			add(true, ReasonPartnerChanged, "合作方“%s”的身份、处理方式或所在地变化 / partner %s changed", p.Name, p.ID)
		case o.Contact != p.Contact:
			add(false, ReasonWording, "合作方“%s”的联系方式更新 / partner %s contact updated", p.Name, p.ID)
		}
	}
}

// majorSections are the hand-written sections whose change is major: the
// rights and how to exercise them (六4), the contact and complaint channel
// (六5).
var majorSections = map[string]string{
	"04_rights.tmpl":  ReasonRightsChanged,
	"08_contact.tmpl": ReasonContactChanged,
}

func classifyTemplates(last, next *Snapshot, add addFunc) {
	old := map[string]string{}
	for _, t := range last.Templates {
		old[t.Name] = t.SHA256
	}
	for _, t := range next.Templates {
		if old[t.Name] == t.SHA256 {
			continue
		}
		if code, ok := majorSections[t.Name]; ok {
			add(true, code, "政策章节 %s 的内容变化 / section %s changed", t.Name, t.Name)
			continue
		}
		add(false, ReasonWording, "政策章节 %s 的文字调整 / section %s reworded", t.Name, t.Name)
	}
}
