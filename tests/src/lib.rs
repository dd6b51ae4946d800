//! Helpers for Tidewatch's end-to-end tests: a real server on 127.0.0.1:0, a tiny HTTP/1.1
//! client (so a test sends exactly the bytes it means, `..` and all), the layers loaded the
//! way the server loads them (for oracles), an independent MVT decoder (geozero), and a
//! runner for the client-side checkers in `../shared/tools` and the JS tools that
//! `scripts/setup --test` prepares in `target/e2e-tools`.

use geozero::mvt::{tile, Message, Tile};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tidewatch::config::Config;
use tidewatch::http::AppState;
use tidewatch::layers::{read_layer_defs, LayerDef};
use tidewatch::store::embedded::EmbeddedLayer;

pub use tidewatch_tiles::{lonlat_to_world, TileId, BUFFER, EXTENT};

/// The county's bounding box (west, south, east, north), Kanmen included.
pub const COUNTY_BBOX: [f64; 4] = [121.2, 28.0, 122.5, 29.7];

// ------------------------------------------------------------------ paths

/// The workspace root (the checkout).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// `../shared/tools` beside the checkout (read-only in CI); `TIDEWATCH_SHARED_TOOLS` overrides.
pub fn shared_tools() -> PathBuf {
    let dir = std::env::var_os("TIDEWATCH_SHARED_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("..").join("shared").join("tools"));
    assert!(
        dir.join("mvt_validate.py").is_file(),
        "the client-side checkers are not at {} (expected ../shared/tools beside the checkout; \
         set TIDEWATCH_SHARED_TOOLS to point elsewhere)",
        dir.display()
    );
    dir
}

/// The JS tool folder `scripts/setup --test` prepares: `maplibre-harness/` (npm ci done) and
/// `vt/` (@mapbox/vector-tile + pbf, vt_decode.mjs, feature_ids.mjs).
/// `TIDEWATCH_E2E_TOOLS` overrides; else `$CARGO_TARGET_DIR/e2e-tools` or `target/e2e-tools`.
pub fn e2e_tools() -> PathBuf {
    let dir = std::env::var_os("TIDEWATCH_E2E_TOOLS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR").map(|t| PathBuf::from(t).join("e2e-tools"))
        })
        .unwrap_or_else(|| workspace_root().join("target").join("e2e-tools"));
    let dir = if dir.is_absolute() {
        dir
    } else {
        workspace_root().join(dir)
    };
    for needed in [
        "vt/node_modules/@mapbox/vector-tile",
        "vt/vt_decode.mjs",
        "maplibre-harness/node_modules/maplibre-gl",
    ] {
        assert!(
            dir.join(needed).exists(),
            "{} is missing: run scripts/setup --test (or scripts/test) first",
            dir.join(needed).display()
        );
    }
    dir
}

/// A fresh (emptied) output folder under `base` (pass `env!("CARGO_TARGET_TMPDIR")`).
pub fn out_dir(base: &str, name: &str) -> PathBuf {
    let dir = Path::new(base).join("e2e").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create output folder");
    dir
}

/// Layers and styles of the checkout, everything else as `tidewatch serve` defaults.
pub fn test_config() -> Config {
    Config {
        layers_dir: workspace_root().join("layers"),
        styles_dir: workspace_root().join("styles"),
        ..Config::default()
    }
}

// ------------------------------------------------------------------ the server

/// A Tidewatch server running in this process on its own Tokio runtime (a thread that lives
/// until the test process ends), reached over real TCP.
pub struct TestServer {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The live state: tests may swap layers through `state.tiles.catalog()`.
    pub state: AppState,
}

