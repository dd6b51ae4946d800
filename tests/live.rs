//! Live AIS and Beidou end to end: pyais-encoded feeds from ../shared/tools/ais_replay.py
//! sent by our replay tool over TCP and UDP, judged by ais_compare.py; hostile input
//! per source; floods; HTTP ingest; `/vessels`, tracks, `/live`, the vessels layer in
//! tiles and OGC items; and with DATABASE_URL the PostGIS history, a restart and an
//! outage.

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use tidewatch::config::Config;
use tidewatch::live::nmea_sources::NmeaSourceConfig;
use tidewatch::live::replay::{nmea_lines, send, Destination};
use tidewatch_e2e::*;

const TOKEN: &str = "ingest-secret";
/// The replayer's vessels move inside this box (around Xiangshan).
const BBOX: &str = "121.5,28.8,122.4,29.7";

fn source(name: &str, kind: &str) -> NmeaSourceConfig {
    let mut s = NmeaSourceConfig::from_flag(kind, "127.0.0.1:0").expect("source");
    s.name = name.to_owned();
    s
}

fn live_config(sources: Vec<NmeaSourceConfig>) -> Config {
    Config {
        ingest_token: Some(TOKEN.into()),
        nmea: sources,
        tile_cache_mb: 16,
        ..test_config()
    }
}

/// Where the server bound the NMEA source `name` (its port was 0).
fn bound(listeners: &[(String, SocketAddr)], name: &str) -> SocketAddr {
    listeners
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, a)| *a)
        .unwrap_or_else(|| panic!("no bound NMEA source {name}"))
}

fn tcp_port(server: &TestServer, name: &str) -> SocketAddr {
    bound(&server.state.nmea.tcp, name)
}

fn udp_port(server: &TestServer, name: &str) -> SocketAddr {
    bound(&server.state.nmea.udp, name)
}

