package partner

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"minimall"
	"minimall/privacy"
)

// DecisionNotifyDeletion is the audit decision of a confirmed deletion
// notice.
const DecisionNotifyDeletion = "notify_deletion"

// opDeletion is the partner operation that receives deletion notices.
const opDeletion = "deletion"

// NotifyDeletion tells partners to delete what they hold about subject
// (PIPL art. 47; policy 四(三): we notify those who received your
// information). With no partners named it notifies every partner that may
// still hold something: each disclosure not yet confirmed deleted, failed
// ones included. Each confirmation marks the rows deleted and is audited;
// a partner already notified is not asked again, so calling it twice is
// harmless. It works after erasure too, from the refs the log kept.
//
// Returns Invalid for an empty subject or an unknown partner; Unavailable
// if any partner could not confirm (the others are still notified, and a
// later call retries only the ones that failed).
func (g *Gateway) NotifyDeletion(ctx context.Context, subject minimall.SubjectID, partners ...privacy.PartnerID) error {
	const op = "partner.NotifyDeletion"
	if subject == "" {
		return minimall.Errorf(minimall.Invalid, op, "A subject is required. 需要指定用户。")
	}
	only := map[privacy.PartnerID]bool{}
	for _, p := range partners {
		if _, ok := privacy.Partner(p); !ok {
			return minimall.Errorf(minimall.Invalid, op, "Unknown partner. 未知的合作方。")
		}
		only[p] = true
	}
	held, err := g.heldRefs(ctx, subject)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range sortedPartners(held) {
		if len(only) > 0 && !only[p] {
			continue
		}
		for _, ref := range held[p] {
			if err := g.notifyOne(ctx, op, subject, p, ref); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) > 0 {
		return unavailable(op, errors.Join(errs...))
	}
	return nil
}

// notifyOne sends one deletion notice and records the confirmation.
func (g *Gateway) notifyOne(ctx context.Context, op string, subject minimall.SubjectID, p privacy.PartnerID, ref string) error {
	ep, err := g.endpoint(op, p)
	if err != nil {
		return err
	}
	if _, err := g.call(ctx, op, ep, opDeletion, Envelope{PartnerRef: ref}); err != nil {
		return err
	}
	if err := g.markDeleted(ctx, subject, p, ref); err != nil {
		return err
	}
	if err := g.k.AuditAppend(ctx, g.actor, subject, DecisionNotifyDeletion, string(p)); err != nil {
		return fmt.Errorf("partner: audit deletion: %w", err)
	}
	return nil
}

func sortedPartners(m map[privacy.PartnerID][]string) []privacy.PartnerID {
	out := make([]privacy.PartnerID, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
