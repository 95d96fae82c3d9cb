package audit

import (
	"context"
	"crypto/hmac"
	"fmt"

	"minimall/sqldb"
)

// resume finds where chain continues: its last row in the data db, checked
// against the checkpoint in the key store.
func resume(ctx context.Context, data, keys *sqldb.DB, m *chainMAC, chain string) (head, error) {
	cp, err := readCheckpoint(ctx, keys, chain)
	if err != nil {
		return head{}, fmt.Errorf("audit: %w", err)
	}
	tail, err := readTail(ctx, data, chain)
	if err != nil {
		return head{}, fmt.Errorf("audit: %w", err)
	}
	switch {
	case tail.seq < cp.seq:
		return head{}, fmt.Errorf("%w: chain %q ends at seq %d but its checkpoint is at seq %d; run `minimall audit verify`",
			ErrTruncated, chain, tail.seq, cp.seq)
	case tail.seq == cp.seq && cp.seq == 0:
		return head{mac: m.genesis(chain)}, nil
	case tail.seq == cp.seq:
		if !hmac.Equal(tail.mac, cp.mac) {
			return head{}, fmt.Errorf("%w: the last row of chain %q does not match its checkpoint; run `minimall audit verify`", ErrTampered, chain)
		}
		return tail, checkTail(ctx, data, m, chain, tail)
	}
	return catchUp(ctx, data, keys, m, chain, cp)
}

// checkTail checks that the last row chains from the one before it with
// this key. Chaining on with another key (a lost or replaced audit.key)
// would leave every later row unverifiable.
func checkTail(ctx context.Context, data *sqldb.DB, m *chainMAC, chain string, tail head) error {
	from := head{mac: m.genesis(chain)}
	if tail.seq > 1 {
		rows, err := readRows(ctx, data, chain, tail.seq-2, 1)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		if len(rows) == 0 || rows[0].seq != tail.seq-1 {
			return fmt.Errorf("%w: chain %q has a gap before its last row; run `minimall audit verify`", ErrTampered, chain)
		}
		from = head{seq: tail.seq - 1, mac: rows[0].mac}
	}
	if _, err := verifyAfter(ctx, data, m, chain, from); err != nil {
		return fmt.Errorf("audit: the last row of chain %q does not verify with audit.key (replaced key, or edited row): %w", chain, err)
	}
	return nil
}

// catchUp verifies the rows written after the checkpoint (the process died
// between the data commit and the checkpoint) and advances the checkpoint.
func catchUp(ctx context.Context, data, keys *sqldb.DB, m *chainMAC, chain string, cp head) (head, error) {
	from := cp
	if cp.seq == 0 {
		from = head{mac: m.genesis(chain)}
	}
	end, err := verifyAfter(ctx, data, m, chain, from)
	if err != nil {
		return head{}, fmt.Errorf("audit: %w", err)
	}
	if err := writeCheckpoint(ctx, keys, chain, end); err != nil {
		return head{}, fmt.Errorf("audit: %w", err)
	}
	return end, nil
}
