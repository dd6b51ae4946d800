//! Uploads over HTTP (`POST /admin/layers/{id}/import`) into the embedded store and,
//! with DATABASE_URL, into PostGIS; and the streamed export. Every refused upload
//! leaves the served data as it was.

use std::path::PathBuf;
use tidewatch_e2e::{
    test_config, try_request_with_body, workspace_root, Response, TestDb, TestServer,
};

const TOKEN: &str = "s3cret-token";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(workspace_root().join("importers/tests/fixtures").join(name)).unwrap()
}

/// A server whose layer folder is a scratch copy holding only the places layer, so imports
/// never touch the checkout.
fn scratch_server(tag: &str, database_url: Option<String>) -> (TestServer, PathBuf) {
    let dir = std::env::temp_dir().join(format!("tw-admin-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("layers")).unwrap();
    let places = workspace_root().join("data/demo/places.geojson");
    std::fs::write(
        dir.join("layers/places.toml"),
        format!(
            "id='places'\ntitle={{zh='地名',en='Places'}}\ngeometry='point'\nfile={:?}\n",
            places
        ),
    )
    .unwrap();
    let mut config = test_config();
    config.layers_dir = dir.join("layers");
    config.import_dir = dir.join("imported");
    config.admin_token = Some(TOKEN.into());
    config.max_upload_mb = 8;
    config.tile_cache_mb = 16;
    config.database_url = database_url;
    (TestServer::start(config), dir)
}

fn upload(server: &TestServer, path: &str, token: Option<&str>, body: &[u8]) -> Response {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/octet-stream")];
    if let Some(a) = &auth {
        headers.push(("Authorization", a));
    }
    try_request_with_body(server.addr, "POST", path, &headers, body).expect("request")
}

fn description(r: &Response) -> String {
    r.json()["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The pier fixture (20 piers in EPSG:4550 as a zipped shapefile) imports, appears in the
/// catalog and in tiles; bad uploads are refused with the reason and change nothing.
fn exercise_uploads(server: &TestServer) {
    let good = fixture("piers_4550_gbk.zip");
    let path = "/admin/layers/piers_survey/import?filename=piers_4550_gbk.zip&title_zh=测绘码头&title_en=Surveyed%20piers";

    let r = upload(server, path, None, &good);
    assert_eq!(r.status, 401, "{}", r.text());
    let r = upload(server, path, Some("wrong"), &good);
    assert_eq!(r.status, 401, "{}", r.text());

    let r = upload(server, path, Some(TOKEN), &good);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["features"], 20);
    let catalog = server.get("/catalog").json();
    let layer = catalog["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "piers_survey")
        .expect("in catalog");
    assert_eq!(layer["title"]["zh"], "测绘码头");
    assert_eq!(layer["feature_count"], 20);
    let [w, s, e, n] = [0, 1, 2, 3].map(|i| layer["bounds"][i].as_f64().unwrap());
    assert!(
        w > 121.5 && e < 122.4 && s > 28.8 && n < 29.7,
        "reprojected from EPSG:4550 into the county: {w},{s},{e},{n}"
    );
    let tile = tidewatch_tiles::TileId::containing(8, (w + e) / 2.0, (s + n) / 2.0);
    let t = server.get(&format!(
        "/tiles/piers_survey/{}/{}/{}.mvt",
        tile.z, tile.x, tile.y
    ));
    assert_eq!(t.status, 200);
    let before = t.body.clone();

    // Refused uploads: each names the problem, none changes the layer.
    let big = format!("{}", 3u64 << 30);
    let r = try_request_with_body(
        server.addr,
        "POST",
        path,
        &[
            ("Authorization", &format!("Bearer {TOKEN}")),
            ("Content-Length", &big),
        ],
        b"x",
    )
    .unwrap();
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(description(&r).contains("MiB"), "{}", r.text());

    let r = upload(
        server,
        "/admin/layers/piers_survey/import?filename=evil.zip",
        Some(TOKEN),
        &fixture("zip_slip_parent.zip"),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(description(&r).contains("evil.zip"), "{}", r.text());

    let bowtie = br#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[121.9,29.2],[122.0,29.3],[122.0,29.2],[121.9,29.3],[121.9,29.2]]]},"properties":{}}]}"#;
    let r = upload(
        server,
        "/admin/layers/piers_survey/import?filename=bad.geojson",
        Some(TOKEN),
        bowtie,
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(description(&r).contains("bad.geojson"), "{}", r.text());

    let r = upload(
        server,
        "/admin/layers/piers_survey/import?filename=x.csv&bogus=1",
        Some(TOKEN),
        b"lon,lat\n1,2\n",
    );
    assert_eq!(
        r.status,
        400,
        "unknown parameters are refused: {}",
        r.text()
    );
    let r = upload(
        server,
        "/admin/layers/Bad%20Id/import?filename=piers.zip",
        Some(TOKEN),
        &good,
    );
    assert_eq!(r.status, 400, "{}", r.text());

    let after = server.get(&format!(
        "/tiles/piers_survey/{}/{}/{}.mvt",
        tile.z, tile.x, tile.y
    ));
    assert_eq!(
        after.body, before,
        "refused uploads left the layer as it was"
    );

    // Export: the same 20 piers back, as GeoJSON and as FlatGeobuf.
    let geojson = server.get("/export/piers_survey.geojson");
    assert_eq!(geojson.status, 200);
    assert_eq!(geojson.header("content-type"), Some("application/geo+json"));
    assert_eq!(geojson.json()["features"].as_array().unwrap().len(), 20);
    let fgb = server.get("/export/piers_survey.fgb");
    assert_eq!(fgb.status, 200);
    let back = tidewatch_importers::read_flatgeobuf(
        std::io::Cursor::new(&fgb.body),
        "export.fgb".as_ref(),
    )
    .unwrap();
    assert_eq!(back.len(), 20);
}

#[test]
fn uploads_into_the_embedded_store() {
    let (server, dir) = scratch_server("embedded", None);
    exercise_uploads(&server);
    assert!(dir.join("imported/piers_survey.geojson").exists());
    assert!(dir.join("layers/piers_survey.toml").exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn uploads_into_postgis() {
    let Some(db) = TestDb::create("admin") else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = tidewatch::store::postgis::PostgisStore::connect(&db.url)
            .await
            .unwrap();
        store.migrate().await.unwrap();
    });
    let (server, dir) = scratch_server("postgis", Some(db.url.clone()));
    exercise_uploads(&server);
    assert!(
        !dir.join("imported").exists(),
        "PostGIS imports write no files"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn admin_endpoints_are_off_without_a_token() {
    let mut config = test_config();
    config.admin_token = None;
    let server = TestServer::start(config);
    let r = try_request_with_body(
        server.addr,
        "POST",
        "/admin/layers/x/import?filename=a.geojson",
        &[],
        b"{}",
    )
    .unwrap();
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.json()["description"]
        .as_str()
        .unwrap()
        .contains("admin_token"));
}
