//! The default style rendered by real MapLibre GL JS in headless Chromium
//! (../shared/tools/maplibre-harness, copied and `npm ci`-ed by scripts/setup --test), from
//! another origin (so CORS matters): at a county view and at a z14 view of the busiest pier,
//! every style layer that has features in view must render some, with no console, map or
//! HTTP errors, and the page must fetch nothing from any host but the server.

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use tidewatch_e2e::*;

/// One harness run at a time: each starts a Chromium, and request counts are compared with
/// the server's own.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Where a lon/lat appears relative to the centre of a MapLibre view, in CSS pixels
/// (MapLibre's zoom is in 512-pixel tiles).
fn offset_px(center: (f64, f64), zoom: f64, at: (f64, f64)) -> (f64, f64) {
    let world = 512.0 * 2f64.powf(zoom);
    let (cx, cy) = lonlat_to_world(center.0, center.1);
    let (x, y) = lonlat_to_world(at.0, at.1);
    ((x - cx) * world, (y - cy) * world)
}

fn in_view(center: (f64, f64), zoom: f64, size: (u32, u32), at: (f64, f64), margin: f64) -> bool {
    let (dx, dy) = offset_px(center, zoom, at);
    dx.abs() <= size.0 as f64 / 2.0 - margin && dy.abs() <= size.1 as f64 / 2.0 - margin
}

/// Features of a layer whose geometry has a vertex in view.
fn features_in_view(layer_id: &str, center: (f64, f64), zoom: f64, size: (u32, u32)) -> usize {
    use geo::CoordsIter;
    layer(layer_id)
        .data
        .features()
        .iter()
        .filter(|f| {
            f.geometry
                .coords_iter()
                .any(|c| in_view(center, zoom, size, (c.x, c.y), 0.0))
        })
        .count()
}

/// Every URL (string value starting with http) in a JSON document.
fn urls(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.starts_with("http") => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|v| urls(v, out)),
        Value::Object(o) => o.values().for_each(|v| urls(v, out)),
        _ => {}
    }
}

