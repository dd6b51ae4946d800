//! Bad requests get a 4xx with a JSON body `{"code", "description"}` whose description names
//! the problem; nothing a client sends may produce a 5xx.

use tidewatch_e2e::*;

/// (path exactly as sent, expected status, words the description must contain)
const CASES: &[(&str, u16, &[&str])] = &[
    ("/tiles/nope/1/1/1.mvt", 404, &["unknown layer", "nope"]),
    ("/tiles/nope.json", 404, &["unknown layer", "nope"]),
    ("/tiles/piers/40/0/0.mvt", 400, &["zoom 40"]),
    ("/tiles/piers/25/0/0.mvt", 400, &["zoom 25"]),
    ("/tiles/piers/3/8/0.mvt", 400, &["x=8", "zoom 3"]),
    ("/tiles/piers/3/0/8.mvt", 400, &["y=8", "zoom 3"]),
    ("/tiles/piers/10/4294967295/0.mvt", 400, &["x=4294967295"]),
    (
        "/tiles/piers/1/1/99999999999.mvt",
        400,
        &["y", "99999999999"],
    ),
    ("/tiles/piers/-1/0/0.mvt", 400, &["z", "-1"]),
    ("/tiles/piers/a/1/1.mvt", 400, &["z", "\"a\""]),
    ("/tiles/piers/1/b/1.mvt", 400, &["x", "\"b\""]),
    ("/tiles/piers/1/1/1.png", 400, &[".mvt"]),
    ("/tiles/piers/1/1/1", 400, &[".mvt"]),
    ("/tiles/piers/1/1", 404, &["/tiles/piers/1/1"]),
    (
        "/tiles/piers/1/1/1/1.mvt",
        404,
        &["/tiles/piers/1/1/1/1.mvt"],
    ),
    (
        "/tiles/piers,nope/1/1/1.mvt",
        404,
        &["unknown layer", "nope"],
    ),
    ("/tiles/piers,/1/1/1.mvt", 404, &["unknown layer"]),
    ("/tiles/,/1/1/1.mvt", 404, &["unknown layer"]),
    ("/tiles/piers,nope.json", 404, &["unknown layer", "nope"]),
    ("/tiles/PIERS/1/1/1.mvt", 404, &["unknown layer", "PIERS"]),
    ("/tiles/piers%00/1/1/1.mvt", 404, &["unknown layer"]),
    ("/tiles/piers.mvt", 404, &["TileJSON"]),
    ("/styles/../../etc/passwd.json", 404, &["no endpoint"]),
    ("/styles/..%2F..%2Fetc%2Fpasswd.json", 404, &["styles"]),
    ("/styles/%2e%2e.json", 404, &["styles"]),
    ("/styles/nope.json", 404, &["nope"]),
    ("/styles/default", 404, &["/styles/{name}.json"]),
    (
        "/fonts/Noto%20Sans%20Regular/1-2.pbf",
        400,
        &["START must be a multiple of 256"],
    ),
    ("/fonts/Noto%20Sans%20Regular/0-255", 400, &["0-255.pbf"]),
    (
        "/fonts/Noto%20Sans%20Regular/65536-65791.pbf",
        400,
        &["65280-65535"],
    ),
    ("/fonts/Noto%20Sans%20Regular/x-y.pbf", 400, &["decimal"]),
    (
        "/fonts/Comic%20Sans/0-255.pbf",
        404,
        &["unknown font stack", "Comic Sans"],
    ),
    (
        "/fonts/Comic%20Sans,Arial/0-255.pbf",
        404,
        &["unknown font stack"],
    ),
    ("/static/../Cargo.toml", 404, &["no endpoint"]),
    ("/static/nope.js", 404, &["nope.js"]),
    ("/nope", 404, &["/nope"]),
];

fn check(server: &TestServer, path: &str, want: u16, words: &[&str]) -> Result<(), String> {
    let r = server.get(path);
    if r.status != want {
        return Err(format!(
            "GET {path}: status {}, expected {want}; body {:?}",
            r.status,
            r.text()
        ));
    }
    let ct = r.header("content-type").unwrap_or_default();
    if !ct.starts_with("application/json") {
        return Err(format!("GET {path}: Content-Type {ct:?}, expected JSON"));
    }
    let body: serde_json::Value = serde_json::from_slice(&r.body)
        .map_err(|e| format!("GET {path}: body is not JSON ({e}): {:?}", r.text()))?;
    let description = body["description"].as_str().unwrap_or_default();
    let code = body["code"].as_str().unwrap_or_default();
    if code.is_empty() || description.is_empty() {
        return Err(format!("GET {path}: body lacks code/description: {body}"));
    }
    for w in words {
        if !description.contains(w) {
            return Err(format!(
                "GET {path}: description {description:?} does not name the problem (missing {w:?})"
            ));
        }
    }
    Ok(())
}

