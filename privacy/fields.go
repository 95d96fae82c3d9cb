package privacy

// The field registry: every kind of personal information minimall may hold,
// across all sections of the policy. Nothing is stored that is not declared
// here; the schema test checks every table column against this list.
//
// How a field's necessity and basis are chosen:
//   - Necessary: only what the 2021 rules on necessary personal information
//     (《常见类型移动互联网应用程序必要个人信息范围规定》art. 5, online
//     shopping) allow: the registrant's mobile number; the recipient's name,
//     address and phone; payment time, amount and channel. Basis Contract.
//   - Required: a law demands the processing (security logs, real-name
//     checks, transaction records). Basis LegalDuty.
//   - Optional, everything else. Basis Contract when a basic function needs
//     it to do what the person asked of it (the cart's items, an invoice's
//     title); Consent for what the person may leave out or for an additional
//     function; SeparateConsent where PIPL asks for it (sensitive data,
//     art. 29; another handler, art. 23; abroad, art. 39).
//
// Transaction records keep PersonMayEdit false: the platform must keep them
// complete (E-commerce Law art. 31); a wrong address is fixed by a new order
// or a change before shipping, which the order area records as such.

// Fields.
const (
	// Account 二(一)1, 二(一)3
	AccountPhone  Field = "account.phone"
	MemberName    Field = "account.member_name"
	PasswordHash  Field = "account.password_hash"
	AccountLevel  Field = "account.level"
	PhoneBoundAt  Field = "account.phone_bound_at"
	PhoneRisk     Field = "account.phone_risk"
	Nickname      Field = "profile.nickname"
	Gender        Field = "profile.gender"
	Avatar        Field = "profile.avatar"
	BirthdayMonth Field = "profile.birthday"

	// Authorized login and account binding 二(一)2
	AuthorizedLoginGrant Field = "oauth.grant"
	ThirdPartyAccount    Field = "oauth.third_party_account"

	// Account recovery and real-name verification 二(一)3
	RecoveryRealName     Field = "recovery.real_name_info"
	RecoveryEmail        Field = "recovery.email"
	RealName             Field = "verification.real_name"
	IDNumber             Field = "verification.id_number"
	IDType               Field = "verification.id_type"
	FaceData             Field = "verification.face"
	VerificationResult   Field = "verification.result"
	AlipayRealNameStatus Field = "verification.alipay_status"

	// Browsing 二(二)1, 三(一)5(1)C
	Favourite        Field = "engage.favourite"
	ShopSubscription Field = "engage.shop_subscription"
	Footprint        Field = "engage.footprint"
	Follow           Field = "engage.follow"
	Share            Field = "engage.share"
	Like             Field = "engage.like"
	ChannelRecord    Field = "engage.channel_record"

	// Search, shopping guide, recommendation 二(二)2-4
	SearchQuery          Field = "search.query"
	SearchImage          Field = "search.image"
	SearchVoice          Field = "search.voice"
	SearchActivity       Field = "search.activity"
	ShoppingGuideInput   Field = "guide.input"
	PreferenceFeatures   Field = "recommend.preference"
	RecommendationBlocks Field = "recommend.blocked"
	AdID                 Field = "ads.ad_id"

	// Cart and orders 二(三)1-2
	CartItem          Field = "cart.item"
	RecipientName     Field = "order.recipient_name"
	RecipientAddress  Field = "order.recipient_address"
	RecipientPhone    Field = "order.recipient_phone"
	ExtraPhone        Field = "order.extra_phone"
	DeliveryTime      Field = "order.delivery_time"
	OrderRemark       Field = "order.remark"
	RecipientConsent  Field = "order.recipient_consent"
	InvoiceTitle      Field = "order.invoice_title"
	InvoiceTaxpayerID Field = "order.invoice_taxpayer_id"
	InvoiceEmail      Field = "order.invoice_email"
	CustomsIDName     Field = "order.customs_id_name"
	CustomsIDNumber   Field = "order.customs_id_number"
	OrderNumber       Field = "order.number"
	OrderItems        Field = "order.items"
	OrderTime         Field = "order.created_at"
	OrderDiscounts    Field = "order.discounts"
	OrderAmount       Field = "order.amount"

	// Payment and delivery 二(三)3, 三(一)5(1)A-B
	PaymentTime        Field = "payment.time"
	PaymentAmount      Field = "payment.amount"
	PaymentChannel     Field = "payment.channel"
	PaymentAccount     Field = "payment.account"
	BankCard           Field = "payment.bank_card"
	PayerAlipayAccount Field = "payment.payer_account"
	PayerPhone         Field = "payment.payer_phone"
	PaymentStatus      Field = "payment.status"
	DeliveryTracking   Field = "delivery.tracking"

	// Reviews and homepage 二(四)
	ReviewContent    Field = "review.content"
	ReviewAnonymous  Field = "review.anonymous"
	Comment          Field = "review.comment"
	QuestionAnswer   Field = "review.qa"
	HomepageContent  Field = "homepage.content"
	HomepageSettings Field = "homepage.settings"

	// Notifications, activities, sharing, live rooms 二(五)
	ContactPhone          Field = "notify.contact_phone"
	ContactEmail          Field = "notify.contact_email"
	MarketingPreferences  Field = "notify.marketing_prefs"
	ActivityContact       Field = "activity.contact"
	ActivityDelivery      Field = "activity.delivery"
	ActivityParticipation Field = "activity.participation"
	FaceEffectFeatures    Field = "activity.face_effect"
	ClipboardShareCode    Field = "share.clipboard_code"
	SharedMedia           Field = "share.media"
	LiveComment           Field = "live.comment"
	LiveLike              Field = "live.like"
	LiveTip               Field = "live.tip"
	LiveGift              Field = "live.gift"
	LiveFanLevel          Field = "live.fan_level"

	// Customer service 二(六), 二(五)1
	SupportTranscript    Field = "support.transcript"
	SupportCallRecording Field = "support.call_recording"
	SupportEvidence      Field = "support.evidence"
	SupportContact       Field = "support.contact"
	QuestionnaireAnswer  Field = "support.questionnaire"
	ShopMessage          Field = "support.shop_message"

	// Security 二(七), 五(三)4, appendix 设备信息/服务日志信息
	DeviceID      Field = "security.device_id"
	ResettableIDs Field = "security.resettable_ids"
	AppInfo       Field = "security.app_info"
	DeviceParams  Field = "security.device_params"
	IPAddress     Field = "security.ip"
	WiFiConfig    Field = "security.wifi"
	Bluetooth     Field = "security.bluetooth"
	Sensors       Field = "security.sensors"
	CarrierInfo   Field = "security.carrier"
	BroadcastInfo Field = "security.broadcast"
	CellInfo      Field = "security.cell"
	InstalledApps Field = "security.installed_apps"
	SecurityEvent Field = "security.event"
	FraudReport   Field = "security.fraud_report"
	ServiceLog    Field = "log.activity"
	BrowserType   Field = "log.browser_type"
	Language      Field = "log.language"
	AccessTime    Field = "log.access_time"
	CookieID      Field = "cookie.id"
	Location      Field = "location.precise"
	WLANMAC       Field = "location.wlan_mac"

	// Minors 七; rights requests 四
	MinorUnder14            Field = "minor.under_14"
	GuardianIdentity        Field = "minor.guardian_identity"
	GuardianConsentEvidence Field = "minor.guardian_consent"
	RightsRequestRecord     Field = "rights.request"
	RightsIdentityProof     Field = "rights.identity_proof"
	NextOfKinEvidence       Field = "rights.next_of_kin"

	// Complaints to the personal-information protection officer 八
	ComplaintText   Field = "complaint.text"
	ComplaintAnswer Field = "complaint.answer"

	// Automated decisions 四(六) (PIPL art. 24)
	DecisionFactors Field = "decision.factors"
)

