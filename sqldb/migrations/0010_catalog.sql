-- Catalogue (二(二)): categories, shops, items, channels. Nothing here is
-- personal information except a shop's owner, which is a subject id.
CREATE TABLE categories (
	id         TEXT PRIMARY KEY,
	parent     TEXT NOT NULL DEFAULT '',          -- '' for a top-level category
	name       TEXT NOT NULL,
	position   INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE INDEX categories_parent ON categories (parent, position);

CREATE TABLE shops (
	id          TEXT PRIMARY KEY,
	owner       TEXT NOT NULL DEFAULT '',         -- the seller's subject id; '' for a shop the platform runs
	name        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL,                    -- open, closed
	created_at  BIGINT NOT NULL
);
CREATE INDEX shops_owner ON shops (owner);

CREATE TABLE items (
	id          TEXT PRIMARY KEY,
	shop        TEXT NOT NULL REFERENCES shops (id),
	category    TEXT NOT NULL REFERENCES categories (id),
	title       TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	price_fen   BIGINT NOT NULL,                  -- price in fen (0.01 yuan), the same for everyone
	stock       BIGINT NOT NULL,
	attributes  TEXT NOT NULL DEFAULT '{}',       -- JSON object of name -> value
	images      TEXT NOT NULL DEFAULT '[]',       -- JSON array of image URLs
	status      TEXT NOT NULL,                    -- on_sale, off_shelf, removed
	created_at  BIGINT NOT NULL,
	updated_at  BIGINT NOT NULL
);
CREATE INDEX items_category ON items (category, status, created_at);
CREATE INDEX items_shop ON items (shop, status, created_at);

CREATE TABLE channels (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	created_at  BIGINT NOT NULL
);

CREATE TABLE channel_items (
	channel  TEXT NOT NULL REFERENCES channels (id),
	item     TEXT NOT NULL REFERENCES items (id),
	position INTEGER NOT NULL,
	PRIMARY KEY (channel, item)
);

-- Search history (二(二)2): one row per distinct query of a person, sealed.
-- query_index is a keyed hash of (subject, query), so a repeated query
-- updates its row instead of adding one, without the query in clear.
CREATE TABLE search_history (
	id              TEXT PRIMARY KEY,
	subject         TEXT NOT NULL REFERENCES subjects (id),
	query_index     BYTEA NOT NULL,
	query_sealed    BYTEA NOT NULL,
	image_sealed    BYTEA,
	activity_sealed BYTEA,
	searched_at     BIGINT NOT NULL,
	UNIQUE (subject, query_index)
);
CREATE INDEX search_history_subject ON search_history (subject, searched_at);

-- The search settings of a person: the non-personalised ranking switch
-- (二(二)4 "去个性化排序"). A setting, like a consent record, not sealed.
CREATE TABLE search_settings (
	subject          TEXT PRIMARY KEY REFERENCES subjects (id),
	non_personalised INTEGER NOT NULL,
	updated_at       BIGINT NOT NULL
);
