-- Partner disclosures (三(一), PIPL art. 23, 55): one row for every hand-over
-- of personal information to a partner, written before the request leaves.
-- It names the fields handed over, never their values. partner_ref is the
-- pseudonym the partner knows the person by; subject is '' for a one-off
-- send before an account exists (a registration code), so there is no
-- foreign key to subjects.
CREATE TABLE partner_disclosures (
	id          TEXT PRIMARY KEY,
	subject     TEXT NOT NULL,
	partner     TEXT NOT NULL,
	purpose     TEXT NOT NULL,
	operation   TEXT NOT NULL,
	fields      TEXT NOT NULL,   -- field ids, comma-separated
	partner_ref TEXT NOT NULL,   -- '' once the partner confirmed deletion
	request_id  TEXT NOT NULL,
	at          BIGINT NOT NULL,
	status      TEXT NOT NULL    -- sent, failed, deleted
);
CREATE INDEX partner_disclosures_subject ON partner_disclosures (subject, partner, at);
