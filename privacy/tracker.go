package privacy

import (
	"context"
	"strings"
	"time"

	"minimall"
	"minimall/privacy/internal/audit"
)

// Access is one use of a person's information by someone other than the
// person, as their data tracker shows it ("who opened my data and why"):
// the role, never the name of the operator (the DPO can name them on
// request), and what the audit log holds of the why.
type Access struct {
	At       time.Time `json:"at"`
	By       string    `json:"by"`                // operator/<role>, seller@<shop>, partner:<id>, shopper
	Fields   []string  `json:"fields,omitempty"`  // which information
	Purpose  string    `json:"purpose,omitempty"` // for what
	Decision string    `json:"decision"`          // allow, deny, disclose, disclose_cancelled
	Ref      string    `json:"ref,omitempty"`     // the ticket, request or row it was about
}

// AccessesByOthers returns the newest limit uses of the signed-in person's
// information by anyone but themselves and the platform's own components:
// operators, sellers, partners' disclosures, legal holds. It reads the
// audit log through its index by person.
func (k *Kernel) AccessesByOthers(ctx context.Context, a minimall.Actor, limit int) ([]Access, error) {
	if err := minimall.SignedIn(a, "privacy.AccessesByOthers"); err != nil {
		return nil, err
	}
	recs, err := k.audit.Find(ctx, audit.Filter{Subject: string(a.Subject), ByOthers: true, Newest: true, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Access, 0, len(recs))
	for _, r := range recs {
		out = append(out, accessOf(r))
	}
	return out, nil
}

// accessOf shows an audit record as an access: the actor by role only.
func accessOf(r audit.Record) Access {
	acc := Access{At: r.At, Purpose: r.Purpose, Decision: r.Decision, Ref: r.Ref}
	if r.Field != "" {
		acc.Fields = strings.Split(r.Field, ",")
	}
	kind, rest, _ := strings.Cut(r.Actor, ":")
	switch kind {
	case "operator":
		_, role, _ := strings.Cut(rest, "/")
		acc.By = "operator/" + role
	case "seller":
		_, shop, _ := strings.Cut(rest, "@")
		acc.By = "seller@" + shop
	case "partner":
		acc.By = r.Actor
	default:
		acc.By = kind
	}
	if r.Decision == DecisionDisclose || r.Decision == DecisionDiscloseCancelled {
		// A disclosure's reason names the partner and the purpose.
		partner, purpose, _ := strings.Cut(r.Reason, ":")
		acc.By, acc.Purpose = "partner:"+partner, purpose
	}
	return acc
}