// Retention rules and uses shared by many fields.
var (
	keepUntilErased = Retention{Rule: UntilErased, Reason: UntilErasureReason}
	keepTransaction = Retention{Rule: AfterCompletion, Period: ThreeYears, Reason: TransactionReason}
	keepSecurityLog = Retention{Rule: SinceCollection, Period: SixMonths, Reason: SecurityLogReason}
	// Records of complaints and rights requests outlive the account for the
	// limitation period, so minimall can show how it answered them.
	keepLimitation = Retention{Rule: SinceCollection, Period: ThreeYears, Reason: limitationReason}
	keepRequest    = Retention{Rule: AfterCompletion, Period: ThreeYears, Reason: limitationReason}
	keepOnDevice   = Retention{Rule: NotStored, Reason: "仅在您的设备本地处理，不上传服务器 / processed on your device only; the server refuses it"}
	keepInRequest  = Retention{Rule: NotStored, Reason: "仅在本次请求中处理，从不写入 / processed within the request only; never written"}

	useRights = Use{ForRightsRequest, LegalDuty} // PIPL art. 45: access and copy
	useLegal  = Use{ForLegalDuty, LegalDuty}
)

const limitationReason = "诉讼时效三年（《民法典》第188条），用于证明依法处理 / Civil Code art. 188: three-year limitation period"

