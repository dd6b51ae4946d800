//! The PostGIS store against a real PostgreSQL + PostGIS (DATABASE_URL): migrations,
//! parity with the embedded store, all-or-nothing imports, hostile names, the database
//! going away while serving, and GDAL reading back what we wrote.
//!
//! Without DATABASE_URL these tests say so and pass, except under CI (CI=true), where a
//! missing database is a failure: `.ci/run` must never pass with the PostGIS tests skipped.

use geo::{Geometry, Point};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use tidewatch::layers::{read_layer_defs, LayerDef};
use tidewatch::store::postgis::{replace_layer, PostgisStore, Storage};
use tidewatch::store::LayerSource;
use tidewatch_e2e::{
    layers, test_config, tiles_in_lonlat_bbox, with_neighbours, workspace_root, TestDb, TestServer,
};
use tidewatch_importers::Feature;
use tidewatch_tiles::TileId;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("tokio runtime")
}

fn point(id: u64, lon: f64, lat: f64, properties: serde_json::Value) -> Feature {
    Feature {
        id,
        geometry: Geometry::Point(Point::new(lon, lat)),
        properties: properties.as_object().cloned().unwrap_or_default(),
    }
}

fn def(id: &str, geometry: tidewatch_tiles::GeometryKind) -> LayerDef {
    LayerDef::new(id, geometry)
}

#[test]
fn migrations_run_twice_without_harm() {
    let Some(db) = TestDb::create("migrate") else {
        return;
    };
    runtime().block_on(async {
        let store = PostgisStore::connect(&db.url).await.unwrap();
        let err = store.check_schema().await.unwrap_err().to_string();
        assert!(err.contains("tidewatch migrate"), "an empty database is refused: {err}");
        store.migrate().await.unwrap();
        store.migrate().await.unwrap();
        store.check_schema().await.unwrap();
        // A schema behind the binary is refused too.
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)")
            .execute(store.pool())
            .await
            .unwrap();
        assert!(store.check_schema().await.is_err());
        store.migrate().await.unwrap();
        store.check_schema().await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        for t in ["layers", "features", "feature_parts", "piers", "cameras", "tide_constituents", "vessel_positions"] {
            assert!(tables.iter().any(|x| x == t), "{t} missing from {tables:?}");
        }
    });
}

/// For every demo layer, the same tiles at z8–z14 from PostGIS and from the files:
/// every tile covering the layer at z8–z10, and at z11–z14 the tiles (with neighbours)
/// of every 10th feature. Byte equality implies the decoded features are the same.
#[test]
fn postgis_tiles_equal_embedded_tiles_for_every_demo_layer() {
    let Some(db) = TestDb::create("parity") else {
        return;
    };
    let rt = runtime();
    let store = rt.block_on(async {
        let store = PostgisStore::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        tidewatch::import::load_demo_into_postgis(
            &store,
            &workspace_root().join("layers"),
            &workspace_root().join("data/demo/tides"),
        )
        .await
        .unwrap();
        store
    });
    let from_db = rt.block_on(store.layers()).unwrap();
    let mut compared = 0;
    for layer in layers() {
        let embedded = &layer.data;
        let pg = from_db
            .iter()
            .find(|l| l.info().id == layer.def.id)
            .expect("layer in PostGIS");
        assert_eq!(
            pg.info().feature_count,
            embedded.info().feature_count,
            "{}",
            layer.def.id
        );
        let mut tiles = BTreeSet::new();
        for z in 8..=10u8 {
            tiles.extend(
                tiles_in_lonlat_bbox(z, embedded.info().bounds)
                    .into_iter()
                    .map(|t| (t.z, t.x, t.y)),
            );
        }
        for z in 11..=14u8 {
            for f in embedded.features().iter().step_by(10) {
                let b = geo::BoundingRect::bounding_rect(&f.geometry).unwrap();
                let t = TileId::containing(z, b.min().x, b.min().y);
                tiles.extend(with_neighbours(t).into_iter().map(|t| (t.z, t.x, t.y)));
            }
        }
        let mut non_empty = 0;
        for (z, x, y) in tiles {
            let t = TileId::new(z as u32, x, y).unwrap();
            let want = embedded.encode_tile(t);
            let got = rt.block_on(pg.tile(t)).unwrap();
            assert!(
                got == want,
                "layer {} tile {z}/{x}/{y}: PostGIS {} bytes, files {} bytes",
                layer.def.id,
                got.len(),
                want.len()
            );
            non_empty += !want.is_empty() as usize;
            compared += 1;
        }
        assert!(
            non_empty > 0,
            "layer {}: no tile had features",
            layer.def.id
        );
    }
    // Composite tiles: all PostGIS layers in one query, the embedded layers one by one.
    for z in 8..=14u8 {
        for t in tiles_in_lonlat_bbox(z, [121.85, 29.15, 122.05, 29.25])
            .into_iter()
            .step_by(7)
        {
            let got = rt.block_on(from_db[0].tile_batch(&from_db, t)).unwrap();
            for (pg, bytes) in from_db.iter().zip(got) {
                let layer = layers().iter().find(|l| l.def.id == pg.info().id).unwrap();
                assert!(
                    bytes == layer.data.encode_tile(t),
                    "composite: layer {} tile {t:?}",
                    layer.def.id
                );
                compared += 1;
            }
        }
    }
    eprintln!("{compared} tiles equal");
}