/// `tidewatch_nmea_lines_total` of one source, by result.
fn line_counts(server: &TestServer, source: &str) -> std::collections::BTreeMap<String, f64> {
    let text = server.get("/metrics").text();
    let mut out = std::collections::BTreeMap::new();
    for l in text
        .lines()
        .filter(|l| l.starts_with("tidewatch_nmea_lines_total{"))
    {
        if !l.contains(&format!("source=\"{source}\"")) {
            continue;
        }
        let result = l
            .split("result=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap();
        let n: f64 = l.rsplit(' ').next().unwrap().parse().unwrap();
        *out.entry(result.to_owned()).or_default() += n;
    }
    out
}

/// Waits until `done` holds, or fails with `what` after `secs`.
fn wait_for(secs: u64, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A feed written by ais_replay.py (pyais encodes it) and its truth file.
fn replay_feed(dir: &Path, extra: &[&str]) -> (String, std::path::PathBuf) {
    let feed = dir.join("feed.nmea");
    let truth = dir.join("truth.jsonl");
    let out = run(Command::new("python3")
        .arg(shared_tools().join("ais_replay.py"))
        .args([
            "--vessels",
            "200",
            "--rate",
            "1000000",
            "--count",
            "6000",
            "--duration",
            "60",
        ])
        .args(["--seed", "5", "--bbox", BBOX, "--file"])
        .arg(&feed)
        .arg("--truth")
        .arg(&truth)
        .args(extra));
    assert!(out.status.success(), "ais_replay.py: {}", describe(&out));
    (std::fs::read_to_string(&feed).expect("feed"), truth)
}

/// What the server says each vessel's last position is, as ais_compare.py's JSONL.
fn vessels_jsonl(server: &TestServer, path: &Path) -> usize {
    let doc = server.get(&format!("/vessels?bbox={BBOX}")).json();
    let mut out = String::new();
    let features = doc["features"].as_array().expect("features");
    // Only AIS vessels (numeric ids) belong to the replayed feed.
    for f in features
        .iter()
        .filter(|f| f["id"].as_str().unwrap().parse::<u32>().is_ok())
    {
        let c = &f["geometry"]["coordinates"];
        out.push_str(&format!(
            "{{\"mmsi\": {}, \"lon\": {}, \"lat\": {}}}\n",
            f["id"].as_str().unwrap(),
            c[0],
            c[1]
        ));
    }
    std::fs::write(path, out).expect("write jsonl");
    features.len()
}

fn compare(truth: &Path, jsonl: &Path) -> Value {
    let out = run(Command::new("python3")
        .arg(shared_tools().join("ais_compare.py"))
        .arg("--truth")
        .arg(truth)
        .arg("--jsonl")
        .arg(jsonl)
        .args(["--min-coverage", "1.0", "--max-error-m", "1.0"]));
    assert!(out.status.success(), "ais_compare.py: {}", describe(&out));
    summary_json(&out)
}

fn send_lines(lines: &[&str], rate: f64, to: Destination) -> u64 {
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(send(lines, rate, &to, 1))
        .expect("replay sends")
}

/// Lines the server accounted for: accepted, fragments and rejections. `fragment_lost`
/// is left out: it counts fragments already counted as `fragment` whose message never
/// completed.
fn accounted(counts: &std::collections::BTreeMap<String, f64>) -> f64 {
    counts
        .iter()
        .filter(|(k, _)| *k != "fragment_lost")
        .map(|(_, v)| v)
        .sum()
}

#[test]
fn replayed_ais_over_tcp_and_udp_matches_the_truth_with_and_without_corruption() {
    let cases: [(&str, &str, &[&str]); 4] = [
        ("tcp-clean", "tcp", &["--tagblock"]),
        ("tcp-corrupt", "tcp", &["--corrupt", "0.05"]),
        ("udp-clean", "udp", &[]),
        ("udp-corrupt", "udp", &["--corrupt", "0.05", "--tagblock"]),
    ];
    for (name, kind, extra) in cases {
        let dir = out_dir(env!("CARGO_TARGET_TMPDIR"), &format!("live-{name}"));
        let server = TestServer::start(live_config(vec![source(name, kind)]));
        let (feed, truth) = replay_feed(&dir, extra);
        let lines = nmea_lines(&feed);
        let to = match kind {
            "tcp" => Destination::Tcp(tcp_port(&server, name).to_string()),
            _ => Destination::Udp(udp_port(&server, name).to_string()),
        };
        // UDP cannot push back: pace it as a receiver network would, and keep the flood
        // test from filling the kernel's buffers meanwhile.
        let rate = if kind == "udp" { 5_000.0 } else { 0.0 };
        let _quiet = (kind == "udp").then(|| UDP.lock().unwrap_or_else(|e| e.into_inner()));
        let sent = send_lines(&lines, rate, to);
        assert_eq!(sent as usize, lines.len());
        wait_for(30, &format!("{name}: every line accounted for"), || {
            accounted(&line_counts(&server, name)) >= sent as f64
        });
        let counts = line_counts(&server, name);
        assert_eq!(accounted(&counts), sent as f64, "{name}: {counts:?}");
        let corrupt = extra.contains(&"--corrupt");
        let bad = counts.get("bad_checksum").copied().unwrap_or(0.0);
        assert_eq!(
            corrupt,
            bad > 0.0,
            "{name}: bad checksums counted: {counts:?}"
        );
        let jsonl = dir.join("positions.jsonl");
        let n = vessels_jsonl(&server, &jsonl);
        let summary = compare(&truth, &jsonl);
        assert_eq!(summary["coverage"], 1.0, "{name}: {summary}");
        assert_eq!(summary["unknown_mmsi"], 0, "{name}: {summary}");
        assert_eq!(
            n as u64,
            summary["vessels_truth"].as_u64().unwrap(),
            "{name}"
        );
        // Static data from the two-sentence type 5 and type 24 messages arrived.
        let doc = server.get(&format!("/vessels?bbox={BBOX}")).json();
        let named = doc["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["properties"]["name"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("VESSEL "))
            })
            .count();
        assert!(named > 150, "{name}: {named} vessels have names");
    }
}

/// A sentence with its correct `*hh` checksum appended.
fn with_checksum(body: &str) -> String {
    let sum = body[1..].bytes().fold(0u8, |a, b| a ^ b);
    format!("{body}*{sum:02X}")
}

#[test]
fn hostile_input_is_counted_per_source_and_never_blocks_the_others() {
    let mut silent_source = source("hostile-silent", "tcp");
    silent_source.idle_timeout_s = 2;
    let server = TestServer::start(live_config(vec![
        source("hostile", "tcp"),
        source("hostile-good", "tcp"),
        silent_source,
    ]));
    // A client that connects and sends nothing, held open throughout.
    let silent = TcpStream::connect(tcp_port(&server, "hostile-silent")).unwrap();
    let mut bad = TcpStream::connect(tcp_port(&server, "hostile")).unwrap();
    let mut garbage: Vec<u8> = Vec::new();
    let mut lines_sent = 0;
    let hostile_lines: [Vec<u8>; 7] = [
        b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B".to_vec(), // bad checksum
        b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0".to_vec(),    // no checksum
        with_checksum("!AIVDM,1,1,,A,15RTgt0PA,0").into_bytes(),     // truncated payload
        with_checksum("!AIVDM,2,2,3,B,88888888880,2").into_bytes(),  // second half alone
        with_checksum("!AIVDM,1,1,,B,6B?n;be:cbapalgc;i6?Ow4,2").into_bytes(), // type 6
        vec![0xff, 0x00, 0xfe, b'!', 0x80, 0x81],                    // binary
        with_checksum("$PSRF151,3,1485,147015.0,0x00000000").into_bytes(), // proprietary
    ];
    for l in &hostile_lines {
        garbage.extend_from_slice(l);
        garbage.extend_from_slice(b"\r\n");
        lines_sent += 1;
    }
    garbage.extend(std::iter::repeat_n(b'A', 1 << 20)); // a 1 MB line
    garbage.extend_from_slice(b"\n");
    lines_sent += 1;
    // binary noise without newlines: one more over-long line
    garbage.extend(std::iter::repeat_n(0x9d, 5000));
    garbage.extend_from_slice(b"\n");
    lines_sent += 1;
    bad.write_all(&garbage).unwrap();
    bad.flush().unwrap();
    // Meanwhile a good source keeps working.
    let mut good = TcpStream::connect(tcp_port(&server, "hostile-good")).unwrap();
    good.write_all(b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\r\n")
        .unwrap();
    wait_for(10, "the good source's vessel", || {
        server.get("/vessels/371798000").status == 200
    });
    wait_for(10, "the hostile source's lines counted", || {
        accounted(&line_counts(&server, "hostile")) >= lines_sent as f64
    });
    let counts = line_counts(&server, "hostile");
    assert_eq!(accounted(&counts), lines_sent as f64, "{counts:?}");
    for reason in [
        "bad_checksum",
        "too_long",
        "unsupported_type",
        "unsupported_sentence",
    ] {
        assert!(
            counts.get(reason).copied().unwrap_or(0.0) >= 1.0,
            "{reason}: {counts:?}"
        );
    }
    assert_eq!(counts.get("accepted"), None, "{counts:?}");
    // The lone second fragment counts as rejected, not silently dropped.
    assert!(
        counts.contains_key("fragment_out_of_order") || counts.contains_key("fragment_lost"),
        "{counts:?}"
    );
    // The silent client is disconnected after its idle timeout and counted.
    wait_for(10, "the silent client's disconnect", || {
        server.counter("tidewatch_nmea_idle_disconnects_total") >= 1.0
    });
    drop(silent);
    // The hostile connection still works after all that.
    bad.write_all(b"!AIVDM,1,1,,A,16SteH0P00Jt63hHaa6SagvJ087r,0*42\r\n")
        .unwrap();
    wait_for(10, "a good line after the garbage", || {
        line_counts(&server, "hostile").get("accepted").copied() == Some(1.0)
    });
    assert_eq!(server.get("/health").status, 200);
    // A first fragment whose second never comes: lost, and counted, when the peer leaves.
    bad.write_all(
        b"!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C\r\n",
    )
    .unwrap();
    drop(bad);
    wait_for(10, "the lost fragment counted", || {
        line_counts(&server, "hostile")
            .get("fragment_lost")
            .copied()
            == Some(1.0)
    });
}

/// Tests that send UDP take turns: a flood beside a paced feed makes the kernel drop
/// datagrams of both, which no receiver can prevent.
static UDP: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn a_udp_flood_is_shed_visibly_while_http_keeps_answering() {
    let _turn = UDP.lock().unwrap_or_else(|e| e.into_inner());
    let mut config = live_config(vec![source("flood", "udp")]);
    config.live_queue_batches = 1;
    let server = TestServer::start(config);
    let target = udp_port(&server, "flood");
    let sentence = b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\r\n";
    let flood = std::thread::spawn(move || {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let mut datagram = Vec::new();
        for _ in 0..20 {
            datagram.extend_from_slice(sentence);
        }
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(3) {
            let _ = socket.send_to(&datagram, target);
        }
    });
    let mut slowest = Duration::ZERO;
    while !flood.is_finished() {
        let t = Instant::now();
        assert_eq!(server.get("/health").status, 200);
        slowest = slowest.max(t.elapsed());
        std::thread::sleep(Duration::from_millis(100));
    }
    flood.join().unwrap();
    assert!(
        server.counter("tidewatch_ingest_shed_total") > 0.0,
        "a one-batch queue under a flood must shed"
    );
    assert!(
        slowest < Duration::from_secs(2),
        "/health took {slowest:?} during the flood"
    );
    assert_eq!(server.get("/vessels/371798000").status, 200);
}

#[test]
fn beidou_terminals_report_positions_with_their_configured_id() {
    let mut terminal = source("bd-terminal", "tcp");
    terminal.terminal_id = Some("BD-TERMINAL-7".into());
    let server = TestServer::start(live_config(vec![terminal]));
    let log =
        std::fs::read_to_string(workspace_root().join("../shared/data/ais/gpsd-beidou-gb.log"))
            .unwrap();
    let mut stream = TcpStream::connect(tcp_port(&server, "bd-terminal")).unwrap();
    stream.write_all(log.as_bytes()).unwrap();
    wait_for(10, "the terminal's vessel", || {
        server.get("/vessels/BD-TERMINAL-7").status == 200
    });
    let v = server.get("/vessels/BD-TERMINAL-7").json();
    assert_eq!(v["properties"]["source"], "beidou");
    // The log's last valid fix: $GNRMC,053236.438,A,3114.8861,N,12135.2390,E,…,020315
    let c = &v["geometry"]["coordinates"];
    let last_rmc = log
        .lines()
        .rfind(|l| l.starts_with("$GNRMC") && l.contains(",A,"))
        .unwrap();
    let f: Vec<&str> = last_rmc.split(',').collect();
    let deg =
        |s: &str, d: usize| s[..d].parse::<f64>().unwrap() + s[d..].parse::<f64>().unwrap() / 60.0;
    assert!((c[0].as_f64().unwrap() - deg(f[5], 3)).abs() < 1e-7, "{c}");
    assert!((c[1].as_f64().unwrap() - deg(f[3], 2)).abs() < 1e-7, "{c}");
    assert!(
        v["properties"]["time"]
            .as_str()
            .unwrap()
            .starts_with("2015-03-02T05:32"),
        "{v}"
    );
}

/// Posts a JSON position batch with the token; the status.
fn ingest_json(server: &TestServer, body: &[u8]) -> u16 {
    post(
        server,
        "/ingest/positions",
        "application/json",
        Some(TOKEN),
        body,
    )
    .status
}

fn post(
    server: &TestServer,
    path: &str,
    content_type: &str,
    token: Option<&str>,
    body: &[u8],
) -> Response {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", content_type)];
    if let Some(a) = &auth {
        headers.push(("Authorization", a.as_str()));
    }
    try_request_with_body(server.addr, "POST", path, &headers, body).expect("POST")
}

#[test]
fn http_ingest_vessels_tracks_tiles_and_items() {
    let server = TestServer::start(live_config(vec![]));
    let json = br#"[
        {"id": "BD-1001", "source": "beidou", "time": "2026-11-27T14:00:00Z", "lon": 121.95, "lat": 29.20, "speed": 1.5, "course": 80},
        {"id": "BD-1001", "source": "beidou", "time": "2026-11-27T14:03:00Z", "lon": 121.96, "lat": 29.21, "speed": 1.2, "course": 85},
        {"id": "BD-1001", "source": "beidou", "time": "2026-11-27T14:06:00Z", "lon": 121.97, "lat": 29.21, "speed": 0.4, "course": 90}
    ]"#;
    // Ingest needs the token.
    assert_eq!(
        post(&server, "/ingest/positions", "application/json", None, json).status,
        401
    );
    assert_eq!(
        post(
            &server,
            "/ingest/positions",
            "application/json",
            Some("wrong"),
            json
        )
        .status,
        401
    );
    let r = post(
        &server,
        "/ingest/positions",
        "application/json",
        Some(TOKEN),
        json,
    );
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(r.json()["accepted"], 3);
    let csv = b"id,source,time,lon,lat,speed,course,heading\n412000001,ais,2026-11-27T14:05:00Z,122.10,29.30,11.5,200,198\n";
    assert_eq!(
        post(&server, "/ingest/positions", "text/csv", Some(TOKEN), csv).status,
        202
    );
    // A batch with one bad row changes nothing and names the row.
    let bad = b"id,source,time,lon,lat\nBD-2002,beidou,2026-11-27T14:00:00Z,121.9,29.1\nBD-2002,beidou,2026-11-27T14:03:00Z,321.9,29.1\n";
    let r = post(&server, "/ingest/positions", "text/csv", Some(TOKEN), bad);
    assert_eq!(r.status, 400);
    assert!(
        r.json()["description"].as_str().unwrap().contains("line 3"),
        "{}",
        r.text()
    );
    assert_eq!(
        post(
            &server,
            "/ingest/positions",
            "application/xml",
            Some(TOKEN),
            b"<x/>"
        )
        .status,
        415
    );
    wait_for(10, "both vessels", || {
        server.get("/vessels/412000001").status == 200
    });
    assert_eq!(server.get("/vessels/BD-2002").status, 404);

    let all = server.get("/vessels?bbox=121.8,29.1,122.2,29.4");
    assert_eq!(all.header("content-type"), Some("application/geo+json"));
    let doc = all.json();
    assert_eq!(doc["features"].as_array().unwrap().len(), 2, "{doc}");
    let bd = doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "BD-1001")
        .unwrap();
    assert_eq!(
        bd["geometry"]["coordinates"],
        serde_json::json!([121.97, 29.21])
    );
    assert_eq!(bd["properties"]["time"], "2026-11-27T14:06:00Z");
    assert!(bd["properties"]["age_s"].as_i64().is_some());
    assert_eq!(
        server.get("/vessels?bbox=0,0,1,1").json()["features"],
        serde_json::json!([])
    );
    assert_eq!(server.get("/vessels?bbox=1,2,3").status, 400);
    assert_eq!(server.get("/vessels?box=1,2,3,4").status, 400);

    let one = server.get("/vessels/412000001").json();
    assert_eq!(one["properties"]["heading_deg"], 198.0);
    assert_eq!(
        one["properties"]["last_report"]["ais"],
        "2026-11-27T14:05:00Z"
    );

    let track = server
        .get("/vessels/BD-1001/track?from=2026-11-27T14:01:00Z&to=2026-11-27T14:10:00Z")
        .json();
    assert_eq!(track["geometry"]["type"], "LineString");
    assert_eq!(
        track["geometry"]["coordinates"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        track["properties"]["times"],
        serde_json::json!(["2026-11-27T14:03:00Z", "2026-11-27T14:06:00Z"])
    );
    let full = server.get("/vessels/BD-1001/track").json();
    assert_eq!(full["properties"]["points"], 3);
    assert_eq!(
        server.get("/vessels/BD-1001/track?from=yesterday").status,
        400
    );
    assert_eq!(
        server
            .get("/vessels/BD-1001/track?from=2026-11-28T00:00:00Z&to=2026-11-27T00:00:00Z")
            .status,
        400
    );
    assert_eq!(server.get("/vessels/nobody/track").status, 404);

    // The vessels layer in tiles: the vessel appears, and moves when it reports again.
    let tile = tidewatch_tiles::TileId::containing(12, 121.97, 29.21);
    let path = tile_path("vessels", tile);
    let first = server.get(&path);
    assert_eq!(first.status, 200);
    assert!(first.header("cache-control").unwrap().contains("max-age=2"));
    let ids = |r: &Response| -> Vec<u64> {
        let t = decode_mvt(&r.decoded_body());
        t.layers
            .iter()
            .flat_map(|l| l.features.iter().filter_map(|f| f.id))
            .collect()
    };
    assert!(ids(&first).contains(&tidewatch::live::layer::feature_id("BD-1001")));
    let moved = br#"[{"id": "BD-1001", "source": "beidou", "time": "2026-11-27T14:09:00Z", "lon": 122.30, "lat": 29.50}]"#;
    assert_eq!(ingest_json(&server, moved), 202);
    wait_for(10, "the vessel to leave the tile", || {
        !ids(&server.get(&path)).contains(&tidewatch::live::layer::feature_id("BD-1001"))
    });

    // OGC API items with a CQL2 filter.
    let items = server
        .get("/collections/vessels/items?filter=speed_kn%20%3E%2010")
        .json();
    let found: Vec<&str> = items["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["vessel_id"].as_str().unwrap())
        .collect();
    assert_eq!(found, ["412000001"], "{items}");
}

#[test]
fn nmea_over_http_accounts_for_every_line() {
    let server = TestServer::start(live_config(vec![]));
    let body = b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\n!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C\n!AIVDM,2,2,1,A,88888888880,2*25\n!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*00\n!AIVDM,2,1,9,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*14\n";
    let r = post(&server, "/ingest/nmea", "text/plain", Some(TOKEN), body);
    assert_eq!(r.status, 202, "{}", r.text());
    let doc = r.json();
    assert_eq!(doc["accepted"], 2, "{doc}");
    assert_eq!(doc["rejected"]["bad_checksum"], 1, "{doc}");
    // The unfinished two-part message at the end is lost, and said so.
    assert_eq!(doc["rejected"]["fragment_lost"], 1, "{doc}");
    wait_for(10, "the type 5 vessel", || {
        server.get("/vessels/351759000").status == 200
    });
    let v = server.get("/vessels/351759000").json();
    assert_eq!(v["properties"]["static"]["name"], "EVER DIADEM", "{v}");
    assert_eq!(v["geometry"], Value::Null);
}

#[test]
fn the_live_stream_pushes_positions_inside_its_box() {
    let server = TestServer::start(live_config(vec![]));
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(stream, "GET /live?bbox=121.9,29.1,122.0,29.3 HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n").unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    assert!(status.contains("200"), "{status}");
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let collected = events.clone();
    std::thread::spawn(move || {
        let mut event = String::new();
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            // chunked framing lines are not "event:"/"data:" lines and are skipped
            if let Some(e) = line.trim_end().strip_prefix("event: ") {
                event = e.to_owned();
            } else if let Some(d) = line.trim_end().strip_prefix("data: ") {
                collected
                    .lock()
                    .unwrap()
                    .push((event.clone(), d.to_owned()));
            }
        }
    });
    wait_for(10, "the snapshot event", || {
        !events.lock().unwrap().is_empty()
    });
    let sent_at = Instant::now();
    let body = br#"[{"id": "IN-1", "source": "beidou", "time": "2026-11-27T14:00:00Z", "lon": 121.95, "lat": 29.2},
                   {"id": "OUT-1", "source": "beidou", "time": "2026-11-27T14:00:00Z", "lon": 122.5, "lat": 29.2}]"#;
    assert_eq!(ingest_json(&server, body), 202);
    wait_for(10, "a positions event", || {
        events.lock().unwrap().iter().any(|(e, _)| e == "positions")
    });
    assert!(
        sent_at.elapsed() < Duration::from_secs(1),
        "pushed after {:?}",
        sent_at.elapsed()
    );
    let got = events.lock().unwrap().clone();
    assert_eq!(got[0].0, "snapshot");
    let (_, data) = got.iter().find(|(e, _)| e == "positions").unwrap();
    let positions: Value = serde_json::from_str(data).unwrap();
    let ids: Vec<&str> = positions
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["IN-1"]);
}