var registry = []FieldSpec{
	// 二(一)1 account: the 2021 rules make only the mobile number necessary
	// for registration; a member name and a password are optional (minimall
	// assigns a member name and signs in by SMS code when none is set).
	{
		Field: AccountPhone, Name: "手机号码（注册）", NameEN: "mobile number (registration)",
		Category: CatContact, Feature: FeatAccount, Necessity: Necessary, Basis: Contract,
		Uses: []Use{
			{ForAccount, Contract}, {ForLogin, Contract}, {ForNotification, Contract},
			{ForSecurity, LegalDuty}, {ForPhoneCheck, Contract}, {ForAccountRecovery, Contract},
			{ForCustomerService, Contract}, {ForIncidentResponse, LegalDuty}, {ForMarketing, Consent},
			{ForAccountBinding, SeparateConsent}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: Shared,
		Recipients: []Recipient{
			{PartnerSMS, ForLogin}, {PartnerSMS, ForNotification}, {PartnerSMS, ForIncidentResponse},
			{PartnerSMS, ForMarketing}, {PartnerCarrier, ForPhoneCheck}, {PartnerThirdApp, ForAccountBinding},
		},
		Table: "accounts", Column: "phone_sealed", PersonMayEdit: true, Clause: "二(一)1",
	},
	{
		Field: MemberName, Name: "会员名", NameEN: "member name",
		Category: CatAccount, Feature: FeatAccount, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForAccount, Contract}, {ForLogin, Contract}, {ForCustomerService, Contract},
			{ForSecurity, LegalDuty}, useRights,
		},
		Retention: keepUntilErased,
		Table:     "accounts", Column: "member_name_sealed", PersonMayEdit: true, Clause: "二(一)1",
	},
	{
		// A one-way argon2id hash, not sealed: nobody, minimall included,
		// can read the password back. Its column ends in _hash, which the
		// schema test classifies as OneWayHash; a rights export says only
		// that a password is set.
		Field: PasswordHash, Name: "登录密码（单向哈希）", NameEN: "password (one-way hash)",
		Category: CatAccount, Feature: FeatAccount, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForLogin, Contract}, useRights},
		Retention: keepUntilErased,
		Table:     "accounts", Column: "password_hash", PersonMayEdit: true, Clause: "二(一)1",
	},
	{
		Field: AccountLevel, Name: "账户等级", NameEN: "account level",
		Category: CatAccount, Feature: FeatAccount, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForAccountLevel, Contract}, {ForAccount, Contract}, {ForActivity, Consent}, useRights,
		},
		Retention: keepUntilErased,
		Table:     "accounts", Column: "level_sealed", Clause: "二(一)1",
	},
	{
		Field: Nickname, Name: "昵称", NameEN: "nickname",
		Category: CatProfile, Feature: FeatProfile, Necessity: Optional, Basis: Consent,
		Uses: []Use{
			{ForAccount, Contract}, {ForPublicDisplay, Consent}, {ForHomepage, Consent},
			{ForLiveRoom, Consent}, {ForActivity, Consent}, {ForAuthorizedLogin, SeparateConsent},
			useRights,
		},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		// Third-party apps and channel (mini-program) developers get the
		// nickname and avatar only through authorized login (三(一)5(1)C).
		Recipients: []Recipient{{PartnerThirdApp, ForAuthorizedLogin}},
		Table:      "profiles", Column: "nickname_sealed", PersonMayEdit: true, Clause: "二(一)1",
	},
	{
		Field: Gender, Name: "性别", NameEN: "gender",
		Category: CatProfile, Feature: FeatProfile, Necessity: Optional, Basis: Consent,
		Uses:       []Use{{ForAccount, Contract}, {ForPublicDisplay, Consent}, useRights},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay, // 二(一)1: shown in reviews, shares and interactions
		Table:      "profiles", Column: "gender_sealed", PersonMayEdit: true, Clause: "二(一)1",
	},
	{
		Field: Avatar, Name: "头像", NameEN: "avatar",
		Category: CatProfile, Feature: FeatProfile, Necessity: Optional, Basis: Consent,
		Uses: []Use{
			{ForAccount, Contract}, {ForPublicDisplay, Consent}, {ForHomepage, Consent},
			{ForLiveRoom, Consent}, {ForActivity, Consent}, {ForAuthorizedLogin, SeparateConsent},
			useRights,
		},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		Recipients: []Recipient{{PartnerThirdApp, ForAuthorizedLogin}},
		Table:      "profiles", Column: "avatar_sealed", PersonMayEdit: true, Clause: "二(一)1",
	},
	{
		Field: BirthdayMonth, Name: "出生月日", NameEN: "birthday (month and day)",
		Category: CatProfile, Feature: FeatProfile, Necessity: Optional, Basis: Consent,
		Uses:      []Use{{ForAccount, Contract}, {ForBirthdayBenefits, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "profiles", Column: "birthday_sealed", PersonMayEdit: true, Clause: "二(一)1",
	},

	// 二(一)2 authorized login and binding.
	{
		Field: AuthorizedLoginGrant, Name: "授权登录记录（第三方应用及授权范围）", NameEN: "authorized-login grants (app and scope)",
		Category: CatAccount, Feature: FeatAuthorizedLogin, Necessity: Optional, Basis: SeparateConsent,
		Uses:      []Use{{ForAuthorizedLogin, SeparateConsent}, useRights},
		Retention: keepUntilErased,
		Table:     "oauth_grants", Column: "grant_sealed", Clause: "二(一)2, 四(四)4",
	},
	{
		Field: ThirdPartyAccount, Name: "绑定的第三方账户信息", NameEN: "bound third-party account",
		Category: CatAccount, Feature: FeatAccountBinding, Necessity: Optional, Basis: SeparateConsent,
		Uses:      []Use{{ForAccountBinding, SeparateConsent}, useRights},
		Retention: keepUntilErased,
		Table:     "account_bindings", Column: "third_party_account_sealed", Clause: "二(一)2",
	},

	// 二(一)3 account recovery, real-name and real-person verification,
	// phone checks.
	{
		// Real-name information holds an ID number: sensitive (PIPL art. 28,
		// GB/T 35273-2020 annex B), so it rests on separate consent.
		Field: RecoveryRealName, Name: "找回账号时提供的实名信息", NameEN: "real-name information for account recovery",
		Category: CatIdentity, Sensitive: true, Feature: FeatAccountRecovery, Necessity: Optional, Basis: SeparateConsent,
		Uses:      []Use{{ForAccountRecovery, SeparateConsent}, useRights},
		Retention: keepUntilErased,
		Table:     "account_recoveries", Column: "real_name_info_sealed", Clause: "二(一)3",
	},
	{
		Field: RecoveryEmail, Name: "找回账号的证明信息（如邮箱）", NameEN: "account-recovery proof (e.g. e-mail)",
		Category: CatContact, Feature: FeatAccountRecovery, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForAccountRecovery, Contract}, useRights},
		Retention: keepUntilErased,
		Table:     "account_recoveries", Column: "email_sealed", Clause: "二(一)3",
	},
	{
		// Real-name checks rest on the law where it requires them
		// (《互联网用户账号信息管理规定》, Anti-Telecom-Fraud Law, tax
		// withholding, protection of minors), 二(一)3.
		Field: RealName, Name: "真实姓名", NameEN: "legal name",
		Category: CatIdentity, Feature: FeatRealName, Necessity: Required, Basis: LegalDuty,
		Uses: []Use{
			{ForIdentityCheck, LegalDuty}, {ForAccountRecovery, SeparateConsent}, useLegal, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerIdentity, ForIdentityCheck}},
		Table:      "verifications", Column: "real_name_sealed", Clause: "二(一)3",
	},
	{
		Field: IDNumber, Name: "证件号码", NameEN: "ID document number",
		Category: CatIdentity, Sensitive: true, Feature: FeatRealName, Necessity: Required, Basis: LegalDuty,
		Uses: []Use{
			{ForIdentityCheck, LegalDuty}, {ForAccountRecovery, SeparateConsent}, useLegal, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerIdentity, ForIdentityCheck}},
		Table:      "verifications", Column: "id_number_sealed", Clause: "二(一)3",
	},
	{
		Field: IDType, Name: "证件类型", NameEN: "ID document type",
		Category: CatIdentity, Feature: FeatRealName, Necessity: Required, Basis: LegalDuty,
		Uses:       []Use{{ForIdentityCheck, LegalDuty}, useLegal, useRights},
		Retention:  keepUntilErased,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerIdentity, ForIdentityCheck}},
		Table:      "verifications", Column: "id_type_sealed", Clause: "二(一)3",
	},
	{
		// The person may verify with documents instead, so face data stays
		// optional and rests on separate consent (PIPL art. 26, 29).
		Field: FaceData, Name: "面部识别信息", NameEN: "facial recognition data",
		Category: CatBiometric, Sensitive: true, Feature: FeatFaceVerification, Necessity: Optional, Basis: SeparateConsent,
		Uses:       []Use{{ForFaceVerification, SeparateConsent}, useRights},
		Retention:  Retention{Rule: UntilErased, Reason: "仅为完成认证目的 / only to complete verification"},
		Visibility: Shared,
		Recipients: []Recipient{{PartnerIdentity, ForFaceVerification}},
		Table:      "verifications", Column: "face_sealed", Clause: "二(一)3",
	},
	{
		Field: VerificationResult, Name: "认证结果", NameEN: "verification result",
		Category: CatIdentity, Feature: FeatRealName, Necessity: Required, Basis: LegalDuty,
		Uses:      []Use{{ForIdentityCheck, LegalDuty}, {ForFaceVerification, LegalDuty}, useLegal, useRights},
		Retention: keepUntilErased,
		Table:     "verifications", Column: "result_sealed", Clause: "二(一)3",
	},
	{
		Field: AlipayRealNameStatus, Name: "支付宝账户实名认证状态", NameEN: "Alipay real-name status",
		Category: CatIdentity, Feature: FeatActivity, Necessity: Optional, Basis: Consent,
		Uses:      []Use{{ForActivity, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "verifications", Column: "alipay_status_sealed", Clause: "二(一)3",
	},
	{
		Field: PhoneBoundAt, Name: "手机号注册或绑定时间", NameEN: "phone registration or binding time",
		Category: CatAccount, Feature: FeatPhoneCheck, Necessity: Optional, Basis: Contract,
		Uses:       []Use{{ForPhoneCheck, Contract}, {ForSecurity, LegalDuty}, useRights},
		Retention:  keepUntilErased,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerCarrier, ForPhoneCheck}},
		Table:      "accounts", Column: "phone_bound_at_sealed", Clause: "二(一)3",
	},
	{
		Field: PhoneRisk, Name: "手机号风险核验结果", NameEN: "phone-number risk check result",
		Category: CatAccount, Feature: FeatPhoneCheck, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForPhoneCheck, Contract}, {ForSecurity, LegalDuty}, useRights},
		Retention: keepUntilErased,
		Table:     "accounts", Column: "phone_risk_sealed", Clause: "二(一)3",
	},

	// 二(二)1 browsing records; the homepage may show follows, likes and
	// favourites (二(四)2), which the person controls there.
	{
		Field: Favourite, Name: "收藏记录", NameEN: "favourites",
		Category: CatBehaviour, Feature: FeatBrowse, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForBrowsing, Contract}, {ForRecommendation, Consent}, {ForHomepage, Consent}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		Table:      "favourites", Column: "target_sealed", Clause: "二(二)1, 二(四)2",
	},
	{
		Field: ShopSubscription, Name: "订阅店铺记录", NameEN: "shop subscriptions",
		Category: CatBehaviour, Feature: FeatBrowse, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForBrowsing, Contract}, {ForNotification, Contract}, {ForRecommendation, Consent}, useRights,
		},
		Retention: keepUntilErased,
		Table:     "subscriptions", Column: "shop_sealed", Clause: "二(二)1, 二(五)1",
	},
	{
		Field: Footprint, Name: "足迹（浏览记录）", NameEN: "footprints (browsing history)",
		Category: CatBehaviour, Feature: FeatBrowse, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForBrowsing, Contract}, {ForRecommendation, Consent}, {ForActivity, Consent}, useRights,
		},
		// A footprint serves revisiting recent views; older ones serve no
		// purpose the person asked for, so they go (GB/T 35273-2020 6.1 a:
		// the shortest time the purpose needs). engage.SweepFootprints.
		Retention: Retention{Rule: SinceCollection, Period: SixMonths,
			Reason: "足迹供您回看近期浏览的商品，自浏览之日起保存6个月后删除 / kept six months after the view so you can revisit it, then deleted"},
		Table: "footprints", Column: "target_sealed", Clause: "二(二)1",
	},
	{
		Field: Follow, Name: "关注记录", NameEN: "follows",
		Category: CatBehaviour, Feature: FeatBrowse, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForBrowsing, Contract}, {ForRecommendation, Consent}, {ForHomepage, Consent}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		Table:      "follows", Column: "target_sealed", Clause: "二(二)1, 二(四)2",
	},
	{
		Field: Share, Name: "分享记录", NameEN: "shares",
		Category: CatBehaviour, Feature: FeatShare, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForShare, Contract}, {ForRecommendation, Consent}, {ForActivity, Consent}, useRights,
		},
		Retention: keepUntilErased,
		Table:     "shares", Column: "target_sealed", Clause: "二(二)1, 二(五)3",
	},
	{
		Field: Like, Name: "点赞记录", NameEN: "likes",
		Category: CatBehaviour, Feature: FeatBrowse, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForBrowsing, Contract}, {ForRecommendation, Consent}, {ForHomepage, Consent}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		Table:      "likes", Column: "target_sealed", Clause: "二(二)1, 二(四)2",
	},
	{
		Field: ChannelRecord, Name: "频道（小程序）登录、浏览、使用、订阅记录", NameEN: "channel (mini-program) records",
		Category: CatBehaviour, Feature: FeatBrowse, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForBrowsing, Contract}, {ForRecommendation, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "channel_records", Column: "record_sealed", Clause: "三(一)5(1)C",
	},

	// 二(二)2 search; the client may keep a local copy of the history.
	{
		Field: SearchQuery, Name: "搜索词", NameEN: "search query",
		Category: CatBehaviour, Feature: FeatSearch, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForSearch, Contract}, {ForRecommendation, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "search_history", Column: "query_sealed", Clause: "二(二)2",
	},
	{
		// Taken with the camera permission or chosen by the person.
		Field: SearchImage, Name: "搜索图片", NameEN: "search image",
		Category: CatBehaviour, Feature: FeatSearch, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForSearch, Contract}, useRights},
		Retention: keepUntilErased,
		Table:     "search_history", Column: "image_sealed", Clause: "二(二)2",
	},
	{
		// Recorded with the microphone permission and turned into text in
		// the request; only the text is kept (as SearchQuery). Never
		// storing the recording keeps minimall from holding voiceprints
		// (biometric, PIPL art. 28), so the field itself is not sensitive.
		Field: SearchVoice, Name: "语音搜索信息", NameEN: "voice search input",
		Category: CatBehaviour, Feature: FeatSearch, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForSearch, Contract}},
		Retention: keepInRequest,
		Clause:    "二(二)2",
	},
	{
		Field: SearchActivity, Name: "搜索时间/次数及结果浏览记录/时间", NameEN: "search times, counts and result views",
		Category: CatBehaviour, Feature: FeatSearch, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForSearch, Contract}, {ForRecommendation, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "search_history", Column: "activity_sealed", Clause: "二(二)2",
	},

	// 二(二)3-4 shopping guide, recommendation, advertising.
	{
		Field: ShoppingGuideInput, Name: "智能导购中您提交的信息", NameEN: "smart shopping guide input",
		Category: CatContent, Feature: FeatShoppingGuide, Necessity: Optional, Basis: Consent,
		Uses:      []Use{{ForShoppingGuide, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "guide_sessions", Column: "input_sealed", Clause: "二(二)3",
	},
	{
		Field: PreferenceFeatures, Name: "偏好特征（模型预测）", NameEN: "preference features (predicted)",
		Category: CatBehaviour, Feature: FeatRecommendation, Necessity: Optional, Basis: Consent,
		Uses: []Use{
			{ForRecommendation, Consent}, {ForPersonalisedAds, Consent}, {ForMarketing, Consent},
			{ForShoppingGuide, Consent}, useRights,
		},
		Retention: keepUntilErased,
		Table:     "recommend_profiles", Column: "preference_sealed", Clause: "二(二)3-4",
	},
	{
		Field: RecommendationBlocks, Name: "屏蔽的类似商品或类目", NameEN: "blocked similar items and categories",
		Category: CatBehaviour, Feature: FeatRecommendation, Necessity: Optional, Basis: Consent,
		Uses:      []Use{{ForRecommendation, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "recommend_profiles", Column: "blocked_sealed", PersonMayEdit: true, Clause: "二(二)4",
	},
	{
		// A keyed pseudonym derived from the subject's key whenever it is
		// needed, never written, so erasure unlinks it. The ads partner gets
		// this and nothing that identifies the person (三(一)5(2)).
		Field: AdID, Name: "广告标识（假名）", NameEN: "advertising ID (pseudonymous)",
		Category: CatDevice, Feature: FeatPersonalisedAds, Necessity: Optional, Basis: Consent,
		Uses:       []Use{{ForPersonalisedAds, Consent}},
		Retention:  Retention{Rule: NotStored, Reason: "由您的密钥按需派生，不存储 / derived from your key when needed; never stored"},
		Visibility: Shared,
		Recipients: []Recipient{{PartnerAds, ForPersonalisedAds}},
		Clause:     "二(二)4, 三(一)5(2)",
	},

	// 二(三)1 cart.
	{
		Field: CartItem, Name: "加购信息", NameEN: "cart items",
		Category: CatBehaviour, Feature: FeatCart, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForCart, Contract}, {ForRecommendation, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "cart_items", Column: "item_sealed", Clause: "二(三)1",
	},

	// 二(三)2 orders. The recipient may be someone other than the account
	// holder; their data is sealed under the holder's keys.
	recipientField(RecipientName, "收货人姓名", "recipient name", "recipient_name_sealed"),
	recipientField(RecipientAddress, "收货地址", "recipient address", "recipient_address_sealed"),
	recipientField(RecipientPhone, "收货人联系电话", "recipient phone", "recipient_phone_sealed"),
	{
		Field: ExtraPhone, Name: "其他联系电话", NameEN: "additional phone",
		Category: CatDelivery, Feature: FeatOrder, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForOrder, Contract}, {ForDelivery, Contract}, {ForCustomerService, Contract}, useLegal, useRights,
		},
		Retention:  keepTransaction,
		Visibility: Shared,
		// The seller who ships gets it; the logistics system gets only the
		// recipient's name, address and phone (三(一)5(1)B, minimisation).
		Recipients: []Recipient{{PartnerSeller, ForDelivery}},
		Table:      "orders", Column: "extra_phone_sealed", Clause: "二(三)2",
	},
	{
		Field: DeliveryTime, Name: "收货时间", NameEN: "preferred delivery time",
		Category: CatDelivery, Feature: FeatOrder, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForOrder, Contract}, {ForDelivery, Contract}, {ForCustomerService, Contract}, useLegal, useRights,
		},
		Retention:  keepTransaction,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerSeller, ForDelivery}},
		Table:      "orders", Column: "delivery_time_sealed", Clause: "二(三)2",
	},
	{
		Field: OrderRemark, Name: "订单备注", NameEN: "order remark",
		Category: CatTransaction, Feature: FeatOrder, Necessity: Optional, Basis: Contract,
		Uses:       []Use{{ForOrder, Contract}, {ForCustomerService, Contract}, useLegal, useRights},
		Retention:  keepTransaction,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerSeller, ForOrder}},
		Table:      "orders", Column: "remark_sealed", Clause: "二(三)2",
	},
	{
		// When ordering for someone else the orderer confirms the recipient
		// agreed (二(三)2, 二(九)1); the confirmation is kept as evidence.
		Field: RecipientConsent, Name: "为他人下单时已取得实际收货人同意的确认", NameEN: "confirmation of the recipient's consent (ordering for someone else)",
		Category: CatTransaction, Feature: FeatOrder, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForOrder, Contract}, useLegal, useRights},
		Retention: keepTransaction,
		Table:     "orders", Column: "recipient_consent_sealed", Clause: "二(三)2",
	},
	invoiceField(InvoiceTitle, "发票抬头", "invoice title", CatTransaction, "title_sealed"),
	invoiceField(InvoiceTaxpayerID, "纳税人识别号", "taxpayer ID", CatTransaction, "taxpayer_id_sealed"),
	invoiceField(InvoiceEmail, "接收发票的电子邮箱", "invoice e-mail", CatContact, "email_sealed"),
	{
		// Customs clearance of cross-border retail imports needs the
		// orderer's ID (海关总署公告2018年第194号): a legal duty. It goes to
		// customs in China only, never abroad (五(二): only what the
		// overseas side needs leaves the country).
		Field: CustomsIDName, Name: "订购人证件姓名（跨境清关）", NameEN: "name on ID (customs clearance)",
		Category: CatIdentity, Feature: FeatCrossBorder, Necessity: Required, Basis: LegalDuty,
		Uses:       []Use{{ForCustoms, LegalDuty}, useLegal, useRights},
		Retention:  keepTransaction,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerCustoms, ForCustoms}},
		Table:      "orders", Column: "customs_id_name_sealed", Clause: "二(三)2",
	},
	{
		Field: CustomsIDNumber, Name: "身份证件号码（跨境清关）", NameEN: "ID number (customs clearance)",
		Category: CatIdentity, Sensitive: true, Feature: FeatCrossBorder, Necessity: Required, Basis: LegalDuty,
		Uses:       []Use{{ForCustoms, LegalDuty}, useLegal, useRights},
		Retention:  keepTransaction,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerCustoms, ForCustoms}},
		Table:      "orders", Column: "customs_id_number_sealed", Clause: "二(三)2",
	},
	// Order records the platform makes: E-commerce Law art. 31 obliges it
	// to record and keep them, so they rest on the legal duty.
	{
		Field: OrderNumber, Name: "订单号", NameEN: "order number",
		Category: CatTransaction, Feature: FeatOrder, Necessity: Required, Basis: LegalDuty,
		Uses: []Use{
			{ForOrder, Contract}, {ForPayment, Contract}, {ForCustomerService, Contract},
			{ForReconciliation, LegalDuty}, {ForCrossBorder, SeparateConsent}, useLegal, useRights,
		},
		Retention:   keepTransaction,
		CrossBorder: true, Visibility: Shared,
		Recipients: []Recipient{{PartnerPayment, ForPayment}, {PartnerSeller, ForOrder}, {PartnerOverseas, ForCrossBorder}},
		Table:      "orders", Column: "number_sealed", Clause: "二(三)2",
	},
	{
		Field: OrderItems, Name: "所购商品或服务信息", NameEN: "items ordered",
		Category: CatTransaction, Feature: FeatOrder, Necessity: Required, Basis: LegalDuty,
		Uses: []Use{
			{ForOrder, Contract}, {ForDelivery, Contract}, {ForCustomerService, Contract}, {ForCart, Contract},
			{ForRecommendation, Consent}, {ForActivity, Consent}, {ForReconciliation, LegalDuty},
			{ForCustoms, LegalDuty}, {ForCrossBorder, SeparateConsent}, useLegal, useRights,
		},
		Retention:   keepTransaction,
		CrossBorder: true, Visibility: Shared,
		Recipients: []Recipient{
			{PartnerLogistics, ForDelivery}, {PartnerSeller, ForOrder}, {PartnerCustoms, ForCustoms},
			{PartnerOverseas, ForCrossBorder},
		},
		Table: "orders", Column: "items_sealed", Clause: "二(三)2",
	},
	{
		Field: OrderTime, Name: "订单创建时间", NameEN: "order time",
		Category: CatTransaction, Feature: FeatOrder, Necessity: Required, Basis: LegalDuty,
		Uses: []Use{
			{ForOrder, Contract}, {ForCustomerService, Contract}, {ForReconciliation, LegalDuty}, useLegal, useRights,
		},
		Retention:  keepTransaction,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerSeller, ForOrder}},
		Table:      "orders", Column: "created_at_sealed", Clause: "二(三)2",
	},
	{
		Field: OrderDiscounts, Name: "已使用的优惠", NameEN: "discounts used",
		Category: CatTransaction, Feature: FeatOrder, Necessity: Required, Basis: LegalDuty,
		Uses: []Use{
			{ForOrder, Contract}, {ForCustomerService, Contract}, {ForReconciliation, LegalDuty}, useLegal, useRights,
		},
		Retention:  keepTransaction,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerSeller, ForOrder}},
		Table:      "orders", Column: "discounts_sealed", Clause: "二(三)2",
	},
	{
		Field: OrderAmount, Name: "应支付金额", NameEN: "amount due",
		Category: CatTransaction, Feature: FeatOrder, Necessity: Required, Basis: LegalDuty,
		Uses: []Use{
			{ForOrder, Contract}, {ForPayment, Contract}, {ForCustomerService, Contract},
			{ForReconciliation, LegalDuty}, {ForCustoms, LegalDuty}, useLegal, useRights,
		},
		Retention:  keepTransaction,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerPayment, ForPayment}, {PartnerSeller, ForOrder}, {PartnerCustoms, ForCustoms}},
		Table:      "orders", Column: "amount_sealed", Clause: "二(三)2",
	},

	// 二(三)3, 三(一)5(1)A payment: the payment institution gets only
	// payment data.
	paymentField(PaymentTime, "支付时间", "payment time", "time_sealed", nil),
	paymentField(PaymentAmount, "支付金额", "payment amount", "amount_sealed", []Recipient{{PartnerPayment, ForPayment}}),
	paymentField(PaymentChannel, "支付渠道", "payment channel", "channel_sealed", nil),
	{
		// The bound payment account (e.g. Alipay) is a financial account:
		// sensitive (PIPL art. 28). It is shared with the institution to
		// confirm the payment order, and to ask it for the account's
		// real-name status when the person joins an activity (二(一)3).
		Field: PaymentAccount, Name: "绑定的支付账户信息（如支付宝账户）", NameEN: "bound payment account (e.g. Alipay)",
		Category: CatFinancial, Sensitive: true, Feature: FeatPayment, Necessity: Optional, Basis: SeparateConsent,
		Uses:       []Use{{ForPayment, SeparateConsent}, {ForActivity, SeparateConsent}, useRights},
		Retention:  keepUntilErased,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerPayment, ForPayment}, {PartnerPayment, ForActivity}},
		Table:      "payment_accounts", Column: "account_sealed", PersonMayEdit: true, Clause: "三(一)5(1)A",
	},
	{
		// Collected only on the payment institution's behalf and passed to
		// it in the same request (三(一)5(1)A); minimall never writes it.
		Field: BankCard, Name: "银行卡信息（含储蓄卡、信用卡）", NameEN: "bank card (debit or credit)",
		Category: CatFinancial, Sensitive: true, Feature: FeatPayment, Necessity: Optional, Basis: SeparateConsent,
		Uses:       []Use{{ForPayment, SeparateConsent}},
		Retention:  keepInRequest,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerPayment, ForPayment}},
		Clause:     "三(一)5(1)A",
	},
	{
		// Pay-for-me: the payer is someone else, whose financial account is
		// sensitive; it is sealed under the requester's keys.
		Field: PayerAlipayAccount, Name: "代付人的支付宝账户", NameEN: "payer's Alipay account (pay for me)",
		Category: CatFinancial, Sensitive: true, Feature: FeatPayment, Necessity: Optional, Basis: SeparateConsent,
		Uses:       []Use{{ForPayment, SeparateConsent}, useLegal, useRights},
		Retention:  keepTransaction,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerPayment, ForPayment}},
		Table:      "payments", Column: "payer_account_sealed", Clause: "三(一)5(1)A",
	},
	{
		Field: PayerPhone, Name: "代付人的手机号码", NameEN: "payer's phone (pay for me)",
		Category: CatContact, Feature: FeatPayment, Necessity: Optional, Basis: Contract,
		Uses:       []Use{{ForPayment, Contract}, useLegal, useRights},
		Retention:  keepTransaction,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerPayment, ForPayment}},
		Table:      "payments", Column: "payer_phone_sealed", Clause: "三(一)5(1)A",
	},
	{
		Field: PaymentStatus, Name: "支付进度及状态", NameEN: "payment progress and status",
		Category: CatTransaction, Feature: FeatPayment, Necessity: Required, Basis: LegalDuty,
		Uses:      []Use{{ForOrder, Contract}, {ForCustomerService, Contract}, useLegal, useRights},
		Retention: keepTransaction,
		Table:     "payments", Column: "status_sealed", Clause: "三(一)5(1)A",
	},
	{
		Field: DeliveryTracking, Name: "交付进度及状态（物流信息）", NameEN: "delivery progress and status",
		Category: CatDelivery, Feature: FeatDelivery, Necessity: Required, Basis: LegalDuty,
		Uses: []Use{
			{ForDelivery, Contract}, {ForOrder, Contract}, {ForCustomerService, Contract}, useLegal, useRights,
		},
		Retention: keepTransaction,
		Table:     "shipments", Column: "tracking_sealed", Clause: "三(一)5(1)B",
	},

	// 二(四) reviews, comments, Q&A, homepage: published by the person, so
	// consent-based and withdrawable.
	{
		Field: ReviewContent, Name: "评价和分享内容（文字、图片、视频）", NameEN: "review content (text, images, video)",
		Category: CatContent, Feature: FeatReview, Necessity: Optional, Basis: Consent,
		Uses: []Use{
			{ForReview, Consent}, {ForPublicDisplay, Consent}, {ForHomepage, Consent}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		Table:      "reviews", Column: "content_sealed", PersonMayEdit: true, Clause: "二(四)1",
	},
	{
		Field: ReviewAnonymous, Name: "匿名评价选择", NameEN: "anonymous review choice",
		Category: CatContent, Feature: FeatReview, Necessity: Optional, Basis: Consent,
		Uses:      []Use{{ForReview, Consent}, {ForPublicDisplay, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "reviews", Column: "anonymous_sealed", PersonMayEdit: true, Clause: "二(四)1",
	},
	{
		Field: Comment, Name: "评论内容", NameEN: "comments",
		Category: CatContent, Feature: FeatReview, Necessity: Optional, Basis: Consent,
		Uses: []Use{
			{ForReview, Consent}, {ForPublicDisplay, Consent}, {ForHomepage, Consent}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		Table:      "comments", Column: "content_sealed", Clause: "二(四)1",
	},
	{
		Field: QuestionAnswer, Name: "问答内容", NameEN: "questions and answers",
		Category: CatContent, Feature: FeatReview, Necessity: Optional, Basis: Consent,
		Uses: []Use{
			{ForReview, Consent}, {ForPublicDisplay, Consent}, {ForHomepage, Consent}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		Table:      "questions", Column: "content_sealed", Clause: "二(四)1",
	},
	{
		Field: HomepageContent, Name: "个人主页发布的内容", NameEN: "homepage posts",
		Category: CatContent, Feature: FeatHomepage, Necessity: Optional, Basis: Consent,
		Uses:       []Use{{ForHomepage, Consent}, useRights},
		Retention:  keepUntilErased,
		Visibility: PublicDisplay,
		Table:      "homepages", Column: "content_sealed", PersonMayEdit: true, Clause: "二(四)2",
	},
	{
		Field: HomepageSettings, Name: "个人主页及“找到我的方式”隐私设置", NameEN: "homepage and find-me privacy settings",
		Category: CatProfile, Feature: FeatHomepage, Necessity: Optional, Basis: Consent,
		Uses:      []Use{{ForHomepage, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "homepages", Column: "settings_sealed", PersonMayEdit: true, Clause: "二(四)2, 四(四)1-2",
	},

	// 二(五)1 notifications.
	{
		Field: ContactPhone, Name: "联系电话（通知）", NameEN: "contact phone (notifications)",
		Category: CatContact, Feature: FeatNotification, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForNotification, Contract}, {ForMarketing, Consent}, {ForIncidentResponse, LegalDuty}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerSMS, ForNotification}, {PartnerSMS, ForMarketing}, {PartnerSMS, ForIncidentResponse}},
		Table:      "notify_settings", Column: "contact_phone_sealed", PersonMayEdit: true, Clause: "二(五)1",
	},
	{
		Field: ContactEmail, Name: "联系邮箱（通知）", NameEN: "contact e-mail (notifications)",
		Category: CatContact, Feature: FeatNotification, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForNotification, Contract}, {ForMarketing, Consent}, {ForIncidentResponse, LegalDuty}, useRights,
		},
		Retention:  keepUntilErased,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerEmail, ForNotification}, {PartnerEmail, ForMarketing}, {PartnerEmail, ForIncidentResponse}},
		Table:      "notify_settings", Column: "contact_email_sealed", PersonMayEdit: true, Clause: "二(五)1",
	},
	{
		Field: MarketingPreferences, Name: "消息通知设置（退订、免打扰）", NameEN: "notification settings (unsubscribe, do not disturb)",
		Category: CatProfile, Feature: FeatNotification, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForNotification, Contract}, {ForMarketing, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "notify_settings", Column: "marketing_prefs_sealed", PersonMayEdit: true, Clause: "二(二)4, 二(五)1",
	},

	// 二(五)2 promotional activities; a co-host gets what the activity
	// page names, after the person agrees.
	activityField(ActivityContact, "活动联系方式", "activity contact details", CatContact, "contact_sealed"),
	activityField(ActivityDelivery, "活动收货信息", "activity delivery details", CatDelivery, "delivery_sealed"),
	activityField(ActivityParticipation, "活动参与记录（报名、进度、权益、抽奖、兑奖）", "activity participation (entry, progress, benefits, draws)", CatBehaviour, "participation_sealed"),
	{
		// Skin and facial-feature parameters for stickers and make-up
		// effects are computed on the device (e.g. TrueDepth) and never
		// sent (二(五)2). The server refuses them: Seal denies a NotStored
		// field and no API takes them.
		Field: FaceEffectFeatures, Name: "皮肤和五官参数（拍摄特效）", NameEN: "skin and facial-feature parameters (camera effects)",
		Category: CatBiometric, Sensitive: true, Feature: FeatFaceEffects, Necessity: Optional, Basis: SeparateConsent,
		Uses:      []Use{{ForFaceEffects, SeparateConsent}},
		Retention: keepOnDevice,
		Clause:    "二(五)2",
	},

	// 二(五)3 sharing.
	{
		// The app reads the clipboard on the device and uploads only a
		// recognised Taobao-style command (口令、分享码、链接), which is
		// resolved in the request; any other clipboard text is refused.
		Field: ClipboardShareCode, Name: "剪贴板中的分享口令", NameEN: "share code from the clipboard",
		Category: CatBehaviour, Feature: FeatShare, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForShare, Contract}},
		Retention: keepInRequest,
		Clause:    "二(五)3",
	},
	{
		// Chosen from the album (album permission) to share or receive.
		Field: SharedMedia, Name: "分享的相册图片或视频", NameEN: "photos or videos shared from the album",
		Category: CatContent, Feature: FeatShare, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForShare, Contract}, useRights},
		Retention: keepUntilErased,
		Table:     "shares", Column: "media_sealed", Clause: "二(五)3",
	},

	// 二(五)4 live rooms: shown publicly in the room.
	liveField(LiveComment, "直播间评论", "live-room comments", CatContent, keepUntilErased, "comment_sealed"),
	liveField(LiveLike, "直播间点赞", "live-room likes", CatBehaviour, keepUntilErased, "like_sealed"),
	liveField(LiveTip, "直播间打赏", "live-room tips", CatTransaction, keepTransaction, "tip_sealed"),
	liveField(LiveGift, "直播间礼物", "live-room gifts", CatTransaction, keepTransaction, "gift_sealed"),
	liveField(LiveFanLevel, "粉丝等级", "fan level", CatBehaviour, keepUntilErased, "fan_level_sealed"),

	// 二(六) customer service; de-identified transcripts may train the
	// support model.
	{
		Field: SupportTranscript, Name: "与客服的沟通记录及相关内容", NameEN: "customer-service transcripts",
		Category: CatSupport, Feature: FeatCustomerService, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForCustomerService, Contract}, {ForModelTraining, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "support_tickets", Column: "transcript_sealed", Clause: "二(六)",
	},
	{
		// Used to answer the person, never to identify them by voice, so
		// not biometric data in the sense of PIPL art. 28.
		Field: SupportCallRecording, Name: "通话记录（含录音）", NameEN: "call records and recordings",
		Category: CatSupport, Feature: FeatCustomerService, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForCustomerService, Contract}, {ForModelTraining, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "support_tickets", Column: "call_recording_sealed", Clause: "二(六)",
	},
	{
		Field: SupportEvidence, Name: "为证明相关事实提供的信息", NameEN: "evidence provided",
		Category: CatSupport, Feature: FeatCustomerService, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForCustomerService, Contract}, useRights},
		Retention: keepUntilErased,
		Table:     "support_tickets", Column: "evidence_sealed", Clause: "二(六)",
	},
	{
		Field: SupportContact, Name: "留下的联系方式（客服）", NameEN: "contact details left with customer service",
		Category: CatContact, Feature: FeatCustomerService, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForCustomerService, Contract}, useRights},
		Retention: keepUntilErased,
		Table:     "support_tickets", Column: "contact_sealed", PersonMayEdit: true, Clause: "二(六)",
	},
	{
		Field: QuestionnaireAnswer, Name: "问卷答复信息", NameEN: "questionnaire answers",
		Category: CatSupport, Feature: FeatCustomerService, Necessity: Optional, Basis: Consent,
		Uses:      []Use{{ForCustomerService, Consent}, useRights},
		Retention: keepUntilErased,
		Table:     "questionnaires", Column: "answers_sealed", Clause: "二(五)1, 二(六)",
	},
	{
		Field: ShopMessage, Name: "与店铺的客服消息", NameEN: "messages with shops",
		Category: CatSupport, Feature: FeatCustomerService, Necessity: Optional, Basis: Contract,
		Uses:       []Use{{ForCustomerService, Contract}, useRights},
		Retention:  keepUntilErased,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerSeller, ForCustomerService}},
		Table:      "shop_messages", Column: "body_sealed", Clause: "二(五)1",
	},

	// 二(七) security: device and network signals kept as security logs.
	// They serve security only: recommendation and analytics never read
	// them (a choice stricter than 二(二)4 allows, so a person's device
	// never shapes what they are shown).
	// (Cybersecurity Law art. 21; Anti-Telecom-Fraud Law). A security
	// partner may get them only de-identified (三(一)5(3)A). IMEI is not
	// collected (the appendix limits it to app versions before 27.40), nor
	// the WLAN MAC except for location (WLANMAC).
	{
		Field: DeviceID, Name: "设备标识符（AndroidID）", NameEN: "device identifier (AndroidID)",
		Category: CatDevice, Feature: FeatSecurity, Necessity: Required, Basis: LegalDuty,
		Uses: []Use{
			{ForSecurity, LegalDuty}, {ForIncidentResponse, LegalDuty}, useRights,
		},
		Retention:  keepSecurityLog,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerSecurity, ForSecurity}},
		Table:      "devices", Column: "device_id_sealed", Clause: "二(七)",
	},
	securityField(ResettableIDs, "可变标识符（IDFA、IDFV、OAID、GAID）", "resettable identifiers (IDFA, IDFV, OAID, GAID)", CatDevice, "devices", "resettable_ids_sealed"),
	{
		Field: AppInfo, Name: "应用信息（崩溃信息、通知开关状态、本App运行中进程）", NameEN: "app information (crashes, notification switch, processes)",
		Category: CatDevice, Feature: FeatSecurity, Necessity: Required, Basis: LegalDuty,
		Uses: []Use{
			{ForSecurity, LegalDuty}, {ForIncidentResponse, LegalDuty}, useRights,
		},
		Retention: keepSecurityLog,
		Table:     "devices", Column: "app_info_sealed", Clause: "二(七)",
	},
	{
		Field: DeviceParams, Name: "设备参数及系统信息（设备类型、型号、操作系统、硬件序列号及硬件相关信息）", NameEN: "device and system parameters (type, model, OS, hardware)",
		Category: CatDevice, Feature: FeatSecurity, Necessity: Required, Basis: LegalDuty,
		Uses: []Use{
			{ForSecurity, LegalDuty}, {ForIncidentResponse, LegalDuty}, useRights,
		},
		Retention:  keepSecurityLog,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerSecurity, ForSecurity}},
		Table:      "devices", Column: "params_sealed", Clause: "二(七)",
	},
	securityField(IPAddress, "IP 地址", "IP address", CatDevice, "service_logs", "ip_sealed"),
	securityField(WiFiConfig, "WLAN（Wi-Fi）网络协议配置（不含 MAC）", "Wi-Fi network configuration (no MAC)", CatDevice, "devices", "wifi_sealed"),
	securityField(Bluetooth, "蓝牙信息", "Bluetooth information", CatDevice, "devices", "bluetooth_sealed"),
	securityField(Sensors, "设备传感器信息", "device sensor information", CatDevice, "devices", "sensors_sealed"),
	securityField(CarrierInfo, "运营商信息", "mobile carrier information", CatDevice, "devices", "carrier_sealed"),
	securityField(BroadcastInfo, "广播组件通讯信息", "broadcast component information", CatDevice, "devices", "broadcast_sealed"),
	securityField(CellInfo, "基站及其他网络相关信息", "cell and other network information", CatDevice, "devices", "cell_sealed"),
	{
		// Processed on the device only to spot phishing and fraud apps,
		// never uploaded (二(七)); the server refuses it.
		Field: InstalledApps, Name: "软件安装信息", NameEN: "installed software",
		Category: CatDevice, Feature: FeatSecurity, Necessity: Required, Basis: LegalDuty,
		Uses:      []Use{{ForSecurity, LegalDuty}},
		Retention: keepOnDevice,
		Clause:    "二(七)",
	},
	{
		Field: SecurityEvent, Name: "风险识别与处置记录", NameEN: "risk decisions and measures taken",
		Category: CatBehaviour, Feature: FeatSecurity, Necessity: Required, Basis: LegalDuty,
		Uses: []Use{
			{ForSecurity, LegalDuty}, {ForIncidentResponse, LegalDuty}, useLegal, useRights,
		},
		Retention: keepSecurityLog,
		Table:     "security_events", Column: "event_sealed", Clause: "二(七), 三(三)2",
	},
	{
		Field: FraudReport, Name: "欺诈投诉举报内容", NameEN: "fraud reports",
		Category: CatSupport, Feature: FeatSecurity, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForSecurity, Contract}, {ForCustomerService, Contract}, useRights},
		Retention: keepLimitation,
		Table:     "fraud_reports", Column: "report_sealed", Clause: "五(三)4",
	},
	// Appendix 服务日志信息: what the person did, when, with which browser.
	{
		Field: ServiceLog, Name: "服务日志（浏览、点击查看、搜索查询、收藏、加购、交易、售后、关注分享、发布记录）", NameEN: "service log (browse, click, search, favourite, cart, trade, after-sales, follow, share, publish)",
		Category: CatBehaviour, Feature: FeatSecurity, Necessity: Required, Basis: LegalDuty,
		Uses: []Use{
			{ForSecurity, LegalDuty}, {ForIncidentResponse, LegalDuty}, {ForRecommendation, Consent}, useRights,
		},
		Retention:  keepSecurityLog,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerSecurity, ForSecurity}},
		Table:      "service_logs", Column: "activity_sealed", Clause: "二(七), 二(二)4, 附录",
	},
	securityField(BrowserType, "浏览器类型", "browser type", CatDevice, "service_logs", "browser_type_sealed"),
	securityField(Language, "使用语言", "language", CatBehaviour, "service_logs", "language_sealed"),
	securityField(AccessTime, "访问日期和时间", "access date and time", CatBehaviour, "service_logs", "access_time_sealed"),
	{
		Field: CookieID, Name: "Cookie 或匿名标识符", NameEN: "cookie or anonymous identifier",
		Category: CatDevice, Feature: FeatCookies, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForLogin, Contract}, {ForSecurity, LegalDuty}, {ForAnalytics, Consent},
			{ForRecommendation, Consent}, {ForPersonalisedAds, Consent}, useRights,
		},
		Retention: keepSecurityLog,
		Table:     "service_logs", Column: "cookie_id_sealed", Clause: "二(八)2",
	},

	// 二(八)1 location permission: precise location is sensitive (PIPL
	// art. 28, whereabouts). Used in the request (nearby items, filling an
	// address, tagging a post), never kept; a place added to a post is
	// part of that post.
	{
		Field: Location, Name: "位置信息", NameEN: "precise location",
		Category: CatLocation, Sensitive: true, Feature: FeatLocation, Necessity: Optional, Basis: SeparateConsent,
		Uses:      []Use{{ForLocation, SeparateConsent}},
		Retention: keepInRequest,
		Clause:    "二(八)1",
	},
	{
		// Collected only once the location permission is on, to work out
		// a position: treated as location data (appendix 设备信息).
		Field: WLANMAC, Name: "WLAN MAC 地址（仅在开启位置权限后）", NameEN: "WLAN MAC (only with the location permission)",
		Category: CatLocation, Sensitive: true, Feature: FeatLocation, Necessity: Optional, Basis: SeparateConsent,
		Uses:      []Use{{ForLocation, SeparateConsent}},
		Retention: keepInRequest,
		Clause:    "附录 设备信息",
	},

	// 七 minors: everything about a child under 14 is sensitive (PIPL
	// art. 28) and needs a guardian's consent (art. 31). The guardian's
	// grant itself is a record of the consent ledger.
	minorField(MinorUnder14, "不满十四周岁的声明", "statement of being under 14", "under_14_sealed"),
	minorField(GuardianIdentity, "监护人身份信息", "guardian's identity", "guardian_identity_sealed"),
	minorField(GuardianConsentEvidence, "监护人同意的证明", "evidence of the guardian's consent", "guardian_consent_sealed"),

	// 四 rights requests, kept after they close to show how they were
	// answered; a deceased person's next of kin may exercise their rights
	// (PIPL art. 49).
	rightsField(RightsRequestRecord, "个人信息权利请求及处理记录", "rights requests and their handling", CatSupport, false, "request_sealed"),
	rightsField(RightsIdentityProof, "权利请求的身份核验材料", "identity proof for a rights request", CatIdentity, true, "identity_proof_sealed"),
	rightsField(NextOfKinEvidence, "近亲属身份及关系证明（已故用户）", "next of kin's identity and relationship (deceased users)", CatIdentity, true, "next_of_kin_sealed"),

	// 八 complaints to the personal-information protection officer, kept
	// like rights requests to show how they were answered.
	complaintField(ComplaintText, "投诉内容", "complaint", "text_sealed"),
	complaintField(ComplaintAnswer, "投诉答复", "answer to a complaint", "answer_sealed"),

	// 四(六) automated decisions (PIPL art. 24): the main factors of each
	// decision that affected the person, so it can be explained, appealed
	// and answered; kept like rights requests to show how it was handled.
	{
		Field: DecisionFactors, Name: "自动化决策及其主要因素", NameEN: "automated decisions and their main factors",
		Category: CatBehaviour, Feature: FeatRights, Necessity: Required, Basis: LegalDuty,
		Uses:      []Use{{ForSecurity, LegalDuty}, useRights},
		Retention: keepLimitation,
		Table:     "decisions", Column: "factors_sealed", Clause: "四(六)",
	},
}