fn render(name: &str, center: (f64, f64), zoom: f64, size: (u32, u32), expect: &[&str]) {
    let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let server = TestServer::shared();
    let tools = e2e_tools();
    let style_url = format!("{}/styles/default.json", server.base);

    // The style and its TileJSON point at this server only.
    let style = server.get("/styles/default.json");
    assert_eq!(style.status, 200, "{style_url}: {}", style.text());
    let style = style.json();
    let mut found = Vec::new();
    urls(&style, &mut found);
    for (_, source) in style["sources"].as_object().expect("style sources") {
        if let Some(url) = source["url"].as_str() {
            let path = url
                .strip_prefix(&server.base)
                .unwrap_or_else(|| panic!("source url {url} is not on the server"));
            urls(&server.get(path).json(), &mut found);
        }
    }
    let foreign: Vec<&String> = found
        .iter()
        .filter(|u| !u.starts_with(&format!("{}/", server.base)))
        .collect();
    assert!(
        foreign.is_empty(),
        "the style points at other hosts: {foreign:?}"
    );
    let style_layers: Vec<&str> = style["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["id"].as_str())
        .collect();
    for layer_id in expect {
        assert!(
            style_layers.contains(layer_id),
            "style layer {layer_id} is not in the default style: {style_layers:?}"
        );
        // Only expect what the data has in view (the expectation must be satisfiable).
        let source_layer = style["layers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == *layer_id)
            .unwrap()["source-layer"]
            .as_str()
            .unwrap_or_else(|| panic!("{layer_id} has no source-layer"));
        let n = features_in_view(source_layer, center, zoom, size);
        assert!(
            n > 0,
            "{name}: no {source_layer} feature in view, so {layer_id} cannot be expected"
        );
    }

    let out_dir = out_dir(env!("CARGO_TARGET_TMPDIR"), &format!("maplibre-{name}"));
    let requests_before = server.counter("tidewatch_http_requests_total");
    let mut cmd = Command::new("node");
    cmd.current_dir(tools.join("maplibre-harness"))
        .arg("harness.mjs")
        .args(["--style", &style_url])
        .args(["--view", &format!("{},{},{zoom}", center.0, center.1)])
        .args(["--size", &format!("{}x{}", size.0, size.1)])
        .args(["--timeout", "90000", "--min-pixel-fraction", "0.01"])
        .arg("--out")
        .arg(&out_dir);
    for l in expect {
        cmd.args(["--expect", &format!("{l}=1")]);
    }
    let out = run(&mut cmd);
    // The /metrics request that read `requests_before` is counted after it answered.
    let served = server.counter("tidewatch_http_requests_total") - requests_before - 1.0;

    let result_path = out_dir.join("result.json");
    let result: Value = std::fs::read(&result_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_else(|| panic!("{name}: no {}\n{}", result_path.display(), describe(&out)));
    let view = &result["views"][0];
    println!(
        "{name}: exit {:?}, ok={}, {} requests ({} served), {} ms to idle, unique features {}, screenshot {}",
        out.status.code(),
        result["ok"],
        result["requests"]["total"],
        served,
        view["msToIdle"],
        view["uniqueByLayer"],
        view["screenshot"]
    );
    assert!(
        out.status.success() && result["ok"] == true,
        "{name}: the harness failed: {}\nconsole {}\nmap {}\nhttp {}\nfailed {}\n{}",
        result["failures"],
        result["consoleErrors"],
        result["mapErrors"],
        result["httpErrors"],
        result["failedRequests"],
        describe(&out)
    );

    // No request to any host but the server. result.json lists failed and >= 400 requests by
    // URL (a request elsewhere fails: there is no other host), and counts the rest (harness
    // files excluded); every one of those must have reached this server.
    let prefix = format!("{}/", server.base);
    for key in ["failedRequests", "httpErrors"] {
        for entry in result[key].as_array().into_iter().flatten() {
            let text = entry.as_str().unwrap_or_default();
            assert!(
                text.split_whitespace().any(|w| w.starts_with(&prefix)),
                "{name}: {key} has a request to another host: {text}"
            );
        }
    }
    let total = result["requests"]["total"].as_f64().unwrap_or(0.0);
    assert!(
        total > 0.0,
        "{name}: the page made no request to the server"
    );
    assert!(
        total <= served,
        "{name}: the page got {total} responses but the server answered only {served} requests: \
         something else answered"
    );
    let statuses: Vec<&String> = result["requests"]["byStatus"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert!(
        statuses
            .iter()
            .all(|s| s.starts_with('2') || s.as_str() == "304"),
        "{name}: statuses {statuses:?}"
    );
    assert!(Path::new(view["screenshot"].as_str().unwrap_or_default()).is_file());
}

#[test]
fn default_style_renders_the_county_at_z8() {
    let center = (121.9, 29.25);
    let size = (1024, 1120);
    // Kanmen's tide station (121.282E 28.088N) is south of the county: the view must reach it.
    let kanmen = point_lonlat(&layer("tide_stations").data.features()[0]);
    assert!(
        in_view(center, 8.0, size, kanmen, 20.0),
        "Kanmen {kanmen:?} is not in the county view (offset {:?} px in {size:?})",
        offset_px(center, 8.0, kanmen)
    );
    render(
        "county-z8",
        center,
        8.0,
        size,
        &[
            "land-fill",
            "coastline-line",
            "piers-circle",
            "barriers-circle",
            "cameras-circle",
            "radars-circle",
            "tide_stations-circle",
            "places-label",
        ],
    );
}

#[test]
fn default_style_renders_the_busiest_pier_at_z14() {
    let (pier, lon, lat, near) = busiest_pier();
    println!("busiest pier: {pier} at {lon},{lat} with {near} barriers and cameras within 1 km");
    render(
        "pier-z14",
        (lon, lat),
        14.0,
        (800, 600),
        &[
            "land-fill",
            "coastline-line",
            "piers-circle",
            "barriers-circle",
            "cameras-circle",
        ],
    );
}
