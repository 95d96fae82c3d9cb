package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"minimall/sqldb"
)

// The log's index by person, audit_subjects, is filled in bulk rather than
// with every batch: as an index on audit_log it wrote a page for every
// person in every batch, which under load was a third of what each commit
// wrote. Each Log indexes its own chain every indexEvery, a chunk of rows
// at a time; a search by person first indexes every chain up to its end,
// so it sees every durable entry.
const (
	indexEvery = time.Second
	indexChunk = 2000
)

// indexChain adds up to indexChunk of chain's rows after its mark to
// audit_subjects, in one transaction, and reports whether more remain.
// Nodes indexing the same rows at once do no harm: a row indexed twice is
// skipped, and the mark only moves forward.
func indexChain(ctx context.Context, db *sqldb.DB, chain string) (more bool, err error) {
	err = db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		var from int64
		err := tx.QueryRowContext(ctx, `SELECT seq FROM audit_indexed WHERE chain = ?`, chain).Scan(&from)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var to int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit_log WHERE chain = ? AND seq > ? AND seq <= ?`,
			chain, from, from+indexChunk).Scan(&to); err != nil {
			return err
		}
		if to <= from {
			return nil
		}
		// In (subject, seq) order, so each person's page is written once.
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_subjects (subject, chain, seq, at)
			SELECT subject, chain, seq, at FROM audit_log WHERE chain = ? AND seq > ? AND seq <= ? AND subject <> ''
			ORDER BY subject, seq ON CONFLICT DO NOTHING`, chain, from, to); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_indexed (chain, seq) VALUES (?, ?)
			ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq WHERE audit_indexed.seq < excluded.seq`, chain, to); err != nil {
			return err
		}
		more = to == from+indexChunk
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("audit: index chain %q: %w", chain, err)
	}
	return more, nil
}

// indexChainToEnd indexes chain chunk by chunk up to its end.
func indexChainToEnd(ctx context.Context, db *sqldb.DB, chain string) error {
	for more := true; more; {
		var err error
		if more, err = indexChain(ctx, db, chain); err != nil {
			return err
		}
	}
	return nil
}

// indexAll indexes every chain up to its end.
func indexAll(ctx context.Context, db *sqldb.DB) error {
	chains, err := listChains(ctx, db)
	if err != nil {
		return err
	}
	for _, c := range chains {
		if err := indexChainToEnd(ctx, db, c); err != nil {
			return err
		}
	}
	return nil
}

// trimIndex drops index entries past the chain's end, which a restore
// from a backup leaves behind; the chain goes on from head with those
// seqs again.
func trimIndex(ctx context.Context, db *sqldb.DB, chain string, end int64) error {
	err := db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM audit_subjects WHERE chain = ? AND seq > ?`, chain, end); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE audit_indexed SET seq = ? WHERE chain = ? AND seq > ?`, end, chain, end)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit: trim the index of chain %q: %w", chain, err)
	}
	return nil
}

// indexLoop indexes the log's chain every indexEvery until quit closes.
// A failure is tried again at the next tick.
func (l *Log) indexLoop() {
	defer close(l.indexed)
	t := time.NewTicker(indexEvery)
	defer t.Stop()
	for {
		select {
		case <-l.indexQuit:
			return
		case <-t.C:
			indexChainToEnd(context.Background(), l.data, l.opt.Chain)
		}
	}
}
