-- A child's registration held for a guardian (七, PIPL art. 31), and a
-- child's account whose guardian withdrew consent, wait only so long:
-- held_until is when the hold lapses, after which a guardian token is
-- refused and the retention sweeper erases the account (account/retention.go).
-- 0 for an account that is not held.
ALTER TABLE accounts ADD COLUMN held_until BIGINT NOT NULL DEFAULT 0;
