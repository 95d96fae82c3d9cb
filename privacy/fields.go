package privacy

// The field registry: every kind of personal information minimall may hold,
// across all sections of the policy. Nothing is stored that is not declared
// here; the schema test checks every table column against this list.

// Fields.
const (
	AccountPhone   Field = "account.phone"
	Nickname       Field = "profile.nickname"
	RecipientName  Field = "order.recipient_name"
	RecipientPhone Field = "order.recipient_phone"
	DeviceID       Field = "security.device_id"
	FaceData       Field = "verification.face"
)

var registry = []FieldSpec{
	{
		Field: AccountPhone, Name: "手机号码（注册）", NameEN: "mobile number (registration)",
		Category: CatContact, Feature: FeatAccount, Necessity: Necessary, Basis: Contract,
		Uses: []Use{
			{ForAccount, Contract}, {ForLogin, Contract}, {ForNotification, Contract},
			{ForSecurity, LegalDuty}, {ForPhoneCheck, Contract}, {ForAccountRecovery, Contract},
			{ForRightsRequest, LegalDuty},
			{ForAccountBinding, SeparateConsent},
		},
		Retention:  Retention{Rule: UntilErased, Reason: UntilErasureReason},
		Visibility: Shared,
		Recipients: []Recipient{{PartnerSMS, ForLogin}, {PartnerCarrier, ForPhoneCheck}, {PartnerThirdApp, ForAccountBinding}},
		Table:      "accounts", Column: "phone_sealed", PersonMayEdit: true, Clause: "二(一)1",
	},
	{
		Field: Nickname, Name: "昵称", NameEN: "nickname",
		Category: CatProfile, Feature: FeatProfile, Necessity: Optional, Basis: Consent,
		Uses: []Use{
			{ForAccount, Contract}, {ForPublicDisplay, Consent}, {ForAuthorizedLogin, SeparateConsent},
			{ForRightsRequest, LegalDuty},
		},
		Retention:  Retention{Rule: UntilErased, Reason: UntilErasureReason},
		Visibility: PublicDisplay,
		Recipients: []Recipient{{PartnerThirdApp, ForAuthorizedLogin}},
		Table:      "profiles", Column: "nickname_sealed", PersonMayEdit: true, Clause: "二(一)1",
	},
	{
		Field: RecipientName, Name: "收货人姓名", NameEN: "recipient name",
		Category: CatDelivery, Feature: FeatOrder, Necessity: Necessary, Basis: Contract,
		Uses: []Use{
			{ForOrder, Contract}, {ForDelivery, Contract}, {ForCustomerService, Contract},
			{ForLegalDuty, LegalDuty}, {ForRightsRequest, LegalDuty},
		},
		Retention:   Retention{Rule: AfterCompletion, Period: ThreeYears, Reason: TransactionReason},
		CrossBorder: true, Visibility: Shared,
		Recipients: []Recipient{{PartnerLogistics, ForDelivery}, {PartnerSeller, ForDelivery}, {PartnerOverseas, ForCrossBorder}},
		Table:      "orders", Column: "recipient_name_sealed", Clause: "二(三)2",
	},
	{
		Field: RecipientPhone, Name: "收货人联系电话", NameEN: "recipient phone",
		Category: CatDelivery, Feature: FeatOrder, Necessity: Necessary, Basis: Contract,
		Uses: []Use{
			{ForOrder, Contract}, {ForDelivery, Contract}, {ForCustomerService, Contract},
			{ForLegalDuty, LegalDuty}, {ForRightsRequest, LegalDuty},
		},
		Retention:   Retention{Rule: AfterCompletion, Period: ThreeYears, Reason: TransactionReason},
		CrossBorder: true, Visibility: Shared,
		Recipients: []Recipient{{PartnerLogistics, ForDelivery}, {PartnerSeller, ForDelivery}},
		Table:      "orders", Column: "recipient_phone_sealed", Clause: "二(三)2",
	},
	{
		Field: DeviceID, Name: "设备标识符", NameEN: "device identifier",
		Category: CatDevice, Feature: FeatSecurity, Necessity: Required, Basis: LegalDuty,
		Uses:      []Use{{ForSecurity, LegalDuty}, {ForIncidentResponse, LegalDuty}, {ForRightsRequest, LegalDuty}},
		Retention: Retention{Rule: SinceCollection, Period: SixMonths, Reason: SecurityLogReason},
		Table:     "devices", Column: "device_id_sealed", Clause: "二(七)",
	},
	{
		Field: FaceData, Name: "面部识别信息", NameEN: "facial recognition data",
		Category: CatBiometric, Sensitive: true, Feature: FeatFaceVerification, Necessity: Optional, Basis: SeparateConsent,
		Uses:       []Use{{ForIdentityCheck, SeparateConsent}, {ForRightsRequest, LegalDuty}},
		Retention:  Retention{Rule: UntilErased, Reason: "仅为完成认证目的 / only to complete verification"},
		Recipients: []Recipient{{PartnerIdentity, ForIdentityCheck}},
		Visibility: Shared,
		Table:      "verifications", Column: "face_sealed", Clause: "二(一)3",
	},
}
