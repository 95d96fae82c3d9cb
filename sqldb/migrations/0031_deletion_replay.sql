-- How far the key store's deletion ledger has been applied to this data
-- database: a restored backup carries its own (older) mark, so the kernel
-- replays what was deleted after it. One row, id 1.
CREATE TABLE deletion_replay (
	id      INTEGER PRIMARY KEY,
	through BIGINT NOT NULL
);
