-- The key of one logical call to a partner (a refund of one payment, the
-- start of one payment), the same on every retry: a retry finds the
-- disclosure already logged and reuses it, so the sharing list and the
-- audit log show it once. Only callers that retry across requests name
-- one; the key names a row of minimall's own (a payment id), not a person.
ALTER TABLE partner_disclosures ADD COLUMN idem_key TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX partner_disclosures_idem ON partner_disclosures (partner, idem_key) WHERE idem_key <> '';

-- 1 when the payment institution's answer to a payment's start was lost
-- (unreachable, slow, garbage): the payment is pending, and the next Pay
-- of the order starts the same payment again under the same key.
ALTER TABLE payments ADD COLUMN start_failed INTEGER NOT NULL DEFAULT 0;
