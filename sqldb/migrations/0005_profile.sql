-- Optional profile (二(一)1): every field may be left empty, and none of
-- them is needed by any basic function.
CREATE TABLE profiles (
	subject         TEXT PRIMARY KEY REFERENCES subjects (id),
	nickname_sealed BYTEA,
	gender_sealed   BYTEA,
	avatar_sealed   BYTEA,
	birthday_sealed BYTEA,
	updated_at      BIGINT NOT NULL
);
