-- An item's pictures, uploaded by its seller and re-encoded here: what is
-- stored is the decoded picture written anew, never the uploaded file, so
-- no metadata (EXIF can carry where a photo was taken) is kept or served.
CREATE TABLE item_images (
	item         TEXT NOT NULL,
	position     INTEGER NOT NULL,
	content_type TEXT NOT NULL,
	data         BYTEA NOT NULL,
	width        INTEGER NOT NULL,
	height       INTEGER NOT NULL,
	created_at   BIGINT NOT NULL,
	PRIMARY KEY (item, position)
);