impl TestServer {
    /// Loads the layers of `config`, serves them on 127.0.0.1:0 and waits for `/health`.
    /// With `config.database_url` set, the layers come from that PostGIS database.
    pub fn start(config: Config) -> TestServer {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("tidewatch-test-server".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                rt.block_on(async move {
                    let state = tidewatch::serve::build_state(config)
                        .await
                        .expect("the server state builds");
                    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                        .await
                        .expect("bind 127.0.0.1:0");
                    let addr = listener.local_addr().expect("local addr");
                    tx.send((addr, state.clone())).expect("send addr");
                    axum::serve(listener, tidewatch::http::router(state))
                        .await
                        .expect("serve");
                });
            })
            .expect("spawn server thread");
        let (addr, state) = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server binds");
        let server = TestServer {
            addr,
            base: format!("http://{addr}"),
            state,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match try_request(addr, "GET", "/health", &[]) {
                Ok(r) if r.status == 200 => break,
                other if Instant::now() > deadline => {
                    panic!("/health never answered 200: {other:?}")
                }
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        server
    }

    /// One server per test binary for tests that do not change its state.
    pub fn shared() -> &'static TestServer {
        static SERVER: OnceLock<TestServer> = OnceLock::new();
        SERVER.get_or_init(|| TestServer::start(test_config()))
    }

    pub fn get(&self, path: &str) -> Response {
        get(self.addr, path, &[])
    }

    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        get(self.addr, path, headers)
    }

    /// A URL template for the checkers: `http://127.0.0.1:PORT/tiles/{layers}/{z}/{x}/{y}.mvt`.
    pub fn tile_template(&self, layers: &str) -> String {
        format!("{}/tiles/{layers}/{{z}}/{{x}}/{{y}}.mvt", self.base)
    }

    /// Sum of a Prometheus counter over all its label sets, from `/metrics`.
    pub fn counter(&self, name: &str) -> f64 {
        let r = self.get("/metrics");
        assert_eq!(r.status, 200, "/metrics: {}", r.text());
        metric_sum(&r.text(), name)
    }
}

/// Puts five vessels into the server's live `vessels` layer (inside both bboxes the OGC
/// checks use), so checks that walk every collection find features there too; twenty
/// minutes later only the three AIS vessels report again, so the two Beidou ones have gone
/// dark and the `events` layer has features in both boxes as well. Safe to call again:
/// the same reports change nothing.
pub fn add_test_vessels(server: &TestServer) {
    use tidewatch::live::{Position, PositionSource, Update, WhenFull};
    let spots = [
        ("412000001", 121.95, 29.20, 8.5),
        ("412000002", 121.85, 29.30, 0.2),
        ("412000003", 121.70, 28.90, 12.0),
        ("BD-TEST-4", 121.60, 28.85, 3.1),
        ("BD-TEST-5", 122.05, 29.05, 5.6),
    ];
    let report = |&(id, lon, lat, speed): &(&str, f64, f64, f32), at_ms: i64| {
        Update::Position(Position {
            vessel: id.into(),
            source: if id.starts_with("BD") {
                PositionSource::Beidou
            } else {
                PositionSource::Ais
            },
            at_ms,
            lon,
            lat,
            speed_kn: Some(speed),
            course_deg: Some(90.0),
            heading_deg: None,
            nav_status: None,
        })
    };
    const FIRST_MS: i64 = 1_795_788_000_000;
    let first: Vec<Update> = spots.iter().map(|s| report(s, FIRST_MS)).collect();
    let again: Vec<Update> = spots
        .iter()
        .filter(|s| !s.0.starts_with("BD"))
        .map(|s| report(s, FIRST_MS + 20 * 60_000))
        .collect();
    let live = server.state.live.clone();
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    rt.block_on(live.submit(first, "test", WhenFull::Wait));
    rt.block_on(live.submit(again, "test", WhenFull::Wait));
    let deadline = Instant::now() + Duration::from_secs(10);
    while spots
        .iter()
        .any(|(id, ..)| server.state.live.fleet().get(id).is_none())
    {
        assert!(Instant::now() < deadline, "test vessels never arrived");
        std::thread::sleep(Duration::from_millis(20));
    }
    while server
        .state
        .alerts
        .events()
        .iter()
        .filter(|e| e.vessels.iter().any(|v| v.starts_with("BD-TEST")))
        .count()
        < 2
    {
        assert!(
            Instant::now() < deadline,
            "the test vessels' dark events never came"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sum of every sample of `name` (any labels) in a Prometheus text exposition.
pub fn metric_sum(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

// ------------------------------------------------------------------ HTTP client

/// An HTTP response, body de-chunked but not decompressed.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.text()))
    }

    /// The body, gunzipped when it is gzip (by header or by magic bytes).
    pub fn decoded_body(&self) -> Vec<u8> {
        gunzip_if_needed(&self.body)
    }
}

/// GET with extra headers, `Connection: close`; panics when the server cannot be reached.
pub fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Response {
    try_request(addr, "GET", path, headers).unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

/// Sends one request exactly as given (the path is not normalised or escaped).
pub fn try_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<Response> {
    try_request_with_body(addr, method, path, headers, &[])
}

/// A request with a body; `Content-Length` is the body's unless `headers` names one
/// (to announce a size the body does not have).
pub fn try_request_with_body(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty()
        && !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-length"))
    {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes())?;
    // The server may answer (413, 401) before reading a body it refuses.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw, method == "HEAD")
}

fn parse_response(raw: &[u8], head: bool) -> std::io::Result<Response> {
    let bad = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidData, m);
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad(format!("no end of headers in {} bytes", raw.len())))?;
    let head_text = std::str::from_utf8(&raw[..end]).map_err(|e| bad(e.to_string()))?;
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(format!("bad status line {status_line:?}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked")
    });
    if head || status == 204 || status == 304 {
        body.clear();
    } else if chunked {
        body = dechunk(&body).map_err(bad)?;
    } else if let Some(len) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        if body.len() < len {
            return Err(bad(format!(
                "body has {} bytes, Content-Length says {len}",
                body.len()
            )));
        }
        body.truncate(len);
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("truncated chunk size")?;
        let size_text = std::str::from_utf8(&data[..line_end]).map_err(|e| e.to_string())?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|e| format!("bad chunk size {size_text:?}: {e}"))?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size + 2 {
            return Err("truncated chunk".into());
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

pub fn gunzip_if_needed(body: &[u8]) -> Vec<u8> {
    if body.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(body)
            .read_to_end(&mut out)
            .expect("a gzip body inflates");
        out
    } else {
        body.to_vec()
    }
}

