-- The account level is state-carrying too (what a member gets follows
-- it): its sealed value binds a counter beside it (see 0040).
ALTER TABLE accounts ADD COLUMN level_version BIGINT NOT NULL DEFAULT 0;
