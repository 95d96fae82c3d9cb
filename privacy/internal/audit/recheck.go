package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"minimall/sqldb"
)

// Recheck verifies the whole log as Verify does, calling pace (if not nil)
// after each page it reads, so that a caller running it beside the
// requests can pause there and leave the machine to them. For each chain that verified it
// then records in the key store the last row it found intact: Open checks
// the rows after that mark at start (at most Options.StartCheck of them),
// so between them Open and Recheck cover every row.
func Recheck(ctx context.Context, data, keys *sqldb.DB, keysDir string, pace func()) (*Report, error) {
	r, err := verify(ctx, data, keys, keysDir, pace)
	if err != nil {
		return nil, err
	}
	for c := range r.intact() {
		if end := r.ends[c]; end.seq > 0 {
			if err := writeMark(ctx, keys, c, end); err != nil {
				return r, err
			}
		}
	}
	return r, nil
}

// readMark returns the last row of chain Recheck found intact; seq 0 if
// none. Like the checkpoint it lives in the key store, so it is trusted.
func readMark(ctx context.Context, keys *sqldb.DB, chain string) (head, error) {
	var h head
	err := keys.QueryRowContext(ctx, `SELECT seq, mac FROM audit_verified WHERE chain = ?`, chain).Scan(&h.seq, &h.mac)
	if errors.Is(err, sql.ErrNoRows) {
		return head{}, nil
	}
	if err != nil {
		return head{}, fmt.Errorf("read audit verified mark: %w", err)
	}
	return h, nil
}

// writeMark records h as the last row of chain found intact; it never
// moves a mark backwards (Rewind does, after a restore).
func writeMark(ctx context.Context, keys *sqldb.DB, chain string, h head) error {
	_, err := keys.ExecContext(ctx, `INSERT INTO audit_verified (chain, seq, mac, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, mac = excluded.mac, at = excluded.at
		WHERE audit_verified.seq <= excluded.seq`, chain, h.seq, h.mac, sqldb.Micros(keys.Now()))
	if err != nil {
		return fmt.Errorf("audit: write verified mark: %w", err)
	}
	return nil
}
