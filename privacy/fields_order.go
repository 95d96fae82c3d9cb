package privacy

// Fields of policy 二(三): cart, orders, invoices, customs, payment and delivery.
const (
	// Cart and orders 二(三)1-2
	CartItem         Field = "cart.item"
	RecipientName    Field = "order.recipient_name"
	RecipientAddress Field = "order.recipient_address"
	RecipientPhone   Field = "order.recipient_phone"
	ExtraPhone       Field = "order.extra_phone"
	DeliveryTime     Field = "order.delivery_time"
	OrderRemark      Field = "order.remark"
	RecipientConsent Field = "order.recipient_consent"
	// The address book: recipients a person saved to pick at checkout.
	AddressName       Field = "addressbook.name"
	AddressAddress    Field = "addressbook.address"
	AddressPhone      Field = "addressbook.phone"
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
)

// orderFields declares the fields of policy 二(三): cart, orders, invoices, customs, payment and delivery.
var orderFields = []FieldSpec{
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
	addressField(AddressName, "地址簿：收货人姓名", "address book: recipient name", "name_sealed"),
	addressField(AddressAddress, "地址簿：收货地址", "address book: address", "address_sealed"),
	addressField(AddressPhone, "地址簿：收货人电话", "address book: phone", "phone_sealed"),
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

// addressField declares a saved recipient's value: optional (checkout
// works without an address book), used only to fill in the person's own
// checkout, never shared from the book itself (an order copies it).
func addressField(f Field, name, nameEN, column string) FieldSpec {
	return FieldSpec{
		Field: f, Name: name, NameEN: nameEN,
		Category: CatDelivery, Feature: FeatOrder, Necessity: Optional, Basis: Contract,
		Uses:      []Use{{ForOrder, Contract}, useRights},
		Retention: keepUntilErased,
		Table:     "addresses", Column: column, Clause: "二(三)2",
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
