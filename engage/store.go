package engage

import (
	"context"
	"strings"

	"minimall"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// findRows returns one page of subject's sealed records of a kind, their
// times, and how many there are in all.
func (s *Service) findRows(ctx context.Context, subject minimall.SubjectID, ks kindSpec, limit, offset int) ([]privacy.Sealed, []int64, int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, `+ks.column()+`, at, COUNT(*) OVER() FROM `+ks.table()+`
		WHERE subject = ? ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`, string(subject), limit, offset)
	if err != nil {
		return nil, nil, 0, err
	}
	defer rows.Close()
	var sealed []privacy.Sealed
	var at []int64
	total := 0
	for rows.Next() {
		it := privacy.Sealed{Field: ks.field}
		var t int64
		if err := rows.Scan(&it.Row, &it.Value, &t, &total); err != nil {
			return nil, nil, 0, err
		}
		sealed, at = append(sealed, it), append(at, t)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, 0, err
	}
	if len(sealed) == 0 && offset > 0 {
		// Past the last page the window has no row to count on.
		err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+ks.table()+` WHERE subject = ?`, string(subject)).Scan(&total)
	}
	return sealed, at, total, err
}

// sweepBatch bounds one retention transaction, so the sweep never holds
// the write lock long.
const sweepBatch = 500

// SweepFootprints deletes the footprints the registry no longer lets
// minimall keep (privacy.Footprint's retention: a footprint is kept for
// its period after the view) and returns how many went; each person's
// derived stores are told. The lifecycle sweeper calls it. With a rule
// that sets no period (kept until erased), nothing goes.
func (s *Service) SweepFootprints(ctx context.Context) (int, error) {
	spec, _ := privacy.Spec(privacy.Footprint)
	if spec.Retention.Rule != privacy.SinceCollection || spec.Retention.Period <= 0 {
		return 0, nil
	}
	total := 0
	for {
		n, err := s.sweepOnce(ctx, spec)
		total += n
		if err != nil || n < sweepBatch {
			return total, err
		}
	}
}

func (s *Service) sweepOnce(ctx context.Context, spec *privacy.FieldSpec) (int, error) {
	const op = "engage.SweepFootprints"
	var out int
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		cutoff := sqldb.Micros(tx.Now().Add(-spec.Retention.Period))
		rows, err := tx.QueryContext(ctx, `SELECT id, subject FROM footprints WHERE at < ? ORDER BY at LIMIT ?`, cutoff, sweepBatch)
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		bySubject := map[minimall.SubjectID][]string{}
		var ids []any
		for rows.Next() {
			var id, subject string
			if err := rows.Scan(&id, &subject); err != nil {
				rows.Close()
				return err
			}
			bySubject[minimall.SubjectID(subject)] = append(bySubject[minimall.SubjectID(subject)], id)
			ids = append(ids, id)
		}
		rows.Close()
		if len(ids) == 0 {
			return nil
		}
		marks := strings.Repeat(", ?", len(ids))[2:]
		if _, err := tx.ExecContext(ctx, `DELETE FROM footprints WHERE id IN (`+marks+`)`, ids...); err != nil {
			return sqldb.FormatError(op, err)
		}
		for subject, list := range bySubject {
			// Derived stores forget the expired views too.
			if err := outbox.Emit(ctx, tx, TopicRemoved, subject, Changed{Kind: Footprint, Entries: list, Reason: "retention"}); err != nil {
				return err
			}
		}
		out = len(ids)
		return nil
	})
	return out, err
}