// complaintField declares a complaint's text or its answer (policy 八).
func complaintField(f Field, name, nameEN, column string) FieldSpec {
	s := rightsField(f, name, nameEN, CatSupport, false, column)
	s.Table, s.Clause = "policy_complaints", "八"
	return s
}

// recipientField declares the recipient's name, address or phone: the
// necessary order data (2021 rules), shared with the logistics system, the
// seller who ships and, for cross-border orders, the overseas side.
func recipientField(f Field, name, nameEN, column string) FieldSpec {
	return FieldSpec{
		Field: f, Name: name, NameEN: nameEN,
		Category: CatDelivery, Feature: FeatOrder, Necessity: Necessary, Basis: Contract,
		Uses: []Use{
			{ForOrder, Contract}, {ForDelivery, Contract}, {ForCustomerService, Contract},
			{ForCrossBorder, SeparateConsent}, useLegal, useRights,
		},
		Retention:   keepTransaction,
		CrossBorder: true, Visibility: Shared,
		Recipients: []Recipient{
			{PartnerLogistics, ForDelivery}, {PartnerSeller, ForDelivery}, {PartnerOverseas, ForCrossBorder},
		},
		Table: "orders", Column: column, Clause: "二(三)2, 三(一)5(1)B, 五(二)",
	}
}

