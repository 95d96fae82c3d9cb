-- Deletion ledger: records a person deleted themselves (a footprint, a
-- favourite, a search, an address, a cart line...), written before the row
-- is deleted from the data database and replayed after a restore of the
-- data folder, so a backup taken before never brings them back. Only
-- pseudonymous ids: the table, the row's random id and the subject, never
-- a value. row_id '' means every row of subject in tbl up to at (a "clear
-- all"). Pruned by age (privacy.DeletionLedgerKeep).
CREATE TABLE deletions (
	at      BIGINT NOT NULL,
	subject TEXT NOT NULL,
	tbl     TEXT NOT NULL,
	row_id  TEXT NOT NULL,
	PRIMARY KEY (subject, tbl, row_id, at)
);
CREATE INDEX deletions_at ON deletions (at);
