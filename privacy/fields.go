package privacy

import "slices"

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
//
// registry is every declared field, one file per section of the policy
// (fields_account.go for 二(一), fields_order.go for 二(三), ...), in the
// policy's order.
var registry = slices.Concat(accountFields, shoppingFields, orderFields, socialFields, serviceFields, rightsFields)
