-- Policy versions (六), complaints to the personal-information protection
-- officer (八) and public disclosures (三(三)).

-- Each published version keeps its full text and the canonical JSON of the
-- field registry it was generated from, so old versions stay readable and
-- the next change can be classified against it.
CREATE TABLE policy_versions (
	version      INTEGER PRIMARY KEY,
	published_at BIGINT NOT NULL,
	major        INTEGER NOT NULL,
	reasons      TEXT NOT NULL,
	body         TEXT NOT NULL,
	registry     TEXT NOT NULL,
	published_by TEXT NOT NULL
);

-- Complaints: the same states and 15-day deadline as rights requests.
CREATE TABLE policy_complaints (
	id             TEXT PRIMARY KEY,
	subject        TEXT NOT NULL REFERENCES subjects (id),
	topic          TEXT NOT NULL,
	text_sealed    BYTEA NOT NULL,
	answer_sealed  BYTEA,
	state          TEXT NOT NULL,
	refusal_reason TEXT NOT NULL,
	received_at    BIGINT NOT NULL,
	deadline_at    BIGINT NOT NULL,
	updated_at     BIGINT NOT NULL,
	handled_by     TEXT NOT NULL
);
CREATE INDEX policy_complaints_subject ON policy_complaints (subject, received_at);
CREATE INDEX policy_complaints_queue ON policy_complaints (state, deadline_at);

-- Public disclosures: field names and grounds only, never values.
CREATE TABLE public_disclosures (
	id         TEXT PRIMARY KEY,
	subject    TEXT NOT NULL REFERENCES subjects (id),
	fields     TEXT NOT NULL,
	ground     TEXT NOT NULL,
	legal_ref  TEXT NOT NULL,
	consent_id TEXT NOT NULL,
	operator   TEXT NOT NULL,
	reference  TEXT NOT NULL,
	at         BIGINT NOT NULL
);
CREATE INDEX public_disclosures_subject ON public_disclosures (subject, at);
