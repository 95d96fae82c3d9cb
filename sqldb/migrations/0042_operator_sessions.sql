-- Console sign-ins: the browser keeps a short-lived session token, never
-- the operator's own bearer token. Only a hash is stored.
CREATE TABLE operator_sessions (
	token_hash BYTEA PRIMARY KEY,
	operator   TEXT NOT NULL REFERENCES operators (id),
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX operator_sessions_expiry ON operator_sessions (expires_at);
