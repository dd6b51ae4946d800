-- pgbench script: the composite demo tile built entirely in PostGIS with ST_AsMVT, the way
-- Martin and pg_tileserv do it; compared with Tidewatch's Rust tile building in
-- docs/benchmarks.md. Tiles come from bench_tiles (filled by bench/postgis.sh).
\set n random(1, :ntiles)
WITH t AS (SELECT z, x, y, ST_TileEnvelope(z, x, y) AS env,
                  ST_Transform(ST_TileEnvelope(z, x, y, margin => 64.0 / 4096), 4326) AS env4326
           FROM bench_tiles WHERE n = :n)
SELECT
 (SELECT coalesce(ST_AsMVT(q, 'land', 4096, 'geom', 'id'), '') FROM (
    SELECT f.id, ST_AsMVTGeom(ST_Transform(f.geom, 3857), t.env, 4096, 64, true) AS geom
    FROM features f, t WHERE f.layer_id = 'land' AND f.geom && t.env4326) q WHERE geom IS NOT NULL)
 || (SELECT coalesce(ST_AsMVT(q, 'coastline', 4096, 'geom', 'id'), '') FROM (
    SELECT f.id, f.properties, ST_AsMVTGeom(ST_Transform(f.geom, 3857), t.env, 4096, 64, true) AS geom
    FROM features f, t WHERE f.layer_id = 'coastline' AND f.geom && t.env4326) q WHERE geom IS NOT NULL)
 || (SELECT coalesce(ST_AsMVT(q, 'piers', 4096, 'geom', 'id'), '') FROM (
    SELECT p.id, p.name_zh, p.name_en, p.kind, p.town_zh, p.town_en, p.idle, p.unmanned, p.berth_depth_m, p.synthetic,
           ST_AsMVTGeom(ST_Transform(p.geom, 3857), t.env, 4096, 64, true) AS geom
    FROM piers p, t WHERE p.geom && t.env4326) q WHERE geom IS NOT NULL)
 || (SELECT coalesce(ST_AsMVT(q, 'barriers', 4096, 'geom', 'id'), '') FROM (
    SELECT b.id, b.name_zh, b.name_en, b.status, b.height_limit_m, b.pier_id, b.town_zh, b.town_en, b.synthetic,
           ST_AsMVTGeom(ST_Transform(b.geom, 3857), t.env, 4096, 64, true) AS geom
    FROM barriers b, t WHERE b.geom && t.env4326) q WHERE geom IS NOT NULL)
 || (SELECT coalesce(ST_AsMVT(q, 'cameras', 4096, 'geom', 'id'), '') FROM (
    SELECT c.id, c.name_zh, c.name_en, c.site, c.kind, c.height_m, c.bearing_deg, c.fov_deg, c.range_day_m,
           c.range_night_m, c.status, c.pier_id, c.town_zh, c.town_en, c.synthetic,
           ST_AsMVTGeom(ST_Transform(c.geom, 3857), t.env, 4096, 64, true) AS geom
    FROM cameras c, t WHERE c.geom && t.env4326) q WHERE geom IS NOT NULL)
 || (SELECT coalesce(ST_AsMVT(q, 'radars', 4096, 'geom', 'id'), '') FROM (
    SELECT r.id, r.name_zh, r.name_en, r.band, r.antenna_height_m, r.rated_range_km, r.status, r.town_zh, r.town_en,
           r.synthetic, ST_AsMVTGeom(ST_Transform(r.geom, 3857), t.env, 4096, 64, true) AS geom
    FROM radars r, t WHERE r.geom && t.env4326) q WHERE geom IS NOT NULL)
 || (SELECT coalesce(ST_AsMVT(q, 'tide_stations', 4096, 'geom', 'id'), '') FROM (
    SELECT s.id, s.station_id, s.name_zh, s.name_en, s.source, s.chart_datum,
           ST_AsMVTGeom(ST_Transform(s.geom, 3857), t.env, 4096, 64, true) AS geom
    FROM tide_stations s, t WHERE s.geom && t.env4326) q WHERE geom IS NOT NULL)
 || (SELECT coalesce(ST_AsMVT(q, 'places', 4096, 'geom', 'id'), '') FROM (
    SELECT f.id, f.properties, ST_AsMVTGeom(ST_Transform(f.geom, 3857), t.env, 4096, 64, true) AS geom
    FROM features f, t WHERE f.layer_id = 'places' AND f.geom && t.env4326) q WHERE geom IS NOT NULL);
