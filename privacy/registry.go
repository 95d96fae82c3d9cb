package privacy

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Field names one kind of personal information the platform may hold,
// e.g. RecipientPhone. Its FieldSpec in fields_*.go says everything the law
// and the policy say about it.
type Field string

// Purpose is why personal information is processed. The list is closed and
// declared once, in purposes.go.
type Purpose string

// FeatureID names a user-facing function, basic or additional.
type FeatureID string

// PartnerID names an outside party that may receive personal information.
type PartnerID string

// Category groups fields for the collection list and exports.
type Category string

// Categories of personal information.
const (
	CatAccount     Category = "account"     // 账户信息
	CatProfile     Category = "profile"     // 个人资料
	CatContact     Category = "contact"     // 联系方式
	CatIdentity    Category = "identity"    // 身份信息
	CatBiometric   Category = "biometric"   // 生物识别信息
	CatTransaction Category = "transaction" // 交易信息
	CatDelivery    Category = "delivery"    // 收货信息
	CatFinancial   Category = "financial"   // 支付/金融账户信息
	CatBehaviour   Category = "behaviour"   // 服务日志/行为信息
	CatDevice      Category = "device"      // 设备信息
	CatLocation    Category = "location"    // 位置信息
	CatContent     Category = "content"     // 发布的内容
	CatSupport     Category = "support"     // 客服沟通记录
)

// Basis is the legal basis for a use of personal information (PIPL art. 13).
type Basis int

const (
	// Contract: necessary to conclude or perform the contract the person is
	// party to, i.e. a basic function (PIPL art. 13(2)).
	Contract Basis = iota
	// Consent: the person's consent, general (PIPL art. 13(1), 14).
	Consent
	// SeparateConsent: the person's separate consent (PIPL art. 23, 25, 29, 39).
	SeparateConsent
	// LegalDuty: necessary to fulfil a legal duty (PIPL art. 13(3)).
	LegalDuty
)

var basisNames = [...]string{"contract", "consent", "separate_consent", "legal_duty"}

func (b Basis) String() string { return basisNames[b] }

// NeedsConsent reports whether processing on this basis needs a grant in
// the consent ledger.
func (b Basis) NeedsConsent() bool { return b == Consent || b == SeparateConsent }

// Necessity says whether a field is needed for a basic function.
type Necessity int

const (
	Necessary Necessity = iota // a basic function cannot work without it
	Optional                   // refusing it never blocks a basic function
	Required                   // the law requires it (legal duty)
	// ToRegister: registration asks for it, so a person who refuses it
	// cannot register, yet it is not necessary information under the 2021
	// rule (《常见类型移动互联网应用程序必要个人信息范围规定》), which names
	// only the phone number for shopping. Labelled as exactly that.
	ToRegister
)

var necessityNames = [...]string{"necessary", "optional", "legal_duty", "to_register"}

func (n Necessity) String() string { return necessityNames[n] }

// Visibility says who may see a field's value.
type Visibility int

const (
	Private       Visibility = iota // the person, and staff for declared purposes
	PublicDisplay                   // shown publicly where the policy says (nickname, avatar)
	Shared                          // also handed to declared partners
)

var visibilityNames = [...]string{"private", "public", "shared"}

func (v Visibility) String() string { return visibilityNames[v] }

// RetentionRule says how long a field is kept.
type RetentionRule int

const (
	// UntilErased: kept until the person deletes it, withdraws consent or
	// deregisters.
	UntilErased RetentionRule = iota
	// AfterCompletion: kept for Period after the transaction completes
	// (E-commerce Law art. 31: at least three years), sealed under a
	// retention key that survives deregistration.
	AfterCompletion
	// SinceCollection: kept for Period after collection (security logs:
	// Cybersecurity Law art. 21, at least six months).
	SinceCollection
	// NotStored: processed in the request only; never written.
	NotStored
)

var retentionNames = [...]string{"until_erased", "after_completion", "since_collection", "not_stored"}

func (r RetentionRule) String() string { return retentionNames[r] }

