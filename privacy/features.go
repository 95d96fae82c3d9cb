package privacy

// FeatureSpec declares a user-facing function. Basic functions are what
// the policy's general consent covers (online shopping's basic functions);
// additional functions need their own opt-in, and refusing them never blocks
// a basic function.
type FeatureSpec struct {
	ID     FeatureID
	Name   string // Chinese first
	NameEN string
	Basic  bool
	// SeparateConsent: the law asks for separate consent (sensitive data,
	// disclosure to a third party, public disclosure, cross-border transfer).
	SeparateConsent bool
	Clause          string
}

// Features.
const (
	FeatAccount          FeatureID = "account"           // 账户服务 二(一)1
	FeatProfile          FeatureID = "profile"           // 个人资料（昵称、性别、头像、生日）二(一)1
	FeatAuthorizedLogin  FeatureID = "authorized_login"  // 授权登录 二(一)2
	FeatAccountBinding   FeatureID = "account_binding"   // 手机号绑定第三方账号 二(一)2
	FeatAccountRecovery  FeatureID = "account_recovery"  // 找回账号 二(一)3
	FeatRealName         FeatureID = "real_name"         // 实名认证 二(一)3
	FeatFaceVerification FeatureID = "face_verification" // 实人认证（人脸）二(一)3
	FeatPhoneCheck       FeatureID = "phone_check"       // 号码验证 二(一)3
	FeatBrowse           FeatureID = "browse"            // 浏览、收藏、订阅、足迹、关注 二(二)1
	FeatSearch           FeatureID = "search"            // 搜索 二(二)2
	FeatShoppingGuide    FeatureID = "shopping_guide"    // 智能导购 二(二)3
	FeatRecommendation   FeatureID = "recommendation"    // 个性化推荐 二(二)4
	FeatPersonalisedAds  FeatureID = "personalised_ads"  // 个性化广告 二(二)4
	FeatCart             FeatureID = "cart"              // 购物车 二(三)1
	FeatOrder            FeatureID = "order"             // 下单及订单管理 二(三)2
	FeatInvoice          FeatureID = "invoice"           // 发票 二(三)2
	FeatCrossBorder      FeatureID = "cross_border"      // 跨境交易 二(三)2, 五(二)
	FeatPayment          FeatureID = "payment"           // 支付 二(三)3, 三(一)5(1)A
	FeatDelivery         FeatureID = "delivery"          // 交付 二(三)3, 三(一)5(1)B
	FeatReview           FeatureID = "review"            // 评价、评论、问答 二(四)1
	FeatHomepage         FeatureID = "homepage"          // 个人主页 二(四)2
	FeatNotification     FeatureID = "notification"      // 消息通知 二(五)1
	FeatMarketing        FeatureID = "marketing"         // 商业性消息 二(五)1
	FeatActivity         FeatureID = "activity"          // 活动参与 二(五)2
	FeatShare            FeatureID = "share"             // 分享互动 二(五)3
	FeatLiveRoom         FeatureID = "live_room"         // 直播间互动 二(五)4
	FeatCustomerService  FeatureID = "customer_service"  // 客服及争议处理 二(六)
	FeatSecurity         FeatureID = "security"          // 安全保障 二(七)
	FeatLocation         FeatureID = "location"          // 位置权限附加服务 二(八)1
	FeatCookies          FeatureID = "cookies"           // Cookie 二(八)2
	FeatRights           FeatureID = "rights"            // 个人信息权利 四
	FeatMinor            FeatureID = "minor"             // 未成年人保护 七
	FeatFaceEffects      FeatureID = "face_effects"      // 拍摄美化特效（设备本地）二(五)2
	FeatPublicDisclosure FeatureID = "public_disclosure" // 经单独同意公开披露 三(三)1
)

