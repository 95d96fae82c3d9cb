package oauth

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
	"minimall/sqldb"
)

// RightsPart returns the authorized-login part of rights requests: the
// apps the person authorized (policy 二(一)2).
func (s *Service) RightsPart() rights.Part { return grantPart{s} }

type grantPart struct{ s *Service }

func (grantPart) Name() string { return "oauth" }

func (grantPart) Holds() []privacy.Field { return []privacy.Field{privacy.AuthorizedLoginGrant} }

func (p grantPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	rows, err := p.s.db.QueryContext(ctx, `SELECT id, grant_sealed FROM oauth_grants WHERE subject = ? ORDER BY created_at, id`, string(subject))
	if err != nil {
		return rights.Section{}, sqldb.FormatError("oauth.RightsExport", err)
	}
	defer rows.Close()
	var items []privacy.Sealed
	for rows.Next() {
		var id string
		var v []byte
		if err := rows.Scan(&id, &v); err != nil {
			return rights.Section{}, err
		}
		items = rights.AppendSealed(items, id, privacy.AuthorizedLoginGrant, v)
	}
	if err := rows.Err(); err != nil {
		return rights.Section{}, err
	}
	return rights.Section{Part: "oauth", Values: rights.OpenValues(ctx, p.s.k.Guard(), a, subject, items)}, nil
}

func (grantPart) Correct(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f privacy.Field, value, requestID string) error {
	return rights.NotHere("oauth.RightsCorrect", f)
}

// Delete revokes every grant and its tokens at once, so no app can act
// for the person any more; the grant record stays as proof of what was
// consented (it is unreadable once the person is erased).
func (p grantPart) Delete(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, fields []privacy.Field, requestID string) (rights.Deleted, error) {
	d := rights.Deleted{Kept: map[privacy.Field]string{privacy.AuthorizedLoginGrant: "授权已撤销；记录作为同意的证明保存 / grants revoked; the record proves what was consented"}}
	var out rights.Deleted
	err := p.s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		now := sqldb.Micros(tx.Now())
		if _, err := tx.ExecContext(ctx, `UPDATE oauth_tokens SET revoked_at = ? WHERE revoked_at = 0 AND grant_id IN (SELECT id FROM oauth_grants WHERE subject = ?)`, now, string(subject)); err != nil {
			return sqldb.FormatError("oauth.RightsDelete", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE oauth_grants SET revoked_at = ? WHERE subject = ? AND revoked_at = 0`, now, string(subject)); err != nil {
			return sqldb.FormatError("oauth.RightsDelete", err)
		}
		out = d
		return nil
	})
	return out, err
}

func (grantPart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}
