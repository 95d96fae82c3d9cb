-- A recipient named in someone else's order asks what minimall holds
-- about them (policy 四, PIPL art. 44-47) without an account: every order
-- naming their phone is found through a blind index of the recipient
-- phone (a keyed hash, like accounts.phone_index; never the number), and
-- a deletion of a completed order's recipient restricts it: the
-- transaction record is kept for its retention (E-commerce Law art. 31)
-- but its recipient is no longer shown. Orders placed before this
-- migration have no index until their recipient is corrected.
ALTER TABLE orders ADD COLUMN recipient_phone_index BYTEA;
ALTER TABLE orders ADD COLUMN recipient_restricted_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX orders_recipient_phone ON orders (recipient_phone_index);