// ------------------------------------------------------------------ layers (for oracles)

/// A layer as the server loads it: its definition and its prepared features.
pub struct Layer {
    pub def: LayerDef,
    pub data: EmbeddedLayer,
}

/// Every layer of the checkout, in catalog order, loaded once per test binary.
pub fn layers() -> &'static [Layer] {
    static LAYERS: OnceLock<Vec<Layer>> = OnceLock::new();
    LAYERS.get_or_init(|| {
        let defs = read_layer_defs(&test_config().layers_dir).expect("layer definitions");
        std::thread::scope(|s| {
            let handles: Vec<_> = defs
                .into_iter()
                .map(|def| {
                    s.spawn(move || {
                        let data = EmbeddedLayer::load(&def)
                            .unwrap_or_else(|e| panic!("layer {}: {e:#}", def.id));
                        Layer { def, data }
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("layer loader"))
                .collect()
        })
    })
}

pub fn layer(id: &str) -> &'static Layer {
    layers()
        .iter()
        .find(|l| l.def.id == id)
        .unwrap_or_else(|| panic!("no layer {id:?} in layers/"))
}

/// Lon/lat of a point feature.
pub fn point_lonlat(f: &tidewatch_importers::Feature) -> (f64, f64) {
    match &f.geometry {
        geo::Geometry::Point(p) => (p.x(), p.y()),
        other => panic!("feature {} is not a point: {other:?}", f.id),
    }
}

/// The pier with the most barriers and cameras within 1 km (ties: the lowest id):
/// `(pier id, lon, lat, barriers + cameras within 1 km)`.
pub fn busiest_pier() -> (u64, f64, f64, usize) {
    let others: Vec<(f64, f64)> = ["barriers", "cameras"]
        .iter()
        .flat_map(|id| layer(id).data.features().iter().map(point_lonlat))
        .collect();
    layer("piers")
        .data
        .features()
        .iter()
        .map(|p| {
            let at = point_lonlat(p);
            let near = others
                .iter()
                .filter(|o| haversine_m(at, **o) <= 1000.0)
                .count();
            (p.id, at.0, at.1, near)
        })
        .min_by(|a, b| b.3.cmp(&a.3).then(a.0.cmp(&b.0)))
        .expect("the piers layer has features")
}

/// All layer ids, comma-separated: the composite of every layer.
pub fn all_layers_composite() -> String {
    layers()
        .iter()
        .map(|l| l.def.id.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

// ------------------------------------------------------------------ tiles

/// Tiles of zoom `z` that intersect a lon/lat box (the same rule as mvt_validate.py's).
pub fn tiles_in_lonlat_bbox(z: u8, bbox: [f64; 4]) -> Vec<TileId> {
    let [w, s, e, n] = bbox;
    let a = TileId::containing(z, w, n);
    let b = TileId::containing(z, e, s);
    let mut out = Vec::new();
    for x in a.x..=b.x {
        for y in a.y..=b.y {
            out.push(TileId { z, x, y });
        }
    }
    out
}

/// Tiles of zoom `z` that intersect a world box grown by `buffer` tile units.
pub fn tiles_in_world_bbox(z: u8, b: [f64; 4], buffer: u32) -> Vec<TileId> {
    let n = (1u64 << z) as f64;
    let pad = buffer as f64 / EXTENT as f64;
    let max = (1i64 << z) - 1;
    let lo = |v: f64| (((v * n) - pad).floor() as i64).clamp(0, max) as u32;
    let hi = |v: f64| (((v * n) + pad).floor() as i64).clamp(0, max) as u32;
    let mut out = Vec::new();
    for x in lo(b[0])..=hi(b[2]) {
        for y in lo(b[1])..=hi(b[3]) {
            out.push(TileId { z, x, y });
        }
    }
    out
}

/// The tile and its eight neighbours (those inside the grid).
pub fn with_neighbours(t: TileId) -> Vec<TileId> {
    let max = (1i64 << t.z) - 1;
    let mut out = Vec::new();
    for dy in -1i64..=1 {
        for dx in -1i64..=1 {
            let (x, y) = (t.x as i64 + dx, t.y as i64 + dy);
            if (0..=max).contains(&x) && (0..=max).contains(&y) {
                out.push(TileId {
                    z: t.z,
                    x: x as u32,
                    y: y as u32,
                });
            }
        }
    }
    out
}

pub fn tile_path(layers: &str, t: TileId) -> String {
    format!("/tiles/{layers}/{}/{}/{}.mvt", t.z, t.x, t.y)
}

/// Decodes an MVT (gzip or not) with geozero's reader (prost over vector_tile.proto).
pub fn decode_mvt(body: &[u8]) -> Tile {
    let raw = gunzip_if_needed(body);
    Tile::decode(raw.as_slice()).unwrap_or_else(|e| panic!("geozero cannot decode the tile: {e}"))
}

/// A decoded MVT property value, typed as on the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum TileValue {
    String(String),
    Float(f32),
    Double(f64),
    Int(i64),
    Uint(u64),
    Sint(i64),
    Bool(bool),
}

/// The properties of one feature, in tag order.
pub fn feature_properties(layer: &tile::Layer, f: &tile::Feature) -> Vec<(String, TileValue)> {
    assert!(
        f.tags.len().is_multiple_of(2),
        "layer {}: odd number of tags",
        layer.name
    );
    f.tags
        .chunks(2)
        .map(|kv| {
            let key = layer.keys.get(kv[0] as usize).unwrap_or_else(|| {
                panic!("layer {}: key index {} out of range", layer.name, kv[0])
            });
            let v = layer.values.get(kv[1] as usize).unwrap_or_else(|| {
                panic!("layer {}: value index {} out of range", layer.name, kv[1])
            });
            let value = if let Some(s) = &v.string_value {
                TileValue::String(s.clone())
            } else if let Some(x) = v.float_value {
                TileValue::Float(x)
            } else if let Some(x) = v.double_value {
                TileValue::Double(x)
            } else if let Some(x) = v.int_value {
                TileValue::Int(x)
            } else if let Some(x) = v.uint_value {
                TileValue::Uint(x)
            } else if let Some(x) = v.sint_value {
                TileValue::Sint(x)
            } else if let Some(x) = v.bool_value {
                TileValue::Bool(x)
            } else {
                panic!("layer {}: value {} has no typed field", layer.name, kv[1])
            };
            (key.clone(), value)
        })
        .collect()
}

// ------------------------------------------------------------------ external tools

/// Runs a command to completion, capturing its output; panics with a clear message when it
/// cannot start (a missing tool is a failure, not a skip).
pub fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e} (run scripts/setup --test)"));
    out
}

