package privacy

import "minimall"

// PurposeSpec declares a purpose: the feature it serves (whose consent the
// guard checks when a use rests on consent) and the operator roles that may
// act for it.
type PurposeSpec struct {
	Purpose Purpose
	Name    string // Chinese first
	NameEN  string
	Feature FeatureID
	Roles   []minimall.Role
}

// Purposes: the closed list. A use of personal information for anything
// else is refused by the guard (policy 二(九)2: a new purpose needs consent
// first, which here means a new entry, a new policy version and re-consent).
const (
	ForAccount          Purpose = "account"           // 账户服务与管理
	ForLogin            Purpose = "login"             // 登录与身份核验
	ForAccountLevel     Purpose = "account_level"     // 账户等级与权益
	ForPublicDisplay    Purpose = "public_display"    // 在评价、分享等互动场景公开显示
	ForBirthdayBenefits Purpose = "birthday_benefits" // 生日权益
	ForAuthorizedLogin  Purpose = "authorized_login"  // 向第三方提供账户信息以授权登录
	ForAccountBinding   Purpose = "account_binding"   // 查询第三方账号以绑定
	ForAccountRecovery  Purpose = "account_recovery"  // 找回账号
	ForIdentityCheck    Purpose = "identity_check"    // 实名/实人认证
	ForPhoneCheck       Purpose = "phone_check"       // 号码风险与二次放号核验
	ForBrowsing         Purpose = "browsing"          // 收藏、订阅、足迹、关注
	ForSearch           Purpose = "search"            // 搜索与搜索历史
	ForShoppingGuide    Purpose = "shopping_guide"    // 智能导购
	ForRecommendation   Purpose = "recommendation"    // 个性化推荐
	ForPersonalisedAds  Purpose = "personalised_ads"  // 个性化广告
	ForCart             Purpose = "cart"              // 购物车与降价提醒
	ForOrder            Purpose = "order"             // 下单、订单展示与管理
	ForPayment          Purpose = "payment"           // 支付
	ForDelivery         Purpose = "delivery"          // 配送交付
	ForInvoice          Purpose = "invoice"           // 开具发票
	ForCustoms          Purpose = "customs"           // 跨境清关
	ForCrossBorder      Purpose = "cross_border"      // 向境外接收方提供
	ForReview           Purpose = "review"            // 评价、评论与问答
	ForHomepage         Purpose = "homepage"          // 个人主页
	ForNotification     Purpose = "notification"      // 服务通知
	ForMarketing        Purpose = "marketing"         // 商业性消息
	ForActivity         Purpose = "activity"          // 营销活动
	ForLiveRoom         Purpose = "live_room"         // 直播间互动
	ForCustomerService  Purpose = "customer_service"  // 客服与售后、争议处理
	ForModelTraining    Purpose = "model_training"    // 去标识化后的模型训练
	ForSecurity         Purpose = "security"          // 账户与交易安全、风控
	ForLocation         Purpose = "location"          // 基于位置的附加服务
	ForRightsRequest    Purpose = "rights_request"    // 响应查阅、复制、删除等请求
	ForLegalDuty        Purpose = "legal_duty"        // 法定留存与依法提供
	ForIncidentResponse Purpose = "incident_response" // 安全事件处置与告知
	ForGuardianConsent  Purpose = "guardian_consent"  // 监护人同意
	ForReconciliation   Purpose = "reconciliation"    // 对账与税务申报
	ForFaceVerification Purpose = "face_verification" // 实人认证（人脸核验）
	ForShare            Purpose = "share"             // 分享与接收分享
	ForFaceEffects      Purpose = "face_effects"      // 拍摄美化特效（设备本地）
	ForAnalytics        Purpose = "analytics"         // 产品稳定性分析
	// ForAdServing fills an ad slot with no personal information at all:
	// no field lists it as a use, so the partner gateway refuses any field
	// sent for it (personalised ads off, or a visitor; 三(一)5(2)).
	ForAdServing Purpose = "ad_serving" // 非个性化广告位填充（不含个人信息）
)

