-- Lifecycle (policy 五(一), 三(四)): retention sweeps, the platform
-- shutdown flag and the notices sent when the platform stops. None of
-- these tables holds personal information: counts, codes, times and
-- pseudonymous subject ids only.

-- One row per retention sweep, with its report (counts per area and
-- table, as JSON) so operators can see what the last run removed.
CREATE TABLE retention_runs (
	id          TEXT PRIMARY KEY,
	started_at  BIGINT NOT NULL,
	finished_at BIGINT NOT NULL,
	dry_run     INTEGER NOT NULL,
	shutdown    INTEGER NOT NULL,
	removed     BIGINT NOT NULL,
	report      TEXT NOT NULL
);
CREATE INDEX retention_runs_started ON retention_runs (started_at);

-- The kernel's platform-wide stop of collection (privacy/shutdown.go):
-- once a row is here every Seal is refused (policy 三(四)).
CREATE TABLE platform_shutdown (
	id     INTEGER PRIMARY KEY,
	at     BIGINT NOT NULL,
	actor  TEXT NOT NULL,
	reason TEXT NOT NULL
);

-- Notices delivered one by one to every account holder (policy 三(四)
-- "逐一送达通知"). The text is fixed per kind and rendered from code.
CREATE TABLE lifecycle_notifications (
	id         TEXT PRIMARY KEY,
	subject    TEXT NOT NULL REFERENCES subjects (id),
	kind       TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	read_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX lifecycle_notifications_subject ON lifecycle_notifications (subject, created_at);

-- Indexes the retention sweep walks, so it never scans a whole table per
-- batch (each area's retention.go says what it deletes).
CREATE INDEX verification_codes_expires ON verification_codes (expires_at);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX devices_last_seen ON devices (last_seen_at);
CREATE INDEX fraud_reports_created ON fraud_reports (created_at);
CREATE INDEX oauth_codes_expires ON oauth_codes (expires_at);
CREATE INDEX oauth_tokens_expires ON oauth_tokens (expires_at);
CREATE INDEX partner_disclosures_at ON partner_disclosures (at);
CREATE INDEX orders_completed ON orders (status, updated_at);
