package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"minimall"
	"minimall/outbox"
	"minimall/sqldb"
)

// TopicRecordsDeleted says the replay of the deletion ledger deleted rows
// a person had deleted before a restore brought them back. Payload:
// "table", and "rows" (ids) or "up_to" (micros: every row of the subject
// up to then). Derived stores that keep copies of such rows follow it.
const TopicRecordsDeleted = "privacy.records_deleted"

// DeletionLedgerKeep is how long the deletion ledger keeps an entry. A
// backup older than this, restored, may bring back records deleted before
// it was taken plus this long: keep data backups for less (README,
// "Retention, backups and shutdown").
const DeletionLedgerKeep = 400 * 24 * time.Hour

// replayMargin: ledger entries this recent are replayed again at the next
// open, so an entry still being written on another node, or written by a
// node whose clock is a little behind, is never skipped.
const replayMargin = time.Minute

// replayBatch bounds the entries applied in one data transaction.
const replayBatch = 200

// A deletion is one entry of the ledger: subject deleted row of table, or
// with row "", every row of table of subject up to at.
type deletion struct {
	at      int64
	subject minimall.SubjectID
	table   string
	row     string
}

// RecordDeletion journals, in the key store and before the caller deletes
// it, that subject s deletes its row of table (one of tables.go): a
// deletion the person asked for survives a restore of a data backup taken
// before it, as an erasure does (PIPL art. 47). It returns false, and
// journals nothing, when s has no such row; the caller then answers
// NotFound. The entry is durable when it returns; the caller deletes the
// row next, and if it never gets to (a crash), the next start does.
func (k *Kernel) RecordDeletion(ctx context.Context, s minimall.SubjectID, table, row string) (bool, error) {
	const op = "privacy.RecordDeletion"
	t, err := deletable(op, table, false)
	if err != nil {
		return false, err
	}
	found, err := k.anyRow(ctx, `SELECT 1 FROM `+t.Name+` WHERE `+t.Row+` = ? AND `+t.Subject+` = ?`, row, string(s))
	if err != nil || !found {
		return false, err
	}
	return true, k.journal(ctx, op, deletion{at: sqldb.Micros(k.db.Now()), subject: s, table: t.Name, row: row})
}

// RecordClear journals that subject s deletes every row of table up to
// now (a "clear all"), and returns the cutoff the caller deletes with:
// the rows whose Order column is at or before it, which is exactly what a
// replay deletes. It returns false, journalling nothing, when s has no row.
func (k *Kernel) RecordClear(ctx context.Context, s minimall.SubjectID, table string) (time.Time, bool, error) {
	const op = "privacy.RecordClear"
	t, err := deletable(op, table, true)
	if err != nil {
		return time.Time{}, false, err
	}
	found, err := k.anyRow(ctx, `SELECT 1 FROM `+t.Name+` WHERE `+t.Subject+` = ? LIMIT 1`, string(s))
	if err != nil || !found {
		return time.Time{}, false, err
	}
	upTo := k.db.Now()
	return upTo, true, k.journal(ctx, op, deletion{at: sqldb.Micros(upTo), subject: s, table: t.Name})
}

// plainTables are tables that hold no sealed value (so not in tables.go)
// whose rows a person ends themselves and a restore must not bring back: a
// session signed out would sign in again.
var plainTables = map[string]*Table{
	"sessions": {Name: "sessions", Subject: "subject", Row: "id"},
}

// deletable returns the description of a table a person deletes rows of.
func deletable(op, table string, clear bool) (*Table, error) {
	t, ok := tableByName[table]
	if !ok {
		t, ok = plainTables[table]
	}
	if !ok || t.Subject == "" || clear && t.Order == "" {
		return nil, fmt.Errorf("%s: table %q has no subject column (or no time to clear by)", op, table)
	}
	return t, nil
}

