package policy

import (
	"fmt"
	"time"

	"minimall/privacy"
)

// The registry's enums, named for a person to read: Chinese, then English.
var (
	categoryNames = map[privacy.Category][2]string{
		privacy.CatAccount:     {"账户信息", "account"},
		privacy.CatProfile:     {"个人资料", "profile"},
		privacy.CatContact:     {"联系方式", "contact details"},
		privacy.CatIdentity:    {"身份信息", "identity"},
		privacy.CatBiometric:   {"生物识别信息", "biometric"},
		privacy.CatTransaction: {"交易信息", "transaction"},
		privacy.CatDelivery:    {"收货及配送信息", "delivery"},
		privacy.CatFinancial:   {"支付及金融账户信息", "payment and financial accounts"},
		privacy.CatBehaviour:   {"服务日志及使用记录", "usage and service logs"},
		privacy.CatDevice:      {"设备信息", "device"},
		privacy.CatLocation:    {"位置信息", "location"},
		privacy.CatContent:     {"发布的内容", "published content"},
		privacy.CatSupport:     {"客服及请求记录", "customer service and requests"},
	}
	basisNames = map[privacy.Basis][2]string{
		privacy.Contract:        {"订立、履行合同所必需", "necessary for the contract (PIPL art. 13(2))"},
		privacy.Consent:         {"个人同意", "consent"},
		privacy.SeparateConsent: {"个人单独同意", "separate consent"},
		privacy.LegalDuty:       {"履行法定义务所必需", "legal duty (PIPL art. 13(3))"},
	}
	necessityNames = map[privacy.Necessity][2]string{
		privacy.Necessary: {"必要", "necessary"},
		privacy.Optional:  {"非必要（可拒绝）", "optional (may be refused)"},
		privacy.Required:  {"法律要求", "required by law"},
		privacy.ToRegister: {"注册所需；不属于2021年《必要个人信息范围规定》所列的必要个人信息",
			"required to register; not necessary information under the 2021 rule"},
	}
	visibilityNames = map[privacy.Visibility][2]string{
		privacy.Private:       {"不公开", "private"},
		privacy.PublicDisplay: {"公开展示", "shown publicly"},
		privacy.Shared:        {"提供给合作方", "shared with partners"},
	}
	retentionNames = map[privacy.RetentionRule][2]string{
		privacy.UntilErased:     {"至您删除、撤回同意或注销", "until you delete it, withdraw consent or deregister"},
		privacy.AfterCompletion: {"自交易完成之日起保存", "kept after the transaction completes"},
		privacy.SinceCollection: {"自收集之日起保存", "kept after collection"},
		privacy.NotStored:       {"不存储", "never stored"},
	}
	roleNames = map[privacy.PartnerRole][2]string{
		privacy.Entrusted:   {"委托处理", "entrusted processing"},
		privacy.Joint:       {"共同处理", "joint processing"},
		privacy.Independent: {"向第三方提供（独立处理）", "provision to an independent handler"},
	}
)

// label looks a code up in names; an unnamed code stands for itself, which
// the tests catch.
func label[K comparable](names map[K][2]string, k K, code string) Label {
	n, ok := names[k]
	if !ok {
		return Label{Code: code, Name: code, NameEN: code}
	}
	return Label{Code: code, Name: n[0], NameEN: n[1]}
}

func categoryLabel(c privacy.Category) Label       { return label(categoryNames, c, string(c)) }
func basisLabel(b privacy.Basis) Label             { return label(basisNames, b, b.String()) }
func necessityLabel(n privacy.Necessity) Label     { return label(necessityNames, n, n.String()) }
func visibilityLabel(v privacy.Visibility) Label   { return label(visibilityNames, v, v.String()) }
func retentionLabel(r privacy.RetentionRule) Label { return label(retentionNames, r, r.String()) }
func roleLabel(r privacy.PartnerRole) Label        { return label(roleNames, r, r.String()) }

func purposeLabel(p privacy.Purpose) Label {
	s, ok := privacy.PurposeOf(p)
	if !ok {
		return Label{Code: string(p), Name: string(p), NameEN: string(p)}
	}
	return Label{Code: string(p), Name: s.Name, NameEN: s.NameEN}
}

// period names a retention period in Chinese and English.
func period(d time.Duration) (zh, en string) {
	year := 365 * privacy.Day
	switch {
	case d == privacy.SixMonths:
		return "6 个月", "6 months"
	case d == year:
		return "1 年", "1 year"
	case d%year == 0:
		n := int(d / year)
		return fmt.Sprintf("%d 年", n), fmt.Sprintf("%d years", n)
	}
	n := int(d / privacy.Day)
	return fmt.Sprintf("%d 天", n), fmt.Sprintf("%d days", n)
}
