-- A disclosure made before the person had an account (a registration code
-- sent by SMS) carries a claim: the blind index of the phone it went to, by
-- purpose. Registering with that phone attaches such disclosures to the new
-- account, so its sharing list shows them and its deletion notices reach them.
ALTER TABLE partner_disclosures ADD COLUMN claim TEXT NOT NULL DEFAULT '';
CREATE INDEX partner_disclosures_claim ON partner_disclosures (claim) WHERE claim <> '';
