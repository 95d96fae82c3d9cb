-- (SQLite; the PostgreSQL file differs only in WITHOUT ROWID.)
-- The audit log's index by person, kept apart from the log and filled in
-- bulk (privacy/internal/audit/subjects.go). As an index on audit_log it
-- took a page write for every person in every audit batch, at every commit:
-- under checkout load 7.75 of the 25 pages a commit wrote to the WAL. Filled
-- once a second, each person's page is written once a second at most. A
-- search by person first indexes what is not yet indexed, so it misses
-- nothing durable.
CREATE TABLE audit_subjects (
	subject TEXT NOT NULL,
	chain   TEXT NOT NULL,
	seq     BIGINT NOT NULL,
	at      BIGINT NOT NULL,
	PRIMARY KEY (subject, chain, seq)
) WITHOUT ROWID; -- the key is the row: one b-tree, not two
-- Per chain, the last seq whose row is in audit_subjects.
CREATE TABLE audit_indexed (
	chain TEXT PRIMARY KEY,
	seq   BIGINT NOT NULL
);
INSERT INTO audit_subjects (subject, chain, seq, at) SELECT subject, chain, seq, at FROM audit_log WHERE subject <> '';
INSERT INTO audit_indexed (chain, seq) SELECT chain, MAX(seq) FROM audit_log GROUP BY chain;
DROP INDEX audit_log_subject;
