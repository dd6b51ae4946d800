-- The AIS/Beidou track history: time-partitioned (one partition per day, created ahead
-- by the server) so old days drop as whole tables instead of by DELETE.

CREATE TABLE IF NOT EXISTS vessel_positions (
    vessel_id   text NOT NULL,
    source      text NOT NULL CHECK (source IN ('ais', 'beidou')),
    at          timestamptz NOT NULL,
    geom        geometry(Point, 4326) NOT NULL,
    speed_kn    real,
    course_deg  real,
    heading_deg real
) PARTITION BY RANGE (at);

CREATE INDEX IF NOT EXISTS vessel_positions_vessel_at ON vessel_positions (vessel_id, at);
CREATE INDEX IF NOT EXISTS vessel_positions_geom ON vessel_positions USING gist (geom);

-- A catch-all so no position is ever rejected for want of a partition.
CREATE TABLE IF NOT EXISTS vessel_positions_default PARTITION OF vessel_positions DEFAULT;
