-- A deregistration or a deletion of everything survives a crash: the
-- request is marked before its first step (erase_started_at), and a request
-- whose partner notices are not all confirmed stays marked
-- (notices_pending) until they are; the rights service resumes both.
ALTER TABLE rights_requests ADD COLUMN erase_started_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rights_requests ADD COLUMN notices_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX rights_requests_notices ON rights_requests (notices_pending) WHERE notices_pending = 1;