#[test]
fn a_failed_import_changes_nothing() {
    let Some(db) = TestDb::create("atomic") else {
        return;
    };
    runtime().block_on(async {
        let store = PostgisStore::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let cameras_def = read_layer_defs(&workspace_root().join("layers"))
            .unwrap()
            .into_iter()
            .find(|d| d.id == "cameras")
            .unwrap();
        let good = tidewatch_importers::read_file(&cameras_def.file).unwrap();
        replace_layer(
            &store,
            &cameras_def,
            Storage::Cameras,
            &good,
            None,
            &mut |_| {},
        )
        .await
        .unwrap();

        // The 2,000th camera claims a 500° field of view: the table's CHECK refuses it
        // in the middle of the COPY, and the whole import must roll back.
        let mut bad = good.clone();
        bad.truncate(2100);
        bad[2000].properties.insert("fov_deg".into(), json!(500));
        let err = replace_layer(
            &store,
            &cameras_def,
            Storage::Cameras,
            &bad,
            None,
            &mut |_| {},
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(err.contains("fov_deg") || err.contains("check"), "{err}");
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM cameras")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(count, good.len() as i64);
        let version: i64 = sqlx::query_scalar("SELECT version FROM layers WHERE id = 'cameras'")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(
            version, 1,
            "the failed import must not bump the layer version"
        );

        // A geometry of the wrong type is refused before anything is written.
        let line = Feature {
            id: 1,
            geometry: Geometry::LineString(vec![(121.9, 29.2), (122.0, 29.3)].into()),
            properties: Default::default(),
        };
        assert!(replace_layer(
            &store,
            &cameras_def,
            Storage::Cameras,
            &[line],
            None,
            &mut |_| {}
        )
        .await
        .is_err());
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM cameras")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(count, good.len() as i64);
    });
}

#[test]
fn hostile_layer_ids_are_refused_and_hostile_property_names_stay_data() {
    let Some(db) = TestDb::create("hostile") else {
        return;
    };
    runtime().block_on(async {
        let store = PostgisStore::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let evil_key = "name\"); DROP TABLE layers; --";
        let evil_value = "tab\there\nnewline \\ backslash '; DELETE FROM features; --";
        let features = vec![point(
            1,
            121.95,
            29.2,
            json!({ evil_key: evil_value, "ok": 1 }),
        )];

        let mut bad = def(
            "x'; DROP TABLE layers; --",
            tidewatch_tiles::GeometryKind::Point,
        );
        assert!(replace_layer(
            &store,
            &bad,
            Storage::Features,
            &features,
            None,
            &mut |_| {}
        )
        .await
        .is_err());
        bad.id = "hostile".into();
        replace_layer(
            &store,
            &bad,
            Storage::Features,
            &features,
            None,
            &mut |_| {},
        )
        .await
        .unwrap();

        let layers = store.layers().await.unwrap();
        let layer = layers
            .iter()
            .find(|l| l.info().id == "hostile")
            .expect("layer stored");
        let back = layer
            .features_in([121.0, 29.0, 123.0, 30.0], 10)
            .await
            .unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].properties[evil_key], json!(evil_value));
        assert_eq!(back[0].properties["ok"], json!(1));
        // The tile carries the hostile key as an ordinary MVT key.
        let tile = layer
            .tile(TileId::containing(12, 121.95, 29.2))
            .await
            .unwrap();
        let decoded =
            <geozero::mvt::Tile as geozero::mvt::Message>::decode(tile.as_slice()).unwrap();
        assert!(decoded.layers[0].keys.iter().any(|k| k == evil_key));
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM layers")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(n, 1);
    });
}

