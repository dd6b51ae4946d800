-- Typed tables for the county's assets: constraints catch bad data at import, and the
-- analyses (coverage, patrol zones) read typed columns instead of JSON. Attributes an
-- import brings beyond the typed columns are kept in `extra`.

CREATE TABLE IF NOT EXISTS piers (
    id            bigint PRIMARY KEY,
    geom          geometry(Point, 4326) NOT NULL,
    name_zh       text NOT NULL,
    name_en       text NOT NULL DEFAULT '',
    kind          text NOT NULL CHECK (kind IN ('pier', 'beaching_spot')),
    town_zh       text,
    town_en       text,
    idle          boolean NOT NULL DEFAULT false,
    unmanned      boolean NOT NULL DEFAULT false,
    berth_depth_m double precision CHECK (berth_depth_m >= 0),
    synthetic     boolean NOT NULL DEFAULT false,
    extra         jsonb NOT NULL DEFAULT '{}',
    -- Kept by a trigger: what tiles and feature queries read (one stored value, not a
    -- row-to-JSON per feature per request).
    properties       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS piers_geom ON piers USING gist (geom);

CREATE TABLE IF NOT EXISTS barriers (
    id             bigint PRIMARY KEY,
    geom           geometry(Point, 4326) NOT NULL,
    name_zh        text NOT NULL,
    name_en        text NOT NULL DEFAULT '',
    status         text NOT NULL CHECK (status IN ('working', 'damaged')),
    height_limit_m double precision CHECK (height_limit_m > 0),
    pier_id        bigint,
    town_zh        text,
    town_en        text,
    synthetic      boolean NOT NULL DEFAULT false,
    extra          jsonb NOT NULL DEFAULT '{}',
    -- Kept by a trigger: what tiles and feature queries read (one stored value, not a
    -- row-to-JSON per feature per request).
    properties       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS barriers_geom ON barriers USING gist (geom);

CREATE TABLE IF NOT EXISTS cameras (
    id            bigint PRIMARY KEY,
    geom          geometry(Point, 4326) NOT NULL,
    name_zh       text NOT NULL,
    name_en       text NOT NULL DEFAULT '',
    site          text CHECK (site IN ('pier', 'road', 'coast')),
    kind          text NOT NULL CHECK (kind IN ('visible', 'thermal')),
    height_m      double precision NOT NULL CHECK (height_m >= 0),
    bearing_deg   double precision NOT NULL CHECK (bearing_deg >= 0 AND bearing_deg < 360),
    fov_deg       double precision NOT NULL CHECK (fov_deg > 0 AND fov_deg <= 360),
    range_day_m   double precision NOT NULL CHECK (range_day_m >= 0),
    range_night_m double precision NOT NULL CHECK (range_night_m >= 0),
    status        text NOT NULL CHECK (status IN ('working', 'failed')),
    pier_id       bigint,
    town_zh       text,
    town_en       text,
    synthetic     boolean NOT NULL DEFAULT false,
    extra         jsonb NOT NULL DEFAULT '{}',
    -- Kept by a trigger: what tiles and feature queries read (one stored value, not a
    -- row-to-JSON per feature per request).
    properties       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS cameras_geom ON cameras USING gist (geom);

CREATE TABLE IF NOT EXISTS radars (
    id               bigint PRIMARY KEY,
    geom             geometry(Point, 4326) NOT NULL,
    name_zh          text NOT NULL,
    name_en          text NOT NULL DEFAULT '',
    band             text,
    antenna_height_m double precision NOT NULL CHECK (antenna_height_m >= 0),
    rated_range_km   double precision NOT NULL CHECK (rated_range_km > 0),
    status           text NOT NULL CHECK (status IN ('working', 'failed')),
    town_zh          text,
    town_en          text,
    synthetic        boolean NOT NULL DEFAULT false,
    extra            jsonb NOT NULL DEFAULT '{}',
    -- Kept by a trigger: what tiles and feature queries read (one stored value, not a
    -- row-to-JSON per feature per request).
    properties       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS radars_geom ON radars USING gist (geom);

CREATE TABLE IF NOT EXISTS tide_stations (
    id           bigint PRIMARY KEY,
    station_id   text NOT NULL UNIQUE,
    geom         geometry(Point, 4326) NOT NULL,
    name_zh      text NOT NULL,
    name_en      text NOT NULL DEFAULT '',
    source       text NOT NULL DEFAULT '',
    chart_datum  text NOT NULL,
    -- Datum name -> height (m) above the station's chart datum.
    datums       jsonb NOT NULL DEFAULT '{}',
    time_zone    text NOT NULL DEFAULT 'Asia/Shanghai',
    attribution  text NOT NULL DEFAULT '',
    extra        jsonb NOT NULL DEFAULT '{}',
    -- Kept by a trigger: what tiles and feature queries read (one stored value, not a
    -- row-to-JSON per feature per request).
    properties       jsonb NOT NULL DEFAULT '{}'
);

CREATE TABLE IF NOT EXISTS tide_constituents (
    station_id  bigint NOT NULL REFERENCES tide_stations (id) ON DELETE CASCADE,
    name        text NOT NULL,
    amplitude_m double precision NOT NULL CHECK (amplitude_m >= 0),
    phase_deg   double precision NOT NULL CHECK (phase_deg >= 0 AND phase_deg < 360),
    PRIMARY KEY (station_id, name)
);

-- Predicted high and low waters, for stations that come with a tide table instead of
-- (or as well as) harmonic constants.
CREATE TABLE IF NOT EXISTS tide_table_events (
    station_id bigint NOT NULL REFERENCES tide_stations (id) ON DELETE CASCADE,
    at         timestamptz NOT NULL,
    height_m   double precision NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('high', 'low')),
    datum      text NOT NULL,
    PRIMARY KEY (station_id, at)
);

-- Each asset row's `properties`: its typed columns over what the import kept in `extra`.
CREATE OR REPLACE FUNCTION tidewatch_asset_properties() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.properties := NEW.extra || (to_jsonb(NEW) - 'geom' - 'id' - 'extra' - 'properties');
    RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER piers_properties BEFORE INSERT OR UPDATE ON piers
    FOR EACH ROW EXECUTE FUNCTION tidewatch_asset_properties();
CREATE OR REPLACE TRIGGER barriers_properties BEFORE INSERT OR UPDATE ON barriers
    FOR EACH ROW EXECUTE FUNCTION tidewatch_asset_properties();
CREATE OR REPLACE TRIGGER cameras_properties BEFORE INSERT OR UPDATE ON cameras
    FOR EACH ROW EXECUTE FUNCTION tidewatch_asset_properties();
CREATE OR REPLACE TRIGGER radars_properties BEFORE INSERT OR UPDATE ON radars
    FOR EACH ROW EXECUTE FUNCTION tidewatch_asset_properties();
CREATE OR REPLACE TRIGGER tide_stations_properties BEFORE INSERT OR UPDATE ON tide_stations
    FOR EACH ROW EXECUTE FUNCTION tidewatch_asset_properties();