// ------------------------------------------------------------------ PostGIS

fn count(db_url: &str, sql: &str) -> i64 {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(db_url).await.unwrap();
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    })
}

fn execute(db_url: &str, sql: &str) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(db_url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    })
}

#[test]
fn postgis_keeps_the_history_survives_a_restart_and_an_outage() {
    let Some(db) = TestDb::create("live") else {
        return;
    };
    let config = || Config {
        database_url: Some(db.url.clone()),
        migrate_on_start: true,
        ..live_config(vec![source("pg-feed", "tcp")])
    };
    let server = TestServer::start(config());
    let dir = out_dir(env!("CARGO_TARGET_TMPDIR"), "live-postgis");
    let (feed, truth) = replay_feed(&dir, &["--tagblock"]);
    let lines = nmea_lines(&feed);
    send_lines(
        &lines,
        0.0,
        Destination::Tcp(tcp_port(&server, "pg-feed").to_string()),
    );
    let positions_in_truth = std::fs::read_to_string(&truth).unwrap().lines().count() as i64;
    wait_for(30, "every position written to PostGIS", || {
        count(&db.url, "SELECT count(*) FROM vessel_positions") >= positions_in_truth
    });
    assert_eq!(
        count(&db.url, "SELECT count(*) FROM vessel_positions"),
        positions_in_truth
    );
    assert_eq!(
        count(
            &db.url,
            "SELECT count(*) FROM vessels WHERE geom IS NOT NULL"
        ),
        200
    );
    assert!(
        count(
            &db.url,
            "SELECT count(*) FROM vessels WHERE static ? 'name'"
        ) > 150
    );

    // The database goes away (the table is renamed under the writer): positions keep
    // reaching the live state and are written once it is back.
    execute(
        &db.url,
        "ALTER TABLE vessel_positions RENAME TO vessel_positions_away",
    );
    let during = br#"[{"id": "OUTAGE-1", "source": "beidou", "time": "2026-11-27T15:00:00Z", "lon": 121.9, "lat": 29.2}]"#;
    assert_eq!(ingest_json(&server, during), 202);
    wait_for(10, "the live state during the outage", || {
        server.get("/vessels/OUTAGE-1").status == 200
    });
    wait_for(10, "a failed write", || {
        server.counter("tidewatch_persist_errors_total") >= 1.0
    });
    execute(
        &db.url,
        "ALTER TABLE vessel_positions_away RENAME TO vessel_positions",
    );
    wait_for(30, "the held position written", || {
        count(
            &db.url,
            "SELECT count(*) FROM vessel_positions WHERE vessel_id = 'OUTAGE-1'",
        ) == 1
    });
    assert_eq!(
        count(&db.url, "SELECT count(*) FROM vessel_positions"),
        positions_in_truth + 1
    );

    // A second server on the same database rebuilds the fleet and serves full tracks.
    let restarted = TestServer::start(config());
    let jsonl = dir.join("restored.jsonl");
    vessels_jsonl(&restarted, &jsonl);
    let summary = compare(&truth, &jsonl);
    assert_eq!(summary["coverage"], 1.0, "{summary}");
    let some = restarted.get(&format!("/vessels?bbox={BBOX}")).json()["features"][0]["id"]
        .as_str()
        .expect("a restored vessel")
        .to_owned();
    let stored = count(
        &db.url,
        &format!("SELECT count(*) FROM vessel_positions WHERE vessel_id = '{some}'"),
    );
    let track = restarted.get(&format!("/vessels/{some}/track")).json();
    assert_eq!(
        track["properties"]["points"].as_i64().unwrap(),
        stored,
        "{track}"
    );
    drop(db);
}

