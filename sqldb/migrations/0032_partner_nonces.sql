-- Nonces of the partners' signed callbacks seen within the signature's
-- window (partner.MaxAge): the same callback sent again is a replay and is
-- refused. Rows older than twice the window are deleted as new ones come.
CREATE TABLE partner_nonces (
	nonce   TEXT PRIMARY KEY,
	seen_at BIGINT NOT NULL
);
CREATE INDEX partner_nonces_seen ON partner_nonces (seen_at);