/// stdout + stderr of a finished command, for failure messages.
pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        tail(&String::from_utf8_lossy(&out.stdout), 60),
        tail(&String::from_utf8_lossy(&out.stderr), 40)
    )
}

/// The last `n` lines of a text.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The last non-empty line of stdout, parsed as JSON (the checkers' summary line).
pub fn summary_json(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| {
        panic!(
            "last line {last:?} is not a JSON summary ({e})\n{}",
            describe(out)
        )
    })
}

/// Great-circle distance in metres.
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.1.to_radians(), b.1.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.0 - a.0).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

// ------------------------------------------------------------------ PostGIS

/// A fresh database for one test (created from template1, which holds PostGIS), dropped
/// when the test ends. `None` when DATABASE_URL is unset, which is an error under CI or
/// with TIDEWATCH_REQUIRE_POSTGIS set: the PostGIS tests must never pass by skipping there.
pub struct TestDb {
    /// URL of the fresh database.
    pub url: String,
    name: String,
    admin_url: String,
}

impl TestDb {
    pub fn create(tag: &str) -> Option<TestDb> {
        let Some(admin_url) = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
            let required = std::env::var("CI").is_ok_and(|v| v == "true")
                || std::env::var("TIDEWATCH_REQUIRE_POSTGIS").is_ok();
            assert!(
                !required,
                "DATABASE_URL is not set, and the PostGIS tests may not be skipped here"
            );
            eprintln!("skipped: DATABASE_URL is not set (scripts/test sets it up)");
            return None;
        };
        let name = format!("tw_test_{tag}_{}", std::process::id());
        let mut url = url::Url::parse(&admin_url).expect("DATABASE_URL is a URL");
        url.set_path(&name);
        let db = TestDb {
            url: url.to_string(),
            name,
            admin_url,
        };
        db.admin(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.name));
        db.admin(&format!("CREATE DATABASE {}", db.name));
        Some(db)
    }

    fn admin(&self, sql: &str) {
        let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
        rt.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&self.admin_url)
                .await
                .expect("connect to DATABASE_URL");
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        });
    }
}

