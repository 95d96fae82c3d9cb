-- Legal holds (五(一)): an operator with the legal_hold role keeps a
-- person's transaction records, or one order's, past their retention while
-- a court, investigation or regulator needs them. order_id is '' for a
-- hold on the whole person; period is the held order's completion month
-- (YYYY-MM), '' while it is unfinished. released_at is 0 while the hold
-- stands. legal_ref is the decision or case number, never personal data.
CREATE TABLE legal_holds (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    order_id TEXT NOT NULL DEFAULT '',
    period TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    legal_ref TEXT NOT NULL,
    operator TEXT NOT NULL,
    reference TEXT NOT NULL,
    placed_at BIGINT NOT NULL,
    released_at BIGINT NOT NULL DEFAULT 0,
    released_by TEXT NOT NULL DEFAULT '',
    release_reference TEXT NOT NULL DEFAULT ''
);
CREATE INDEX legal_holds_subject ON legal_holds (subject, released_at);
