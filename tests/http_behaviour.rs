//! HTTP behaviour of tiles and documents: 204 for empty tiles, ETag and 304, gzip only when
//! asked, CORS, Content-Type, the tile cache (hits in /metrics) and its invalidation when a
//! layer is replaced.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};
use tidewatch_e2e::*;

/// Metrics are process-wide (one Prometheus recorder), so tests that read counters must not
/// overlap with tests that request tiles: every test here takes this lock.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

const MVT: &str = "application/vnd.mapbox-vector-tile";

/// A z12 tile around the busiest pier (several layers have data there).
fn pier_tile(z: u8) -> TileId {
    let (_, lon, lat, _) = busiest_pier();
    TileId::containing(z, lon, lat)
}

fn ids_in(body: &[u8], layer: &str) -> BTreeSet<u64> {
    decode_mvt(body)
        .layers
        .iter()
        .filter(|l| l.name == layer)
        .flat_map(|l| l.features.iter().filter_map(|f| f.id))
        .collect()
}

#[test]
fn empty_tiles_are_204_without_a_body() {
    let _g = serial();
    let server = TestServer::shared();
    // Open Pacific, far from the county: nothing of any layer there.
    for layers in ["land", "piers", &all_layers_composite()] {
        for z in [4u8, 10, 14] {
            let path = tile_path(layers, TileId::containing(z, 150.0, 0.0));
            let r = server.get_with(&path, &[("Accept-Encoding", "gzip")]);
            assert_eq!(r.status, 204, "{path}: {}", r.text());
            assert!(r.body.is_empty(), "{path}: 204 with a body");
            assert_eq!(
                r.header("content-encoding"),
                None,
                "{path}: 204 claims an encoding"
            );
        }
    }
    // ... while the county is not empty.
    let path = tile_path("land", pier_tile(12));
    assert_eq!(server.get(&path).status, 200, "{path}");
}

#[test]
fn etag_and_if_none_match_give_304() {
    let _g = serial();
    let server = TestServer::shared();
    let path = tile_path(&all_layers_composite(), pier_tile(12));
    let r = server.get(&path);
    assert_eq!(r.status, 200, "{path}");
    let etag = r.header("etag").expect("tiles carry an ETag").to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "ETag {etag} is not a quoted entity tag"
    );
    let cache_control = r.header("cache-control").unwrap_or_default();
    assert!(
        cache_control.contains("max-age="),
        "Cache-Control {cache_control:?}"
    );

    let r2 = server.get_with(&path, &[("If-None-Match", &etag)]);
    assert_eq!(r2.status, 304, "If-None-Match {etag}");
    assert!(r2.body.is_empty());
    assert_eq!(
        r2.header("etag"),
        Some(etag.as_str()),
        "304 repeats the ETag"
    );
    let list = format!("\"nope\", {etag}");
    assert_eq!(
        server.get_with(&path, &[("If-None-Match", &list)]).status,
        304,
        "If-None-Match {list}"
    );
    // The gzip variant of the same tile has the same validator semantics.
    let r3 = server.get_with(
        &path,
        &[("If-None-Match", &etag), ("Accept-Encoding", "gzip")],
    );
    assert_eq!(r3.status, 304);
    // A different tag, or a different tile, is a full answer.
    assert_eq!(
        server
            .get_with(&path, &[("If-None-Match", "\"0000-0\"")])
            .status,
        200
    );
    let other = tile_path(
        &all_layers_composite(),
        TileId::containing(10, 121.9, 29.25),
    );
    let r4 = server.get_with(&other, &[("If-None-Match", &etag)]);
    assert_eq!(r4.status, 200, "{other} must not match another tile's ETag");
    assert_ne!(r4.header("etag"), Some(etag.as_str()));
}

