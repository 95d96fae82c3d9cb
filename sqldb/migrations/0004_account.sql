-- Accounts (二(一)1): the registrant's phone and member name are sealed;
-- their blind indexes (keyed hashes) let sign-in find an account and keep
-- member names unique without storing either in clear.
CREATE TABLE accounts (
	subject               TEXT PRIMARY KEY REFERENCES subjects (id),
	phone_index           BYTEA NOT NULL UNIQUE,
	phone_sealed          BYTEA NOT NULL,
	member_name_index     BYTEA NOT NULL UNIQUE,
	member_name_sealed    BYTEA NOT NULL,
	password_hash         TEXT NOT NULL,
	level_sealed          BYTEA NOT NULL,
	phone_bound_at_sealed BYTEA NOT NULL,
	phone_risk_sealed     BYTEA,
	status                TEXT NOT NULL,          -- active, locked, deregistered
	failed_logins         INTEGER NOT NULL DEFAULT 0,
	locked_until          BIGINT NOT NULL DEFAULT 0,
	created_at            BIGINT NOT NULL
);

-- One-time codes sent by SMS. The phone is held only as its blind index;
-- the code only as a keyed hash.
CREATE TABLE verification_codes (
	id          TEXT PRIMARY KEY,
	phone_index BYTEA NOT NULL,
	purpose     TEXT NOT NULL,                    -- register, login
	code_hash   BYTEA NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	expires_at  BIGINT NOT NULL,
	used_at     BIGINT NOT NULL DEFAULT 0,
	created_at  BIGINT NOT NULL
);
CREATE INDEX verification_codes_phone ON verification_codes (phone_index, purpose, created_at);

-- Sessions: the token is stored only as a hash; revocation is immediate.
CREATE TABLE sessions (
	id           TEXT PRIMARY KEY,
	subject      TEXT NOT NULL REFERENCES subjects (id),
	token_hash   BYTEA NOT NULL UNIQUE,
	kind         TEXT NOT NULL,                   -- web (cookie) or api (bearer)
	created_at   BIGINT NOT NULL,
	expires_at   BIGINT NOT NULL,
	revoked_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sessions_subject ON sessions (subject, created_at);
