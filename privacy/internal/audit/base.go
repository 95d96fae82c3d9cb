package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"minimall/sqldb"
)

// base is where a chain's rows in the data database begin once a sweep
// (prune.go) removed its oldest ones: the last removed row, which the
// first kept row chains from. It lives in the key store, beside the
// checkpoint, and is trusted as the checkpoint is.
type base struct {
	head
	at     int64 // the last removed row's time, microseconds
	cutoff int64 // the sweep's cutoff: every entry at or after it is kept
}

// readBases returns every chain's base in the key store.
func readBases(ctx context.Context, keys *sqldb.DB) (map[string]base, error) {
	rows, err := keys.QueryContext(ctx, `SELECT chain, seq, mac, at, cutoff FROM audit_bases`)
	if err != nil {
		return nil, fmt.Errorf("read audit bases: %w", err)
	}
	defer rows.Close()
	out := map[string]base{}
	for rows.Next() {
		var c string
		var b base
		if err := rows.Scan(&c, &b.seq, &b.mac, &b.at, &b.cutoff); err != nil {
			return nil, fmt.Errorf("read audit bases: %w", err)
		}
		out[c] = b
	}
	return out, rows.Err()
}

// readBase returns chain's base; seq 0 if nothing was ever removed.
func readBase(ctx context.Context, keys *sqldb.DB, chain string) (base, error) {
	var b base
	err := keys.QueryRowContext(ctx, `SELECT seq, mac, at, cutoff FROM audit_bases WHERE chain = ?`, chain).
		Scan(&b.seq, &b.mac, &b.at, &b.cutoff)
	if errors.Is(err, sql.ErrNoRows) {
		return base{}, nil
	}
	if err != nil {
		return base{}, fmt.Errorf("read audit base: %w", err)
	}
	return b, nil
}

// writeBase records b as chain's base; it never moves a base backwards.
func writeBase(ctx context.Context, keys *sqldb.DB, chain string, b base) error {
	_, err := keys.ExecContext(ctx, `INSERT INTO audit_bases (chain, seq, mac, at, cutoff) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, mac = excluded.mac, at = excluded.at, cutoff = excluded.cutoff
		WHERE audit_bases.seq <= excluded.seq`, chain, b.seq, b.mac, b.at, b.cutoff)
	if err != nil {
		return fmt.Errorf("write audit base: %w", err)
	}
	return nil
}

// start returns the head a chain's stored rows chain from: its base, or
// its genesis if nothing was removed.
func (c *chainMAC) start(chain string, b base) head {
	if b.seq > 0 {
		return b.head
	}
	return head{mac: c.genesis(chain)}
}

// KeptFrom returns the latest cutoff of any sweep that removed entries:
// the log holds every entry from then on. Zero if no entry was removed.
func KeptFrom(ctx context.Context, keys *sqldb.DB) (time.Time, error) {
	bs, err := readBases(ctx, keys)
	if err != nil {
		return time.Time{}, fmt.Errorf("audit: %w", err)
	}
	var latest int64
	for _, b := range bs {
		latest = max(latest, b.cutoff)
	}
	if latest == 0 {
		return time.Time{}, nil
	}
	return sqldb.FromMicros(latest), nil
}
