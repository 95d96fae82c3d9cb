package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"

	"minimall/sqldb"
)

const (
	rowColumns = `chain, seq, at, actor, subject, field, purpose, decision, reason, ref, mac`
	rowParams  = 11
	// prefixedRowColumns are rowColumns of audit_log as a.
	prefixedRowColumns = `a.chain, a.seq, a.at, a.actor, a.subject, a.field, a.purpose, a.decision, a.reason, a.ref, a.mac`

	// maxStmtRows bounds one INSERT: 64 rows × 11 = 704 parameters, under
	// the limits of SQLite (999 before 3.32, 32,766 since) and PostgreSQL
	// (65,535). Statements hold a power of two of rows, so a batch needs at
	// most seven distinct statements, each prepared once per batch; larger
	// statements measured no faster on SQLite, only slower to parse.
	maxStmtRows = 64
)

// head is the end of a chain: its last seq and that row's mac.
type head struct {
	seq int64
	mac []byte
}

// insertSQL caches the INSERT statements for 1, 2, 4, ... maxStmtRows rows,
// already rebound for the engine. Only the writer uses it.
type insertSQL struct {
	db    *sqldb.DB
	stmts [7]string // index: log2 of the row count, up to maxStmtRows
}

// stmt returns the statement inserting n rows, n a power of two.
func (s *insertSQL) stmt(n int) string {
	i := 0
	for 1<<i < n {
		i++
	}
	if s.stmts[i] == "" {
		var b strings.Builder
		if s.db.Dialect() == sqldb.SQLite {
			// OR FAIL: a failed batch is rolled back whole anyway, and
			// without ABORT's promise to undo just the one statement SQLite
			// skips the statement journal, which cost a tenth of the insert.
			b.WriteString(`INSERT OR FAIL INTO audit_log (` + rowColumns + `) VALUES `)
		} else {
			b.WriteString(`INSERT INTO audit_log (` + rowColumns + `) VALUES `)
		}
		for r := 0; r < n; r++ {
			if r > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`(?,?,?,?,?,?,?,?,?,?,?)`)
		}
		// Rebound once here: it is prepared on the embedded sql.Tx, which
		// does not rebind.
		s.stmts[i] = s.db.Rebind(b.String())
	}
	return s.stmts[i]
}

// insertRows inserts n rows laid out in args, rowParams a row, in
// statements of at most maxStmtRows rows, all in one transaction.
func (s *insertSQL) insertRows(ctx context.Context, tx *sqldb.Tx, args []any, n int) error {
	stmts := map[string]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	for off := 0; off < n; {
		k := maxStmtRows
		for k > n-off {
			k >>= 1
		}
		q, rows := s.stmt(k), args[off*rowParams:(off+k)*rowParams]
		if tx.Dialect() == sqldb.SQLite {
			// The connection keeps its statements prepared (sqldb.Tx), so
			// small batches, each in a transaction of its own, parse nothing.
			if _, err := tx.ExecContext(ctx, q, rows...); err != nil {
				return fmt.Errorf("insert audit rows: %w", err)
			}
			off += k
			continue
		}
		st, err := prepared(ctx, tx, stmts, q)
		if err != nil {
			return fmt.Errorf("insert audit rows: %w", err)
		}
		if _, err := st.ExecContext(ctx, rows...); err != nil {
			return fmt.Errorf("insert audit rows: %w", err)
		}
		off += k
	}
	return nil
}

// prepared returns q prepared in tx, preparing it on first use: a full
// batch runs the same statement many times, and on SQLite parsing it
// again each time costs as much as a tenth of the insert.
func prepared(ctx context.Context, tx *sqldb.Tx, stmts map[string]*sql.Stmt, q string) (*sql.Stmt, error) {
	if st, ok := stmts[q]; ok {
		return st, nil
	}
	// q is rebound already, so the embedded sql.Tx may take it as is.
	st, err := tx.Tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	stmts[q] = st
	return st, nil
}

// readTail returns the last row's place in chain; a chain with no rows
// has seq 0 and a nil mac.
func readTail(ctx context.Context, db *sqldb.DB, chain string) (head, error) {
	var h head
	err := db.QueryRowContext(ctx, `SELECT seq, mac FROM audit_log WHERE chain = ? ORDER BY seq DESC LIMIT 1`, chain).Scan(&h.seq, &h.mac)
	if errors.Is(err, sql.ErrNoRows) {
		return head{}, nil
	}
	if err != nil {
		return head{}, fmt.Errorf("read audit tail: %w", err)
	}
	return h, nil
}

