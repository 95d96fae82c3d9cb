package privacy

// Fields of policy 二(六)-(八): customer service, security signals and device permissions.
const (
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
)

// serviceFields declares the fields of policy 二(六)-(八): customer service, security signals and device permissions.
var serviceFields = []FieldSpec{
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
