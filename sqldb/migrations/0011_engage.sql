-- Browsing and engagement (policy 二(二)1): favourites, shop subscriptions,
-- footprints, follows, shares and likes, each a person's own list.
--
-- Which item, shop or member a person looked at or keeps is personal
-- information (it describes their tastes), so the target is sealed under
-- the person's keys and never kept in clear. target_index is the person's
-- keyed pseudonym of the target (privacy.Kernel.Pseudonym, derived from
-- their data key): it finds "this person's favourite of item X" without
-- the item in clear, and it means nothing once their key is destroyed.
-- "at" is the time of the action (for a footprint, the latest view).

CREATE TABLE favourites (
	id            TEXT PRIMARY KEY,
	subject       TEXT NOT NULL REFERENCES subjects (id),
	target_index  TEXT NOT NULL,
	target_sealed BYTEA NOT NULL,
	at            BIGINT NOT NULL,
	UNIQUE (subject, target_index)
);
CREATE INDEX favourites_subject ON favourites (subject, at);

CREATE TABLE subscriptions (
	id           TEXT PRIMARY KEY,
	subject      TEXT NOT NULL REFERENCES subjects (id),
	target_index TEXT NOT NULL,
	shop_sealed  BYTEA NOT NULL,
	at           BIGINT NOT NULL,
	UNIQUE (subject, target_index)
);
CREATE INDEX subscriptions_subject ON subscriptions (subject, at);

-- One row per item a person viewed; viewing it again moves it to the top.
-- The "at" index serves the retention sweep as well as the list.
CREATE TABLE footprints (
	id            TEXT PRIMARY KEY,
	subject       TEXT NOT NULL REFERENCES subjects (id),
	target_index  TEXT NOT NULL,
	target_sealed BYTEA NOT NULL,
	at            BIGINT NOT NULL,
	UNIQUE (subject, target_index)
);
CREATE INDEX footprints_subject ON footprints (subject, at);
CREATE INDEX footprints_at ON footprints (at);

CREATE TABLE follows (
	id            TEXT PRIMARY KEY,
	subject       TEXT NOT NULL REFERENCES subjects (id),
	target_index  TEXT NOT NULL,
	target_sealed BYTEA NOT NULL,
	at            BIGINT NOT NULL,
	UNIQUE (subject, target_index)
);
CREATE INDEX follows_subject ON follows (subject, at);

-- A share is an event, not a toggle: sharing the same item twice is two
-- records. The index still lets all shares of one target be found.
-- media_sealed is a photo or video chosen from the album to go with a
-- share (二(五)3, registry field share.media); empty until the share
-- feature takes media.
CREATE TABLE shares (
	id            TEXT PRIMARY KEY,
	subject       TEXT NOT NULL REFERENCES subjects (id),
	target_index  TEXT NOT NULL,
	target_sealed BYTEA NOT NULL,
	media_sealed  BYTEA,
	at            BIGINT NOT NULL
);
CREATE INDEX shares_subject ON shares (subject, at);

CREATE TABLE likes (
	id            TEXT PRIMARY KEY,
	subject       TEXT NOT NULL REFERENCES subjects (id),
	target_index  TEXT NOT NULL,
	target_sealed BYTEA NOT NULL,
	at            BIGINT NOT NULL,
	UNIQUE (subject, target_index)
);
CREATE INDEX likes_subject ON likes (subject, at);