var features = []FeatureSpec{
	{ID: FeatAccount, Name: "账户注册与管理", NameEN: "account registration and management", Basic: true, Clause: "二(一)1"},
	{ID: FeatProfile, Name: "个人资料设置", NameEN: "optional profile", Basic: false, Clause: "二(一)1"},
	{ID: FeatAuthorizedLogin, Name: "授权登录", NameEN: "authorized login for third parties", SeparateConsent: true, Clause: "二(一)2"},
	{ID: FeatAccountBinding, Name: "第三方账号绑定", NameEN: "binding a third-party account by phone", SeparateConsent: true, Clause: "二(一)2"},
	{ID: FeatAccountRecovery, Name: "找回账号/密码", NameEN: "account recovery", Basic: true, Clause: "二(一)3"},
	{ID: FeatRealName, Name: "实名认证", NameEN: "real-name verification", Basic: true, Clause: "二(一)3"},
	{ID: FeatFaceVerification, Name: "实人认证（人脸识别）", NameEN: "real-person (face) verification", SeparateConsent: true, Clause: "二(一)3"},
	{ID: FeatPhoneCheck, Name: "号码验证", NameEN: "phone-number risk and recycled-number checks", Basic: true, Clause: "二(一)3"},
	{ID: FeatBrowse, Name: "浏览与收藏", NameEN: "browsing, favourites, subscriptions, footprints, follows", Basic: true, Clause: "二(二)1"},
	{ID: FeatSearch, Name: "搜索", NameEN: "search", Basic: true, Clause: "二(二)2"},
	{ID: FeatShoppingGuide, Name: "智能导购", NameEN: "smart shopping guide", Clause: "二(二)3"},
	{ID: FeatRecommendation, Name: "个性化推荐", NameEN: "personalised recommendation", Clause: "二(二)4"},
	{ID: FeatPersonalisedAds, Name: "个性化广告", NameEN: "personalised advertising", Clause: "二(二)4"},
	{ID: FeatCart, Name: "购物车", NameEN: "cart", Basic: true, Clause: "二(三)1"},
	{ID: FeatOrder, Name: "下单及订单管理", NameEN: "ordering and order management", Basic: true, Clause: "二(三)2"},
	{ID: FeatInvoice, Name: "开具发票", NameEN: "invoices", Basic: true, Clause: "二(三)2"},
	{ID: FeatCrossBorder, Name: "跨境交易", NameEN: "cross-border purchases", SeparateConsent: true, Clause: "二(三)2, 五(二)"},
	{ID: FeatPayment, Name: "支付", NameEN: "payment", Basic: true, Clause: "二(三)3, 三(一)5(1)A"},
	{ID: FeatDelivery, Name: "配送交付", NameEN: "delivery", Basic: true, Clause: "二(三)3, 三(一)5(1)B"},
	{ID: FeatReview, Name: "评价、评论与问答", NameEN: "reviews, comments and Q&A", Basic: true, Clause: "二(四)1"},
	{ID: FeatHomepage, Name: "个人主页", NameEN: "personal homepage", Clause: "二(四)2"},
	{ID: FeatNotification, Name: "服务通知", NameEN: "service notifications", Basic: true, Clause: "二(五)1"},
	{ID: FeatMarketing, Name: "商业性消息", NameEN: "marketing messages", Clause: "二(五)1"},
	{ID: FeatActivity, Name: "营销活动参与", NameEN: "promotional activities", Clause: "二(五)2"},
	{ID: FeatShare, Name: "分享互动", NameEN: "sharing", Basic: true, Clause: "二(五)3"},
	{ID: FeatLiveRoom, Name: "直播间互动", NameEN: "live-room interaction", Clause: "二(五)4"},
	{ID: FeatCustomerService, Name: "客服及争议处理", NameEN: "customer service and disputes", Basic: true, Clause: "二(六)"},
	{ID: FeatSecurity, Name: "安全保障", NameEN: "security and risk control", Basic: true, Clause: "二(七)"},
	{ID: FeatLocation, Name: "基于位置的附加服务", NameEN: "location-based additional services", SeparateConsent: true, Clause: "二(八)1"},
	{ID: FeatCookies, Name: "Cookie 及同类技术", NameEN: "cookies and similar technologies", Basic: true, Clause: "二(八)2"},
	{ID: FeatRights, Name: "个人信息权利响应", NameEN: "personal-information rights", Basic: true, Clause: "四"},
	{ID: FeatMinor, Name: "未成年人保护（监护人同意）", NameEN: "minors (guardian consent)", SeparateConsent: true, Clause: "七"},
	// Face effects read facial features on the device only (policy 二(五)2);
	// still an opt-in of its own, as facial data is sensitive (PIPL art. 28-29).
	{ID: FeatFaceEffects, Name: "拍摄美化特效（人脸贴纸等）", NameEN: "camera beauty effects and face stickers", SeparateConsent: true, Clause: "二(五)2"},
	// Public disclosure of one's information on one's own choice needs a
	// separate consent of its own (policy 三(三)1, PIPL art. 25).
	{ID: FeatPublicDisclosure, Name: "公开披露个人信息", NameEN: "public disclosure of your information", SeparateConsent: true, Clause: "三(三)1"},
}

var featureIndex = func() map[FeatureID]*FeatureSpec {
	m := make(map[FeatureID]*FeatureSpec, len(features))
	for i := range features {
		m[features[i].ID] = &features[i]
	}
	return m
}()

// Feature returns the declaration of a feature.
func Feature(id FeatureID) (*FeatureSpec, bool) {
	f, ok := featureIndex[id]
	return f, ok
}

// Features returns every feature in declaration order.
func Features() []*FeatureSpec {
	out := make([]*FeatureSpec, len(features))
	for i := range features {
		out[i] = &features[i]
	}
	return out
}
