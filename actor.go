package minimall

import "context"

// ActorKind says what sort of party is acting.
type ActorKind int

const (
	Anonymous ActorKind = iota // a visitor who is not signed in
	Shopper                    // a signed-in person acting for themselves
	Seller                     // a shop's staff
	Operator                   // platform staff with a Role
	System                     // the platform itself, acting for a declared purpose
	Partner                    // an external partner calling back
	// Guardian is a child's guardian (七), who has no account: Subject is
	// the child they act for, Reason the rights request they act under.
	Guardian
)

var actorKindNames = [...]string{"anonymous", "shopper", "seller", "operator", "system", "partner", "guardian"}

func (k ActorKind) String() string {
	if int(k) < len(actorKindNames) {
		return actorKindNames[k]
	}
	return "unknown"
}

// Role is an operator's role; the privacy package says which purposes each
// role may act for.
type Role string

const (
	RoleCustomerService Role = "customer_service"
	RoleSecurity        Role = "security"
	RoleDPO             Role = "dpo"
	RoleLegalHold       Role = "legal_hold"
	RoleOps             Role = "ops"
)

// Roles lists every operator role.
var Roles = []Role{RoleCustomerService, RoleSecurity, RoleDPO, RoleLegalHold, RoleOps}

// Actor is whoever performs an action: the subject acting for themselves, a
// seller, an operator with a role, or the platform itself.
type Actor struct {
	Kind    ActorKind
	Subject SubjectID // the shopper's own subject, if Kind is Shopper
	ID      string    // operator, seller, partner or system component id
	Role    Role      // for operators
	Shop    string    // for sellers
	// Reason is the ticket or request id that justifies an operator's
	// access; the guard refuses operator access without one.
	Reason string
}

// String names the actor for the audit log without personal information.
func (a Actor) String() string {
	switch a.Kind {
	case Shopper:
		return "shopper:" + string(a.Subject)
	case Operator:
		return "operator:" + a.ID + "/" + string(a.Role)
	case Seller:
		return "seller:" + a.ID + "@" + a.Shop
	case System, Partner:
		return a.Kind.String() + ":" + a.ID
	case Guardian:
		return "guardian:" + string(a.Subject)
	}
	return a.Kind.String()
}

// SystemActor returns the platform acting through component id.
func SystemActor(id string) Actor { return Actor{Kind: System, ID: id} }

// GuardianActor returns the guardian of child acting for them under the
// rights request requestID (policy 七).
func GuardianActor(child SubjectID, requestID string) Actor {
	return Actor{Kind: Guardian, Subject: child, ID: "guardian", Reason: requestID}
}

// ShopperActor returns the subject acting for themselves.
func ShopperActor(s SubjectID) Actor { return Actor{Kind: Shopper, Subject: s} }

// SignedIn returns nil if a is a signed-in person acting for themselves,
// and otherwise the one answer every area gives anyone else: Unauthorized,
// "Sign in first". An operator check answers a visitor with it too.
func SignedIn(a Actor, op string) error {
	if a.Kind != Shopper || a.Subject == "" {
		return Errorf(Unauthorized, op, "Sign in first. 请先登录。")
	}
	return nil
}

type actorKey struct{}

// NewContextWithActor returns ctx carrying a.
func NewContextWithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor in ctx, or an Anonymous one.
func ActorFromContext(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}
