-- Fewer index pages per checkout. Every index a row is in is another page
-- the single SQLite writer changes, and appends to the WAL, at each commit
-- (counted in the WAL under checkout load: 32 pages a commit, 2.4 of them
-- for the trade-number index alone).
--
-- Nothing looks a payment up by the institution's trade number (its notices
-- name the payment), and the number arrives after the row is written, so
-- the index moved every payment twice, to a random page.
DROP INDEX IF EXISTS payments_trade;
-- A cart is found by its owner through the (subject, item_index) key; the
-- few lines of one cart are sorted by time in memory.
DROP INDEX IF EXISTS cart_items_subject;
-- The retention sweep looks only for finished orders; an order on its way
-- (awaiting payment, paid, shipped) no longer moves in this index at every
-- step.
DROP INDEX IF EXISTS orders_completed;
CREATE INDEX orders_finished ON orders (status, updated_at) WHERE status IN ('delivered', 'cancelled', 'refunded');
