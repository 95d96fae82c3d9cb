-- A state-carrying sealed field keeps a counter beside its column
-- (privacy.FieldSpec.Versioned): every seal raises it and the sealed
-- value's associated data binds it, so an older ciphertext written back
-- into the cell no longer opens. 0 marks a value sealed before counters
-- existed: it opens with the associated data it was sealed with, and the
-- next write seals it afresh at 1 or above.
ALTER TABLE accounts ADD COLUMN phone_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN phone_bound_at_version BIGINT NOT NULL DEFAULT 0;
