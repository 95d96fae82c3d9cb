-- Cart, orders, invoices, payments and shipments (policy 二(三), 三(一)5(1)).
-- Every personal value is sealed under the buyer's keys (a recipient who is
-- someone else included); what stays in clear is ids, states, quantities,
-- times and keyed hashes.

-- One row per item in a person's cart. item_index is a keyed hash of
-- (subject, item), so adding the same item again finds its row without
-- the item in clear; the item and the price when added are sealed.
CREATE TABLE cart_items (
	id          TEXT PRIMARY KEY,
	subject     TEXT NOT NULL REFERENCES subjects (id),
	item_index  BYTEA NOT NULL,
	item_sealed BYTEA NOT NULL,
	quantity    INTEGER NOT NULL,
	added_at    BIGINT NOT NULL,
	updated_at  BIGINT NOT NULL,
	UNIQUE (subject, item_index)
);
CREATE INDEX cart_items_subject ON cart_items (subject, added_at);

-- One checkout (one Idempotency-Key of one person): the orders it made,
-- so a retry answers with them instead of ordering again.
CREATE TABLE checkouts (
	subject      TEXT NOT NULL REFERENCES subjects (id),
	idem_key     BYTEA NOT NULL,
	request_hash BYTEA NOT NULL,
	orders       TEXT NOT NULL,                  -- JSON list of order ids
	created_at   BIGINT NOT NULL,
	PRIMARY KEY (subject, idem_key)
);

CREATE TABLE orders (
	id                       TEXT PRIMARY KEY,
	subject                  TEXT NOT NULL REFERENCES subjects (id),
	shop                     TEXT NOT NULL,
	status                   TEXT NOT NULL,      -- pending_payment, paid, shipped, delivered, cancelled, refunded
	cross_border             INTEGER NOT NULL,
	number_sealed            BYTEA NOT NULL,
	items_sealed             BYTEA NOT NULL,
	created_at_sealed        BYTEA NOT NULL,
	discounts_sealed         BYTEA NOT NULL,
	amount_sealed            BYTEA NOT NULL,
	recipient_name_sealed    BYTEA NOT NULL,
	recipient_address_sealed BYTEA NOT NULL,
	recipient_phone_sealed   BYTEA NOT NULL,
	extra_phone_sealed       BYTEA,
	delivery_time_sealed     BYTEA,
	remark_sealed            BYTEA,
	recipient_consent_sealed BYTEA,
	customs_id_name_sealed   BYTEA,
	customs_id_number_sealed BYTEA,
	created_at               BIGINT NOT NULL,
	updated_at               BIGINT NOT NULL
);
CREATE INDEX orders_subject ON orders (subject, created_at);
CREATE INDEX orders_shop ON orders (shop, created_at);

-- Invoice details, present only when an invoice was asked for.
CREATE TABLE invoices (
	order_id           TEXT PRIMARY KEY REFERENCES orders (id),
	subject            TEXT NOT NULL REFERENCES subjects (id),
	title_sealed       BYTEA NOT NULL,
	taxpayer_id_sealed BYTEA NOT NULL,
	email_sealed       BYTEA NOT NULL,
	created_at         BIGINT NOT NULL
);

-- One payment per order, through the payment institution.
CREATE TABLE payments (
	id                   TEXT PRIMARY KEY,
	order_id             TEXT NOT NULL UNIQUE REFERENCES orders (id),
	subject              TEXT NOT NULL REFERENCES subjects (id),
	idem_key             BYTEA,
	trade_no             TEXT NOT NULL DEFAULT '', -- the institution's reference
	kind                 TEXT NOT NULL,            -- direct, pay_for_me
	time_sealed          BYTEA,
	amount_sealed        BYTEA NOT NULL,
	channel_sealed       BYTEA NOT NULL,
	payer_account_sealed BYTEA,
	payer_phone_sealed   BYTEA,
	status_sealed        BYTEA NOT NULL,
	created_at           BIGINT NOT NULL,
	updated_at           BIGINT NOT NULL
);
CREATE INDEX payments_trade ON payments (trade_no);

-- One shipment per order, through the logistics information system.
CREATE TABLE shipments (
	id              TEXT PRIMARY KEY,
	order_id        TEXT NOT NULL UNIQUE REFERENCES orders (id),
	subject         TEXT NOT NULL REFERENCES subjects (id),
	waybill_no      TEXT NOT NULL DEFAULT '',
	tracking_sealed BYTEA NOT NULL,
	created_at      BIGINT NOT NULL,
	updated_at      BIGINT NOT NULL
);
