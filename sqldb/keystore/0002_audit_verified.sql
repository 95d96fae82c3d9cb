-- Per audit chain, the last row the background verification found intact,
-- walking the chain from its start (privacy/internal/audit/recheck.go).
-- At start Open checks the rows after it, up to a bound; the background
-- verification checks the rest.
CREATE TABLE audit_verified (
	chain TEXT PRIMARY KEY,
	seq   BIGINT NOT NULL,
	mac   BYTEA NOT NULL,
	at    BIGINT NOT NULL
);