// readRows returns up to limit rows of chain after seq and up to until
// (0: no bound), in seq order.
func readRows(ctx context.Context, db *sqldb.DB, chain string, after, until int64, limit int) ([]row, error) {
	if until <= 0 {
		until = math.MaxInt64
	}
	rows, err := db.QueryContext(ctx, `SELECT `+rowColumns+` FROM audit_log
		WHERE chain = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`, chain, after, until, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit rows: %w", err)
	}
	return scanRows(rows)
}

func scanRows(rows *sql.Rows) ([]row, error) {
	defer rows.Close()
	var out []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.chain, &r.seq, &r.at, &r.actor, &r.subject, &r.field,
			&r.purpose, &r.decision, &r.reason, &r.ref, &r.mac); err != nil {
			return nil, fmt.Errorf("read audit rows: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit rows: %w", err)
	}
	return out, nil
}

// findRows returns the rows matching f, oldest first.
// A search by person goes through the index by person (subjects.go),
// which the caller brings up to date first.
func findRows(ctx context.Context, db *sqldb.DB, f Filter) ([]row, error) {
	from, where, args := `audit_log a`, []string{"1 = 1"}, []any{}
	if f.Subject != "" {
		from = `audit_subjects s JOIN audit_log a ON a.chain = s.chain AND a.seq = s.seq`
		where, args = append(where, "s.subject = ?"), append(args, f.Subject)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "a.at >= ?"), append(args, sqldb.Micros(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = append(where, "a.at < ?"), append(args, sqldb.Micros(f.Until))
	}
	if f.ByOthers {
		where = append(where, `(a.decision IN ('disclose', 'disclose_cancelled') OR (a.actor <> ? AND a.actor NOT LIKE 'system:%'))`)
		args = append(args, "shopper:"+f.Subject)
	}
	order := ` ORDER BY a.at, a.chain, a.seq`
	if f.Newest {
		order = ` ORDER BY a.at DESC, a.chain DESC, a.seq DESC`
	}
	q := `SELECT ` + prefixedRowColumns + ` FROM ` + from + ` WHERE ` + strings.Join(where, " AND ") + order
	if f.Limit > 0 {
		q, args = q+` LIMIT ?`, append(args, f.Limit)
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find audit rows: %w", err)
	}
	return scanRows(rows)
}

// listChains returns every chain with rows in the data db, in order. It
// steps from chain to chain through the (chain, seq) key, one seek each,
// where DISTINCT would read every row's key: a search by person runs it.
func listChains(ctx context.Context, db *sqldb.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `WITH RECURSIVE chains (chain) AS (
			SELECT MIN(chain) FROM audit_log
			UNION ALL
			SELECT (SELECT MIN(chain) FROM audit_log WHERE chain > chains.chain) FROM chains WHERE chains.chain IS NOT NULL
		) SELECT chain FROM chains WHERE chain IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("list audit chains: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("list audit chains: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// readCheckpoints returns every chain's checkpointed head in the key store.
func readCheckpoints(ctx context.Context, keys *sqldb.DB) (map[string]head, error) {
	rows, err := keys.QueryContext(ctx, `SELECT chain, seq, mac FROM audit_heads`)
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	defer rows.Close()
	out := map[string]head{}
	for rows.Next() {
		var c string
		var h head
		if err := rows.Scan(&c, &h.seq, &h.mac); err != nil {
			return nil, fmt.Errorf("read audit checkpoints: %w", err)
		}
		out[c] = h
	}
	return out, rows.Err()
}

// readCheckpoint returns chain's checkpointed head; seq 0 if it has none.
func readCheckpoint(ctx context.Context, keys *sqldb.DB, chain string) (head, error) {
	var h head
	err := keys.QueryRowContext(ctx, `SELECT seq, mac FROM audit_heads WHERE chain = ?`, chain).Scan(&h.seq, &h.mac)
	if errors.Is(err, sql.ErrNoRows) {
		return head{}, nil
	}
	if err != nil {
		return head{}, fmt.Errorf("read audit checkpoint: %w", err)
	}
	return h, nil
}

// errCheckpointAhead says the key store holds a later head than this
// writer: another process is writing the same chain.
var errCheckpointAhead = errors.New("the checkpoint is ahead of this writer; is another node using the same chain?")

// writeCheckpoint stores h as chain's head in the key store. It never moves
// a head backwards.
func writeCheckpoint(ctx context.Context, keys *sqldb.DB, chain string, h head) error {
	res, err := keys.ExecContext(ctx, `INSERT INTO audit_heads (chain, seq, mac, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, mac = excluded.mac, at = excluded.at
		WHERE audit_heads.seq <= excluded.seq`, chain, h.seq, h.mac, sqldb.Micros(keys.Now()))
	if err != nil {
		return fmt.Errorf("write audit checkpoint: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("write audit checkpoint: %w", errCheckpointAhead)
	}
	return nil
}
