-- The privacy kernel's tables in the data database. Every column is
-- classified in privacy/schema.go (sealed, pseudonymous or not personal).

-- Consent ledger: append-only; a withdrawal is a new row, history is never rewritten.
CREATE TABLE consents (
	id             TEXT PRIMARY KEY,
	subject        TEXT NOT NULL,
	scope          TEXT NOT NULL,   -- feature:..., purpose:..., recipient:...
	kind           TEXT NOT NULL,   -- general, separate, guardian
	action         TEXT NOT NULL,   -- grant, withdraw
	policy_version INTEGER NOT NULL,
	channel        TEXT NOT NULL,   -- api, web, cli, ...
	evidence       TEXT NOT NULL,   -- request id or consent-screen id; never PI
	at             BIGINT NOT NULL
);
CREATE INDEX consents_subject ON consents (subject, scope, at);

-- Audit log: hash-chained per writer chain; the key and the checkpointed
-- head live outside this database.
CREATE TABLE audit_log (
	chain    TEXT NOT NULL,
	seq      BIGINT NOT NULL,
	at       BIGINT NOT NULL,
	actor    TEXT NOT NULL,
	subject  TEXT NOT NULL,
	field    TEXT NOT NULL,
	purpose  TEXT NOT NULL,
	decision TEXT NOT NULL,
	reason   TEXT NOT NULL,
	ref      TEXT NOT NULL,
	mac      BYTEA NOT NULL,
	PRIMARY KEY (chain, seq)
);
CREATE INDEX audit_log_subject ON audit_log (subject, at);

-- Operators: platform staff; the token is stored only as a hash.
CREATE TABLE operators (
	id          TEXT PRIMARY KEY,
	role        TEXT NOT NULL,
	token_hash  BYTEA NOT NULL UNIQUE,
	created_at  BIGINT NOT NULL,
	disabled_at BIGINT NOT NULL DEFAULT 0
);

-- Subjects: every person the platform holds data about, with the region
-- their data is stored in and, after erasure, when it happened.
CREATE TABLE subjects (
	id         TEXT PRIMARY KEY,
	region     TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	erased_at  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE outbox_offsets (
	consumer TEXT PRIMARY KEY,
	last_id  BIGINT NOT NULL,
	at       BIGINT NOT NULL
);