// Retention is a field's retention rule with its reason.
type Retention struct {
	Rule   RetentionRule
	Period time.Duration // for AfterCompletion and SinceCollection
	Reason string        // the law or purpose behind the period
}

// Retention periods that come from the law.
const (
	Day                = 24 * time.Hour
	ThreeYears         = 3 * 365 * Day // E-commerce Law art. 31: no less than three years
	SixMonths          = 183 * Day     // Cybersecurity Law art. 21: no less than six months
	TransactionReason  = "《电子商务法》第31条：商品和服务信息、交易信息保存时间自交易完成之日起不少于三年 / E-commerce Law art. 31"
	SecurityLogReason  = "《网络安全法》第21条：网络日志留存不少于六个月 / Cybersecurity Law art. 21"
	UntilErasureReason = "达成目的所需期限，至您删除、撤回同意或注销账户 / until you delete it, withdraw consent or deregister"
)

// Use is one purpose a field may serve, on one legal basis. When the basis
// needs consent, Feature names the consent scope the ledger is checked for.
type Use struct {
	Purpose Purpose
	Basis   Basis
}

// Recipient is a partner that may receive a field, for one purpose.
type Recipient struct {
	Partner PartnerID
	Purpose Purpose
}

// FieldSpec is everything declared about one field. The generated policy,
// the collection and sharing lists, exports and erasure all come from it.
type FieldSpec struct {
	Field     Field
	Name      string // Chinese first
	NameEN    string
	Category  Category
	Sensitive bool      // PIPL art. 28; under-14s' data is always sensitive
	Feature   FeatureID // the function that collects it
	Necessity Necessity
	Basis     Basis // basis of collection
	Uses      []Use
	Retention Retention
	// CrossBorder: may be provided abroad (with separate consent, PIPL art. 39).
	CrossBorder bool
	Visibility  Visibility
	Recipients  []Recipient
	// Table and Column say where the sealed value is stored; empty for a
	// field that is never stored (Retention NotStored).
	Table, Column string
	// PersonMayEdit: the person may correct or supplement it (PIPL art. 46).
	PersonMayEdit bool
	// Versioned: the field carries state, so an older value written back
	// would change what the platform does for the person (the phone that
	// signs in). Its row keeps a counter beside the sealed column
	// (VersionColumn) that every seal raises and the associated data binds,
	// so an older ciphertext copied back into the cell does not open.
	Versioned bool
	Clause    string // the seed clause that names it, e.g. "二(三)2"
}

// VersionColumn names the column holding a versioned field's counter:
// "phone_sealed" keeps its counter in "phone_version". Empty for a field
// that is not versioned.
func (s *FieldSpec) VersionColumn() string {
	if !s.Versioned {
		return ""
	}
	return strings.TrimSuffix(s.Column, "_sealed") + "_version"
}

// Allows returns the use of purpose p, if declared.
func (s *FieldSpec) Allows(p Purpose) (Use, bool) {
	for _, u := range s.Uses {
		if u.Purpose == p {
			return u, true
		}
	}
	return Use{}, false
}

// MayReceive reports whether partner may receive the field for purpose p.
func (s *FieldSpec) MayReceive(partner PartnerID, p Purpose) bool {
	for _, r := range s.Recipients {
		if r.Partner == partner && r.Purpose == p {
			return true
		}
	}
	return false
}

var specs map[Field]*FieldSpec

func init() {
	specs = make(map[Field]*FieldSpec, len(registry))
	for i := range registry {
		s := &registry[i]
		if _, dup := specs[s.Field]; dup {
			panic(fmt.Sprintf("privacy: field %s declared twice", s.Field))
		}
		specs[s.Field] = s
	}
}

// Spec returns the declaration of f.
func Spec(f Field) (*FieldSpec, bool) {
	s, ok := specs[f]
	return s, ok
}

// Fields returns every declared field, sorted by name.
func Fields() []*FieldSpec {
	out := make([]*FieldSpec, 0, len(registry))
	for i := range registry {
		out = append(out, &registry[i])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}
