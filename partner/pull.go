package partner

import (
	"context"

	"minimall"
)

// RecordPull logs a disclosure minimall makes by answering a partner's own
// call — an app reading a person's information with an access token —
// rather than by sending it. The same rules apply as to Send: the registry
// must let the partner receive each field for the purpose, and the guard
// must allow it now (consent, erasure); the row, its change-feed event and
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
	// check ends by looking up the partner's endpoint, its only Unavailable;
	// a pull needs none, so that one answer is not a refusal.
	if _, err := g.check(ctx, op, d); err != nil && minimall.ErrorCode(err) != minimall.Unavailable {
		return err
	}
	_, err := g.logDisclosure(ctx, d, "")
	return err
}
