//! The analyses over HTTP: coverage gaps (consistency of gaps and summary, what-if
//! properties, suggestions that agree with what-ifs, layers that follow sensor changes,
//! bad input), tides (predictions through HTTP against the Neaps reference, night
//! windows across midnight from a tide table, bad input) and patrol plans (GeoJSON, CSV
//! and an iCalendar feed read by the `icalendar` Python package).

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tidewatch::config::Config;
use tidewatch::layers::read_layer_defs;
use tidewatch::store::embedded::EmbeddedLayer;
use tidewatch_e2e::*;

fn post_json(server: &TestServer, path: &str, body: &Value) -> Response {
    try_request_with_body(
        server.addr,
        "POST",
        path,
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    )
    .expect("request")
}

fn ok_json(server: &TestServer, path: &str) -> Value {
    let r = server.get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    r.json()
}

fn bad(r: &Response, status: u16, words: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    let d = r.json()["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(d.contains(words), "{d:?} should mention {words:?}");
}

// ------------------------------------------------------------------------ coverage

#[test]
fn coverage_gaps_add_up_and_are_ranked() {
    let server = TestServer::shared();
    let doc = ok_json(server, "/analysis/coverage?mode=night&band=false");
    let s = &doc["summary"];
    let coast = s["coastline_km"].as_f64().unwrap();
    assert!(
        (coast - 824.7).abs() < 1.0,
        "the demo coast is 825 km, got {coast}"
    );
    let covered = s["covered_km"].as_f64().unwrap();
    let gaps: Vec<&Value> = doc["features"].as_array().unwrap().iter().collect();
    assert_eq!(gaps.len() as u64, s["gap_count"].as_u64().unwrap());
    let lengths: Vec<f64> = gaps
        .iter()
        .map(|g| g["properties"]["length_m"].as_f64().unwrap())
        .collect();
    assert!(lengths.windows(2).all(|w| w[0] >= w[1]), "ranked by length");
    for (i, g) in gaps.iter().enumerate() {
        assert_eq!(g["properties"]["rank"], json!(i + 1));
        assert_eq!(g["geometry"]["type"], "MultiLineString");
        assert!(g["properties"]["town_en"].is_string());
    }
    // With no minimum length every unseen metre is in a gap: covered + gaps = coast.
    let gap_km = lengths.iter().sum::<f64>() / 1000.0;
    assert!(
        (covered + gap_km - coast).abs() < 0.002 * coast,
        "{covered} + {gap_km} != {coast}"
    );
    // Per town and per type add up too, and night ranges see less than day ranges.
    let by_town: f64 = s["by_town"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["coastline_km"].as_f64().unwrap())
        .sum();
    assert!((by_town - coast).abs() < 0.01 * coast);
    let day = ok_json(server, "/analysis/coverage?mode=day&band=false");
    assert!(day["summary"]["covered_km"].as_f64().unwrap() > covered);
    // A minimum length hides short gaps but keeps the totals.
    let long = ok_json(
        server,
        "/analysis/coverage?mode=night&band=false&min_gap=1000",
    );
    assert!(long["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["properties"]["length_m"].as_f64().unwrap() >= 1000.0));
    assert_eq!(long["summary"]["covered_km"], s["covered_km"]);
    // Radars alone see less than everything.
    let radars = ok_json(server, "/analysis/coverage?sensors=radar&band=false");
    assert!(radars["summary"]["covered_km"].as_f64().unwrap() < covered);
}

#[test]
fn the_sea_band_comes_with_polygons_and_areas() {
    let server = TestServer::shared();
    let doc = ok_json(server, "/analysis/coverage?band_width=1000");
    let band = &doc["band"];
    let total = band["band_km2"].as_f64().unwrap();
    let unseen = band["unseen_km2"].as_f64().unwrap();
    assert!(total > 500.0 && unseen > 0.0 && unseen < total, "{band}");
    let areas: Vec<f64> = doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["kind"] == "band_gap")
        .map(|f| {
            assert_eq!(f["geometry"]["type"], "Polygon");
            f["properties"]["area_m2"].as_f64().unwrap()
        })
        .collect();
    assert_eq!(areas.len() as u64, band["gap_count"].as_u64().unwrap());
    assert!(areas.windows(2).all(|w| w[0] >= w[1]), "ranked by area");
    let sum_km2 = areas.iter().sum::<f64>() / 1e6;
    assert!(
        (sum_km2 - unseen).abs() < 0.01 * unseen + 0.01,
        "{sum_km2} vs {unseen}"
    );
}

#[test]
fn what_if_changes_move_coverage_the_right_way() {
    let server = TestServer::shared();
    let base = ok_json(server, "/analysis/coverage?mode=night&band=false");
    // No change: exactly the baseline.
    let same = post_json(
        server,
        "/analysis/coverage/what-if",
        &json!({"mode": "night"}),
    );
    assert_eq!(same.status, 200, "{}", same.text());
    let same = same.json();
    assert_eq!(same["summary"], base["summary"]);
    assert_eq!(same["difference"]["newly_covered_m"], json!(0.0));
    assert_eq!(same["difference"]["newly_lost_m"], json!(0.0));

    // A thermal camera at the longest gap's middle, looking all round, closes it.
    let gap = &base["features"][0];
    let line = &gap["geometry"]["coordinates"][0];
    let mid = &line[line.as_array().unwrap().len() / 2];
    let add = json!({"mode": "night", "add": [{
        "type": "camera", "id": "what-if-1", "lon": mid[0], "lat": mid[1], "height_m": 10,
        "bearing_deg": 0, "fov_deg": 360, "range_day_m": 3000, "range_night_m": 3000, "thermal": true
    }]});
    let added = post_json(server, "/analysis/coverage/what-if", &add).json();
    let d = &added["difference"];
    assert!(d["newly_covered_m"].as_f64().unwrap() > 0.0, "{d}");
    assert_eq!(d["newly_lost_m"], json!(0.0));
    let touched_first = d["closed_gaps"].as_array().unwrap().contains(&json!(1))
        || d["shrunk_gaps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["baseline_rank"] == json!(1));
    assert!(touched_first, "the longest gap closes or shrinks: {d}");
    assert!(added["summary"]["covered_km"].as_f64() >= base["summary"]["covered_km"].as_f64());
    assert!(added["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["properties"]["kind"] == "visibility"));

    // Failing a radar never adds coverage.
    let failed = post_json(
        server,
        "/analysis/coverage/what-if",
        &json!({"mode": "night", "fail": ["radar:1"]}),
    )
    .json();
    let d = &failed["difference"];
    assert_eq!(d["newly_covered_m"], json!(0.0));
    assert!(d["newly_lost_m"].as_f64().unwrap() >= 0.0);
    assert!(failed["summary"]["covered_km"].as_f64() <= base["summary"]["covered_km"].as_f64());
    // Moving a camera is answered; an unknown id is a 400 naming it.
    let moved = post_json(
        server,
        "/analysis/coverage/what-if",
        &json!({"move": [{"id": "camera:1", "lon": 121.56, "lat": 29.44, "bearing_deg": 90}]}),
    );
    assert_eq!(moved.status, 200, "{}", moved.text());
    bad(
        &post_json(
            server,
            "/analysis/coverage/what-if",
            &json!({"fail": ["camera:999999"]}),
        ),
        400,
        "camera:999999",
    );
}

#[test]
fn suggestions_agree_with_what_ifs() {
    let server = TestServer::shared();
    let doc = ok_json(server, "/analysis/coverage/suggest?k=3&candidates=piers");
    let found = doc["features"].as_array().unwrap();
    assert_eq!(found.len(), 3);
    let closes: Vec<f64> = found
        .iter()
        .map(|f| f["properties"]["closes_m"].as_f64().unwrap())
        .collect();
    assert!(
        closes.windows(2).all(|w| w[0] >= w[1] - 1e-6),
        "greedy gains shrink: {closes:?}"
    );
    // The first site's gain is what a what-if with that camera says it covers.
    let first = &found[0]["properties"];
    let cam = &doc["camera"];
    let pier_id: u64 = first["candidate_id"].as_str().unwrap()["piers:".len()..]
        .parse()
        .unwrap();
    let pier = layer("piers")
        .data
        .features()
        .iter()
        .find(|f| f.id == pier_id)
        .unwrap();
    let (lon, lat) = point_lonlat(pier);
    let check = post_json(
        server,
        "/analysis/coverage/what-if",
        &json!({"add": [{
            "type": "camera", "id": "check", "lon": lon, "lat": lat, "height_m": cam["height_m"],
            "bearing_deg": first["bearing_deg"], "fov_deg": cam["fov_deg"],
            "range_day_m": cam["range_day_m"], "range_night_m": cam["range_night_m"], "thermal": cam["thermal"]
        }]}),
    )
    .json();
    let covered = check["difference"]["newly_covered_m"].as_f64().unwrap();
    let claimed = first["closes_m"].as_f64().unwrap();
    assert!((covered - claimed).abs() < 0.5, "{covered} vs {claimed}");
    bad(&server.get("/analysis/coverage/suggest?k=0"), 400, "k=");
    bad(
        &server.get("/analysis/coverage/suggest?candidates=boats"),
        400,
        "boats",
    );
}

#[test]
fn bad_coverage_input_is_refused_quickly() {
    let server = TestServer::shared();
    let camera = |extra: Value| {
        let mut c = json!({"type": "camera", "id": "x", "lon": 121.9, "lat": 29.3, "height_m": 10,
            "bearing_deg": 90, "fov_deg": 60, "range_day_m": 500, "range_night_m": 300});
        c.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({"add": [c]})
    };
    let what_if = |body: &Value| post_json(server, "/analysis/coverage/what-if", body);
    bad(
        &what_if(&camera(json!({"range_night_m": -5}))),
        400,
        "range_night_m",
    );
    bad(
        &what_if(&camera(json!({"bearing_deg": 400}))),
        400,
        "bearing",
    );
    bad(&what_if(&camera(json!({"lon": 400.0}))), 400, "position");
    // JSON has no NaN: the literal is a syntax error, named as such.
    let nan = try_request_with_body(
        server.addr,
        "POST",
        "/analysis/coverage/what-if",
        &[("Content-Type", "application/json")],
        br#"{"add": [{"type": "camera", "id": "x", "lon": NaN, "lat": 29.3}]}"#,
    )
    .unwrap();
    bad(&nan, 400, "what-if body");
    bad(
        &what_if(&json!({"add": [{"type": "boat"}]})),
        400,
        "what-if body",
    );
    bad(&server.get("/analysis/coverage?mode=dusk"), 400, "mode");
    bad(
        &server.get("/analysis/coverage?band_width=-1"),
        400,
        "band_width",
    );
    bad(
        &server.get("/analysis/coverage?sensors=sonar"),
        400,
        "sonar",
    );
    bad(
        &server.get("/analysis/coverage?min_gap=abc"),
        400,
        "min_gap",
    );

    // 100,000 sensors: over the body limit, refused at once with the limit named.
    let many: Vec<Value> = (0..100_000)
        .map(|i| json!({"type": "camera", "id": format!("c{i}"), "lon": 121.9, "lat": 29.3,
            "height_m": 10, "bearing_deg": 90, "fov_deg": 60, "range_day_m": 500, "range_night_m": 300}))
        .collect();
    let started = Instant::now();
    let r = what_if(&json!({"add": many}));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.text().contains("10000 changes"), "{}", r.text());
    // Under the byte limit but over the change limit: 400 naming the limit.
    let ids: Vec<String> = (0..10_001).map(|i| format!("camera:{i}")).collect();
    bad(&what_if(&json!({"fail": ids})), 400, "at most 10000");
}

#[test]
fn coverage_layers_follow_the_sensors() {
    let server = TestServer::start(Config {
        tile_cache_mb: 16,
        ..test_config()
    });
    let gaps_before = ok_json(&server, "/analysis/coverage?band=false");
    let radar = layer("radars").data.features()[0].clone();
    let (lon, lat) = point_lonlat(&radar);
    let z = 10;
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n) as u32;
    let y = ((1.0
        - (lat.to_radians().tan() + 1.0 / lat.to_radians().cos()).ln() / std::f64::consts::PI)
        / 2.0
        * n) as u32;
    let path = format!("/tiles/coverage/{z}/{x}/{y}.mvt");
    let sensors_in = |body: &[u8]| -> Vec<String> {
        let tile = decode_mvt(body);
        let Some(l) = tile.layers.iter().find(|l| l.name == "coverage") else {
            return Vec::new();
        };
        l.features
            .iter()
            .flat_map(|f| feature_properties(l, f))
            .filter(|(k, _)| k == "sensor_id")
            .map(|(_, v)| format!("{v:?}"))
            .collect()
    };
    let before = sensors_in(&server.get(&path).decoded_body());
    let radar_id = format!("radar:{}", radar.id);
    assert!(
        before.iter().any(|s| s.contains(&radar_id)),
        "{radar_id} in {before:?}"
    );

    // The radar fails: the layer (through the catalog's generation) drops it.
    let mut radars: Vec<_> = layer("radars").data.features().to_vec();
    radars[0]
        .properties
        .insert("status".into(), json!("failed"));
    let def = read_layer_defs(&workspace_root().join("layers"))
        .unwrap()
        .into_iter()
        .find(|d| d.id == "radars")
        .unwrap();
    server.state.tiles.catalog().replace(Arc::new(
        EmbeddedLayer::from_features(&def, radars).unwrap(),
    ));
    server.state.tiles.invalidate();
    let after = sensors_in(&server.get(&path).decoded_body());
    assert!(
        !after.iter().any(|s| s.contains(&radar_id)),
        "{radar_id} gone: {after:?}"
    );
    let gaps_after = ok_json(&server, "/analysis/coverage?band=false");
    assert!(
        gaps_after["summary"]["covered_km"].as_f64()
            < gaps_before["summary"]["covered_km"].as_f64(),
        "a failed radar uncovers coast"
    );
    // Gap tiles are valid MVT with ranked lines.
    let gaps_tile = server.get(&format!("/tiles/coverage_gaps/{z}/{x}/{y}.mvt"));
    assert_eq!(gaps_tile.status, 200);
}

// --------------------------------------------------------------------------- tides

/// A server whose tide stations are Kanmen (constants without the constituents the
/// Neaps reference leaves out), a tide-table station and one without either.
fn tide_server(dir: &Path) -> TestServer {
    std::fs::create_dir_all(dir.join("layers")).unwrap();
    let kanmen_file = workspace_root().join("data/demo/tides/kanmen-ticon4.json");
    let mut kanmen: Value = serde_json::from_slice(&std::fs::read(&kanmen_file).unwrap()).unwrap();
    kanmen["constituents"]
        .as_array_mut()
        .unwrap()
        .retain(|c| !["M1", "MKS2"].contains(&c["name"].as_str().unwrap()));
    std::fs::write(dir.join("kanmen.json"), kanmen.to_string()).unwrap();
    // Highs at 01:10 and 13:35 local (the night one crosses midnight with ± 2 h), a low
    // high of 3.1 m at 01:55 the next night.
    std::fs::write(
        dir.join("table.csv"),
        "time,height,type\n\
         2026-11-27T12:50:00,4.0,high\n2026-11-27T19:00:00,1.0,low\n\
         2026-11-28T01:10:00,4.2,high\n2026-11-28T07:20:00,1.1,low\n\
         2026-11-28T13:35:00,4.1,high\n2026-11-28T19:45:00,1.2,low\n\
         2026-11-29T01:55:00,3.1,high\n2026-11-29T08:05:00,1.3,low\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("tides.toml"),
        "[[station]]\nstation_id = \"kanmen\"\nconstants = \"kanmen.json\"\n\n\
         [[station]]\nstation_id = \"table\"\ntable = \"table.csv\"\ndatum = \"LAT\"\ntime_zone = \"Asia/Shanghai\"\n",
    )
    .unwrap();
    let stations = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": 1, "geometry": {"type": "Point", "coordinates": [121.282, 28.088]},
         "properties": {"station_id": "kanmen", "name_zh": "坎门", "name_en": "Kanmen"}},
        {"type": "Feature", "id": 2, "geometry": {"type": "Point", "coordinates": [121.95, 29.2]},
         "properties": {"station_id": "table", "name_zh": "石浦表", "name_en": "Shipu Table"}},
        {"type": "Feature", "id": 3, "geometry": {"type": "Point", "coordinates": [122.0, 29.4]},
         "properties": {"station_id": "bare", "name_zh": "空站", "name_en": "Bare"}}
    ]});
    std::fs::write(dir.join("stations.geojson"), stations.to_string()).unwrap();
    std::fs::write(
        dir.join("layers/tide_stations.toml"),
        format!(
            "id = \"tide_stations\"\ntitle = {{ zh = \"潮位站\", en = \"Tide stations\" }}\ngeometry = \"point\"\nfile = {:?}\n",
            dir.join("stations.geojson")
        ),
    )
    .unwrap();
    TestServer::start(Config {
        layers_dir: dir.join("layers"),
        tides_dir: dir.to_path_buf(),
        ..test_config()
    })
}

