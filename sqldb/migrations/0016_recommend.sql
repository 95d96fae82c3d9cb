-- Recommendations (policy 二(二)3-4).
--
-- recommend_profiles holds one row per person who turned personalised
-- recommendation on, keyed by their recommendation pseudonym
-- (privacy.Kernel.Pseudonym(subject, "recommend"), derived from their data
-- key): the table has no subject column, so nothing here links a person to
-- the items and categories they like without the key store. Both the
-- predicted preferences and the blocks are sealed under the person's key,
-- so erasing them (crypto-shredding) makes the row unreadable at once.
CREATE TABLE recommend_profiles (
	pseudonym         TEXT PRIMARY KEY,
	preference_sealed BYTEA,
	blocked_sealed    BYTEA,
	updated_at        BIGINT NOT NULL
);
CREATE INDEX recommend_profiles_updated ON recommend_profiles (updated_at);

-- recommend_stats is the aggregate the hot list is ranked from: how much
-- attention each item drew from everyone, with no person in it.
CREATE TABLE recommend_stats (
	item       TEXT PRIMARY KEY,
	category   TEXT NOT NULL,
	score      BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX recommend_stats_score ON recommend_stats (score);