var purposes = []PurposeSpec{
	{ForAccount, "账户服务与管理", "account service and management", FeatAccount, []minimall.Role{minimall.RoleCustomerService}},
	{ForLogin, "登录与身份核验", "sign-in and authentication", FeatAccount, nil},
	{ForAccountLevel, "账户等级与权益", "account level and benefits", FeatAccount, nil},
	{ForPublicDisplay, "互动场景公开显示", "public display in reviews, shares and interactions", FeatProfile, nil},
	{ForBirthdayBenefits, "生日权益", "birthday benefits", FeatProfile, nil},
	{ForAuthorizedLogin, "授权登录", "authorized login for a third-party app", FeatAuthorizedLogin, nil},
	{ForAccountBinding, "第三方账号绑定", "finding and binding a third-party account", FeatAccountBinding, nil},
	{ForAccountRecovery, "找回账号/密码", "account recovery", FeatAccountRecovery, []minimall.Role{minimall.RoleCustomerService, minimall.RoleSecurity}},
	{ForIdentityCheck, "实名/实人认证", "real-name and real-person verification", FeatRealName, []minimall.Role{minimall.RoleSecurity}},
	{ForPhoneCheck, "号码验证", "phone-number checks", FeatPhoneCheck, nil},
	{ForBrowsing, "浏览记录与收藏管理", "favourites, subscriptions, footprints, follows", FeatBrowse, nil},
	{ForSearch, "搜索", "search", FeatSearch, nil},
	{ForShoppingGuide, "智能导购", "smart shopping guide", FeatShoppingGuide, nil},
	{ForRecommendation, "个性化推荐", "personalised recommendation", FeatRecommendation, nil},
	{ForPersonalisedAds, "个性化广告", "personalised advertising", FeatPersonalisedAds, nil},
	{ForCart, "购物车与降价提醒", "cart and price-drop reminders", FeatCart, nil},
	{ForOrder, "下单与订单管理", "placing and managing orders", FeatOrder, []minimall.Role{minimall.RoleCustomerService}},
	{ForPayment, "支付", "payment", FeatPayment, nil},
	{ForDelivery, "配送交付", "delivery", FeatDelivery, []minimall.Role{minimall.RoleCustomerService}},
	{ForInvoice, "开具发票", "issuing invoices", FeatInvoice, nil},
	{ForCustoms, "跨境清关", "customs clearance", FeatCrossBorder, nil},
	{ForCrossBorder, "向境外接收方提供", "provision to a recipient abroad", FeatCrossBorder, nil},
	{ForReview, "评价、评论与问答", "reviews, comments and Q&A", FeatReview, nil},
	{ForHomepage, "个人主页", "personal homepage", FeatHomepage, nil},
	{ForNotification, "服务通知", "service notifications", FeatNotification, nil},
	{ForMarketing, "商业性消息", "marketing messages", FeatMarketing, nil},
	{ForActivity, "营销活动", "promotional activities", FeatActivity, nil},
	{ForLiveRoom, "直播间互动", "live-room interaction", FeatLiveRoom, nil},
	{ForCustomerService, "客服与争议处理", "customer service and disputes", FeatCustomerService, []minimall.Role{minimall.RoleCustomerService}},
	{ForModelTraining, "去标识化模型训练", "model training on de-identified data", FeatCustomerService, nil},
	{ForSecurity, "安全保障与风控", "security and risk control", FeatSecurity, []minimall.Role{minimall.RoleSecurity}},
	{ForLocation, "基于位置的服务", "location-based services", FeatLocation, nil},
	{ForRightsRequest, "响应个人信息权利请求", "serving rights requests", FeatRights, []minimall.Role{minimall.RoleDPO}},
	{ForLegalDuty, "履行法定义务", "legal duty (retention, lawful requests)", FeatOrder, []minimall.Role{minimall.RoleLegalHold}},
	{ForIncidentResponse, "安全事件处置与告知", "incident response and notification", FeatSecurity, []minimall.Role{minimall.RoleSecurity, minimall.RoleDPO}},
	{ForGuardianConsent, "监护人同意", "guardian consent", FeatMinor, []minimall.Role{minimall.RoleDPO}},
	{ForReconciliation, "对账与税务申报", "reconciliation and tax filing", FeatOrder, nil},
	{ForFaceVerification, "实人认证（人脸核验）", "real-person (face) verification", FeatFaceVerification, []minimall.Role{minimall.RoleSecurity}},
	{ForShare, "分享与接收分享", "sharing and receiving shares", FeatShare, nil},
	{ForFaceEffects, "拍摄美化特效", "camera beauty effects and stickers", FeatFaceEffects, nil},
	{ForAnalytics, "产品稳定性分析", "product stability analysis", FeatCookies, nil},
	{ForAdServing, "非个性化广告位填充（不含个人信息）", "filling an ad slot without personal information", FeatBrowse, nil},
}

var purposeIndex = func() map[Purpose]*PurposeSpec {
	m := make(map[Purpose]*PurposeSpec, len(purposes))
	for i := range purposes {
		m[purposes[i].Purpose] = &purposes[i]
	}
	return m
}()

// PurposeOf returns the declaration of p.
func PurposeOf(p Purpose) (*PurposeSpec, bool) {
	s, ok := purposeIndex[p]
	return s, ok
}

// Purposes returns every declared purpose in declaration order.
func Purposes() []*PurposeSpec {
	out := make([]*PurposeSpec, len(purposes))
	for i := range purposes {
		out[i] = &purposes[i]
	}
	return out
}

// RoleMayActFor reports whether an operator role may act for purpose p.
// Ops staff run the platform and may open no personal information.
func RoleMayActFor(r minimall.Role, p Purpose) bool {
	s, ok := purposeIndex[p]
	if !ok {
		return false
	}
	for _, allowed := range s.Roles {
		if allowed == r {
			return true
		}
	}
	return false
}