fn tide_dir(name: &str) -> PathBuf {
    out_dir(env!("CARGO_TARGET_TMPDIR"), &format!("tides-{name}"))
}

#[test]
fn predictions_over_http_match_the_neaps_reference() {
    let server = tide_server(&tide_dir("neaps"));
    let stations = ok_json(&server, "/tides/stations");
    let names: Vec<&str> = stations["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["kanmen", "shipu-table", "bare"]);
    assert_eq!(stations["features"][2]["properties"]["source"], "none");

    // @neaps/tide-predictor's heights (tides/reference/make_reference.mjs), every 10 min.
    let reference =
        std::fs::read_to_string(workspace_root().join("tides/tests/data/kanmen_neaps.csv"))
            .unwrap();
    let heights: Vec<(i64, f64)> = reference
        .lines()
        .filter_map(|l| l.strip_prefix("height,"))
        .map(|l| {
            let (t, h) = l.split_once(',').unwrap();
            (t.parse().unwrap(), h.parse().unwrap())
        })
        .collect();
    let (first, last) = (heights[0].0, heights[heights.len() - 1].0);
    let doc = ok_json(
        &server,
        &format!(
            "/tides/kanmen/predictions?from={}&to={}&step=10m",
            rfc3339(first),
            rfc3339(last)
        ),
    );
    assert_eq!(doc["station"]["datum"], "TLT");
    let ours = doc["predictions"].as_array().unwrap();
    assert_eq!(ours.len(), heights.len());
    let worst = ours
        .iter()
        .zip(&heights)
        .map(|(p, (_, h))| (p["height_m"].as_f64().unwrap() - h).abs())
        .fold(0.0, f64::max);
    assert!(worst < 0.01, "largest difference from Neaps {worst} m");

    // High and low waters within 60 s of Neaps's.
    let extremes: Vec<(i64, &str)> = reference
        .lines()
        .filter_map(|l| {
            let (kind, rest) = l.split_once(',')?;
            let kind = ["high", "low"].into_iter().find(|k| *k == kind)?;
            let t: f64 = rest.split(',').next()?.parse().ok()?;
            Some((t.round() as i64, kind))
        })
        .collect();
    assert_eq!(extremes.len(), 116);
    let doc = ok_json(
        &server,
        &format!(
            "/tides/kanmen/extremes?from={}&to={}",
            rfc3339(first),
            rfc3339(last)
        ),
    );
    let ours = doc["extremes"].as_array().unwrap();
    for (t, kind) in &extremes {
        let near = ours.iter().any(|e| {
            e["type"] == *kind && (parse_rfc3339(e["time"].as_str().unwrap()) - t).abs() <= 60
        });
        assert!(
            near,
            "Neaps {kind} water at {} has no match within 60 s",
            rfc3339(*t)
        );
    }
    // CSV says the same as JSON, with the datum in the header.
    let csv = server
        .get("/tides/kanmen/extremes?from=2026-11-28&to=2026-11-29&tz=Asia/Shanghai&f=csv")
        .text();
    let json_doc = ok_json(
        &server,
        "/tides/kanmen/extremes?from=2026-11-28&to=2026-11-29&tz=Asia/Shanghai",
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "time,height_m_TLT,type");
    assert_eq!(
        lines.len() - 1,
        json_doc["extremes"].as_array().unwrap().len()
    );
    assert!(lines[1].contains("+08:00"));
}

#[test]
fn night_windows_cross_midnight_whole() {
    let server = tide_server(&tide_dir("windows"));
    let doc = ok_json(
        &server,
        "/tides/shipu-table/windows?from=2026-11-27T18:00:00%2B08:00&to=2026-11-29T08:00:00%2B08:00&night=22:00-05:00&tz=Asia/Shanghai",
    );
    let w = doc["windows"].as_array().unwrap();
    assert_eq!(w.len(), 2, "{doc}");
    assert_eq!(w[0]["start"], "2026-11-27T23:10:00+08:00");
    assert_eq!(w[0]["end"], "2026-11-28T03:10:00+08:00");
    assert_eq!(w[0]["high_water"]["time"], "2026-11-28T01:10:00+08:00");
    // The 13:35 high water is in daylight: no window. min_height drops the 3.1 m one.
    let high = ok_json(
        &server,
        "/tides/shipu-table/windows?from=2026-11-27T18:00:00%2B08:00&to=2026-11-29T08:00:00%2B08:00&night=22:00-05:00&min_height=3.5",
    );
    assert_eq!(high["windows"].as_array().unwrap().len(), 1);
    // Shorter sides.
    let short = ok_json(
        &server,
        "/tides/shipu-table/windows?from=2026-11-27T18:00:00%2B08:00&to=2026-11-28T08:00:00%2B08:00&before=1h&after=90m&night=civil&tz=Asia/Shanghai",
    );
    assert_eq!(short["windows"][0]["start"], "2026-11-28T00:10:00+08:00");
    assert_eq!(short["windows"][0]["end"], "2026-11-28T02:40:00+08:00");
}

#[test]
fn bad_tide_requests_name_the_problem() {
    let server = tide_server(&tide_dir("bad"));
    bad(&server.get("/tides/atlantis/extremes"), 404, "atlantis");
    bad(
        &server.get("/tides/kanmen/extremes?from=2026-12-01&to=2026-11-01"),
        400,
        "before",
    );
    bad(
        &server.get("/tides/kanmen/extremes?from=2026-01-01&to=2027-06-01"),
        400,
        "366",
    );
    bad(
        &server.get("/tides/kanmen/windows?before=two%20hours"),
        400,
        "before",
    );
    bad(
        &server.get("/tides/kanmen/windows?night=evening"),
        400,
        "night",
    );
    bad(&server.get("/tides/kanmen/predictions?step=0"), 400, "step");
    bad(
        &server.get("/tides/kanmen/predictions?tz=Europe/Paris"),
        400,
        "tz",
    );
    bad(
        &server.get("/tides/kanmen/predictions?from=soon"),
        400,
        "from",
    );
    bad(
        &server.get("/tides/bare/extremes"),
        422,
        "no harmonic constants or tide table",
    );
    bad(
        &server.get("/tides/shipu-table/extremes?from=2027-01-01&to=2027-01-02"),
        400,
        "outside the tide table",
    );
}

// -------------------------------------------------------------------------- patrol

#[test]
fn patrol_plans_are_deterministic_and_inside_the_range() {
    let server = TestServer::shared();
    let q = "/patrol/zones?from=2026-11-28T12:00:00%2B08:00&to=2026-12-05T12:00:00%2B08:00&tz=Asia/Shanghai";
    let a = ok_json(server, q);
    let b = ok_json(server, q);
    assert_eq!(a, b, "same inputs, same plan");
    let from = parse_rfc3339("2026-11-28T12:00:00+08:00");
    let to = parse_rfc3339("2026-12-05T12:00:00+08:00");
    let features = a["features"].as_array().unwrap();
    let zones: std::collections::BTreeSet<&str> = features
        .iter()
        .map(|f| f["properties"]["zone"].as_str().unwrap())
        .collect();
    assert!(zones.len() >= 15, "most towns have a zone: {zones:?}");
    let nights: std::collections::BTreeSet<&str> = features
        .iter()
        .map(|f| f["properties"]["night"].as_str().unwrap())
        .collect();
    assert_eq!(nights.len(), 7, "{nights:?}");
    for f in features {
        let p = &f["properties"];
        let (s, e) = (
            parse_rfc3339(p["window_start"].as_str().unwrap()),
            parse_rfc3339(p["window_end"].as_str().unwrap()),
        );
        let hw = parse_rfc3339(p["high_water_time"].as_str().unwrap());
        assert!(from <= s && e <= to, "{p}");
        assert_eq!((hw - s, e - hw), (7200, 7200));
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
        let points: f64 = p["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["points"].as_f64().unwrap())
            .sum();
        assert!((points - p["priority"].as_f64().unwrap()).abs() < 1e-6);
    }
    // Gaotang and Hepu, where the county's cases happen, rank high on the first night.
    let first_night: Vec<&Value> = features
        .iter()
        .filter(|f| f["properties"]["night"] == "2026-11-28")
        .collect();
    let top: Vec<&str> = first_night
        .iter()
        .filter(|f| f["properties"]["rank"].as_u64().unwrap() <= 5)
        .map(|f| f["properties"]["zone"].as_str().unwrap())
        .collect();
    assert!(top.contains(&"gaotang"), "{top:?}");

    // CSV: one row per feature.
    let csv = server.get(&format!("{q}&f=csv")).text();
    assert_eq!(csv.lines().count() - 1, features.len());
    assert!(csv.starts_with("zone,name_zh,name_en,night,window_start"));

    bad(
        &server.get("/patrol/zones?from=2026-12-01&to=2026-11-01"),
        400,
        "before",
    );
    bad(
        &server.get("/patrol/zones?from=2026-01-01&to=2027-06-01"),
        400,
        "366",
    );
    bad(&server.get("/patrol/zones?night=evening"), 400, "night");
    bad(&server.get("/patrol/zones?after=1x"), 400, "after");
}

#[test]
fn the_calendar_feed_reads_in_a_calendar_library() {
    let server = TestServer::shared();
    let q = "from=2026-11-28T12:00:00%2B08:00&to=2026-11-30T12:00:00%2B08:00";
    let plan = ok_json(server, &format!("/patrol/zones?{q}&tz=Asia/Shanghai"));
    let r = server.get(&format!("/patrol/zones.ics?{q}"));
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("text/calendar"));
    let path = out_dir(env!("CARGO_TARGET_TMPDIR"), "patrol-ics").join("patrol.ics");
    std::fs::write(&path, r.decoded_body()).unwrap();
    // The icalendar package (PyPI) parses it; print each event's start, end and summary.
    let script = r#"
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
for e in cal.walk('VEVENT'):
    s, t = e.decoded('DTSTART'), e.decoded('DTEND')
    print(s.isoformat(), t.isoformat(), str(e['DTSTART'].params.get('TZID')), str(e.get('SUMMARY')), sep='|')
"#;
    let out = run(Command::new("python3").arg("-c").arg(script).arg(&path));
    assert!(out.status.success(), "{}", describe(&out));
    let events: Vec<Vec<String>> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('|').map(str::to_owned).collect())
        .collect();
    let features = plan["features"].as_array().unwrap();
    assert_eq!(events.len(), features.len());
    for (e, f) in events.iter().zip(features) {
        let p = &f["properties"];
        assert_eq!(e[0], p["window_start"].as_str().unwrap());
        assert_eq!(e[1], p["window_end"].as_str().unwrap());
        assert_eq!(e[2], "Asia/Shanghai");
        assert!(
            e[3].contains(p["name_zh"].as_str().unwrap())
                && e[3].contains(p["name_en"].as_str().unwrap())
        );
    }
}

