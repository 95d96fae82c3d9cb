-- Automated decisions that affected a person (PIPL art. 24; policy 四(六)):
-- what was decided and when, its main factors sealed through the guard,
-- and the person's appeal with the operator's answer. dedup keeps ranking
-- decisions to one per person per day (kind:subject:day); other kinds use
-- the row id.
CREATE TABLE decisions (
	id             TEXT PRIMARY KEY,
	subject        TEXT NOT NULL,
	kind           TEXT NOT NULL,
	dedup          TEXT NOT NULL UNIQUE,
	factors_sealed BYTEA NOT NULL,
	made_at        BIGINT NOT NULL,
	appeal_reason  TEXT NOT NULL DEFAULT '',
	appealed_at    BIGINT NOT NULL DEFAULT 0,
	outcome        TEXT NOT NULL DEFAULT '',
	answered_by    TEXT NOT NULL DEFAULT '',
	answered_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX decisions_subject ON decisions (subject, made_at);
