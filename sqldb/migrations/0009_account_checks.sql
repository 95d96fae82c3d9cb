-- Phone-number checks (二(一)3 号码验证). The carrier's answers themselves
-- are sealed (phone_risk_sealed); these two times are what sign-in needs
-- without opening anything: when the carrier last confirmed the number was
-- still the holder's, and when it said the number had changed hands (SMS-
-- code sign-in stays off from then on; the password still works).
ALTER TABLE accounts ADD COLUMN phone_confirmed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN phone_recycled_at BIGINT NOT NULL DEFAULT 0;
