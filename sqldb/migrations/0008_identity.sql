-- Identity (二(一)3, 七): real-name and real-person verification, and the
-- guardian procedure for children under 14. Every column is classified in
-- privacy/schema.go.

-- The kernel's flag of a child under 14 (privacy/minor.go): the guard
-- refuses further collection while a guardian has not consented, and
-- treats the child's data as sensitive once one has (PIPL art. 28, 31).
CREATE TABLE subject_minors (
	subject    TEXT PRIMARY KEY REFERENCES subjects (id),
	state      TEXT NOT NULL,                 -- pending, consented
	changed_at BIGINT NOT NULL
);

-- One row per verified person. The result and the evidence (name, ID
-- number and type) are sealed and open only for verification, the legal
-- duty, the person's own rights and, with separate consent, account
-- recovery. Face data is never stored: face_sealed exists because the
-- registry declares it, and stays empty.
CREATE TABLE verifications (
	subject              TEXT PRIMARY KEY REFERENCES subjects (id),
	real_name_sealed     BYTEA,
	id_number_sealed     BYTEA,
	id_type_sealed       BYTEA,
	face_sealed          BYTEA,
	result_sealed        BYTEA,
	alipay_status_sealed BYTEA,
	updated_at           BIGINT NOT NULL
);

-- The guardian procedure: one row per child known to be under 14. The
-- token that lets a guardian act is stored only as a hash.
CREATE TABLE minors (
	subject                  TEXT PRIMARY KEY REFERENCES subjects (id),
	state                    TEXT NOT NULL,   -- pending, consented
	guardian_token_hash      BYTEA NOT NULL UNIQUE,
	under_14_sealed          BYTEA NOT NULL,
	guardian_identity_sealed BYTEA,
	guardian_consent_sealed  BYTEA,
	created_at               BIGINT NOT NULL,
	consented_at             BIGINT NOT NULL DEFAULT 0
);
