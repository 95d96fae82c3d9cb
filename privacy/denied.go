package privacy

import (
	"fmt"

	"minimall"
)

// Reason says why the guard refused.
type Reason string

// Denial reasons; each is also written to the audit log.
const (
	UnknownField      Reason = "unknown_field"       // not declared in the field registry
	PurposeNotAllowed Reason = "purpose_not_allowed" // the registry does not allow this purpose for this field
	ConsentMissing    Reason = "consent_missing"     // the use rests on consent that was never given
	ConsentWithdrawn  Reason = "consent_withdrawn"   // the consent was withdrawn
	ConsentOutdated   Reason = "consent_outdated"    // given under a policy version before the last major change
	SubjectErased     Reason = "subject_erased"      // the person was erased; their keys are gone
	RetentionOnly     Reason = "retention_only"      // kept only for a legal duty after deregistration
	ActorNotAllowed   Reason = "actor_not_allowed"   // this actor may not act for this purpose on this person
	ReasonMissing     Reason = "access_reason_missing"
	NotCollected      Reason = "not_collected" // the field is processed on the device only and never stored
	Tampered          Reason = "tampered"      // the sealed value does not belong to this subject, field and row
	// GuardianConsentMissing: the person is under 14 and a guardian has not
	// consented, or the use needs more than a general consent (PIPL art. 31).
	GuardianConsentMissing Reason = "guardian_consent_missing"
)

// Denied is the guard's refusal. Check it with errors.As.
type Denied struct {
	Field   Field
	Purpose Purpose
	Reason  Reason
}

func (d *Denied) Error() string {
	return fmt.Sprintf("privacy: %s for %s denied: %s", d.Field, d.Purpose, d.Reason)
}

// PlatformCode maps the denial to a platform error code: an erased person
// is Gone, a missing consent is Denied, an undeclared field or purpose is a
// programming error reported as Invalid.
func (d *Denied) PlatformCode() minimall.Code {
	switch d.Reason {
	case SubjectErased:
		return minimall.Gone
	case UnknownField, PurposeNotAllowed, NotCollected:
		return minimall.Invalid
	}
	return minimall.Denied
}

// SafeMessage is shown to the person; it names no personal information.
func (d *Denied) SafeMessage() string {
	switch d.Reason {
	case ConsentMissing, ConsentOutdated:
		return "This needs your consent first. 此功能需要您先同意。"
	case ConsentWithdrawn:
		return "You withdrew consent for this. 您已撤回对此的同意。"
	case SubjectErased:
		return "This person's data was erased. 该用户的个人信息已删除。"
	case RetentionOnly:
		return "This record is kept only as the law requires. 该记录仅依法留存。"
	case UnknownField, PurposeNotAllowed:
		return "This use of personal information is not allowed. 不允许以此目的处理该个人信息。"
	case NotCollected:
		return "This information is not collected by the server. 服务器不收集此信息。"
	case ReasonMissing:
		return "Operator access needs a ticket or request id. 操作人员访问需注明工单号或请求号。"
	case GuardianConsentMissing:
		return "Under 14: this needs your guardian's consent first. 未满14周岁：须先取得监护人同意。"
	}
	return "Not allowed. 不允许。"
}
