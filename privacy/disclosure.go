package privacy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"minimall"
	"minimall/privacy/internal/audit"
	"minimall/privacy/internal/vault"
)

// Audit decisions of a hand-over to a partner.
const (
	// DecisionDisclose is written, durably, before a permitted hand-over
	// leaves (Permit.Log).
	DecisionDisclose = "disclose"
	// DecisionDiscloseCancelled follows a disclose entry whose hand-over
	// was not logged by the gateway, and so never sent (Permit.Cancel).
	DecisionDiscloseCancelled = "disclose_cancelled"
)

// Permit is the guard's leave to hand some of a person's fields to one
// partner for one purpose (三(一): entrusted processing gets only the
// fields its declared duty needs). Only the guard issues one; the partner
// gateway carries a request only when a permit covers it exactly.
type Permit struct {
	Actor   minimall.Actor
	Partner PartnerID
	Purpose Purpose
	Subject minimall.SubjectID // "" before an account exists
	Fields  []Field            // sorted
	// Ref is the name the partner knows the person by: a pseudonym per
	// partner, derived from the person's key, so two partners cannot link
	// their records and erasure unlinks it (PIPL art. 73(3)); before an
	// account exists, a random one-off ref of the same shape.
	Ref string

	guard *Guard // the issuer; nil for a Permit made outside the guard
}

// PermitDisclosure checks a hand-over of fields of s to partner for
// purpose p, and returns the permit for it. The registry decides first
// (each field must be declared, and the partner a declared recipient of
// it for p), then the guard's rules at this moment: consent withdrawn
// since the caller opened a value stops the hand-over (PIPL art. 15), and
// so does erasure. A refusal is written to the audit log, durably, before
// it is returned.
//
// Returns Invalid for an unknown partner or purpose, and a *Denied for a
// field that may not go.
func (g *Guard) PermitDisclosure(ctx context.Context, a minimall.Actor, s minimall.SubjectID, partner PartnerID, p Purpose, fields []Field) (*Permit, error) {
	const op = "privacy.PermitDisclosure"
	if _, ok := Partner(partner); !ok {
		return nil, minimall.Errorf(minimall.Invalid, op, "Unknown partner. 未知的合作方。")
	}
	if _, ok := PurposeOf(p); !ok {
		return nil, minimall.Errorf(minimall.Invalid, op, "Unknown purpose. 未知的处理目的。")
	}
	pm := &Permit{Actor: a, Partner: partner, Purpose: p, Subject: s, Fields: slices.Sorted(slices.Values(fields)), guard: g}
	for _, f := range pm.Fields {
		spec, ok := specs[f]
		switch {
		case !ok:
			return nil, pm.deny(ctx, f, UnknownField)
		case !spec.MayReceive(partner, p):
			return nil, pm.deny(ctx, f, PurposeNotAllowed)
		}
	}
	if s == "" {
		pm.Ref = minimall.RandomToken(13)[:20]
		return pm, nil
	}
	for _, f := range pm.Fields {
		if err := g.Check(ctx, a, s, f, p); err != nil {
			return nil, err
		}
	}
	ref, err := g.vault.Pseudonym(ctx, s, "partner:"+string(partner))
	if errors.Is(err, vault.ErrErased) {
		return nil, pm.deny(ctx, "", SubjectErased)
	}
	if err != nil {
		return nil, err
	}
	pm.Ref = ref
	return pm, nil
}

// Covers reports whether the guard issued p for exactly this hand-over.
func (p *Permit) Covers(partner PartnerID, purpose Purpose, s minimall.SubjectID, fields []Field) bool {
	return p != nil && p.guard != nil && p.Partner == partner && p.Purpose == purpose && p.Subject == s &&
		slices.Equal(p.Fields, slices.Sorted(slices.Values(fields)))
}

// Log writes the hand-over to the audit log and waits until the entry is
// durable: a disclosure the log does not show must be impossible (PIPL
// art. 55-56), so nothing leaves before it returns.
func (p *Permit) Log(ctx context.Context) error {
	return p.append(ctx, DecisionDisclose, string(p.Partner)+":"+string(p.Purpose))
}

// Cancel follows Log when the hand-over was stopped before it left.
func (p *Permit) Cancel(ctx context.Context) error {
	return p.append(ctx, DecisionDiscloseCancelled, string(p.Partner)+":"+string(p.Purpose))
}

// deny writes a refusal of field f durably and returns it.
func (p *Permit) deny(ctx context.Context, f Field, r Reason) error {
	reason := strings.TrimSpace(fmt.Sprintf("%s %s:%s %s", r, p.Partner, p.Purpose, f))
	if err := p.append(ctx, DecisionDeny, reason); err != nil {
		return fmt.Errorf("privacy: audit a refused disclosure: %w", err)
	}
	return &Denied{Field: f, Purpose: p.Purpose, Reason: r}
}

func (p *Permit) append(ctx context.Context, decision, reason string) error {
	if p.guard == nil {
		return errors.New("privacy: a permit not issued by the guard")
	}
	g := p.guard
	fields := make([]string, len(p.Fields))
	for i, f := range p.Fields {
		fields[i] = string(f)
	}
	// The fields go in the entry, so the person's data tracker shows what left.
	_, err := g.audit.Append(ctx, audit.Entry{At: g.clock.Now(), Actor: p.Actor.String(), Subject: string(p.Subject),
		Field: strings.Join(fields, ","), Decision: decision, Reason: reason, Ref: p.Actor.Reason})
	return err
}
