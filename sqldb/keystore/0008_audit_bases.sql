-- Per audit chain, where its rows in the data database begin once old
-- entries were archived or dropped past the audit log's retention
-- (privacy/internal/audit/prune.go): the last removed row's seq and mac,
-- which the first kept row chains from, that row's time, and the sweep's
-- cutoff (every entry at or after it is kept). Like the checkpoint it lives
-- outside the data database, so removing more rows at the start is found.
CREATE TABLE audit_bases (
	chain  TEXT PRIMARY KEY,
	seq    BIGINT NOT NULL,
	mac    BYTEA NOT NULL,
	at     BIGINT NOT NULL,
	cutoff BIGINT NOT NULL
);
