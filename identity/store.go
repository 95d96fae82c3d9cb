package identity

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// result is the sealed verification result (privacy.VerificationResult):
// one entry per method. It is evidence kept only for verification, the
// legal duty and the person's rights.
type result struct {
	RealName *check `json:"real_name,omitempty"` // identity authority, name and ID number
	Face     *check `json:"face,omitempty"`      // identity authority, face
	Payment  *check `json:"payment,omitempty"`   // the payment institution's real-name status
}

type check struct {
	Verified  bool      `json:"verified"`
	At        time.Time `json:"at"`
	BirthDate string    `json:"birth_date,omitempty"` // from the authority; decides whether a guardian is needed
}

// stored is a person's verifications row, sealed.
type stored struct {
	realName, idNumber, idType, result []byte
	resultVersion                      uint64 // the result's counter (privacy.FieldSpec.Versioned)
}

// verifiedColumns are the only columns written, by field.
var verifiedColumns = map[privacy.Field]string{
	privacy.RealName: "real_name_sealed", privacy.IDNumber: "id_number_sealed",
	privacy.IDType: "id_type_sealed", privacy.VerificationResult: "result_sealed",
}

// load reads subject's row; a person never verified has an empty one.
func (s *Service) load(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, subject minimall.SubjectID) (*stored, error) {
	var r stored
	err := q.QueryRowContext(ctx, `SELECT real_name_sealed, id_number_sealed, id_type_sealed, result_sealed, result_version FROM verifications WHERE subject = ?`,
		string(subject)).Scan(&r.realName, &r.idNumber, &r.idType, &r.result, &r.resultVersion)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, sqldb.FormatError("identity.load", err)
	}
	return &r, nil
}

// openResult opens the result for purpose p; an empty one if none.
func (s *Service) openResult(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, p privacy.Purpose, r *stored) (result, error) {
	var res result
	if len(r.result) == 0 {
		return res, nil
	}
	b, err := s.k.Guard().OpenVersion(ctx, a, subject, privacy.VerificationResult, p, string(subject), r.resultVersion, r.result)
	if err != nil {
		return res, err
	}
	if err := json.Unmarshal(b, &res); err != nil {
		return res, fmt.Errorf("identity: result: %w", err)
	}
	return res, nil
}

// seal seals values under subject's row, before the write that stores
// them (save): a write only runs SQL. The result is sealed at the counter
// after the one row holds (save stores that counter).
func (s *Service) seal(ctx context.Context, subject minimall.SubjectID, row *stored, values map[privacy.Field][]byte) (map[privacy.Field][]byte, error) {
	out := make(map[privacy.Field][]byte, len(values))
	for f, v := range values {
		var sealed []byte
		var err error
		if f == privacy.VerificationResult {
			sealed, err = s.k.Guard().SealVersion(ctx, subject, f, string(subject), row.resultVersion+1, v)
		} else {
			sealed, err = s.k.Guard().Seal(ctx, subject, f, string(subject), v)
		}
		if err != nil {
			return nil, err
		}
		out[f] = sealed
	}
	return out, nil
}

// save writes values sealed by seal for row; the result with its counter,
// only if no other write moved the counter meanwhile (Conflict).
func (s *Service) save(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID, row *stored, values map[privacy.Field][]byte) error {
	const op = "identity.save"
	now := sqldb.Micros(tx.Now())
	if _, err := tx.ExecContext(ctx, `INSERT INTO verifications (subject, updated_at) VALUES (?, ?) ON CONFLICT (subject) DO NOTHING`, string(subject), now); err != nil {
		return sqldb.FormatError(op, err)
	}
	for f, sealed := range values {
		if f == privacy.VerificationResult {
			res, err := tx.ExecContext(ctx, `UPDATE verifications SET result_sealed = ?, result_version = ?, updated_at = ? WHERE subject = ? AND result_version = ?`,
				sealed, row.resultVersion+1, now, string(subject), row.resultVersion)
			if err != nil {
				return sqldb.FormatError(op, err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return minimall.Errorf(minimall.Conflict, op, "The verification changed meanwhile; try again. 认证信息已变更，请重试。")
			}
			continue
		}
		// The column name comes from the fixed map above, never from input.
		if _, err := tx.ExecContext(ctx, `UPDATE verifications SET `+verifiedColumns[f]+` = ?, updated_at = ? WHERE subject = ?`, sealed, now, string(subject)); err != nil {
			return sqldb.FormatError(op, err)
		}
	}
	return nil
}

func resultBytes(r result) []byte {
	b, _ := json.Marshal(r)
	return b
}
