package partner

import (
	"context"

	"minimall"
)

// RecordPull logs a disclosure minimall makes by answering a partner's own
// call — an app reading a person's information with an access token —
// rather than by sending it. The same permit is needed as for Send: the
// guard checks the registry's recipients, consent and erasure; the row, its change-feed event and
// its audit entry are written before the caller hands anything over.
//
// No partner ref is kept: the partner is not reached through the gateway,
// so deletion notices for pulled data are the caller's to deliver.
//
// Returns the same errors as Send, except that no endpoint is needed.
func (g *Gateway) RecordPull(ctx context.Context, d Disclosure) error {
	const op = "partner.RecordPull"
	if d.Subject == "" {
		return minimall.Errorf(minimall.Invalid, op, "A subject is required. 需要指定用户。")
	}
	if err := checkShape(op, d); err != nil {
		return err
	}
	permit, err := g.k.Guard().PermitDisclosure(ctx, g.actorFor(d), d.Subject, d.Partner, d.Purpose, sortedFields(d.Fields))
	if err != nil {
		return err
	}
	_, err = g.logDisclosure(ctx, d, permit, "")
	return err
}
