-- Rights requests (policy 四): access, copy, correction, deletion and
-- deregistration, by the person or, for a deceased person, by next of kin
-- (PIPL art. 49). What was asked (it may hold corrected values), how the
-- identity was proved and the next of kin's evidence are sealed under the
-- person's retention key, so the record of how minimall answered outlives
-- a deregistration for the limitation period. What stays in clear is ids,
-- kinds, states, times and reason codes.
CREATE TABLE rights_requests (
	id                    TEXT PRIMARY KEY,
	subject               TEXT NOT NULL REFERENCES subjects (id),
	kind                  TEXT NOT NULL,              -- access, copy, correct, delete, deregister
	filed_by              TEXT NOT NULL,              -- self or next_of_kin
	state                 TEXT NOT NULL,              -- received, identity_checked, in_progress, answered, refused
	request_sealed        BYTEA NOT NULL,
	identity_proof_sealed BYTEA,
	next_of_kin_sealed    BYTEA,
	token_hash            BYTEA,                      -- next of kin's request token, hashed
	refused_reason        TEXT NOT NULL DEFAULT '',   -- a reason code
	answer                TEXT NOT NULL DEFAULT '',   -- JSON of codes, counts and ids; never values
	received_at           BIGINT NOT NULL,
	due_at                BIGINT NOT NULL,
	checked_at            BIGINT NOT NULL DEFAULT 0,
	closed_at             BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX rights_requests_subject ON rights_requests (subject, kind, received_at);
CREATE INDEX rights_requests_open ON rights_requests (state, due_at);
