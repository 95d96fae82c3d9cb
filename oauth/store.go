package oauth

import (
	"context"
	"strings"
	"time"

	"minimall"
	"minimall/sqldb"
)

type clientRow struct {
	Client
	secretHash []byte
	disabled   bool
}

func insertClient(ctx context.Context, db *sqldb.DB, c *Client, operator string) error {
	_, err := db.ExecContext(ctx, `INSERT INTO oauth_clients (id, name, redirect_uris, scopes, secret_hash, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Name, strings.Join(c.RedirectURIs, "\n"), strings.Join(c.Scopes, " "), hash(c.Secret), operator, sqldb.Micros(c.CreatedAt))
	return sqldb.FormatError("oauth.RegisterClient", err)
}

func findClient(ctx context.Context, db *sqldb.DB, id string) (*clientRow, error) {
	if id == "" {
		return nil, minimall.Errorf(minimall.NotFound, "oauth.findClient", "Unknown app. 未知的应用。")
	}
	var c clientRow
	var uris, scopes string
	var created, disabled int64
	err := db.QueryRowContext(ctx, `SELECT id, name, redirect_uris, scopes, secret_hash, created_at, disabled_at FROM oauth_clients WHERE id = ?`, id).
		Scan(&c.ID, &c.Name, &uris, &scopes, &c.secretHash, &created, &disabled)
	if err != nil {
		return nil, sqldb.FormatError("oauth.findClient", err)
	}
	c.RedirectURIs, c.Scopes = strings.Split(uris, "\n"), strings.Fields(scopes)
	c.CreatedAt, c.disabled = sqldb.FromMicros(created), disabled != 0
	return &c, nil
}

func insertGrant(ctx context.Context, tx *sqldb.Tx, id string, subject minimall.SubjectID, clientID string, scopes []string, sealed []byte) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO oauth_grants (id, subject, client_id, scopes, grant_sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		id, string(subject), clientID, strings.Join(scopes, " "), sealed, sqldb.Micros(tx.Now()))
	return sqldb.FormatError("oauth.insertGrant", err)
}

// revokeAppGrants revokes the subject's active grants to one app, with
// their tokens and pending codes.
func revokeAppGrants(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID, clientID string) error {
	ids, err := sqldb.Strings(ctx, tx, `SELECT id FROM oauth_grants WHERE subject = ? AND client_id = ? AND revoked_at = 0`, string(subject), clientID)
	if err != nil {
		return sqldb.FormatError("oauth.revokeAppGrants", err)
	}
	for _, id := range ids {
		if _, err := revokeGrant(ctx, tx, subject, id); err != nil {
			return err
		}
	}
	return nil
}

// revokeGrant marks a grant revoked and ends its tokens and codes; it
// returns how many grants it revoked (0 or 1).
func revokeGrant(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID, id string) (int64, error) {
	const op = "oauth.revokeGrant"
	now := sqldb.Micros(tx.Now())
	res, err := tx.ExecContext(ctx, `UPDATE oauth_grants SET revoked_at = ? WHERE id = ? AND subject = ? AND revoked_at = 0`, now, id, string(subject))
	if err != nil {
		return 0, sqldb.FormatError(op, err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return 0, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE oauth_tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at = 0`, now, id); err != nil {
		return 0, sqldb.FormatError(op, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE oauth_codes SET used_at = ? WHERE grant_id = ? AND used_at = 0`, now, id); err != nil {
		return 0, sqldb.FormatError(op, err)
	}
	return n, nil
}

// activeScopes returns the scopes the subject's active grants hold.
func activeScopes(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT scopes FROM oauth_grants WHERE subject = ? AND revoked_at = 0`, string(subject))
	if err != nil {
		return nil, sqldb.FormatError("oauth.activeScopes", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		for _, sc := range strings.Fields(s) {
			out[sc] = true
		}
	}
	return out, rows.Err()
}

func insertCode(ctx context.Context, tx *sqldb.Tx, code, grantID string, req AuthRequest, expires time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO oauth_codes (id, code_hash, grant_id, client_id, redirect_uri, code_challenge, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		"oc_"+minimall.RandomToken(10), hash(code), grantID, req.ClientID, req.RedirectURI, req.CodeChallenge, sqldb.Micros(expires), sqldb.Micros(tx.Now()))
	return sqldb.FormatError("oauth.insertCode", err)
}

type codeRow struct {
	id, grantID, clientID, redirectURI, challenge string
	expires                                       time.Time
	scopes                                        []string
	reused, grantRevoked                          bool
}

// claimCode finds a code and spends it in tx; reused says it was spent
// before.
func claimCode(ctx context.Context, tx *sqldb.Tx, code string) (*codeRow, error) {
	const op = "oauth.claimCode"
	var c codeRow
	var expires, used, revoked int64
	var scopes string
	err := tx.QueryRowContext(ctx, `SELECT c.id, c.grant_id, c.client_id, c.redirect_uri, c.code_challenge, c.expires_at, c.used_at, g.scopes, g.revoked_at
		FROM oauth_codes c JOIN oauth_grants g ON g.id = c.grant_id WHERE c.code_hash = ?`, hash(code)).
		Scan(&c.id, &c.grantID, &c.clientID, &c.redirectURI, &c.challenge, &expires, &used, &scopes, &revoked)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	c.expires, c.scopes, c.grantRevoked = sqldb.FromMicros(expires), strings.Fields(scopes), revoked != 0
	if used != 0 {
		c.reused = true
		return &c, nil
	}
	// Conditional on used_at = 0, so two racing exchanges cannot both win.
	res, err := tx.ExecContext(ctx, `UPDATE oauth_codes SET used_at = ? WHERE id = ? AND used_at = 0`, sqldb.Micros(tx.Now()), c.id)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		c.reused = true
	}
	return &c, nil
}

func revokeCodeTokens(ctx context.Context, tx *sqldb.Tx, codeID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE oauth_tokens SET revoked_at = ? WHERE code_id = ? AND revoked_at = 0`, sqldb.Micros(tx.Now()), codeID)
	return sqldb.FormatError("oauth.revokeCodeTokens", err)
}

func insertToken(ctx context.Context, tx *sqldb.Tx, token, grantID, codeID string, expires time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO oauth_tokens (id, token_hash, grant_id, code_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		"ot_"+minimall.RandomToken(10), hash(token), grantID, codeID, sqldb.Micros(tx.Now()), sqldb.Micros(expires))
	return sqldb.FormatError("oauth.insertToken", err)
}

type tokenRow struct {
	subject  minimall.SubjectID
	clientID string
	scopes   []string
	expires  time.Time
	revoked  bool
}

// findToken reads a token with its grant and client: any of the three
// revoked or disabled makes it revoked.
func findToken(ctx context.Context, db *sqldb.DB, token string) (*tokenRow, error) {
	var t tokenRow
	var subject, scopes string
	var expires, revoked, grantRevoked, disabled int64
	err := db.QueryRowContext(ctx, `SELECT g.subject, g.client_id, g.scopes, t.expires_at, t.revoked_at, g.revoked_at, c.disabled_at
		FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id JOIN oauth_clients c ON c.id = g.client_id
		WHERE t.token_hash = ?`, hash(token)).Scan(&subject, &t.clientID, &scopes, &expires, &revoked, &grantRevoked, &disabled)
	if err != nil {
		return nil, sqldb.FormatError("oauth.findToken", err)
	}
	t.subject, t.scopes, t.expires = minimall.SubjectID(subject), strings.Fields(scopes), sqldb.FromMicros(expires)
	t.revoked = revoked != 0 || grantRevoked != 0 || disabled != 0
	return &t, nil
}

func findGrants(ctx context.Context, db *sqldb.DB, subject minimall.SubjectID) ([]Authorization, error) {
	const op = "oauth.Authorizations"
	rows, err := db.QueryContext(ctx, `SELECT g.id, g.client_id, c.name, g.scopes, g.created_at, g.revoked_at
		FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_id WHERE g.subject = ? ORDER BY g.created_at, g.id`, string(subject))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	out := []Authorization{}
	for rows.Next() {
		var a Authorization
		var scopes string
		var created, revoked int64
		if err := rows.Scan(&a.ID, &a.ClientID, &a.AppName, &scopes, &created, &revoked); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		a.Scopes, a.CreatedAt, a.Status = strings.Fields(scopes), sqldb.FromMicros(created), "active"
		if revoked != 0 {
			t := sqldb.FromMicros(revoked)
			a.Status, a.RevokedAt = "revoked", &t
		}
		out = append(out, a)
	}
	return out, sqldb.FormatError(op, rows.Err())
}
