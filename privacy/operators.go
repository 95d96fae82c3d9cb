package privacy

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"minimall"
	"minimall/sqldb"
)

// Operators are the platform's staff. Each has one role, and the registry
// says which purposes each role may act for (purposes.go); every access an
// operator makes also names a ticket or request id (Actor.Reason).
type Operators struct {
	db *sqldb.DB
}

// ValidRole reports whether r is a declared operator role.
func ValidRole(r minimall.Role) bool {
	for _, x := range minimall.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// AccessReasonRule states the shape of the ticket or request id every
// operator access names (Actor.Reason), for error messages.
const AccessReasonRule = "3-64 of A-Z a-z 0-9 . _ : -, starting with a letter, no run of more than 8 digits"

// ValidAccessReason reports whether s can name the ticket or request id an
// operator's access is for (AccessReasonRule). The shape admits no spaces
// or CJK text, and no run of digits as long as a phone or ID number's, so
// no personal information can be typed into the audit log through it.
func ValidAccessReason(s string) bool {
	if len(s) < 3 || len(s) > 64 || !isLetter(s[0]) {
		return false
	}
	digits := 0
	for _, c := range []byte(s) {
		ok := isLetter(c) || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-'
		if c >= '0' && c <= '9' {
			digits++
		} else {
			digits = 0
		}
		if !ok || digits > 8 {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// Add creates an operator with role r and returns its id and bearer token.
// Only a hash of the token is stored: it is shown once. Returns Invalid for
// an unknown role.
func (o *Operators) Add(ctx context.Context, r minimall.Role) (id, token string, err error) {
	const op = "privacy.Operators.Add"
	if !ValidRole(r) {
		return "", "", minimall.Errorf(minimall.Invalid, op, "unknown role %q; roles: customer_service, security, dpo, legal_hold, ops", r)
	}
	id = "op_" + minimall.RandomToken(6)
	token = "mmo_" + minimall.RandomToken(20)
	_, err = o.db.ExecContext(ctx, `INSERT INTO operators (id, role, token_hash, created_at) VALUES (?, ?, ?, ?)`,
		id, string(r), tokenHash(token), sqldb.Micros(o.db.Now()))
	if err != nil {
		return "", "", sqldb.FormatError(op, err)
	}
	return id, token, nil
}

// Authenticate returns the operator actor a token belongs to (without a
// reason: the caller sets Actor.Reason from the request). Returns
// Unauthorized for an unknown or disabled token.
func (o *Operators) Authenticate(ctx context.Context, token string) (minimall.Actor, error) {
	const op = "privacy.Operators.Authenticate"
	if strings.HasPrefix(token, ConsoleTokenPrefix) {
		return o.consoleActor(ctx, token)
	}
	var id, role string
	var disabled int64
	err := o.db.QueryRowContext(ctx, `SELECT id, role, disabled_at FROM operators WHERE token_hash = ?`, tokenHash(token)).Scan(&id, &role, &disabled)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && disabled != 0) {
		return minimall.Actor{}, minimall.Errorf(minimall.Unauthorized, op, "Unknown or disabled operator token. 操作员令牌无效。")
	}
	if err != nil {
		return minimall.Actor{}, fmt.Errorf("%s: %w", op, err)
	}
	return minimall.Actor{Kind: minimall.Operator, ID: id, Role: minimall.Role(role)}, nil
}

// Disable stops an operator's token from working at once.
func (o *Operators) Disable(ctx context.Context, id string) error {
	res, err := o.db.ExecContext(ctx, `UPDATE operators SET disabled_at = ? WHERE id = ? AND disabled_at = 0`, sqldb.Micros(o.db.Now()), id)
	if err != nil {
		return sqldb.FormatError("privacy.Operators.Disable", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return minimall.Errorf(minimall.NotFound, "privacy.Operators.Disable", "No such operator. 无此操作员。")
	}
	return nil
}

// tokenHash is a plain SHA-256: tokens are 160 random bits, so a slow hash
// adds nothing, and lookups must be fast.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