#[test]
fn tonights_zones_are_a_tile_layer() {
    let server = TestServer::shared();
    let catalog = ok_json(server, "/catalog");
    let ids: Vec<String> = catalog["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    for id in ["coverage", "coverage_gaps", "patrol_tonight"] {
        assert!(ids.iter().any(|i| i == id), "{id} in {ids:?}");
    }
    // Shipu at z9: tonight's zones with their windows and priorities.
    let r = server.get("/tiles/patrol_tonight/9/429/212.mvt");
    assert_eq!(r.status, 200);
    let tile = decode_mvt(&r.decoded_body());
    let l = tile
        .layers
        .iter()
        .find(|l| l.name == "patrol_tonight")
        .expect("zones near Shipu tonight");
    let keys: Vec<String> = l
        .features
        .iter()
        .flat_map(|f| feature_properties(l, f))
        .map(|(k, _)| k)
        .collect();
    for k in ["zone", "window_start", "priority", "reasons_en"] {
        assert!(keys.iter().any(|x| x == k), "{k} in {keys:?}");
    }
}

// ------------------------------------------------------------------------- PostGIS

#[test]
fn postgis_gives_the_same_analyses() {
    let Some(db) = demo_database("analysis") else {
        return;
    };
    let mut config = test_config();
    config.database_url = Some(db.url.clone());
    let server = TestServer::start(config);
    let embedded = TestServer::shared();
    // Tide constants from the tide tables, sensors and land from the asset and feature
    // tables: the same answers as from the files.
    for path in [
        "/tides/kanmen/extremes?from=2026-11-28&to=2026-12-05",
        "/tides/kanmen/windows?from=2026-11-28&to=2026-12-05&tz=Asia/Shanghai",
        "/analysis/coverage?band=false&mode=night",
        "/patrol/zones?from=2026-11-28T12:00:00%2B08:00&to=2026-12-01T12:00:00%2B08:00",
    ] {
        let (a, b) = (ok_json(embedded, path), ok_json(&server, path));
        if path.starts_with("/analysis") {
            // Feature ids in PostGIS may differ; the numbers may not.
            assert_eq!(a["summary"], b["summary"], "{path}");
        } else {
            assert_eq!(a, b, "{path}");
        }
    }
}

// ------------------------------------------------------------------------- helpers

fn rfc3339(t: i64) -> String {
    tidewatch_tides::format_rfc3339(t, tidewatch_tides::Zone::Utc)
}

fn parse_rfc3339(s: &str) -> i64 {
    let (ms, _) = tidewatch::ogc::datetime::parse_time(s).expect("an RFC 3339 time");
    ms / 1000
}
