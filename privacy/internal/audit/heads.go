package audit

import (
	"context"
	"fmt"
	"time"

	"minimall/sqldb"
)

// Head is one chain's checkpointed end as the key store holds it: its
// last seq, that entry's mac and when the checkpoint was written.
type Head struct {
	Chain string
	Seq   int64
	MAC   []byte
	At    time.Time
}

// Heads returns every chain's checkpointed head, by chain name: what the
// operators' console shows of the log's state (no entry, no person).
func Heads(ctx context.Context, keys *sqldb.DB) ([]Head, error) {
	rows, err := keys.QueryContext(ctx, `SELECT chain, seq, mac, at FROM audit_heads ORDER BY chain`)
	if err != nil {
		return nil, fmt.Errorf("read audit heads: %w", err)
	}
	defer rows.Close()
	var out []Head
	for rows.Next() {
		var h Head
		var at int64
		if err := rows.Scan(&h.Chain, &h.Seq, &h.MAC, &at); err != nil {
			return nil, fmt.Errorf("read audit heads: %w", err)
		}
		h.At = sqldb.FromMicros(at)
		out = append(out, h)
	}
	return out, rows.Err()
}
