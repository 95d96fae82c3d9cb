-- Cross-border transfer (policy 五(二)): the separate consents given after
-- the notice, with the notice version shown, and every transfer made.
CREATE TABLE cross_border_consents (
	id             TEXT PRIMARY KEY,
	subject        TEXT NOT NULL REFERENCES subjects (id),
	consent_id     TEXT NOT NULL,
	notice_version TEXT NOT NULL,
	action         TEXT NOT NULL,
	at             BIGINT NOT NULL
);
CREATE INDEX cross_border_consents_subject ON cross_border_consents (subject, at);

CREATE TABLE cross_border_transfers (
	id         TEXT PRIMARY KEY,
	subject    TEXT NOT NULL REFERENCES subjects (id),
	order_id   TEXT NOT NULL,
	recipient  TEXT NOT NULL,
	fields     TEXT NOT NULL,
	rule       TEXT NOT NULL,
	status     TEXT NOT NULL,
	at         BIGINT NOT NULL
);
CREATE INDEX cross_border_transfers_subject ON cross_border_transfers (subject, at);

-- Security incidents (policy 五(三)3). The texts are the operator's
-- account of the incident and hold nobody's personal information.
CREATE TABLE incidents (
	id          TEXT PRIMARY KEY,
	title       TEXT NOT NULL,
	what        TEXT NOT NULL,
	impact      TEXT NOT NULL,
	measures    TEXT NOT NULL,
	advice      TEXT NOT NULL,
	since       BIGINT NOT NULL,
	until       BIGINT NOT NULL,
	fields      TEXT NOT NULL,
	purposes    TEXT NOT NULL,
	tables_hit  TEXT NOT NULL,
	recorded_by TEXT NOT NULL,
	created_at  BIGINT NOT NULL,
	notified_at BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE incident_subjects (
	incident TEXT NOT NULL REFERENCES incidents (id),
	subject  TEXT NOT NULL REFERENCES subjects (id),
	fields   TEXT NOT NULL,
	PRIMARY KEY (incident, subject)
);

-- Texts of notices whose wording is decided at run time (an incident's),
-- rendered with lifecycle_notifications by kind.
CREATE TABLE lifecycle_notice_texts (
	kind       TEXT PRIMARY KEY,
	title      TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
