-- The live fleet's latest state, one row per vessel, so a restarted server (or another
-- instance) rebuilds its live view without scanning the whole position history.
-- `static` holds what AIS type 5/24 messages and feeds say about the vessel (name, call
-- sign, ship type, dimensions, destination) as JSON.

CREATE TABLE IF NOT EXISTS vessels (
    vessel_id    text PRIMARY KEY,
    -- NULL while only static data has arrived.
    source       text CHECK (source IN ('ais', 'beidou')),
    at           timestamptz,
    geom         geometry(Point, 4326),
    speed_kn     real,
    course_deg   real,
    heading_deg  real,
    nav_status   smallint,
    static       jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS vessels_geom ON vessels USING gist (geom);