func (k *Kernel) anyRow(ctx context.Context, query string, args ...any) (bool, error) {
	var one int
	err := k.db.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// journal writes e to the ledger in a transaction of its own, committed
// durably before the data is touched.
func (k *Kernel) journal(ctx context.Context, op string, e deletion) error {
	err := k.keys.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO deletions (at, subject, tbl, row_id) VALUES (?, ?, ?, ?)
			ON CONFLICT (subject, tbl, row_id, at) DO NOTHING`, e.at, string(e.subject), e.table, e.row)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: journal: %w", op, err)
	}
	return nil
}

// DeletionReplay is what a replay of the deletion ledger did.
type DeletionReplay struct {
	// Rows is how many rows it deleted again: records deleted since the
	// data was backed up (or deleted by a request a crash interrupted).
	Rows int
	// Gap is true when the data was last brought up to date longer ago
	// than the ledger keeps entries: deletions before may have come back.
	Gap bool
}

// ReplayDeletions applies the deletion ledger (in the key store, outside
// the data folder) to the data database from the mark the data database
// holds: a restored backup holds the mark of its time, so every row deleted
// since is deleted again, and derived stores are told on the change feed.
// Rows already gone cost nothing. It then moves the mark and prunes
// entries older than DeletionLedgerKeep.
func (k *Kernel) ReplayDeletions(ctx context.Context) (DeletionReplay, error) {
	var out DeletionReplay
	now := k.db.Now()
	mark, err := k.replayMark(ctx)
	if err != nil {
		return out, err
	}
	out.Gap = mark > 0 && mark < sqldb.Micros(now.Add(-DeletionLedgerKeep))
	entries, err := k.deletionsFrom(ctx, mark)
	if err != nil {
		return out, err
	}
	for len(entries) > 0 {
		batch := entries[:min(replayBatch, len(entries))]
		entries = entries[len(batch):]
		n, err := k.applyDeletions(ctx, batch)
		if err != nil {
			return out, err
		}
		out.Rows += n
	}
	if err := k.setReplayMark(ctx, sqldb.Micros(now.Add(-replayMargin))); err != nil {
		return out, err
	}
	_, err = k.keys.ExecContext(ctx, `DELETE FROM deletions WHERE at < ?`, sqldb.Micros(now.Add(-DeletionLedgerKeep)))
	return out, err
}

func (k *Kernel) replayMark(ctx context.Context) (int64, error) {
	var mark int64
	err := k.db.QueryRowContext(ctx, `SELECT through FROM deletion_replay WHERE id = 1`).Scan(&mark)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("privacy: deletion replay mark: %w", err)
	}
	return mark, nil
}

func (k *Kernel) setReplayMark(ctx context.Context, through int64) error {
	return k.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO deletion_replay (id, through) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET through = excluded.through WHERE deletion_replay.through < excluded.through`, through)
		return err
	})
}

// deletionsFrom returns the ledger's entries at or after from, oldest first.
func (k *Kernel) deletionsFrom(ctx context.Context, from int64) ([]deletion, error) {
	rows, err := k.keys.QueryContext(ctx, `SELECT at, subject, tbl, row_id FROM deletions WHERE at >= ? ORDER BY at`, from)
	if err != nil {
		return nil, fmt.Errorf("privacy: read deletion ledger: %w", err)
	}
	defer rows.Close()
	var out []deletion
	for rows.Next() {
		var e deletion
		var s string
		if err := rows.Scan(&e.at, &s, &e.table, &e.row); err != nil {
			return nil, err
		}
		e.subject = minimall.SubjectID(s)
		out = append(out, e)
	}
	return out, rows.Err()
}

// applyDeletions deletes the rows of a batch of entries in one data
// transaction and returns how many rows went.
func (k *Kernel) applyDeletions(ctx context.Context, batch []deletion) (int, error) {
	total := 0
	err := k.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		total = 0 // a group commit may run fn again
		for _, e := range batch {
			n, err := applyDeletion(ctx, tx, e)
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("privacy: replay deletions: %w", err)
	}
	return total, nil
}

// applyDeletion deletes e's rows in tx, always bound to e's subject, and
// tells the change feed when any went.
func applyDeletion(ctx context.Context, tx *sqldb.Tx, e deletion) (int, error) {
	t, err := deletable("privacy.ReplayDeletions", e.table, e.row == "")
	if err != nil {
		return 0, nil // a table no longer described holds nothing to delete
	}
	q, args := `DELETE FROM `+t.Name+` WHERE `+t.Row+` = ? AND `+t.Subject+` = ?`, []any{e.row, string(e.subject)}
	payload := map[string]any{"table": t.Name, "rows": []string{e.row}}
	if e.row == "" {
		q, args = `DELETE FROM `+t.Name+` WHERE `+t.Subject+` = ? AND `+t.Order+` <= ?`, []any{string(e.subject), e.at}
		payload = map[string]any{"table": t.Name, "up_to": e.at}
	}
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return 0, nil
	}
	return int(n), outbox.Emit(ctx, tx, TopicRecordsDeleted, e.subject, payload)
}