// invoiceField declares what an invoice needs; the seller issues it.
func invoiceField(f Field, name, nameEN string, cat Category, column string) FieldSpec {
	return FieldSpec{
		Field: f, Name: name, NameEN: nameEN,
		Category: cat, Feature: FeatInvoice, Necessity: Optional, Basis: Contract,
		Uses: []Use{
			{ForInvoice, Contract}, {ForReconciliation, LegalDuty}, useLegal, useRights,
		},
		Retention:  keepTransaction,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerSeller, ForInvoice}},
		Table:      "invoices", Column: column, Clause: "二(三)2",
	}
}

// paymentField declares the necessary payment data (2021 rules).
func paymentField(f Field, name, nameEN, column string, to []Recipient) FieldSpec {
	v := Private
	if len(to) > 0 {
		v = Shared
	}
	return FieldSpec{
		Field: f, Name: name, NameEN: nameEN,
		Category: CatTransaction, Feature: FeatPayment, Necessity: Necessary, Basis: Contract,
		Uses: []Use{
			{ForPayment, Contract}, {ForOrder, Contract}, {ForCustomerService, Contract},
			{ForReconciliation, LegalDuty}, {ForSecurity, LegalDuty}, useLegal, useRights,
		},
		Retention:  keepTransaction,
		Visibility: v,
		Recipients: to,
		Table:      "payments", Column: column, Clause: "二(三)3, 三(一)5(1)A",
	}
}

