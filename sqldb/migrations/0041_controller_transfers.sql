-- Transfers of the personal information minimall holds to another
-- controller (policy 三(二)): merger, division, dissolution, bankruptcy.
-- The receiver's published name and contact are told to every person.
CREATE TABLE controller_transfers (
	id                TEXT PRIMARY KEY,
	cause             TEXT NOT NULL,
	recipient_name    TEXT NOT NULL,
	recipient_contact TEXT NOT NULL,
	effective_at      BIGINT NOT NULL,
	recorded_by       TEXT NOT NULL,
	reference         TEXT NOT NULL,
	created_at        BIGINT NOT NULL,
	notified_at       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX controller_transfers_effective ON controller_transfers (effective_at);
