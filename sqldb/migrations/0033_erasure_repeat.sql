-- A person erased since the backup that a restore brought back is marked
-- erased again at start, and their areas' clean-up must run again (the
-- restored rows hold an open account, a taken phone number, a password
-- hash): erasure_repeat says it is still to do, so it survives a crash.
ALTER TABLE subjects ADD COLUMN erasure_repeat INTEGER NOT NULL DEFAULT 0;
CREATE INDEX subjects_erasure_repeat ON subjects (erasure_repeat) WHERE erasure_repeat = 1;
