package privacy

// PartnerRole says how a partner processes what it receives (policy 三(一)3-4).
type PartnerRole int

const (
	Entrusted   PartnerRole = iota // processes on minimall's behalf, only for the entrusted purpose (委托处理)
	Joint                          // joint processing under an agreement (共同处理)
	Independent                    // an independent handler that receives data (向第三方提供)
)

var partnerRoleNames = [...]string{"entrusted", "joint", "independent"}

func (r PartnerRole) String() string { return partnerRoleNames[r] }

// PartnerSpec declares an outside party that may receive personal
// information. In this build every partner is a sandbox service run by
// minimall itself over real HTTP.
type PartnerSpec struct {
	ID      PartnerID
	Name    string // Chinese first
	NameEN  string
	Role    PartnerRole
	Contact string
	Abroad  bool // located outside the People's Republic of China
}

// Partners.
const (
	PartnerPayment   PartnerID = "payment"   // 支付机构（沙箱）
	PartnerLogistics PartnerID = "logistics" // 物流信息系统（沙箱）
	PartnerIdentity  PartnerID = "identity"  // 国家权威可信身份认证机构（沙箱）
	PartnerCarrier   PartnerID = "carrier"   // 通信运营商（沙箱）
	PartnerSMS       PartnerID = "sms"       // 短信服务商（沙箱）
	PartnerAds       PartnerID = "ads"       // 广告合作方（沙箱）
	PartnerThirdApp  PartnerID = "third_app" // 经授权登录的第三方应用
	PartnerSeller    PartnerID = "seller"    // 商品或服务的提供者（卖家）
	PartnerOverseas  PartnerID = "overseas"  // 境外卖家及清关合作方（沙箱）
	PartnerEmail     PartnerID = "email"     // 邮件服务商（沙箱）
	PartnerCustoms   PartnerID = "customs"   // 海关跨境电商通关服务（沙箱）
	PartnerSecurity  PartnerID = "security"  // 安全风控服务方（沙箱）
	PartnerAnalytics PartnerID = "analytics" // 产品分析服务方（沙箱）
	PartnerCoHost    PartnerID = "co_host"   // 营销活动联合举办方
)

var partners = []PartnerSpec{
	{PartnerPayment, "支付机构（minimall 支付沙箱）", "payment institution (minimall payment sandbox)", Independent, "sandbox-payment@minimall.example", false},
	{PartnerLogistics, "物流信息系统服务方（minimall 物流沙箱）", "logistics information system (minimall logistics sandbox)", Entrusted, "sandbox-logistics@minimall.example", false},
	{PartnerIdentity, "国家权威可信身份认证机构（minimall 身份核验沙箱）", "identity authority (minimall identity sandbox)", Entrusted, "sandbox-identity@minimall.example", false},
	{PartnerCarrier, "通信运营商（minimall 运营商沙箱）", "mobile carrier (minimall carrier sandbox)", Entrusted, "sandbox-carrier@minimall.example", false},
	{PartnerSMS, "短信服务商（minimall 短信沙箱）", "SMS provider (minimall SMS sandbox)", Entrusted, "sandbox-sms@minimall.example", false},
	{PartnerAds, "广告投放合作方（minimall 广告沙箱）", "advertising partner (minimall ads sandbox)", Entrusted, "sandbox-ads@minimall.example", false},
	{PartnerThirdApp, "经您授权登录的第三方应用", "third-party app you authorize", Independent, "see the app's own policy", false},
	{PartnerSeller, "商品或服务的提供者（卖家）", "the seller of the goods or services", Independent, "see the shop page", false},
	{PartnerOverseas, "境外卖家及清关合作方（minimall 跨境沙箱）", "overseas seller and customs broker (minimall cross-border sandbox)", Independent, "sandbox-overseas@minimall.example", true},
	{PartnerEmail, "邮件服务商（minimall 邮件沙箱）", "e-mail provider (minimall e-mail sandbox)", Entrusted, "sandbox-email@minimall.example", false},
	{PartnerCustoms, "海关跨境电商通关服务（minimall 清关沙箱）", "customs clearance for cross-border e-commerce (minimall customs sandbox)", Independent, "sandbox-customs@minimall.example", false},
	{PartnerSecurity, "安全风控服务方（minimall 风控沙箱）", "security and risk-control provider (minimall security sandbox)", Entrusted, "sandbox-security@minimall.example", false},
	{PartnerAnalytics, "产品稳定性分析服务方（minimall 分析沙箱）", "product stability analytics provider (minimall analytics sandbox)", Entrusted, "sandbox-analytics@minimall.example", false},
	{PartnerCoHost, "营销活动联合举办方", "co-host of a promotional activity", Joint, "see the activity page", false},
}

var partnerIndex = func() map[PartnerID]*PartnerSpec {
	m := make(map[PartnerID]*PartnerSpec, len(partners))
	for i := range partners {
		m[partners[i].ID] = &partners[i]
	}
	return m
}()

// Partner returns the declaration of a partner.
func Partner(id PartnerID) (*PartnerSpec, bool) {
	p, ok := partnerIndex[id]
	return p, ok
}

// Partners returns every declared partner.
func Partners() []*PartnerSpec {
	out := make([]*PartnerSpec, len(partners))
	for i := range partners {
		out[i] = &partners[i]
	}
	return out
}
