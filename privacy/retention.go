package privacy

import (
	"context"
	"fmt"
	"time"

	"minimall"
	"minimall/outbox"
	"minimall/privacy/internal/audit"
	"minimall/privacy/internal/vault"
	"minimall/sqldb"
)

// DecisionExpire is the audit decision that records retention keys
// destroyed because their period ended.
const DecisionExpire = "expire"

// Retain moves a transaction record, sealed under the subject's data key,
// under the subject's retention key for the period the transaction
// completed in (E-commerce Law art. 31: kept three years from completion).
// The plaintext never leaves the kernel, so no purpose is needed; the move
// is audited like a seal. A value already under a retention key comes back
// unchanged. Returns a *Denied if the person was erased meanwhile.
func (g *Guard) Retain(ctx context.Context, s minimall.SubjectID, f Field, row string, completed time.Time, sealed []byte) ([]byte, error) {
	spec, ok := specs[f]
	if !ok || spec.Retention.Rule != AfterCompletion {
		return nil, fmt.Errorf("privacy: %s is not a transaction record", f)
	}
	a := aad(s, spec, row, sealVersion(spec))
	plain, kind, err := g.vault.Open(ctx, s, a, sealed)
	if err != nil {
		return nil, g.vaultError(ctx, minimall.SystemActor("retain"), s, f, "", err)
	}
	defer clear(plain)
	if kind == vault.Retention {
		return sealed, nil
	}
	out, err := g.vault.SealRetained(ctx, s, RetentionPeriod(completed), a, plain)
	if err != nil {
		return nil, g.vaultError(ctx, minimall.SystemActor("retain"), s, f, "", err)
	}
	g.audit.Record(audit.Entry{At: g.clock.Now(), Actor: "system:retain", Subject: string(s), Field: string(f), Decision: DecisionSeal, Reason: "retained", Ref: row})
	return out, nil
}

// LongestTransactionRetention is the longest AfterCompletion period in the
// registry: a retention key covers every transaction record of its
// period, so it may go only when the longest of them has run out.
func LongestTransactionRetention() time.Duration {
	var longest time.Duration
	for i := range registry {
		if r := registry[i].Retention; r.Rule == AfterCompletion && r.Period > longest {
			longest = r.Period
		}
	}
	return longest
}

// ExpiredRetentionPeriod returns the last completion period (YYYY-MM) whose
// records are all past their retention at now: the whole month must lie
// before now minus the longest retention, so nothing goes a day early.
func ExpiredRetentionPeriod(now time.Time) string {
	edge := now.UTC().Add(-LongestTransactionRetention())
	firstOfMonth := time.Date(edge.Year(), edge.Month(), 1, 0, 0, 0, 0, time.UTC)
	return RetentionPeriod(firstOfMonth.Add(-time.Nanosecond))
}

// DestroyRetentionPeriodsBefore destroys every retention key whose
// completion period ended its retention by now (E-commerce Law art. 31,
// then PIPL art. 47: delete when the period ends). Every copy of those
// transaction records, in live rows and in backups, becomes unreadable at
// once. Keys a standing legal hold covers stay until it is released
// (五(一)). The audit entry is durable before it returns. It returns the
// last period destroyed and how many keys went.
func (k *Kernel) DestroyRetentionPeriodsBefore(ctx context.Context, now time.Time) (string, int, error) {
	upTo := ExpiredRetentionPeriod(now)
	held, err := k.heldKeys(ctx)
	if err != nil {
		return upTo, 0, err
	}
	n, err := k.vault.ExpireRetention(ctx, upTo, held...)
	if err != nil {
		return upTo, 0, fmt.Errorf("privacy: expire retention: %w", err)
	}
	// Other nodes hold copies of these keys in their caches: the change
	// feed tells them to drop them, as it does for an erasure.
	if err := k.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		return outbox.Emit(ctx, tx, outbox.TopicRetentionExpired, "", map[string]string{"up_to": upTo})
	}); err != nil {
		return upTo, n, fmt.Errorf("privacy: announce expired retention: %w", err)
	}
	a := minimall.SystemActor("retention")
	if _, err := k.audit.Append(ctx, audit.Entry{At: k.clock.Now(), Actor: a.String(), Decision: DecisionExpire,
		Reason: fmt.Sprintf("retention_keys_destroyed:%d", n), Ref: "period<=" + upTo}); err != nil {
		return upTo, n, err
	}
	return upTo, n, nil
}
