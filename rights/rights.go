// Package rights serves the person's rights over their personal information
// (policy 四; PIPL art. 44-50): access and copy, correction, deletion,
// change of consent and deregistration, through one queue of requests with
// states, an identity check before anything is served, and a 15-day
// deadline. Every area contributes its data through one interface, Part,
// so no area reads another's tables; cmd wires the parts.
package rights

import (
	"context"
	"slices"
	"time"

	"minimall"
	"minimall/privacy"
)

// Part is one area's share of a person's data. Each area implements it in
// its own rights.go, over its own tables, opening values only through the
// guard.
type Part interface {
	// Name names the area, e.g. "account".
	Name() string
	// Holds lists the registry fields the area stores.
	Holds() []privacy.Field
	// Export returns every value the area holds about s, opened for
	// ForRightsRequest on behalf of a (use OpenValues: one audit entry per
	// field, not per value).
	Export(ctx context.Context, a minimall.Actor, s minimall.SubjectID) (Section, error)
	// Correct sets field f of s to value (PIPL art. 46) through the area's
	// own update rules. Returns Invalid if the area cannot change f here.
	Correct(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f privacy.Field, value, requestID string) error
	// Delete removes what the area holds of the given fields, or all it
	// may delete when fields is empty (deregistration). Values kept for a
	// legal duty stay and are reported in Deleted.Kept.
	Delete(ctx context.Context, a minimall.Actor, s minimall.SubjectID, fields []privacy.Field, requestID string) (Deleted, error)
	// Pending lists what must be finished before s can deregister
	// (unfinished orders, refunds, disputes).
	Pending(ctx context.Context, s minimall.SubjectID) ([]Pending, error)
}

// Section is one area's part of an export.
type Section struct {
	Part    string   `json:"part"`
	Values  []Value  `json:"values"`
	Records []Record `json:"records,omitempty"` // records about the person, not stored values
	Notes   []string `json:"notes,omitempty"`   // never personal information
}

// Record is something done about the person that is not itself a stored
// value of a registry field: a transfer of their data abroad, a security
// incident that affected them (PIPL art. 45 asks for both). Its facts are
// codes, ids, times and minimall's own texts, never sealed values.
type Record struct {
	Part  string    `json:"part"`
	Kind  string    `json:"kind"` // e.g. cross_border_transfer, security_incident
	ID    string    `json:"id"`
	At    time.Time `json:"at"`
	Title string    `json:"title"` // Chinese first, then English
	Facts []Fact    `json:"facts"`
}

// Fact is one labelled fact of a record.
type Fact struct {
	Key   string `json:"key"`   // stable, for machines: recipient, purpose, ...
	Label string `json:"label"` // Chinese / English, for people
	Value string `json:"value"`
}

// Value is one stored value. Unreadable is set, instead of Value, when the
// guard refused it (e.g. retention_only).
type Value struct {
	Field      privacy.Field `json:"field"`
	Row        string        `json:"row,omitempty"`
	Value      string        `json:"value,omitempty"`
	Unreadable string        `json:"unreadable,omitempty"`
}

// Deleted reports a deletion: how many values went, per field, and the
// fields kept with the reason (a legal duty to keep them).
type Deleted struct {
	Removed map[privacy.Field]int    `json:"removed,omitempty"`
	Kept    map[privacy.Field]string `json:"kept,omitempty"`
	// KeptRecords are records that are no registry field (a transfer log),
	// by record kind, kept with the reason.
	KeptRecords map[string]string `json:"kept_records,omitempty"`
}

// Pending is one thing left to do before deregistration, stated to the
// person. Ref is an id (an order id), never personal information.
type Pending struct {
	Part    string `json:"part"`
	Kind    string `json:"kind"` // unfinished_order, refund, dispute
	Ref     string `json:"ref"`
	Message string `json:"message"` // Chinese first, then English
}

// Kind is what a request asks for.
type Kind string

// Request kinds (policy 四(一)-(三), (五)).
const (
	Access     Kind = "access"     // 查阅
	Copy       Kind = "copy"       // 复制 (portability: the JSON export)
	Correct    Kind = "correct"    // 更正、补充
	Delete     Kind = "delete"     // 删除
	Deregister Kind = "deregister" // 注销账户
	// Appeal of an automated decision (四(六), PIPL art. 24): filed through
	// the decision area, answered there, in this queue for its deadline.
	Appeal Kind = "appeal" // 对自动化决策提出申诉
	// Complaint to the personal-information protection officer (八):
	// filed and answered at /api/v1/complaints, in this queue for its
	// states and deadline (complaint.go).
	Complaint Kind = "complaint" // 投诉
)

func validKind(k Kind) bool {
	switch k {
	case Access, Copy, Correct, Delete, Deregister:
		return true
	}
	return false
}

// State is where a request is in the queue.
type State string

// Request states. Every kind moves through the same ones, as next allows.
const (
	Received        State = "received"
	IdentityChecked State = "identity_checked"
	InProgress      State = "in_progress"
	Answered        State = "answered"
	Refused         State = "refused"
)

// next lists the states a request may move to from each open state: the
// identity check first, then the work, then an answer; a refusal at any
// open step (policy 四(七)).
var next = map[State][]State{
	Received:        {IdentityChecked, Refused},
	IdentityChecked: {InProgress, Answered, Refused},
	InProgress:      {Answered, Refused},
}

