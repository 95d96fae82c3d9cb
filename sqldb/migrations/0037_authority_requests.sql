-- Requests from authorities (三(五)): what a court, the police or a
-- regulator asked for, on which legal basis, and what left for it. fields
-- lists registry field ids, never values. withheld is 1 when the request
-- says the law forbids telling the person; notified_at is when the person
-- was told (0 while withheld), lifted_at when the prohibition was lifted.
CREATE TABLE authority_requests (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    order_id TEXT NOT NULL DEFAULT '',
    authority_kind TEXT NOT NULL,
    authority TEXT NOT NULL,
    authority_ref TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    fields TEXT NOT NULL,
    withheld INTEGER NOT NULL DEFAULT 0,
    operator TEXT NOT NULL,
    reference TEXT NOT NULL,
    disclosed_at BIGINT NOT NULL,
    notified_at BIGINT NOT NULL DEFAULT 0,
    lifted_at BIGINT NOT NULL DEFAULT 0,
    lifted_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX authority_requests_subject ON authority_requests (subject, disclosed_at);
