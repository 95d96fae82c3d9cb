-- Authorized login (二(一)2): minimall as an OAuth 2.0 provider with PKCE.
-- Apps are registered by operators; a client secret, a code and an access
-- token are stored only as SHA-256 hashes (each is 100+ random bits, shown
-- once). What a person authorized, as the consent screen showed it, is
-- sealed in oauth_grants.grant_sealed; the clear client_id and scopes let
-- tokens be checked without opening it.
CREATE TABLE oauth_clients (
	id            TEXT PRIMARY KEY,
	name          TEXT NOT NULL,
	redirect_uris TEXT NOT NULL,                 -- newline-separated, matched exactly
	scopes        TEXT NOT NULL,                 -- space-separated
	secret_hash   BYTEA NOT NULL,
	created_by    TEXT NOT NULL,                 -- operator id
	created_at    BIGINT NOT NULL,
	disabled_at   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE oauth_grants (
	id           TEXT PRIMARY KEY,
	subject      TEXT NOT NULL REFERENCES subjects (id),
	client_id    TEXT NOT NULL REFERENCES oauth_clients (id),
	scopes       TEXT NOT NULL,
	grant_sealed BYTEA NOT NULL,
	created_at   BIGINT NOT NULL,
	revoked_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX oauth_grants_subject ON oauth_grants (subject, created_at);

-- One-time authorization codes, bound to the client, the redirect URI and
-- the PKCE challenge (RFC 7636, S256 only).
CREATE TABLE oauth_codes (
	id             TEXT PRIMARY KEY,
	code_hash      BYTEA NOT NULL UNIQUE,
	grant_id       TEXT NOT NULL REFERENCES oauth_grants (id),
	client_id      TEXT NOT NULL,
	redirect_uri   TEXT NOT NULL,
	code_challenge TEXT NOT NULL,
	expires_at     BIGINT NOT NULL,
	used_at        BIGINT NOT NULL DEFAULT 0,
	created_at     BIGINT NOT NULL
);

-- Access tokens: opaque, hashed, short-lived; revoking the grant revokes
-- them at once (no cache stands between a revocation and the next call).
CREATE TABLE oauth_tokens (
	id         TEXT PRIMARY KEY,
	token_hash BYTEA NOT NULL UNIQUE,
	grant_id   TEXT NOT NULL REFERENCES oauth_grants (id),
	code_id    TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	revoked_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX oauth_tokens_grant ON oauth_tokens (grant_id);