#[test]
fn the_demo_traffic_as_nmea_rebuilds_the_same_fleet() {
    let traffic = tidewatch::live::demo::demo_traffic(&workspace_root().join("data/demo"))
        .expect("demo traffic");
    let lines = tidewatch::live::demo::nmea_lines(&traffic);
    // Memory keeps the whole five days of every vessel's track.
    let server = TestServer::start(Config {
        vessel_history: 20_000,
        ..live_config(vec![source("demo-nmea", "tcp")])
    });
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    send_lines(
        &refs,
        0.0,
        Destination::Tcp(tcp_port(&server, "demo-nmea").to_string()),
    );
    wait_for(60, "every demo line accounted for", || {
        accounted(&line_counts(&server, "demo-nmea")) >= lines.len() as f64
    });
    let counts = line_counts(&server, "demo-nmea");
    let rejected: f64 = counts
        .iter()
        .filter(|(k, _)| *k != "accepted" && *k != "fragment")
        .map(|(_, v)| v)
        .sum();
    assert_eq!(rejected, 0.0, "{counts:?}");
    // Every vessel's last report, from the generator itself.
    let mut last = std::collections::HashMap::new();
    for r in &traffic.reports {
        last.insert(tidewatch::live::demo::vessel_id(&traffic, r.vessel), r);
    }
    wait_for(30, "the last demo report applied", || {
        let (id, r) = last.iter().next().unwrap();
        server.get(&format!("/vessels/{id}")).json()["properties"]["time"]
            == tidewatch::time::rfc3339_ms(r.unix_ms)
    });
    let doc = server.get("/vessels").json();
    let features = doc["features"].as_array().unwrap();
    assert_eq!(features.len(), last.len());
    for f in features {
        let id = f["id"].as_str().unwrap();
        let r = last[id];
        let c = &f["geometry"]["coordinates"];
        let err = haversine_m(
            (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()),
            (r.lon, r.lat),
        );
        assert!(err < 1.0, "{id}: {err} m off");
        assert_eq!(
            f["properties"]["time"],
            tidewatch::time::rfc3339_ms(r.unix_ms),
            "{id}"
        );
    }
    // The scripted smuggler keeps reporting on Beidou while its AIS is off.
    let dark = traffic
        .episodes
        .iter()
        .find(|e| e.kind == "ais_off")
        .expect("an AIS-off episode");
    // (inside the episode: it starts with the last AIS report and ends with the first)
    let inside = |t: i64| tidewatch::time::rfc3339_ms(t);
    let smuggler = tidewatch::live::demo::vessel_id(&traffic, dark.vessels[0]);
    let track = server
        .get(&format!(
            "/vessels/{smuggler}/track?from={}&to={}",
            inside(dark.start_unix_ms + 1000),
            inside(dark.end_unix_ms - 1000)
        ))
        .json();
    let sources = track["properties"]["sources"].as_array().unwrap();
    assert!(
        !sources.is_empty() && sources.iter().all(|s| s == "beidou"),
        "{track}"
    );
}

