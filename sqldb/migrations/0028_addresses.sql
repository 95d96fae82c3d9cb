-- The address book: recipients a person saved to pick at checkout, sealed
-- under the person's key (二(三)2); removed entry by entry, or with them.
CREATE TABLE addresses (
	id             TEXT PRIMARY KEY,
	subject        TEXT NOT NULL,
	name_sealed    BYTEA NOT NULL,
	address_sealed BYTEA NOT NULL,
	phone_sealed   BYTEA NOT NULL,
	created_at     BIGINT NOT NULL
);
CREATE INDEX addresses_subject ON addresses (subject, created_at);