/// A fresh database holding the whole demo data set; `None` as for [`TestDb::create`].
pub fn demo_database(tag: &str) -> Option<TestDb> {
    let db = TestDb::create(tag)?;
    tokio::runtime::Runtime::new()
        .expect("tokio runtime")
        .block_on(async {
            let store = tidewatch::store::postgis::PostgisStore::connect(&db.url)
                .await
                .expect("PostGIS connects");
            store.migrate().await.expect("migrations run");
            tidewatch::import::load_demo_into_postgis(
                &store,
                &workspace_root().join("layers"),
                &workspace_root().join("data/demo/tides"),
            )
            .await
            .expect("the demo data loads");
        });
    Some(db)
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.admin(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_chunked_and_length_delimited_responses() {
        let r = parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", false).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, b"abcde".as_slice()));
        let r = parse_response(
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}",
            false,
        )
        .unwrap();
        assert_eq!((r.status, r.header("Content-Length")), (404, Some("2")));
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", false).is_err());
    }

    #[test]
    fn sums_prometheus_counters_over_labels() {
        let text = "# TYPE a counter\na{x=\"1\"} 2\na{x=\"2\"} 3\nab 100\na 1\n";
        assert_eq!(metric_sum(text, "a"), 6.0);
    }

    #[test]
    fn tile_ranges_match_the_slippy_map_formula() {
        // Shipu (121.95E 29.2N) is z10 tile 858/425.
        let t = tiles_in_lonlat_bbox(10, [121.95, 29.2, 121.95, 29.2]);
        assert_eq!(
            t,
            vec![TileId {
                z: 10,
                x: 858,
                y: 425
            }]
        );
        assert_eq!(with_neighbours(TileId { z: 0, x: 0, y: 0 }).len(), 1);
        assert_eq!(with_neighbours(TileId { z: 3, x: 2, y: 2 }).len(), 9);
    }
}
