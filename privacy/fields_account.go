package privacy

// Fields of policy 二(一): registration and sign-in, authorized login, account recovery and real-name verification.
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
)

// accountFields declares the fields of policy 二(一): registration and sign-in, authorized login, account recovery and real-name verification.
var accountFields = []FieldSpec{
	// 二(一)1 account: the 2021 rules make only the mobile number necessary
	// for registration; minimall also asks for a member name and a password,
	// and says so: both are "required to register", not necessary
	// information (ToRegister).
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
			{PartnerSMS, ForAccount}, {PartnerSMS, ForLogin}, {PartnerSMS, ForAccountRecovery},
			{PartnerSMS, ForNotification}, {PartnerSMS, ForIncidentResponse}, {PartnerSMS, ForRightsRequest},
			{PartnerSMS, ForMarketing}, {PartnerCarrier, ForPhoneCheck}, {PartnerThirdApp, ForAccountBinding},
		},
		// Versioned: it signs the person in, so an older number written
		// back would hand the account to whoever holds that number now.
		Table: "accounts", Column: "phone_sealed", PersonMayEdit: true, Versioned: true, Clause: "二(一)1",
	},
	{
		Field: MemberName, Name: "会员名", NameEN: "member name",
		Category: CatAccount, Feature: FeatAccount, Necessity: ToRegister, Basis: Contract,
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
		Category: CatAccount, Feature: FeatAccount, Necessity: ToRegister, Basis: Contract,
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
		// Versioned: what a member gets follows the level, so an older
		// level written back must not open.
		Table: "accounts", Column: "level_sealed", Versioned: true, Clause: "二(一)1",
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
		// Versioned: whether the person is verified, and the birth date that
		// decides whether a guardian is needed, follow it.
		Table: "verifications", Column: "result_sealed", Versioned: true, Clause: "二(一)3",
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
		// Versioned: an older binding date written back would change the
		// carrier's answer on whether the number changed hands since.
		Table: "accounts", Column: "phone_bound_at_sealed", Versioned: true, Clause: "二(一)3",
	},
	{
		Field: PhoneRisk, Name: "手机号风险核验结果", NameEN: "phone-number risk check result",
		Category: CatAccount, Feature: FeatPhoneCheck, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForPhoneCheck, Contract}, {ForSecurity, LegalDuty}, useRights},
		Retention: keepUntilErased,
		Table:     "accounts", Column: "phone_risk_sealed", Clause: "二(一)3",
	},
}
