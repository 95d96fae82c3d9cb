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

// grants is the table of authorized apps; its sealed columns come from the
// registry.
var grants = privacy.TableOf("oauth_grants")

type grantPart struct{ s *Service }

func (grantPart) Name() string { return "oauth" }

func (grantPart) Holds() []privacy.Field { return rights.Holds(grants) }

func (p grantPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	return rights.ExportTables(ctx, p.s.db, p.s.k.Guard(), a, subject, "oauth", grants)
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
