-- Security centre (二(七), 五(三)4): device and network signals, kept as
-- security logs and used for security only; fraud reports.
CREATE TABLE devices (
	id                    TEXT PRIMARY KEY,
	subject               TEXT NOT NULL REFERENCES subjects (id),
	device_index          BYTEA NOT NULL,
	device_id_sealed      BYTEA NOT NULL,
	resettable_ids_sealed BYTEA,
	app_info_sealed       BYTEA,
	params_sealed         BYTEA,
	wifi_sealed           BYTEA,
	bluetooth_sealed      BYTEA,
	sensors_sealed        BYTEA,
	carrier_sealed        BYTEA,
	broadcast_sealed      BYTEA,
	cell_sealed           BYTEA,
	first_seen_at         BIGINT NOT NULL,
	last_seen_at          BIGINT NOT NULL,
	UNIQUE (subject, device_index)
);

CREATE TABLE fraud_reports (
	id            TEXT PRIMARY KEY,
	subject       TEXT NOT NULL REFERENCES subjects (id),
	report_sealed BYTEA NOT NULL,
	status        TEXT NOT NULL,
	created_at    BIGINT NOT NULL
);
CREATE INDEX fraud_reports_subject ON fraud_reports (subject, created_at);
