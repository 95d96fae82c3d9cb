package audit

import (
	"context"
	"database/sql"
	"fmt"

	"minimall/sqldb"
)

// The index by person (subjects.go) decides what a person's export, their
// "who looked at my data" page and an incident's list of people see, so
// Verify holds it to the chain: every entry of a chain up to the index's
// mark is filed under its person, every index entry names an entry of that
// person, and no mark lies past its chain's end (the entries after it
// would never be indexed). Only chains that verify are held to it: a
// broken chain is already reported, and its index would only echo that.

// readMarks returns every chain's index mark. Verify reads them before it
// walks: a live indexer moves them forward, never past the rows written.
func readMarks(ctx context.Context, db *sqldb.DB) (map[string]int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT chain, seq FROM audit_indexed`)
	if err != nil {
		return nil, fmt.Errorf("read audit index marks: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var c string
		var seq int64
		if err := rows.Scan(&c, &seq); err != nil {
			return nil, fmt.Errorf("read audit index marks: %w", err)
		}
		out[c] = seq
	}
	return out, rows.Err()
}

// indexCheck holds the index to the chains that verified.
type indexCheck struct {
	db     *sqldb.DB
	pace   func()
	marks  map[string]int64
	bases  map[string]base         // rows at or before a chain's base are not checked
	intact map[string]*ChainReport // chains that verified, by name
	found  map[string]int          // problems reported per chain
	out    []Problem
}

func (c *indexCheck) report(chain string, seq int64, detail string) {
	if c.found[chain]++; c.found[chain] > maxProblems {
		if cr := c.intact[chain]; cr != nil {
			cr.Stopped = true
		}
		return
	}
	c.out = append(c.out, Problem{Chain: chain, Seq: seq, Kind: Misindexed, Detail: detail})
}

// run checks every intact chain's entries, then every index entry.
func (c *indexCheck) run(ctx context.Context, chains []string) error {
	for _, ch := range chains {
		cr := c.intact[ch]
		if cr == nil {
			continue
		}
		mark := c.marks[ch]
		if mark > cr.Last {
			c.report(ch, mark, fmt.Sprintf("the index by person is marked done up to seq %d, past the chain's end: later entries would never be indexed", mark))
			mark = cr.Last
		}
		if err := c.missing(ctx, ch, mark); err != nil {
			return err
		}
	}
	return c.stray(ctx)
}

// missing reports the entries of chain up to mark that are not filed
// under their person: a search for that person would not find them.
func (c *indexCheck) missing(ctx context.Context, chain string, mark int64) error {
	for from := c.bases[chain].seq; from < mark; from += pageSize {
		seqs, err := queryInts(ctx, c.db, `SELECT a.seq FROM audit_log a
			WHERE a.chain = ? AND a.seq > ? AND a.seq <= ? AND a.subject <> ''
			AND NOT EXISTS (SELECT 1 FROM audit_subjects s WHERE s.subject = a.subject AND s.chain = a.chain AND s.seq = a.seq)
			ORDER BY a.seq`, chain, from, min(from+pageSize, mark))
		if err != nil {
			return fmt.Errorf("check the audit index: %w", err)
		}
		for _, seq := range seqs {
			c.report(chain, seq, "missing from the index by person: a search for its person does not find it")
		}
		c.paced()
	}
	return nil
}

// stray reports the index entries of intact chains that name no entry, or
// an entry of another person: a search would show it to the wrong person.
func (c *indexCheck) stray(ctx context.Context) error {
	var subject, chain string
	var seq int64
	for {
		page, err := c.indexPage(ctx, subject, chain, seq)
		if err != nil {
			return fmt.Errorf("check the audit index: %w", err)
		}
		for _, e := range page {
			switch {
			case c.intact[e.chain] == nil:
			case !e.logSubject.Valid:
				c.report(e.chain, e.seq, "the index by person names an entry the chain does not hold")
			case e.logSubject.String != e.subject:
				c.report(e.chain, e.seq, "the index by person files this entry under another person")
			}
		}
		c.paced()
		if len(page) < pageSize {
			return nil
		}
		last := page[len(page)-1]
		subject, chain, seq = last.subject, last.chain, last.seq
	}
}

type indexEntry struct {
	subject, chain string
	seq            int64
	logSubject     sql.NullString // the subject of the entry it names; null if none
}

// indexPage returns the index entries after (subject, chain, seq) in key
// order, each with the subject of the entry it names.
func (c *indexCheck) indexPage(ctx context.Context, subject, chain string, seq int64) ([]indexEntry, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT s.subject, s.chain, s.seq, a.subject
		FROM audit_subjects s LEFT JOIN audit_log a ON a.chain = s.chain AND a.seq = s.seq
		WHERE (s.subject, s.chain, s.seq) > (?, ?, ?)
		ORDER BY s.subject, s.chain, s.seq LIMIT ?`, subject, chain, seq, pageSize)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []indexEntry
	for rows.Next() {
		var e indexEntry
		if err := rows.Scan(&e.subject, &e.chain, &e.seq, &e.logSubject); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (c *indexCheck) paced() {
	if c.pace != nil {
		c.pace()
	}
}

func queryInts(ctx context.Context, db *sqldb.DB, q string, args ...any) ([]int64, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
