package audit

import (
	"context"
	"crypto/hmac"
	"fmt"

	"minimall/sqldb"
)

// resume finds where chain continues: its last row in the data db, checked
// against the checkpoint in the key store, and the rows before it checked
// back to the last background verification, at most startCheck of them
// (checkRecent).
func resume(ctx context.Context, data, keys *sqldb.DB, m *chainMAC, chain string, startCheck int) (head, error) {
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
		return tail, checkRecent(ctx, data, keys, m, chain, cp.seq, startCheck)
	}
	end, err := catchUp(ctx, data, keys, m, chain, cp)
	if err != nil {
		return head{}, err
	}
	return end, checkRecent(ctx, data, keys, m, chain, cp.seq, startCheck)
}

// checkRecent checks that the rows of chain up to seq upTo chain with this
// key, from the last row the background verification found intact (its
// mark), or from the limit-th row before upTo if that is later: a deleted
// or edited row among them, or a lost or replaced audit.key, refuses the
// start. The rows before are left to the background verification (Recheck).
// The rows' end is tied to the checkpoint by the caller.
func checkRecent(ctx context.Context, data, keys *sqldb.DB, m *chainMAC, chain string, upTo int64, limit int) error {
	from, err := recentFrom(ctx, data, keys, m, chain, upTo, limit)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if from.seq >= upTo {
		return nil
	}
	if _, err := verifyRange(ctx, data, m, chain, from, upTo); err != nil {
		return fmt.Errorf("audit: the rows before the end of chain %q do not verify with audit.key (replaced key, or edited rows): %w", chain, err)
	}
	return nil
}

// recentFrom returns where checkRecent starts: the mark if it is within
// limit rows of upTo, else the stored row limit rows back (its mac is
// taken on trust: the rows after it must chain from it to the checkpoint),
// else the chain's base or start.
func recentFrom(ctx context.Context, data, keys *sqldb.DB, m *chainMAC, chain string, upTo int64, limit int) (head, error) {
	mark, err := readMark(ctx, keys, chain)
	if err != nil {
		return head{}, err
	}
	b, err := readBase(ctx, keys, chain)
	if err != nil {
		return head{}, err
	}
	back := upTo - int64(limit)
	switch {
	case mark.seq > 0 && mark.seq >= back && mark.seq >= b.seq:
		return mark, nil
	case back <= b.seq:
		return m.start(chain, b), nil
	}
	var h head
	err = data.QueryRowContext(ctx, `SELECT seq, mac FROM audit_log WHERE chain = ? AND seq <= ? ORDER BY seq DESC LIMIT 1`,
		chain, back).Scan(&h.seq, &h.mac)
	if err != nil {
		return head{}, fmt.Errorf("read audit rows: %w", err)
	}
	return h, nil
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
