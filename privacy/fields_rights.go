package privacy

// Fields of policy 七, 四, 八: minors, rights requests, complaints and automated decisions.
const (
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

// rightsFields declares the fields of policy 七, 四, 八: minors, rights requests, complaints and automated decisions.
var rightsFields = []FieldSpec{
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
