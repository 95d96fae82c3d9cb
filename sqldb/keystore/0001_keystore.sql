-- The key store: a database of its own, in the keys folder on SQLite and a
-- separate database on PostgreSQL, never inside the data folder or its backups.

-- Wrapped per-subject keys. kind: data (the subject's data key), retention
-- (one per subject per completion period, for records the law makes us keep).
CREATE TABLE subject_keys (
	id         BIGINT PRIMARY KEY,
	subject    TEXT NOT NULL,
	kind       TEXT NOT NULL,
	period     TEXT NOT NULL,
	master_id  TEXT NOT NULL,
	wrapped    BYTEA NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (subject, kind, period)
);

-- Erasure ledger: subjects whose keys were destroyed. Replayed after any
-- restore of the data folder so an erased person never comes back.
CREATE TABLE erasures (
	subject   TEXT NOT NULL,
	scope     TEXT NOT NULL,   -- data (account deleted) or all (retention ended too)
	at        BIGINT NOT NULL,
	reason    TEXT NOT NULL,
	PRIMARY KEY (subject, scope)
);

-- Checkpointed head of each audit chain, outside the data database, so a
-- truncated or rewritten log is found.
CREATE TABLE audit_heads (
	chain TEXT PRIMARY KEY,
	seq   BIGINT NOT NULL,
	mac   BYTEA NOT NULL,
	at    BIGINT NOT NULL
);
