-- Layers and their features: the general table family every imported layer lives in.
-- Geometry is always EPSG:4326; tiles are built from it in Rust (see docs/benchmarks.md
-- for why). Layer ids are data, never identifiers: no per-layer tables, no dynamic SQL.

CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE IF NOT EXISTS layers (
    id                  text PRIMARY KEY CHECK (id ~ '^[a-z0-9_-]{1,64}$'),
    title_zh            text NOT NULL,
    title_en            text NOT NULL,
    description         text NOT NULL DEFAULT '',
    geometry_kind       text NOT NULL CHECK (geometry_kind IN ('point', 'line', 'polygon')),
    minzoom             smallint NOT NULL DEFAULT 0 CHECK (minzoom BETWEEN 0 AND 24),
    maxzoom             smallint NOT NULL DEFAULT 14 CHECK (maxzoom BETWEEN 0 AND 24),
    tile_properties     text[],              -- NULL: every property goes into tiles
    simplify_px         double precision NOT NULL DEFAULT 0.5,
    -- Per-zoom overrides of simplify_px: {"6": 1.0}.
    simplify_px_by_zoom jsonb NOT NULL DEFAULT '{}',
    max_points_per_tile integer NOT NULL DEFAULT 4096,
    attribution         text NOT NULL DEFAULT '',
    source_crs          text,
    source_file         text,
    -- Which table holds the features: 'features' or a typed asset table.
    storage             text NOT NULL DEFAULT 'features'
                        CHECK (storage IN ('features', 'piers', 'barriers', 'cameras', 'radars', 'tide_stations')),
    feature_count       bigint NOT NULL DEFAULT 0,
    -- Property name -> TileJSON type (String, Number, Boolean) of what reaches tiles.
    fields              jsonb NOT NULL DEFAULT '{}',
    -- Deepest zoom drawn from feature_clusters (dense point layers), if any.
    thinned_up_to_zoom  smallint,
    bounds              double precision[4],
    -- Bumped on every change; caches on every instance key on it.
    version             bigint NOT NULL DEFAULT 1,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (minzoom <= maxzoom)
);

CREATE TABLE IF NOT EXISTS features (
    layer_id   text NOT NULL REFERENCES layers (id) ON DELETE CASCADE,
    id         bigint NOT NULL,
    geom       geometry(Geometry, 4326) NOT NULL,
    properties jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (layer_id, id)
);
CREATE INDEX IF NOT EXISTS features_layer_geom ON features USING gist (layer_id, geom);

-- Every part of a multi-geometry on its own row, so a tile touching one island of a
-- county fetches that island only. Filled by the importer with the features.
CREATE TABLE IF NOT EXISTS feature_parts (
    layer_id   text NOT NULL,
    feature_id bigint NOT NULL,
    part       integer NOT NULL,
    geom       geometry(Geometry, 4326) NOT NULL,
    PRIMARY KEY (layer_id, feature_id, part),
    FOREIGN KEY (layer_id, feature_id) REFERENCES features (layer_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS feature_parts_layer_geom ON feature_parts USING gist (layer_id, geom);

-- Grid clusters of dense point layers, one row per cluster per thinned zoom, built at
-- import with the same pyramid the embedded store uses.
CREATE TABLE IF NOT EXISTS feature_clusters (
    layer_id    text NOT NULL REFERENCES layers (id) ON DELETE CASCADE,
    zoom        smallint NOT NULL,
    cell        bigint NOT NULL,
    geom        geometry(Point, 4326) NOT NULL,
    point_count integer NOT NULL,
    first_id    bigint NOT NULL,
    PRIMARY KEY (layer_id, zoom, cell)
);
CREATE INDEX IF NOT EXISTS feature_clusters_geom ON feature_clusters USING gist (layer_id, zoom, geom);
