package privacy

import (
	"context"
	"fmt"
	"slices"

	"minimall/privacy/internal/audit"
)

// LookupFields are the fields that have a blind index (Kernel.BlindIndex),
// each under a lookup key of its own, rotated on its own (RotateLookup):
//
//   - AccountPhone: sign-in by phone, one-time codes, held registrations
//     of children (accounts.phone_index, verification_codes, login_throttle)
//   - MemberName: unique member names, sign-in by name (accounts.member_name_index)
//   - SearchQuery: a person's repeated query (search_history.query_index)
//   - CartItem: a person's cart line of an item (cart_items.item_index)
//   - DeviceID: a person's known device (devices.device_index)
//   - OrderItems: what a checkout retry must repeat (checkouts.request_hash)
//   - RecipientPhone: the orders naming a recipient who asks about them
//     (orders.recipient_phone_index), and the count of their requests
var LookupFields = []Field{AccountPhone, MemberName, SearchQuery, CartItem, DeviceID, OrderItems, RecipientPhone}

// DecisionRotateLookup is the audit decision that records a lookup key
// rotated: the new generation made current, the old keys destroyed.
const DecisionRotateLookup = "rotate_lookup"

// A Reindexer is an area's part of a lookup-key rotation: it writes anew
// the blind indexes it stores for field f, under the key now current,
// opening sealed values through the guard where the index is made from
// one, and returns how many rows it rewrote. Indexes it cannot make anew
// (the value is not kept, as a one-time code's) it deletes: they would no
// longer match, and the old key's output should not outlive it.
type Reindexer interface {
	Lookups() []Field
	Reindex(ctx context.Context, f Field) (int, error)
}

// LookupRotation reports one RotateLookup.
type LookupRotation struct {
	Field      Field          `json:"field"`
	Generation int            `json:"generation"`     // the key now current
	Rewritten  map[string]int `json:"rewritten"`      // rows rewritten, per area
	Destroyed  int            `json:"keys_destroyed"` // older keys gone from the key store (and lookup.key, if it was the last use)
}

// RotateLookup gives field f a new lookup key and retires the old one, in
// three steps: (1) a new generation, current at once in this process;
// (2) every reindexer that stores indexes of f writes them anew; (3) the
// older keys are destroyed. Run it with the platform stopped (other
// processes keep the key they loaded at start). If it is interrupted, run
// it again: until step 3, the old key stays in the key store and step 2
// rewrites every row whatever key made it.
func (k *Kernel) RotateLookup(ctx context.Context, f Field, rs []Reindexer) (*LookupRotation, error) {
	const op = "privacy.RotateLookup"
	if !slices.Contains(LookupFields, f) {
		return nil, fmt.Errorf("%s: %s has no blind index", op, f)
	}
	gen, err := k.vault.AddLookupGeneration(ctx, string(f))
	if err != nil {
		return nil, err
	}
	rep := &LookupRotation{Field: f, Generation: gen, Rewritten: map[string]int{}}
	for _, r := range rs {
		if !slices.Contains(r.Lookups(), f) {
			continue
		}
		n, err := r.Reindex(ctx, f)
		if err != nil {
			return rep, fmt.Errorf("%s: re-index: %w", op, err)
		}
		rep.Rewritten[fmt.Sprintf("%T", r)] += n
	}
	if rep.Destroyed, err = k.vault.RetireLookups(ctx, string(f)); err != nil {
		return rep, err
	}
	_, err = k.audit.Append(ctx, audit.Entry{At: k.clock.Now(), Actor: "system:keys", Field: string(f), Decision: DecisionRotateLookup,
		Reason: fmt.Sprintf("generation %d", gen)})
	return rep, err
}

// LookupGeneration returns the generation of f's current lookup key: 0
// while it still shares the legacy lookup.key of older versions.
func (k *Kernel) LookupGeneration(f Field) int { return k.vault.LookupGeneration(string(f)) }

func lookupNames() []string {
	out := make([]string, len(LookupFields))
	for i, f := range LookupFields {
		out[i] = string(f)
	}
	return out
}
