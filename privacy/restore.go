package privacy

import (
	"context"
	"fmt"

	"minimall/privacy/internal/audit"
)

// RestoredChain is an audit chain a restore moved back: entries after To
// were written after the backup and are gone with it.
type RestoredChain struct {
	Chain    string
	From, To int64
}

// AcknowledgeRestore lets the kernel open on a data database restored from
// a backup: the audit log there ends before the checkpoints in the key
// store, which Open would otherwise refuse as truncation. It refuses a log
// with any other tampering. The key store itself (keys, erasure ledger) is
// never restored; Open then replays the erasure ledger.
func AcknowledgeRestore(ctx context.Context, c Config) ([]RestoredChain, error) {
	rw, err := audit.Rewind(ctx, c.Data, c.Keys, c.KeysDir)
	if err != nil {
		return nil, fmt.Errorf("privacy: acknowledge restore: %w", err)
	}
	out := make([]RestoredChain, len(rw))
	for i, r := range rw {
		out[i] = RestoredChain{Chain: r.Chain, From: r.From, To: r.To}
	}
	return out, nil
}