// activityField declares what a promotional activity collects (二(五)2).
func activityField(f Field, name, nameEN string, cat Category, column string) FieldSpec {
	return FieldSpec{
		Field: f, Name: name, NameEN: nameEN,
		Category: cat, Feature: FeatActivity, Necessity: Optional, Basis: Consent,
		Uses:       []Use{{ForActivity, Consent}, useRights},
		Retention:  keepUntilErased,
		Visibility: Shared,
		Recipients: []Recipient{{PartnerCoHost, ForActivity}},
		Table:      "activity_entries", Column: column, Clause: "二(五)2",
	}
}

// liveField declares a live-room interaction, shown publicly in the room.
func liveField(f Field, name, nameEN string, cat Category, keep Retention, column string) FieldSpec {
	uses := []Use{{ForLiveRoom, Consent}, useRights}
	if keep.Rule == AfterCompletion {
		uses = append(uses, useLegal) // tips and gifts are paid: transaction records
	}
	return FieldSpec{
		Field: f, Name: name, NameEN: nameEN,
		Category: cat, Feature: FeatLiveRoom, Necessity: Optional, Basis: Consent,
		Uses:       uses,
		Retention:  keep,
		Visibility: PublicDisplay,
		Table:      "live_interactions", Column: column, Clause: "二(五)4",
	}
}

