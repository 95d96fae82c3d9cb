package vault

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"

	"minimall"
	"minimall/sqldb"
)

// querier is what both *sqldb.DB (read pool) and *sqldb.Tx offer.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// keyRow is one row of subject_keys.
type keyRow struct {
	id       int64
	slot     keySlot
	masterID string
	wrapped  []byte
}

const keyColumns = `id, subject, kind, period, master_id, wrapped`

func scanKey(sc interface{ Scan(...any) error }) (keyRow, error) {
	var r keyRow
	var subject, kind string
	err := sc.Scan(&r.id, &subject, &kind, &r.slot.period, &r.masterID, &r.wrapped)
	r.slot.subject, r.slot.kind = minimall.SubjectID(subject), KeyKind(kind)
	return r, err
}

// findKeyByID returns the key with id, or sql.ErrNoRows.
func findKeyByID(ctx context.Context, q querier, id int64) (keyRow, error) {
	return scanKey(q.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM subject_keys WHERE id = ?`, id))
}

// findKeyBySlot returns the key of slot s, or sql.ErrNoRows.
func findKeyBySlot(ctx context.Context, q querier, s keySlot) (keyRow, error) {
	return scanKey(q.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM subject_keys
		WHERE subject = ? AND kind = ? AND period = ?`, string(s.subject), string(s.kind), s.period))
}

// insertKey stores a new wrapped key; a taken slot (or id) is a Conflict.
func insertKey(ctx context.Context, tx *sqldb.Tx, r keyRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO subject_keys (`+keyColumns+`, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.id, string(r.slot.subject), string(r.slot.kind), r.slot.period, r.masterID, r.wrapped, sqldb.Micros(tx.Now()))
	return sqldb.FormatError("vault.insertKey", err)
}

// anyKeys reports whether the key store holds any key, without counting
// them all.
func anyKeys(ctx context.Context, q querier) (bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM subject_keys LIMIT 1`)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	found := rows.Next()
	return found, rows.Err()
}

// findErasure returns the widest scope subject was erased with.
func findErasure(ctx context.Context, q querier, subject minimall.SubjectID) (Scope, bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT scope FROM erasures WHERE subject = ?`, string(subject))
	if err != nil {
		return "", false, err
	}
	defer rows.Close()
	var widest Scope
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", false, err
		}
		if widest != ScopeAll {
			widest = Scope(s)
		}
	}
	return widest, widest != "", rows.Err()
}

// deleteKeys destroys the subject's keys in scope and returns how many.
func deleteKeys(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID, scope Scope) (int64, error) {
	q := `DELETE FROM subject_keys WHERE subject = ?`
	args := []any{string(subject)}
	if scope == ScopeData {
		q += ` AND kind = ?`
		args = append(args, string(Data))
	}
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// insertErasure records an erasure; a repeat keeps the first record.
func insertErasure(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID, scope Scope, reason string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO erasures (subject, scope, at, reason) VALUES (?, ?, ?, ?)
		ON CONFLICT (subject, scope) DO NOTHING`, string(subject), string(scope), sqldb.Micros(tx.Now()), reason)
	return err
}

func findErasures(ctx context.Context, q querier) ([]Erasure, error) {
	rows, err := q.QueryContext(ctx, `SELECT subject, scope, at, reason FROM erasures ORDER BY at, subject, scope`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Erasure
	for rows.Next() {
		var e Erasure
		var subject, scope string
		var at int64
		if err := rows.Scan(&subject, &scope, &at, &e.Reason); err != nil {
			return nil, err
		}
		e.Subject, e.Scope, e.At = minimall.SubjectID(subject), Scope(scope), sqldb.FromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// lockSubject serialises key creation and Shred for one subject. SQLite
// needs nothing: its write transactions begin IMMEDIATE and run one at a
// time. PostgreSQL at READ COMMITTED would let a Shred's DELETE miss a key
// that a concurrent first Seal has inserted but not yet committed, leaving
// a live key for an erased subject; a transaction-scoped advisory lock on
// the subject closes that gap.
func lockSubject(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID) error {
	if tx.Dialect() != sqldb.Postgres {
		return nil
	}
	sum := sha256.Sum256([]byte("minimall/vault subject lock\x00" + string(subject)))
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(binary.BigEndian.Uint64(sum[:8])))
	if err != nil {
		return fmt.Errorf("lock subject: %w", err)
	}
	return nil
}

// keysToRewrap returns up to limit keys not wrapped by master.
func keysToRewrap(ctx context.Context, tx *sqldb.Tx, master string, limit int) ([]keyRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+keyColumns+` FROM subject_keys
		WHERE master_id <> ? ORDER BY id LIMIT ?`, master, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []keyRow
	for rows.Next() {
		r, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// updateWrapped stores a rewrapped key, only if it is still wrapped by the
// master it was read with (a Shred may have deleted it meanwhile).
func updateWrapped(ctx context.Context, tx *sqldb.Tx, r keyRow, oldMaster string) error {
	_, err := tx.ExecContext(ctx, `UPDATE subject_keys SET master_id = ?, wrapped = ? WHERE id = ? AND master_id = ?`,
		r.masterID, r.wrapped, r.id, oldMaster)
	return err
}

func countNotWrappedBy(ctx context.Context, q querier, master string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM subject_keys WHERE master_id <> ?`, master).Scan(&n)
	return n, err
}
