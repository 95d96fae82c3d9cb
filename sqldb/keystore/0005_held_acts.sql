-- Held acts: what a person did for their privacy or security that changes
-- state rather than deletes a row (a consent withdrawn, an app's
-- authorization revoked, the account locked or unlocked, the password
-- reset). Written before the data database changes and replayed, in time
-- order, onto a restored backup taken before, so a restore never undoes
-- them. Only pseudonymous ids: the subject, the act and what it is about
-- (a consent scope, a grant's random id, or ''), never a value. Pruned by
-- age with the deletion ledger (privacy.DeletionLedgerKeep).
CREATE TABLE held_acts (
	at      BIGINT NOT NULL,
	subject TEXT NOT NULL,
	act     TEXT NOT NULL,
	target  TEXT NOT NULL,
	PRIMARY KEY (subject, act, target, at)
);
CREATE INDEX held_acts_at ON held_acts (at);
