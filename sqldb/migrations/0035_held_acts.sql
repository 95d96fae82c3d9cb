-- How far the key store's held acts (consents withdrawn, authorizations
-- revoked, locks, password resets) have been replayed onto this data
-- database: a restored backup carries its own, older mark. One row, id 1.
CREATE TABLE held_act_replay (
	id      INTEGER PRIMARY KEY,
	through BIGINT NOT NULL
);

-- When the password was last set by a reset: a replayed reset newer than
-- it means the hash here is the one the person replaced.
ALTER TABLE accounts ADD COLUMN password_set_at BIGINT NOT NULL DEFAULT 0;