// securityField declares a device, network or log signal kept for security.
func securityField(f Field, name, nameEN string, cat Category, table, column string) FieldSpec {
	return FieldSpec{
		Field: f, Name: name, NameEN: nameEN,
		Category: cat, Feature: FeatSecurity, Necessity: Required, Basis: LegalDuty,
		Uses:      []Use{{ForSecurity, LegalDuty}, {ForIncidentResponse, LegalDuty}, useRights},
		Retention: keepSecurityLog,
		Table:     table, Column: column, Clause: "二(七), 附录",
	}
}

// minorField declares what the guardian-consent procedure keeps (七).
func minorField(f Field, name, nameEN, column string) FieldSpec {
	return FieldSpec{
		Field: f, Name: name, NameEN: nameEN,
		Category: CatIdentity, Sensitive: true, Feature: FeatMinor, Necessity: Required, Basis: LegalDuty,
		Uses:      []Use{{ForGuardianConsent, LegalDuty}, useRights},
		Retention: keepUntilErased,
		Table:     "minors", Column: column, Clause: "七",
	}
}

// rightsField declares what a rights request keeps (四(七), PIPL art. 50).
func rightsField(f Field, name, nameEN string, cat Category, sensitive bool, column string) FieldSpec {
	return FieldSpec{
		Field: f, Name: name, NameEN: nameEN,
		Category: cat, Sensitive: sensitive, Feature: FeatRights, Necessity: Required, Basis: LegalDuty,
		Uses:      []Use{useRights, useLegal},
		Retention: keepRequest,
		Table:     "rights_requests", Column: column, Clause: "四(七)",
	}
}