#[test]
fn gzip_only_when_asked_and_content_type_is_mvt() {
    let _g = serial();
    let server = TestServer::shared();
    let path = tile_path(&all_layers_composite(), pier_tile(12));
    let plain = server.get(&path);
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-type"), Some(MVT));
    assert_eq!(
        plain.header("content-encoding"),
        None,
        "no Accept-Encoding, yet encoded"
    );
    assert!(
        !plain.body.starts_with(&[0x1f, 0x8b]),
        "a gzip body without Content-Encoding"
    );
    assert!(!decode_mvt(&plain.body).layers.is_empty());

    let gz = server.get_with(&path, &[("Accept-Encoding", "gzip, deflate, br")]);
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-type"), Some(MVT));
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert!(
        gz.body.starts_with(&[0x1f, 0x8b]),
        "Content-Encoding: gzip but the body is not gzip"
    );
    assert_eq!(
        gz.decoded_body(),
        plain.body,
        "the gzip body inflates to the plain tile"
    );
    assert!(gz.body.len() < plain.body.len());
    let vary = gz.header("vary").unwrap_or_default().to_ascii_lowercase();
    assert!(vary.contains("accept-encoding"), "Vary {vary:?}");

    for refuse in ["gzip;q=0", "identity", "br"] {
        let r = server.get_with(&path, &[("Accept-Encoding", refuse)]);
        assert_eq!(
            r.header("content-encoding"),
            None,
            "Accept-Encoding: {refuse}"
        );
        assert_eq!(r.body, plain.body, "Accept-Encoding: {refuse}");
    }
    let len: usize = plain
        .header("content-length")
        .expect("Content-Length")
        .parse()
        .unwrap();
    assert_eq!(len, plain.body.len());
}

#[test]
fn cors_on_tiles_tilejson_catalog_and_style() {
    let _g = serial();
    let server = TestServer::shared();
    let composite = all_layers_composite();
    let paths = [
        tile_path("piers", pier_tile(12)),
        tile_path(&composite, pier_tile(12)),
        tile_path(&composite, TileId::containing(10, 150.0, 0.0)), // 204
        format!("/tiles/{composite}.json"),
        "/tiles/piers.json".to_owned(),
        "/catalog".to_owned(),
        "/styles".to_owned(),
        "/styles/default.json".to_owned(),
        "/fonts/Noto%20Sans%20Regular/0-255.pbf".to_owned(),
        "/tiles/nope/1/1/1.mvt".to_owned(), // errors too, or the browser hides them
    ];
    for path in &paths {
        let r = server.get_with(
            path,
            &[
                ("Origin", "http://app.example.test"),
                ("Accept-Encoding", "gzip"),
            ],
        );
        assert!(r.status < 500, "{path}: {}", r.status);
        assert_eq!(
            r.header("access-control-allow-origin"),
            Some("*"),
            "{path} ({}) lacks Access-Control-Allow-Origin: *",
            r.status
        );
    }
    // A preflight, as a browser sends for If-None-Match from another origin.
    let r = try_request(
        server.addr,
        "OPTIONS",
        &paths[0],
        &[
            ("Origin", "http://app.example.test"),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "if-none-match"),
        ],
    )
    .unwrap();
    assert!(r.status < 300, "preflight: {}", r.status);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    // JSON documents say they are JSON.
    for path in [
        format!("/tiles/{composite}.json"),
        "/catalog".into(),
        "/styles/default.json".into(),
    ] {
        let r = server.get(&path);
        assert_eq!(r.status, 200, "{path}");
        assert!(
            r.header("content-type")
                .unwrap_or_default()
                .starts_with("application/json"),
            "{path}"
        );
        r.json();
    }
}

#[test]
fn a_repeated_tile_is_a_cache_hit_in_metrics() {
    let _g = serial();
    let server = TestServer::shared();
    // A tile no other test asks for.
    let path = tile_path("cameras,piers", pier_tile(13));
    let (hits0, misses0) = (
        server.counter("tidewatch_tile_cache_hits_total"),
        server.counter("tidewatch_tile_cache_misses_total"),
    );
    let first = server.get(&path);
    assert_eq!(first.status, 200, "{path}");
    let (hits1, misses1) = (
        server.counter("tidewatch_tile_cache_hits_total"),
        server.counter("tidewatch_tile_cache_misses_total"),
    );
    assert_eq!(
        (hits1 - hits0, misses1 - misses0),
        (0.0, 1.0),
        "first request of {path}: a miss"
    );
    let second = server.get_with(&path, &[("Accept-Encoding", "gzip")]);
    assert_eq!(second.status, 200);
    let (hits2, misses2) = (
        server.counter("tidewatch_tile_cache_hits_total"),
        server.counter("tidewatch_tile_cache_misses_total"),
    );
    assert_eq!(
        (hits2 - hits1, misses2 - misses1),
        (1.0, 0.0),
        "second request of {path}: a hit"
    );
    assert_eq!(first.header("etag"), second.header("etag"));
    assert_eq!(second.decoded_body(), first.body);
}

