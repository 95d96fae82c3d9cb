-- Issue 13 (policy 八, 四(七)): a complaint to the personal-information
-- protection officer is a rights request of kind "complaint" in the one
-- 15-day queue: its state, deadline, refusal and closing live in
-- rights_requests like every request's. policy_complaints keeps what the
-- complaint says (topic, sealed text and answer) and who last handled it;
-- the sealed values stay in their columns, since each is bound to its
-- table and column. A moved complaint has no sealed request record.
INSERT INTO rights_requests (id, subject, kind, filed_by, state, request_sealed, refused_reason, received_at, due_at, checked_at, closed_at)
SELECT id, subject, 'complaint', 'self', state, '', refusal_reason, received_at, deadline_at, 0,
	CASE WHEN state IN ('answered', 'refused') THEN updated_at ELSE 0 END
FROM policy_complaints;
DROP INDEX policy_complaints_queue;
ALTER TABLE policy_complaints DROP COLUMN state;
ALTER TABLE policy_complaints DROP COLUMN refusal_reason;
ALTER TABLE policy_complaints DROP COLUMN deadline_at;