#[test]
fn serving_with_demo_traffic_shows_moving_vessels() {
    let server = TestServer::start(Config {
        demo_traffic: true,
        ..live_config(vec![])
    });
    wait_for(60, "demo vessels", || {
        server.get("/vessels").json()["features"]
            .as_array()
            .is_some_and(|f| f.len() > 10)
    });
    let doc = server.get("/vessels").json();
    for f in doc["features"].as_array().unwrap() {
        // Played at today's clock: no report from the future, none older than the warm-up.
        let age = f["properties"]["age_s"].as_i64().unwrap();
        assert!((0..=3600 * 6).contains(&age), "{f}");
    }
}

#[test]
fn the_map_page_draws_moving_vessels_and_a_track_on_click() {
    use std::process::Stdio;
    let server = TestServer::start(live_config(vec![]));
    let now = tidewatch::live::now_ms();
    let at = |minutes_ago: i64| tidewatch::time::rfc3339_ms(now - minutes_ago * 60_000);
    let body = format!(
        r#"[{{"id": "412555001", "source": "ais", "time": "{}", "lon": 121.94, "lat": 29.195, "speed": 6, "course": 45, "heading": 45}},
            {{"id": "412555001", "source": "ais", "time": "{}", "lon": 121.95, "lat": 29.2, "speed": 6, "course": 45, "heading": 45}}]"#,
        at(10),
        at(5)
    );
    assert_eq!(ingest_json(&server, body.as_bytes()), 202);
    wait_for(10, "the vessel", || {
        server.get("/vessels/412555001").status == 200
    });
    // The script needs playwright-core from the harness copy that scripts/setup made.
    let harness = e2e_tools().join("maplibre-harness");
    std::fs::copy(
        workspace_root().join("tests/js/map_page.mjs"),
        harness.join("map_page.mjs"),
    )
    .expect("copy map_page.mjs");
    let mut child = Command::new("node")
        .current_dir(&harness)
        .arg("map_page.mjs")
        .arg(format!("{}/#12/29.2/121.95", server.base))
        .arg("412555001")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines.next().expect("a line from map_page.mjs").unwrap();
    assert!(ready.contains("\"ready\":true"), "{ready}");
    // Now it moves: the page must get this over /live and redraw.
    let moved = format!(
        r#"[{{"id": "412555001", "source": "ais", "time": "{}", "lon": 121.955, "lat": 29.204, "speed": 6, "course": 45, "heading": 45}}]"#,
        at(0)
    );
    assert_eq!(ingest_json(&server, moved.as_bytes()), 202);
    let last = lines.map(|l| l.unwrap()).last().unwrap_or_default();
    let status = child.wait().expect("node ends");
    let result: Value = serde_json::from_str(&last).unwrap_or(Value::Null);
    assert!(status.success(), "map_page.mjs: {last}");
    assert_eq!(result["moved"], true, "{result}");
    assert!(result["track_points"].as_u64().unwrap() >= 3, "{result}");
    // The night picker: a tide curve every 10 minutes, one patrol window, the zones listed.
    let night = &result["night"];
    assert_eq!(night["curve_points"], 145, "{result}");
    assert_eq!(night["windows"], 1, "{result}");
    assert_eq!(night["window_rects"], 1, "{result}");
    assert!(night["zones"].as_u64().unwrap() >= 15, "{result}");
    assert!(night["listed"].as_u64().unwrap() >= 15, "{result}");
    // The alerts panel is connected to /events/stream (its snapshot arrived).
    assert!(result["alerts"]["total"].is_u64(), "{result}");
}

