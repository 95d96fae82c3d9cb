-- The verification result is state-carrying (whether a person is
-- verified, and the birth date that decides whether a guardian is
-- needed): its sealed value binds a counter beside it (see 0040).
ALTER TABLE verifications ADD COLUMN result_version BIGINT NOT NULL DEFAULT 0;
