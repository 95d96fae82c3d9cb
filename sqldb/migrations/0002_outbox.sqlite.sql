-- Change feed: one row per committed change, written in the same transaction.
-- Payloads carry identifiers and codes, never personal information.
CREATE TABLE outbox (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	at      BIGINT NOT NULL,
	topic   TEXT NOT NULL,
	subject TEXT NOT NULL,
	payload TEXT NOT NULL
);
