package audit

import (
	"context"
	"fmt"

	"minimall/sqldb"
)

// Rewound is one chain whose checkpoint a restore moved back: the entries
// after To were lost with the data written since the backup.
type Rewound struct {
	Chain    string
	From, To int64
}

// Rewind acknowledges a restore from a backup: the audit log in the
// restored data database ends before the checkpoints in the key store.
// Each chain must verify from its start and may only be short at its end
// (truncated); its checkpoint is then moved back to the restored end. Any
// other problem (edited, deleted, inserted rows) refuses the restore with
// ErrTampered, so a restore cannot launder tampering.
func Rewind(ctx context.Context, data, keys *sqldb.DB, keysDir string) ([]Rewound, error) {
	r, err := Verify(ctx, data, keys, keysDir)
	if err != nil {
		return nil, err
	}
	short := map[string]bool{}
	for _, p := range r.Problems {
		if p.Kind != Truncated {
			return nil, fmt.Errorf("%w: chain %q has a %s row at seq %d; run `minimall audit verify`", ErrTampered, p.Chain, p.Kind, p.Seq)
		}
		short[p.Chain] = true
	}
	var out []Rewound
	for _, ch := range r.Chains {
		if !short[ch.Chain] {
			continue
		}
		tail, err := readTail(ctx, data, ch.Chain)
		if err != nil {
			return out, fmt.Errorf("audit: %w", err)
		}
		// The one place a checkpoint moves backwards; writeCheckpoint never does.
		q := `UPDATE audit_heads SET seq = ?, mac = ?, at = ? WHERE chain = ?`
		args := []any{tail.seq, tail.mac, sqldb.Micros(keys.Now()), ch.Chain}
		if tail.seq == 0 {
			q, args = `DELETE FROM audit_heads WHERE chain = ?`, []any{ch.Chain}
		}
		if _, err := keys.ExecContext(ctx, q, args...); err != nil {
			return out, fmt.Errorf("audit: rewind checkpoint: %w", err)
		}
		// A verified mark past the restored end names rows that are gone.
		if _, err := keys.ExecContext(ctx, `DELETE FROM audit_verified WHERE chain = ? AND seq > ?`, ch.Chain, tail.seq); err != nil {
			return out, fmt.Errorf("audit: rewind verified mark: %w", err)
		}
		out = append(out, Rewound{Chain: ch.Chain, From: ch.Checkpoint, To: tail.seq})
	}
	return out, nil
}
