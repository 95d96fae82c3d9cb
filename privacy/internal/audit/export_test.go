package audit

import (
	"context"

	"minimall/sqldb"
)

// RewriteForTest does what the holder of the keys folder can: it changes
// the reason of chain's entry at seq, re-chains every later entry with the
// audit key and moves the checkpoint to the new end, so Verify passes.
func RewriteForTest(ctx context.Context, data, keys *sqldb.DB, keysDir, chain string, seq int64, reason string) error {
	key, err := readKey(keysDir)
	if err != nil {
		return err
	}
	m := newChainMAC(key)
	b, err := readBase(ctx, keys, chain)
	if err != nil {
		return err
	}
	prev := m.start(chain, b)
	rows, err := readRows(ctx, data, chain, b.seq, 0, 1<<30)
	if err != nil {
		return err
	}
	for i := range rows {
		r := &rows[i]
		if r.seq == seq {
			r.reason = reason
		}
		if r.seq >= seq {
			r.mac = m.sum(nil, prev.mac, r)
			if _, err := data.ExecContext(ctx, `UPDATE audit_log SET reason = ?, mac = ? WHERE chain = ? AND seq = ?`, r.reason, r.mac, chain, r.seq); err != nil {
				return err
			}
		}
		prev = head{seq: r.seq, mac: r.mac}
	}
	_, err = keys.ExecContext(ctx, `UPDATE audit_heads SET mac = ? WHERE chain = ?`, prev.mac, chain)
	return err
}