#[test]
fn a_feed_we_connect_to_is_read_and_reconnected_after_it_drops() {
    // The test plays the aggregator: it accepts the server's connection, sends a report,
    // hangs up, and expects the server back for a second report.
    let aggregator = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = aggregator.local_addr().unwrap();
    let mut feed = NmeaSourceConfig::from_flag("connect", &addr.to_string()).unwrap();
    feed.name = "aggregator".into();
    let server = TestServer::start(live_config(vec![feed]));
    let (mut first, _) = aggregator.accept().expect("the server connects");
    first
        .write_all(b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\r\n")
        .unwrap();
    wait_for(10, "the first report", || {
        server.get("/vessels/371798000").status == 200
    });
    drop(first);
    let (mut second, _) = aggregator.accept().expect("the server reconnects");
    second
        .write_all(b"!AIVDM,1,1,,A,16SteH0P00Jt63hHaa6SagvJ087r,0*42\r\n")
        .unwrap();
    wait_for(10, "the report after the reconnect", || {
        server.get("/vessels/440348000").status == 200
    });
    assert!(server.counter("tidewatch_nmea_reconnects_total") >= 1.0);
}

/// The early-warning rules on the demo scenario, end to end: the five days of demo
/// traffic as NMEA over TCP into a server with the demo's rule settings. Every scripted
/// episode (AIS off offshore at night, the night approach to idle Hepu Pier 5 in the tide
/// window, the rendezvous with the mother ship, its loitering, the repeat visit) raises
/// its event at its place and time, and the ordinary fishing, cargo and ferry traffic
/// raises none.
#[test]
fn the_demo_scenario_raises_its_events_and_nothing_else() {
    demo_scenario(test_config());
}

/// The same with PostGIS: every event is written to the `events` table.
#[test]
fn the_demo_scenario_events_are_kept_in_postgis() {
    let Some(db) = demo_database("alerts") else {
        return;
    };
    let server = demo_scenario(Config {
        database_url: Some(db.url.clone()),
        ..test_config()
    });
    let shown = server.get("/events").json()["features"]
        .as_array()
        .unwrap()
        .len();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let stored = || -> Vec<(String, i64)> {
        rt.block_on(async {
            let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
            sqlx::query_as("SELECT type, count(*) FROM events GROUP BY type ORDER BY type")
                .fetch_all(&pool)
                .await
                .unwrap()
        })
    };
    wait_for(30, "every event written", || {
        stored().iter().map(|(_, n)| *n as usize).sum::<usize>() == shown
    });
    let types: Vec<String> = stored().into_iter().map(|(t, _)| t).collect();
    assert_eq!(
        types,
        [
            "dark_vessel",
            "loitering",
            "night_pier_approach",
            "rendezvous",
            "repeat_visit"
        ]
    );
}

fn demo_scenario(base: Config) -> TestServer {
    let dir = workspace_root().join("data/demo");
    let traffic = tidewatch::live::demo::demo_traffic(&dir).expect("demo traffic");
    let lines = tidewatch::live::demo::nmea_lines(&traffic);
    let sources = vec![source("demo-alerts", "tcp")];
    let server = TestServer::start(Config {
        alerts: tidewatch::live::demo::alert_config(&dir).expect("demo rule settings"),
        ingest_token: Some(TOKEN.into()),
        nmea: sources,
        tile_cache_mb: 16,
        ..base
    });
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    send_lines(
        &refs,
        0.0,
        Destination::Tcp(tcp_port(&server, "demo-alerts").to_string()),
    );
    wait_for(60, "every demo line accounted for", || {
        accounted(&line_counts(&server, "demo-alerts")) >= lines.len() as f64
    });
    let repeat_visits = || {
        server.get("/events?type=repeat_visit").json()["features"]
            .as_array()
            .map_or(0, Vec::len)
    };
    wait_for(30, "the last scripted event raised", || {
        repeat_visits() >= 1
    });
    let events = server.get("/events").json();
    let events = events["features"].as_array().unwrap();
    let id = |v: usize| tidewatch::live::demo::vessel_id(&traffic, v).to_string();
    let suspects: Vec<String> = traffic
        .vessels
        .iter()
        .enumerate()
        .filter(|(_, v)| {
            matches!(
                v.role,
                tidewatch_demo::traffic::VesselRole::Smuggler
                    | tidewatch_demo::traffic::VesselRole::MotherShip
            )
        })
        .map(|(i, _)| id(i))
        .collect();
    // Nothing about ordinary vessels.
    let false_positives: Vec<&Value> = events
        .iter()
        .filter(|e| {
            e["properties"]["vessels"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| !suspects.contains(&v.as_str().unwrap().to_owned()))
        })
        .collect();
    assert!(
        false_positives.is_empty(),
        "false positives: {false_positives:#?}"
    );
    // Every scripted episode has its event: the same type, a vessel of the episode,
    // within 1 km and 5 minutes of its start.
    for ep in &traffic.episodes {
        let kind = match ep.kind {
            "ais_off" => "dark_vessel",
            "pier_approach" => "night_pier_approach",
            other => other,
        };
        let vessels: Vec<String> = ep.vessels.iter().map(|v| id(*v)).collect();
        let found = events.iter().any(|e| {
            let p = &e["properties"];
            let start = tidewatch::ogc::datetime::parse_time(p["start"].as_str().unwrap())
                .unwrap()
                .0;
            p["type"] == kind
                && p["vessels"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|v| vessels.contains(&v.as_str().unwrap().to_owned()))
                && (start - ep.start_unix_ms).abs() <= 5 * 60_000
        });
        assert!(
            found,
            "no {kind} event for {} ({})",
            ep.note,
            vessels.join(",")
        );
    }
    // The night approach at Hepu Pier 5 is high severity: inside the tide window.
    let approach = events
        .iter()
        .find(|e| e["properties"]["type"] == "night_pier_approach")
        .unwrap();
    assert_eq!(approach["properties"]["severity"], "high", "{approach}");
    // The events layer: OGC items with a CQL2 filter on the type.
    let items = server
        .get("/collections/events/items?filter=type%3D%27rendezvous%27&limit=100")
        .json();
    assert!(items["numberMatched"].as_u64().unwrap() >= 1, "{items}");
    // … and `datetime` on the events' start: only the second smuggling night's.
    let night5 = traffic.episodes.last().unwrap().start_unix_ms;
    let later = server
        .get(&format!(
            "/collections/events/items?datetime={}/..&limit=100",
            tidewatch::time::rfc3339_ms(night5 - 6 * 3_600_000)
        ))
        .json();
    let starts: Vec<&str> = later["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["start"].as_str().unwrap())
        .collect();
    assert!(
        !starts.is_empty() && starts.len() < events.len(),
        "{starts:?}"
    );
    server
}
