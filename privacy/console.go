package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"minimall"
	"minimall/sqldb"
)

// ConsoleTokenPrefix starts a console session token: what an operator's
// browser keeps after signing in to the console, instead of the
// operator's own bearer token, which never goes into a cookie.
const ConsoleTokenPrefix = "mmc_"

// StartConsole checks an operator's bearer token and opens a console
// session lasting ttl; the browser keeps the session token it returns. A
// stolen cookie then ends by itself, at sign-out, or when the operator is
// disabled, and never reveals the operator's token. Returns Unauthorized
// for an unknown or disabled token.
func (o *Operators) StartConsole(ctx context.Context, token string, ttl time.Duration) (string, minimall.Actor, error) {
	const op = "privacy.Operators.StartConsole"
	if strings.HasPrefix(token, ConsoleTokenPrefix) {
		return "", minimall.Actor{}, minimall.Errorf(minimall.Unauthorized, op, "Sign in with the operator token. 请使用操作员令牌登录。")
	}
	a, err := o.Authenticate(ctx, token)
	if err != nil {
		return "", a, err
	}
	now := o.db.Now()
	session := ConsoleTokenPrefix + minimall.RandomToken(20)
	// Sessions past their end go as new ones start: the table stays small.
	if _, err := o.db.ExecContext(ctx, `DELETE FROM operator_sessions WHERE expires_at < ?`, sqldb.Micros(now)); err != nil {
		return "", a, sqldb.FormatError(op, err)
	}
	_, err = o.db.ExecContext(ctx, `INSERT INTO operator_sessions (token_hash, operator, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		tokenHash(session), a.ID, sqldb.Micros(now), sqldb.Micros(now.Add(ttl)))
	return session, a, sqldb.FormatError(op, err)
}

// EndConsole ends a console session at once.
func (o *Operators) EndConsole(ctx context.Context, session string) error {
	_, err := o.db.ExecContext(ctx, `DELETE FROM operator_sessions WHERE token_hash = ?`, tokenHash(session))
	return sqldb.FormatError("privacy.Operators.EndConsole", err)
}

// consoleActor returns the operator a live console session belongs to.
func (o *Operators) consoleActor(ctx context.Context, session string) (minimall.Actor, error) {
	const op = "privacy.Operators.Authenticate"
	var id, role string
	var disabled, expires int64
	err := o.db.QueryRowContext(ctx, `SELECT o.id, o.role, o.disabled_at, s.expires_at FROM operator_sessions s JOIN operators o ON o.id = s.operator
		WHERE s.token_hash = ?`, tokenHash(session)).Scan(&id, &role, &disabled, &expires)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (disabled != 0 || expires <= sqldb.Micros(o.db.Now()))) {
		return minimall.Actor{}, minimall.Errorf(minimall.Unauthorized, op, "The console session ended; sign in again. 控制台会话已结束，请重新登录。")
	}
	if err != nil {
		return minimall.Actor{}, fmt.Errorf("%s: %w", op, err)
	}
	return minimall.Actor{Kind: minimall.Operator, ID: id, Role: minimall.Role(role)}, nil
}