// Who filed a request.
const (
	BySelf      = "self"
	ByNextOfKin = "next_of_kin" // PIPL art. 49
	// ByGuardian (guardian.go) and ByRecipient (recipient.go) file without
	// an account too.
)

// Refusal reason codes (policy 四(七)).
const (
	ReasonRepeatLimit      = "repeat_limit"     // repeated beyond the declared number
	ReasonConditionsUnmet  = "conditions_unmet" // deregistration: things left to do
	ReasonEvidence         = "evidence_insufficient"
	ReasonGroundNotMet     = "ground_not_met"      // deletion of everything: no legal ground
	ReasonNotTheirs        = "not_directly_linked" // information not linked to the person
	ReasonImpractical      = "impractical"
	ReasonIdentityNotShown = "identity_not_shown"
)

var refusalReasons = []string{ReasonRepeatLimit, ReasonConditionsUnmet, ReasonEvidence, ReasonGroundNotMet, ReasonNotTheirs, ReasonImpractical, ReasonIdentityNotShown}

// Deletion grounds the policy lists (四(三) 1-5; PIPL art. 47).
var Grounds = map[string]string{
	"unlawful":          "处理个人信息的行为违反法律法规 / processing breaks the law",
	"no_consent":        "未征得您的明确同意 / collected without your explicit consent",
	"breach_of_terms":   "严重违反了与您的约定 / seriously breaches our agreement with you",
	"purpose_fulfilled": "处理目的已实现、无法实现或不再必要 / the purpose is achieved, cannot be, or no longer needs it",
	"service_ended":     "停止提供产品或服务，或保存期限已届满 / we stopped the service, or the retention period ended",
}

// Deadline is how long minimall has to answer (policy 四(七): 15 days).
const Deadline = 15 * 24 * time.Hour

// RepeatRule is the declared reasonable number of requests (policy 四(七)
// "多次重复、超出合理限度的请求"): at most RepeatMax requests of the same
// kind per RepeatWindow are served; more are refused, with the rule stated.
const (
	RepeatMax    = 3
	RepeatWindow = 30 * 24 * time.Hour
)

// RepeatRuleText states the rule to the person.
const RepeatRuleText = "同一类请求30天内最多受理3次，超出部分不予受理 / at most 3 requests of the same kind are served per 30 days; more are refused"

// Request is one rights request as the person and the operators see it.
type Request struct {
	ID            string             `json:"id"`
	Subject       minimall.SubjectID `json:"subject"`
	Kind          Kind               `json:"kind"`
	FiledBy       string             `json:"filed_by"`
	State         State              `json:"state"`
	ReceivedAt    time.Time          `json:"received_at"`
	DueAt         time.Time          `json:"due_at"`
	Overdue       bool               `json:"overdue"`                 // open past its deadline
	AnsweredLate  bool               `json:"answered_late,omitempty"` // closed after its deadline
	Ref           string             `json:"ref,omitempty"`           // appeal: the decision id
	CheckedAt     *time.Time         `json:"identity_checked_at,omitempty"`
	ClosedAt      *time.Time         `json:"closed_at,omitempty"`
	RefusedReason string             `json:"refused_reason,omitempty"`
	Answer        *Answer            `json:"answer,omitempty"`
	Details       *Details           `json:"details,omitempty"` // opened only for the person or the DPO
	// Token is shown once, to a next of kin filing without an account.
	Token string `json:"token,omitempty"`
	// Next says what happens next, Chinese first.
	Next string `json:"next,omitempty"`
}

// Details is what a request asks for; it is sealed (corrections are
// personal information).
type Details struct {
	Fields      []privacy.Field          `json:"fields,omitempty"`      // delete: the chosen data
	All         bool                     `json:"all,omitempty"`         // delete: everything, on Ground
	Ground      string                   `json:"ground,omitempty"`      // a key of Grounds
	Corrections map[privacy.Field]string `json:"corrections,omitempty"` // correct
	Relation    string                   `json:"relation,omitempty"`    // next of kin
	Evidence    string                   `json:"evidence,omitempty"`    // next of kin
	Decision    string                   `json:"decision,omitempty"`    // appeal: the decision id
	Reason      string                   `json:"reason,omitempty"`      // appeal: a reason code
	Topic       string                   `json:"topic,omitempty"`       // complaint: one of ComplaintTopics
	Action      string                   `json:"action,omitempty"`      // recipient: access, correct or delete
	Order       string                   `json:"order,omitempty"`       // recipient: the order corrected
}

// Answer is what minimall did, in codes, counts and ids.
type Answer struct {
	Removed        map[privacy.Field]int    `json:"removed,omitempty"`
	Kept           map[privacy.Field]string `json:"kept,omitempty"`
	Corrected      []privacy.Field          `json:"corrected,omitempty"`
	Pending        []Pending                `json:"pending,omitempty"`
	PartnerNotices string                   `json:"partner_notices,omitempty"` // sent, none, retrying
	KeptRecords    map[string]string        `json:"kept_records,omitempty"`
	Outcome        string                   `json:"outcome,omitempty"` // appeal: upheld or overturned
	Erased         bool                     `json:"erased,omitempty"`
	Message        string                   `json:"message,omitempty"`
	Orders         []OrderOutcome           `json:"orders,omitempty"` // recipient: per order, codes only
}

// RefusalReasons lists the reason codes a request may be refused with.
func RefusalReasons() []string { return slices.Clone(refusalReasons) }