/// A TCP relay between the server and PostgreSQL that the test can cut and restore.
struct Relay {
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Relay {
    async fn start(port: u16, target: std::net::SocketAddr) -> Relay {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind relay");
        let port = listener.local_addr().unwrap().port();
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    _ = &mut rx => break,
                    Ok((mut inbound, _)) = listener.accept() => {
                        conns.spawn(async move {
                            if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                            }
                        });
                    }
                }
            }
            conns.abort_all(); // every relayed connection dies: the database is "gone"
        });
        Relay {
            port,
            stop: Some(tx),
        }
    }

    fn cut(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[test]
fn losing_postgis_while_serving_gives_503_and_the_server_recovers() {
    let Some(db) = TestDb::create("outage") else {
        return;
    };
    let rt = runtime();
    let url = url::Url::parse(&db.url).unwrap();
    let target: std::net::SocketAddr = format!(
        "{}:{}",
        url.host_str().unwrap().replace("localhost", "127.0.0.1"),
        url.port().unwrap_or(5432)
    )
    .parse()
    .unwrap();
    rt.block_on(async {
        let store = PostgisStore::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        tidewatch::import::load_demo_into_postgis(
            &store,
            &workspace_root().join("layers"),
            &workspace_root().join("data/demo/tides"),
        )
        .await
        .unwrap();
    });
    let mut relay = rt.block_on(Relay::start(0, target));
    let port = relay.port;
    let mut relayed = url.clone();
    relayed.set_host(Some("127.0.0.1")).unwrap();
    relayed.set_port(Some(port)).unwrap();
    let mut config = test_config();
    config.database_url = Some(relayed.to_string());
    config.tile_cache_mb = 0;
    let server = TestServer::start(config);
    let tile = "/tiles/piers/10/858/425.mvt";
    assert_eq!(server.get(tile).status, 200);

    relay.cut();
    let r = server.get(tile);
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(
        r.json()["description"]
            .as_str()
            .unwrap()
            .contains("PostGIS"),
        "{}",
        r.text()
    );
    assert_eq!(
        server.get("/health").status,
        200,
        "the server itself keeps running"
    );

    let _relay = rt.block_on(Relay::start(port, target));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = server.get(tile).status;
        if status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no recovery after the database came back (last status {status})"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn gdal_reads_back_what_was_imported() {
    let Some(db) = TestDb::create("gdal") else {
        return;
    };
    let places = workspace_root().join("data/demo/places.geojson");
    let input = tidewatch_importers::read_file(&places).unwrap();
    runtime().block_on(async {
        let store = PostgisStore::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let d = def("places_copy", tidewatch_tiles::GeometryKind::Point);
        replace_layer(
            &store,
            &d,
            Storage::Features,
            &input,
            Some("EPSG:4326"),
            &mut |_| {},
        )
        .await
        .unwrap();
    });
    let out = std::env::temp_dir().join(format!("tw-gdal-{}.geojson", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let url = url::Url::parse(&db.url).unwrap();
    let pg = format!(
        "PG:host={} port={} dbname={} user={} password={}",
        url.host_str().unwrap(),
        url.port().unwrap_or(5432),
        url.path().trim_start_matches('/'),
        url.username(),
        url.password().unwrap_or("")
    );
    let status = std::process::Command::new("ogr2ogr")
        .args(["-f", "GeoJSON"])
        .arg(&out)
        .arg(&pg)
        .args(["-sql", "SELECT id, properties::text AS properties, geom FROM features WHERE layer_id = 'places_copy' ORDER BY id"])
        .status()
        .expect("ogr2ogr runs (apt install gdal-bin)");
    assert!(status.success());
    let back: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let back = back["features"].as_array().unwrap();
    assert_eq!(back.len(), input.len());
    for (f, b) in input.iter().zip(back) {
        let Geometry::Point(p) = f.geometry else {
            panic!()
        };
        let c = &b["geometry"]["coordinates"];
        assert!(
            (c[0].as_f64().unwrap() - p.x()).abs() < 1e-9
                && (c[1].as_f64().unwrap() - p.y()).abs() < 1e-9
        );
        assert_eq!(b["properties"]["id"].as_u64(), Some(f.id));
        // GDAL turns a JSON text field back into an object in its GeoJSON output.
        let props = match &b["properties"]["properties"] {
            serde_json::Value::String(text) => serde_json::from_str(text).unwrap(),
            other => other.clone(),
        };
        assert_eq!(props.as_object().unwrap(), &f.properties);
    }
    let _ = std::fs::remove_file(&out);
}

#[test]
fn tide_constants_and_tables_load_into_the_station_tables() {
    use tidewatch::store::postgis::{store_tide_constants, store_tide_table};
    use tidewatch_importers::tides::{
        parse_constants, parse_tide_table, StationMeta, TideTableOptions,
    };
    let Some(db) = TestDb::create("tides") else {
        return;
    };
    runtime().block_on(async {
        let store = PostgisStore::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let meta = StationMeta {
            id: Some("shipu-est".into()),
            name: Some("石浦 (estimate)".into()),
            lon: Some(121.95),
            lat: Some(29.2),
            datum: Some("LAT".into()),
        };
        let csv = b"name,amplitude,phase\nM2,1.7,300\nS2,0.62,340\nK1,0.30,200\nO1,0.22,150\n";
        let station = parse_constants("shipu.csv", csv, &meta).unwrap();
        let id = store_tide_constants(&store, &station).await.unwrap();
        // Loading again replaces the constants instead of adding to them.
        assert_eq!(store_tide_constants(&store, &station).await.unwrap(), id);
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM tide_constituents WHERE station_id = $1")
            .bind(id)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(n, 4);

        let options = TideTableOptions { station: "shipu-est".into(), datum: Some("LAT".into()), time_zone: Some("Asia/Shanghai".into()) };
        let table = parse_tide_table("t.csv", b"time,height,type\n2026-12-01 02:10,4.9,high\n2026-12-01 08:25,1.0,low\n", &options).unwrap();
        assert_eq!(store_tide_table(&store, &table).await.unwrap(), 2);
        // 02:10 in Shanghai is 18:10 UTC the day before.
        let first: String = sqlx::query_scalar(
            "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM tide_table_events WHERE station_id = $1 ORDER BY at LIMIT 1",
        )
        .bind(id)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(first, "2026-11-30 18:10");

        let mut orphan = table.clone();
        orphan.station = "nowhere".into();
        let err = store_tide_table(&store, &orphan).await.unwrap_err().to_string();
        assert!(err.contains("nowhere"), "{err}");
    });
}

#[test]
fn typed_layer_tiles_carry_exactly_what_the_trigger_kept_json_carries() {
    // Tiles of typed layers read the table's columns, not the `properties` JSON the
    // table's trigger keeps; the JSON (PostgreSQL's own to_jsonb of the same row) is the
    // oracle here, including what plain SQL wrote behind the importer's back.
    let Some(db) = TestDb::create("typed_tiles") else {
        return;
    };
    runtime().block_on(async {
        let store = PostgisStore::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let camera = |id: u64, lon: f64, height: f64, more: serde_json::Value| {
            let mut p = json!({
                "name_zh": format!("摄像头{id}"), "kind": "thermal", "height_m": height,
                "bearing_deg": 359.99999999999994, "fov_deg": 60, "range_day_m": 0.30000000000000004,
                "range_night_m": 1e20, "status": "working", "pier_id": -7, "synthetic": true,
            });
            p.as_object_mut()
                .unwrap()
                .extend(more.as_object().unwrap().clone());
            point(id, lon, 29.2, p)
        };
        let features = vec![
            camera(1, 121.95, 12.5, json!({ "town_zh": "石浦", "nick": "东门一号", "odd key\"": [1, 2] })),
            camera(2, 121.951, 0.0, json!({ "nick": 3 })),
            camera(3, 121.952, 4.0, json!({})),
        ];
        let mut d = def("cams", tidewatch_tiles::GeometryKind::Point);
        let keys: Vec<String> = [
            "name_zh", "height_m", "bearing_deg", "range_day_m", "range_night_m", "pier_id",
            "synthetic", "town_zh", "nick", "odd key\"", "missing", "extra", "properties",
        ]
        .iter()
        .map(|k| k.to_string())
        .collect();
        d.properties = Some(keys.clone());
        replace_layer(&store, &d, Storage::Cameras, &features, None, &mut |_| {})
            .await
            .unwrap();
        // Plain SQL: a non-finite double, a typed NULL shadowing an `extra` value, a
        // negative zero.
        sqlx::query(
            "UPDATE cameras SET height_m = 'NaN', extra = extra || '{\"town_zh\": \"shadowed\"}'
             WHERE id = 2",
        )
        .execute(store.pool())
        .await
        .unwrap();
        sqlx::query("UPDATE cameras SET height_m = '-0', range_night_m = 'Infinity' WHERE id = 3")
            .execute(store.pool())
            .await
            .unwrap();

        let layers = store.layers().await.unwrap();
        let layer = layers.iter().find(|l| l.info().id == "cams").unwrap();
        let rows: Vec<(i64, f64, f64, serde_json::Value)> = sqlx::query_as(
            "SELECT id, ST_X(geom), ST_Y(geom), properties FROM cameras ORDER BY id",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        for z in [10, 14] {
            let tile = TileId::containing(z, 121.95, 29.2);
            let mut want = tidewatch_tiles::LayerEncoder::new("cams", tile);
            for (id, x, y, properties) in &rows {
                let shape =
                    tidewatch_tiles::Shape::from_geometry(&Geometry::Point(Point::new(*x, *y)))
                        .unwrap();
                want.add(
                    Some(*id as u64),
                    &shape,
                    keys.iter()
                        .filter_map(|k| properties.get(k).map(|v| (k.as_str(), v.into()))),
                );
            }
            let want = want.finish();
            assert!(!want.is_empty());
            assert!(
                layer.tile(tile).await.unwrap() == want,
                "z{z}: the typed tile differs from the JSON one"
            );
        }
    });
}
