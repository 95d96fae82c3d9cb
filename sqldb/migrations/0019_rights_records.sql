-- Issue 5 (policy 四, 四(六), 五(二); PIPL art. 24, 45, 50): an appeal of an
-- automated decision is a rights request of kind "appeal" in the one
-- 15-day queue; ref names what a request is about (the decision id), and
-- the decision names its appeal's request. Each transfer abroad names the
-- separate consent it rested on, for the person's export.
ALTER TABLE rights_requests ADD COLUMN ref TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN appeal_request TEXT NOT NULL DEFAULT '';
ALTER TABLE cross_border_transfers ADD COLUMN consent_id TEXT NOT NULL DEFAULT '';
