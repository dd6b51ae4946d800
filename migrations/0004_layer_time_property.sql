-- The property holding each feature's time (RFC 3339), for OGC API `datetime` queries.
ALTER TABLE layers ADD COLUMN IF NOT EXISTS time_property text;