#[test]
fn bad_requests_get_4xx_with_a_json_description() {
    let server = TestServer::shared();
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|(path, status, words)| check(server, path, *status, words).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn too_many_layers_in_a_composite_is_a_400() {
    let server = TestServer::shared();
    let forty = vec!["piers"; 40].join(",");
    check(
        server,
        &format!("/tiles/{forty}/1/1/1.mvt"),
        400,
        &["too many layers"],
    )
    .unwrap();
    check(
        server,
        &format!("/tiles/{forty}.json"),
        400,
        &["too many layers"],
    )
    .unwrap();
    // A very long layer list made of unknown names: still a clean 4xx.
    let long = vec!["x"; 5000].join(",");
    let r = server.get(&format!("/tiles/{long}/1/1/1.mvt"));
    assert!((400..500).contains(&r.status), "status {}", r.status);
}

fn has_json_description(r: &Response) -> bool {
    serde_json::from_slice::<serde_json::Value>(&r.body)
        .ok()
        .and_then(|v| v["description"].as_str().map(|d| !d.is_empty()))
        .unwrap_or(false)
}

/// Odd but well-formed requests, aimed at every route: none may produce a 5xx.
#[test]
fn no_request_produces_a_5xx() {
    let server = TestServer::shared();
    let composite = all_layers_composite();
    let mut paths: Vec<String> = vec![
        "/".into(),
        "/catalog".into(),
        "/health".into(),
        "/metrics".into(),
        "/styles".into(),
        "/static/map.js".into(),
        "/tiles/piers/0/0/0.pbf".into(),
        "/tiles/piers/14/0/0.mvt".into(),
        "/tiles/piers/24/16777215/16777215.mvt".into(),
        format!("/tiles/{composite}/24/0/0.mvt"),
        "/tiles/piers/00/0/0.mvt".into(),
        "/tiles/piers/+1/0/0.mvt".into(),
        "/tiles/piers/1/0/0.mvt.mvt".into(),
        "/tiles/piers/1/0/.mvt".into(),
        "/tiles/.json".into(),
        "/tiles/%ff/1/1/1.mvt".into(),
        "/tiles/%/1/1/1.mvt".into(),
        "/tiles/piers/%ff/1/1.mvt".into(),
        "/styles/%ff.json".into(),
        "/styles/.json".into(),
        "/fonts/%ff/0-255.pbf".into(),
        "/fonts/Noto%20Sans%20Regular/65280-65535.pbf".into(),
        "/fonts/Noto%20Sans%20Regular/18446744073709551616-1.pbf".into(),
        "/fonts/Noto%20Sans%20Regular/-0-255.pbf".into(),
        "/fonts//0-255.pbf".into(),
        format!("/{}", "a/".repeat(2000)),
        format!("/tiles/{}/1/1/1.mvt", "p".repeat(10_000)),
        "/tiles/piers/1/1/1.mvt?x=1&&&=".into(),
    ];
    for z in [0u32, 5, 14, 15, 23] {
        paths.push(format!(
            "/tiles/piers/{z}/{}/{}.mvt",
            (1u64 << z) - 1,
            (1u64 << z) - 1
        ));
    }
    let mut failures = Vec::new();
    for p in &paths {
        match try_request(server.addr, "GET", p, &[]) {
            Ok(r) if r.status >= 500 => {
                failures.push(format!("GET {p}: {} {}", r.status, r.text()))
            }
            // Invalid UTF-8 in a path segment: see invalid_utf8_in_a_path_gets_a_json_description.
            Ok(r) if r.status >= 400 && !p.contains("%ff") && !has_json_description(&r) => failures
                .push(format!(
                    "GET {p}: {} without a JSON description: {:?}",
                    r.status,
                    r.text()
                )),
            Ok(_) => {}
            Err(e) => failures.push(format!("GET {p}: {e}")),
        }
    }
    for (method, path) in [
        ("HEAD", "/tiles/piers/10/858/425.mvt"),
        ("POST", "/tiles/piers/1/1/1.mvt"),
        ("DELETE", "/catalog"),
    ] {
        match try_request(server.addr, method, path, &[("Content-Length", "0")]) {
            Ok(r) if r.status >= 500 => failures.push(format!("{method} {path}: {}", r.status)),
            Ok(_) => {}
            Err(e) => failures.push(format!("{method} {path}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The server is still healthy afterwards.
    assert_eq!(server.get("/health").status, 200);
}

/// Path segments that are not UTF-8 are rejected with the same JSON error shape as
/// everything else (axum's own rejection is plain text).
#[test]
fn invalid_utf8_in_a_path_gets_a_json_description() {
    let server = TestServer::shared();
    let mut failures = Vec::new();
    for p in [
        "/tiles/%ff/1/1/1.mvt",
        "/tiles/piers/%ff/1/1.mvt",
        "/styles/%ff.json",
        "/fonts/%ff/0-255.pbf",
    ] {
        let r = server.get(p);
        if !(400..500).contains(&r.status) || !has_json_description(&r) {
            failures.push(format!(
                "GET {p}: {} {:?} {:?}",
                r.status,
                r.header("content-type"),
                r.text()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