/// Replacing a layer (`catalog().replace` + `invalidate()`, what a reload does) changes the
/// tiles served at once: new ETag, new contents; the old ETag no longer gives 304.
#[test]
fn replacing_a_layer_invalidates_its_cached_tiles() {
    let _g = serial();
    // Its own server: this test changes the data.
    let server = TestServer::start(test_config());
    let composite = all_layers_composite();
    let piers = layer("piers");
    let (pier_id, lon, lat, _) = busiest_pier();
    let t = pier_tile(12);
    let single = tile_path("piers", t);
    let multi = tile_path(&composite, t);

    let before = server.get(&single);
    let before_multi = server.get(&multi);
    assert_eq!((before.status, before_multi.status), (200, 200));
    // Twice, so the old tile is surely in the cache.
    assert_eq!(server.get(&single).header("etag"), before.header("etag"));
    let old_ids = ids_in(&before.body, "piers");
    assert!(
        old_ids.contains(&pier_id),
        "{single} holds pier {pier_id}: {old_ids:?}"
    );

    // New data: one pier renamed, one other pier of the tile removed, one pier added.
    let mut features = piers.data.features().to_vec();
    let removed = old_ids.iter().copied().find(|&id| id != pier_id);
    features.retain(|f| Some(f.id) != removed);
    let renamed = features.iter_mut().find(|f| f.id == pier_id).unwrap();
    renamed
        .properties
        .insert("name_en".into(), "Renamed Pier".into());
    let new_id = piers.data.features().iter().map(|f| f.id).max().unwrap() + 1;
    let mut added = renamed.clone();
    added.id = new_id;
    added.geometry = geo::Geometry::Point(geo::Point::new(lon + 0.001, lat + 0.001));
    features.push(added);
    let count = features.len();
    let layer = tidewatch::store::embedded::EmbeddedLayer::from_features(&piers.def, features)
        .expect("new piers");
    server.state.tiles.catalog().replace(Arc::new(layer));
    server.state.tiles.invalidate();

    let after = server.get(&single);
    assert_eq!(after.status, 200);
    assert_ne!(
        after.header("etag"),
        before.header("etag"),
        "{single}: same ETag after the layer changed"
    );
    let new_ids = ids_in(&after.body, "piers");
    assert!(
        new_ids.contains(&new_id),
        "{single}: the added pier {new_id} is missing: {new_ids:?}"
    );
    if let Some(r) = removed {
        assert!(
            !new_ids.contains(&r),
            "{single}: the removed pier {r} is still served"
        );
    }
    let tile = decode_mvt(&after.body);
    let l = &tile.layers[0];
    let f = l.features.iter().find(|f| f.id == Some(pier_id)).unwrap();
    let name = feature_properties(l, f)
        .into_iter()
        .find(|(k, _)| k == "name_en")
        .map(|(_, v)| v);
    assert_eq!(
        name,
        Some(TileValue::String("Renamed Pier".into())),
        "{single}: the old properties are served"
    );

    let revalidate = server.get_with(
        &single,
        &[("If-None-Match", before.header("etag").unwrap())],
    );
    assert_eq!(
        revalidate.status, 200,
        "the old ETag must not give 304 once the layer changed"
    );
    let after_multi = server.get(&multi);
    assert_ne!(
        after_multi.header("etag"),
        before_multi.header("etag"),
        "{multi}: composite not invalidated"
    );
    assert!(ids_in(&after_multi.body, "piers").contains(&new_id));
    let catalog = server.get("/catalog").json();
    let entry = catalog["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "piers")
        .unwrap();
    assert_eq!(
        entry["feature_count"], count,
        "/catalog still counts the old piers"
    );
}

/// Stored layers say how many features they hold; layers computed per request (live
/// vessels, events, analyses) say nothing rather than a count of 0 that is not true.
#[test]
fn only_stored_layers_carry_a_feature_count() {
    let server = TestServer::shared();
    let catalog = server.get("/catalog").json();
    let layers = catalog["layers"].as_array().unwrap();
    let count_of = |id: &str| {
        layers
            .iter()
            .find(|l| l["id"] == id)
            .unwrap_or_else(|| panic!("{id} not in /catalog"))
            .get("feature_count")
            .cloned()
    };
    assert_eq!(count_of("cameras"), Some(serde_json::json!(2200)));
    for computed in ["vessels", "events", "coverage_gaps"] {
        assert_eq!(count_of(computed), None, "{computed}");
    }
    let html = server.get("/collections?f=html").text();
    assert!(html.contains("<td>2200</td>"), "{html}");
    assert!(html.contains("实时计算 computed live"), "{html}");
    let health = server.get("/health").json();
    let stored: u64 = layers
        .iter()
        .filter_map(|l| l["feature_count"].as_u64())
        .sum();
    assert_eq!(health["features"], stored);
}
