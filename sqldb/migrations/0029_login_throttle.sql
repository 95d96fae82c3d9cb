-- Sign-in throttling (五(三)4) replaces the lock-out: wrong passwords are
-- counted per typed identifier and client, and per identifier overall, in
-- the same way whether or not an account answers to it, so the answer never
-- tells who is registered. name_key is the blind index (a keyed hash) of
-- the typed phone number or member name, never the name itself; client_key
-- is the transport's salted hash of the client's address, '*' for the row
-- that counts every client. Rows go a day after their last failure.
CREATE TABLE login_throttle (
	name_key       BYTEA NOT NULL,
	client_key     TEXT NOT NULL,
	failures       INTEGER NOT NULL,
	blocked_until  BIGINT NOT NULL,
	last_failed_at BIGINT NOT NULL,
	PRIMARY KEY (name_key, client_key)
);
CREATE INDEX login_throttle_age ON login_throttle (last_failed_at);
ALTER TABLE accounts DROP COLUMN failed_logins;
ALTER TABLE accounts DROP COLUMN locked_until;
