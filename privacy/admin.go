package privacy

import (
	"context"
	"fmt"

	"minimall/privacy/internal/audit"
	"minimall/privacy/internal/vault"
)

// AuditReport is the result of verifying the audit log.
type AuditReport struct {
	OK       bool
	Rows     int64
	Problems []AuditProblem
	// Witnessed is how many heads a witness keeps were checked against the
	// log (VerifyAuditWitnessed); WitnessArchived how many lay before a
	// chain's base, in archives or dropped.
	Witnessed, WitnessArchived int
}

// AuditProblem is one tampering found: which chain, which entry, what kind
// (edited, deleted, inserted, reordered, truncated, misindexed).
type AuditProblem struct {
	Chain  string
	Seq    int64
	Kind   string
	Detail string
}

// VerifyAudit checks every audit chain against its key and its checkpointed
// head, both kept outside the data database.
func VerifyAudit(ctx context.Context, c Config) (*AuditReport, error) {
	r, err := audit.Verify(ctx, c.Data, c.Keys, c.KeysDir)
	if err != nil {
		return nil, fmt.Errorf("privacy: verify audit: %w", err)
	}
	out := &AuditReport{OK: r.OK()}
	for _, ch := range r.Chains {
		out.Rows += ch.Rows
	}
	for _, p := range r.Problems {
		out.Problems = append(out.Problems, AuditProblem{Chain: p.Chain, Seq: p.Seq, Kind: p.Kind.String(), Detail: p.Detail})
	}
	return out, nil
}

// VerifyAudit checks the running kernel's audit chains, as the package's
// VerifyAudit does for a store at rest: for the operators' console.
func (k *Kernel) VerifyAudit(ctx context.Context) (*AuditReport, error) {
	if err := k.AuditFlush(ctx); err != nil {
		return nil, err
	}
	return VerifyAudit(ctx, k.cfg)
}

// RotateKeys makes a new master key and rewraps every subject key under it,
// returning how many keys were rewrapped.
func RotateKeys(ctx context.Context, c Config) (int, error) {
	v, err := vault.Open(ctx, c.Keys, c.KeysDir)
	if err != nil {
		return 0, fmt.Errorf("privacy: open vault: %w", err)
	}
	return v.Rotate(ctx)
}
