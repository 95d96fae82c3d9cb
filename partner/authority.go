package partner

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// Notifier leaves a notice in people's message centres; the lifecycle
// area implements it.
type Notifier interface {
	Notify(ctx context.Context, kind, title, body string, subjects []minimall.SubjectID) (int, error)
}

// Authorities records requests from authorities (policy 三(五)2, PIPL
// art. 13(3)) and answers them through the gateway: only the fields a
// request names, and only fields the registry lets an authority receive,
// go to the authority; every disclosure is in the person's sharing list
// and the audit log, and the person is told unless the request says the
// law forbids it, until an operator records that the prohibition ended.
type Authorities struct {
	db     *sqldb.DB
	k      *privacy.Kernel
	gw     *Gateway
	notify Notifier
}

// NewAuthorities returns the authority-request service over the gateway.
func NewAuthorities(db *sqldb.DB, k *privacy.Kernel, gw *Gateway, n Notifier) *Authorities {
	return &Authorities{db: db, k: k, gw: gw, notify: n}
}

// Authority kinds.
const (
	AuthorityCourt     = "court"
	AuthorityPolice    = "police"
	AuthorityRegulator = "regulator"
)

// Audit decisions of authority requests.
const (
	DecisionAuthorityRequest = "authority_request"
	DecisionAuthorityLifted  = "authority_notice_lifted"
)

// AuthorityRequest is what an operator records of an authority's request.
type AuthorityRequest struct {
	Subject       minimall.SubjectID `json:"subject"`
	OrderID       string             `json:"order_id,omitempty"` // the order whose fields are asked, if any
	AuthorityKind string             `json:"authority_kind"`     // court, police, regulator
	Authority     string             `json:"authority"`          // its name, e.g. 杭州市西湖区人民法院
	AuthorityRef  string             `json:"authority_ref"`      // its document number
	LegalBasis    string             `json:"legal_basis"`        // the law it relies on, e.g. 《刑事诉讼法》第五十四条
	Fields        []privacy.Field    `json:"fields"`
	// NoticeForbidden: the request says the law forbids telling the
	// person (e.g. while an investigation runs); the notice is withheld.
	NoticeForbidden bool `json:"notice_forbidden,omitempty"`
}

// AuthorityDisclosure is a recorded request and what left for it: field
// names, never values.
type AuthorityDisclosure struct {
	ID            string             `json:"id"`
	Subject       minimall.SubjectID `json:"subject,omitempty"`
	OrderID       string             `json:"order_id,omitempty"`
	AuthorityKind string             `json:"authority_kind"`
	Authority     string             `json:"authority"`
	AuthorityRef  string             `json:"authority_ref"`
	LegalBasis    string             `json:"legal_basis"`
	Fields        []privacy.Field    `json:"fields"` // what was sent
	Withheld      bool               `json:"notice_withheld,omitempty"`
	Operator      string             `json:"operator,omitempty"`
	Reference     string             `json:"reference,omitempty"`
	DisclosedAt   time.Time          `json:"disclosed_at"`
	NotifiedAt    *time.Time         `json:"notified_at,omitempty"`
	LiftedAt      *time.Time         `json:"prohibition_lifted_at,omitempty"`
}

var validAuthorityRef = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{2,63}$`)

// authorityOperator refuses a who may not record authority requests: the
// DPO or the legal-hold role, with a ticket.
func authorityOperator(a minimall.Actor, op string) error {
	switch {
	case a.Kind == minimall.Anonymous:
		return minimall.SignedIn(a, op)
	case a.Kind != minimall.Operator || (a.Role != minimall.RoleDPO && a.Role != minimall.RoleLegalHold):
		return minimall.Errorf(minimall.Denied, op, "Only the DPO or legal hold record requests from authorities. 仅个人信息保护负责人或法务可登记有权机关的要求。")
	case !privacy.ValidAccessReason(a.Reason):
		return minimall.Errorf(minimall.Invalid, op, "Give the ticket in X-Access-Reason. 请在 X-Access-Reason 中注明工单号。")
	}
	return nil
}

// plainName accepts an authority's name or a legal basis: 2 to max
// characters, one line, and no run of digits as long as a phone or ID
// number's, so no one's personal information is typed in.
func plainName(s string, max int) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > max || strings.ContainsAny(s, "\n\r@") {
		return false
	}
	digits := 0
	for _, c := range s {
		if c >= '0' && c <= '9' {
			digits++
		} else {
			digits = 0
		}
		if digits > 8 {
			return false
		}
	}
	return true
}

func (req *AuthorityRequest) validate(op string) error {
	switch {
	case req.Subject == "":
		return minimall.InvalidField(op, "subject", minimall.RuleRequired, "Name the person the request is about. 请指定被调取信息的用户。")
	case req.AuthorityKind != AuthorityCourt && req.AuthorityKind != AuthorityPolice && req.AuthorityKind != AuthorityRegulator:
		return minimall.InvalidField(op, "authority_kind", minimall.RuleChoice, "authority_kind is court, police or regulator. 机关类型须为法院、公安或监管机关。")
	case !plainName(strings.TrimSpace(req.Authority), 64):
		return minimall.InvalidField(op, "authority", minimall.RuleRequired, "Give the authority's name (2-64 characters, one line). 请填写机关名称。")
	case !validAuthorityRef.MatchString(req.AuthorityRef):
		return minimall.InvalidField(op, "authority_ref", minimall.RuleRequired, "Give the authority's document number (3-64 of A-Z a-z 0-9 . _ : / -). 请填写机关文书编号。")
	case strings.TrimSpace(req.LegalBasis) == "":
		return minimall.InvalidField(op, "legal_basis", minimall.RuleRequired, "A request without a legal basis is refused: name the law and article. 无法律依据的要求不予提供。")
	case !plainName(strings.TrimSpace(req.LegalBasis), 128):
		return minimall.InvalidField(op, "legal_basis", minimall.RuleFormat, "legal_basis is 2-128 characters on one line. 法律依据格式错误。")
	case len(req.Fields) == 0 || len(req.Fields) > 16:
		return minimall.InvalidField(op, "fields", minimall.RuleLength, "Name 1 to 16 fields the authority asked for. 请列明机关要求的字段。")
	}
	seen := map[privacy.Field]bool{}
	for _, f := range req.Fields {
		if seen[f] {
			return minimall.InvalidField(op, "fields", minimall.RuleDuplicate, "%s is named twice. 字段重复。", f)
		}
		seen[f] = true
		if !privacy.AuthorityMayReceive(f) {
			return minimall.InvalidField(op, "fields", minimall.RuleChoice, "%s may not be disclosed to an authority (see the sharing list). 该字段不在可向有权机关提供的范围内。", f)
		}
		if req.OrderID == "" && privacy.InOrderRecord(f) {
			return minimall.InvalidField(op, "order_id", minimall.RuleRequired, "%s is an order's: name the order. 订单字段须指定订单。", f)
		}
	}
	return nil
}
