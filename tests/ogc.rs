//! OGC API Features Part 1 (Core, GeoJSON) over real HTTP, from the embedded store and,
//! with DATABASE_URL, from PostGIS: `../shared/tools/oapif_check.py` on every demo
//! collection with several bboxes, 400s naming the bad parameter, paging through `next`
//! links (sorted too) equal to one big page, single features, and the same answers from
//! both stores.
//!
//! The checker also asks the landing page for a `service-desc` link (the OpenAPI document
//! at `/api`, tested further in `ogc_formats.rs`) and, only with `--filter`, for Part 3
//! (CQL2; we never pass `--filter` here). Every line it prints must be a PASS.

use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;
use tidewatch_e2e::{
    add_test_vessels, demo_database, describe, run, shared_tools, test_config, TestServer,
};

/// Bboxes for the checker's bbox oracle: the north of the county (Shipu and beyond), and a
/// box in the south around Kanmen. The checker also picks one of its own from the data.
const BBOXES: [&str; 2] = ["121.8,29.0,122.1,29.4", "121.5,28.7,121.9,29.0"];

fn collection_ids(server: &TestServer) -> Vec<String> {
    let r = server.get("/collections");
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["collections"]
        .as_array()
        .expect("collections array")
        .iter()
        .map(|c| c["id"].as_str().expect("collection id").to_owned())
        .collect()
}

/// Runs oapif_check.py over every collection (once without a bbox, once per `BBOXES`) and
/// asserts every line passes.
fn run_checker(server: &TestServer) {
    add_test_vessels(server);
    let ids = collection_ids(server);
    assert!(ids.len() >= 8, "demo collections: {ids:?}");
    let mut runs: Vec<Option<&str>> = vec![None];
    runs.extend(BBOXES.iter().map(|b| Some(*b)));
    for bbox in runs {
        let mut cmd = Command::new("python3");
        cmd.arg(shared_tools().join("oapif_check.py"))
            .arg(&server.base);
        for id in &ids {
            cmd.arg("--collection").arg(id);
        }
        if let Some(b) = bbox {
            cmd.arg(format!("--bbox={b}"));
        }
        let out = run(&mut cmd);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let fails: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
        assert!(
            fails.is_empty(),
            "bbox {bbox:?}: unexpected failures {fails:#?}\n{}",
            describe(&out)
        );
        let passes = stdout.lines().filter(|l| l.starts_with("PASS")).count();
        for id in &ids {
            for wanted in [
                format!("PASS {id}: items Content-Type application/geo+json"),
                format!("PASS {id}: paging (limit=3) consistent"),
                format!("PASS {id}: small pages == one big page"),
                format!("PASS {id}: numberMatched == features walked"),
                format!("PASS {id}: bbox="),
                format!("PASS {id}: invalid 'bbox=1,2,3' -> 400"),
                format!("PASS {id}: GET items/{{id}} returns that feature"),
            ] {
                assert!(
                    stdout.lines().any(|l| l.starts_with(&wanted)),
                    "bbox {bbox:?}: no line {wanted:?}\n{}",
                    describe(&out)
                );
            }
        }
        let summary = stdout.lines().last().unwrap_or_default();
        assert_eq!(
            summary,
            format!("{passes} passed, 0 failed"),
            "{}",
            describe(&out)
        );
    }
}

fn ids_of(doc: &Value) -> Vec<u64> {
    doc["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["id"].as_u64().expect("numeric id"))
        .collect()
}

fn link<'a>(doc: &'a Value, rel: &str) -> Option<&'a str> {
    doc["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == rel)
        .and_then(|l| l["href"].as_str())
}

/// GET an absolute link of this server.
fn follow(server: &TestServer, href: &str) -> Value {
    let path = href
        .strip_prefix(&server.base)
        .unwrap_or_else(|| panic!("link {href} is not on {}", server.base));
    let r = server.get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    assert_eq!(r.header("content-type"), Some("application/geo+json"));
    r.json()
}

/// Walks `next` links from `path`: (ids in order, numberMatched of the first page).
fn walk(server: &TestServer, path: &str) -> (Vec<u64>, u64) {
    let first = follow(server, &format!("{}{path}", server.base));
    let matched = first["numberMatched"].as_u64().expect("numberMatched");
    let mut ids = ids_of(&first);
    let mut next = link(&first, "next").map(str::to_owned);
    let mut pages = 1;
    while let Some(href) = next {
        let doc = follow(server, &href);
        assert!(link(&doc, "prev").is_some(), "{href}: no prev link");
        assert_eq!(doc["numberMatched"].as_u64(), Some(matched), "{href}");
        ids.extend(ids_of(&doc));
        next = link(&doc, "next").map(str::to_owned);
        pages += 1;
        assert!(pages < 10_000, "{path}: next links never end");
    }
    (ids, matched)
}

/// Sorted and filtered paging: the pages of `next` links, in order, equal one big page.
fn paging_equals_one_big_page(server: &TestServer) {
    for query in [
        "sortby=-berth_depth_m,name_en",
        "sortby=kind,-idle&bbox=121.8,29.0,122.1,29.4",
        "bbox=121.5,28.7,121.9,29.0",
    ] {
        let (paged, matched) = walk(server, &format!("/collections/piers/items?limit=7&{query}"));
        let big = follow(
            server,
            &format!(
                "{}/collections/piers/items?limit=10000&{query}",
                server.base
            ),
        );
        assert_eq!(paged, ids_of(&big), "{query}");
        assert_eq!(paged.len() as u64, matched, "{query}");
        assert!(matched > 0, "{query} matches nothing");
        assert_eq!(
            paged.iter().collect::<BTreeSet<_>>().len(),
            paged.len(),
            "{query}: duplicate ids"
        );
    }
    // Descending depth really is descending, nulls last.
    let big = follow(
        server,
        &format!(
            "{}/collections/piers/items?limit=10000&sortby=-berth_depth_m",
            server.base
        ),
    );
    let depths: Vec<Option<f64>> = big["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["berth_depth_m"].as_f64())
        .collect();
    let present: Vec<f64> = depths.iter().map_while(|d| *d).collect();
    assert!(present.windows(2).all(|w| w[0] >= w[1]), "{depths:?}");
    assert!(depths[present.len()..].iter().all(Option::is_none));
}

fn bad_parameters_are_400_naming_the_problem(server: &TestServer) {
    let items = "/collections/piers/items";
    for (query, wanted) in [
        ("colour=red", "unknown query parameter \"colour\""),
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=122,29,121,30", "antimeridian"),
        ("bbox=121,-91,122,30", "latitudes"),
        (
            "bbox=121,29,122,30&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/2000",
            "supported",
        ),
        ("limit=0", "limit"),
        ("limit=1000000000", "limit"),
        ("offset=-5", "offset"),
        ("properties=name_en,owner", "no property \"owner\""),
        ("sortby=owner", "no property \"owner\""),
        (
            "sortby=name_en;DROP%20TABLE%20layers",
            "no property \"name_en;DROP TABLE layers\"",
        ),
        (
            "properties=name_en')%20OR%201=1--",
            "no property \"name_en') OR 1=1--\"",
        ),
    ] {
        let r = server.get(&format!("{items}?{query}"));
        assert_eq!(r.status, 400, "{query}: {}", r.text());
        let body = r.json();
        assert_eq!(body["code"], "BadRequest", "{query}");
        let description = body["description"].as_str().unwrap_or_default();
        assert!(description.contains(wanted), "{query}: {description}");
    }
    // The layers are all still there (the hostile names never reached a store).
    assert!(collection_ids(server).contains(&"piers".to_owned()));
    let r = server.get("/collections/no_such_layer/items");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["code"], "NotFound");
    let r = server.get("/collections/piers/items/999999999");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["code"], "NotFound");
}

fn documents(server: &TestServer) {
    // Browsers keep the map; JSON clients get the landing page.
    let r = server.get_with("/", &[("Accept", "text/html,application/xhtml+xml,*/*")]);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let r = server.get("/?f=json");
    assert_eq!(r.status, 200);
    assert_eq!(
        link(&r.json(), "data"),
        Some(format!("{}/collections", server.base).as_str())
    );
    let r = server.get("/conformance");
    let conf = r.json()["conformsTo"].clone();
    assert!(conf
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"));

    let c = server.get("/collections/piers").json();
    assert_eq!(
        c["extent"]["spatial"]["crs"],
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    );
    let bbox: Vec<f64> = c["extent"]["spatial"]["bbox"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(bbox[0] > 121.0 && bbox[2] < 123.0 && bbox[1] > 27.5 && bbox[3] < 30.0);

    let r = server.get("/collections/piers/queryables");
    assert_eq!(r.header("content-type"), Some("application/schema+json"));
    let q = r.json();
    assert_eq!(q["properties"]["berth_depth_m"]["type"], "number");
    assert_eq!(q["properties"]["name_en"]["type"], "string");

    // Selected properties only; a timestamp in RFC 3339 UTC.
    let doc = follow(
        server,
        &format!(
            "{}/collections/piers/items?limit=5&properties=name_en,kind",
            server.base
        ),
    );
    for f in doc["features"].as_array().unwrap() {
        let keys: BTreeSet<&str> = f["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(
            keys.is_subset(&BTreeSet::from(["name_en", "kind"])),
            "{keys:?}"
        );
    }
    let ts = doc["timeStamp"].as_str().unwrap();
    assert!(
        ts.len() == 20 && ts.ends_with('Z') && ts.as_bytes()[10] == b'T',
        "{ts}"
    );

    // A feature by id is the one the items gave.
    let first = &doc["features"][0];
    let id = first["id"].as_u64().unwrap();
    let r = server.get(&format!("/collections/piers/items/{id}"));
    assert_eq!(r.header("content-type"), Some("application/geo+json"));
    let f = r.json();
    assert_eq!(f["id"], id);
    assert_eq!(f["geometry"], first["geometry"]);
    assert_eq!(f["properties"]["name_en"], first["properties"]["name_en"]);
    assert_eq!(
        link(&f, "collection"),
        Some(format!("{}/collections/piers", server.base).as_str())
    );
}

#[test]
fn embedded_store_passes_the_oapif_checker() {
    run_checker(TestServer::shared());
}

#[test]
fn embedded_store_documents_paging_and_errors() {
    let server = TestServer::shared();
    documents(server);
    paging_equals_one_big_page(server);
    bad_parameters_are_400_naming_the_problem(server);
}

/// Numbers as f64 (PostGIS jsonb gives 6 for the file's 6.0); objects compare unordered.
fn normalise(v: &Value) -> Value {
    match v {
        Value::Number(n) => serde_json::json!(n.as_f64()),
        Value::Array(a) => Value::Array(a.iter().map(normalise).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), normalise(v))).collect())
        }
        other => other.clone(),
    }
}

/// Queries whose answers (ids in order, numberMatched) must be the same from both stores.
const SAME_ANSWERS: [&str; 6] = [
    "/collections/piers/items?limit=50&sortby=-berth_depth_m,name_en",
    "/collections/cameras/items?limit=40&offset=100&bbox=121.8,29.0,122.1,29.4",
    "/collections/barriers/items?limit=10000&sortby=-name_en",
    "/collections/land/items?limit=5&bbox=121.9,29.1,122.0,29.2",
    "/collections/radars/items?limit=3&offset=2",
    "/collections/coastline/items",
];

#[test]
fn postgis_store_passes_the_same_checks_and_answers_the_same() {
    let Some(db) = demo_database("ogc") else {
        return;
    };
    let mut config = test_config();
    config.database_url = Some(db.url.clone());
    let server = TestServer::start(config);
    run_checker(&server);
    documents(&server);
    paging_equals_one_big_page(&server);
    bad_parameters_are_400_naming_the_problem(&server);

    let embedded = TestServer::shared();
    for path in SAME_ANSWERS {
        let a = embedded.get(path);
        let b = server.get(path);
        assert_eq!((a.status, b.status), (200, 200), "{path}");
        let (a, b) = (a.json(), b.json());
        assert_eq!(ids_of(&a), ids_of(&b), "{path}");
        // jsonb keeps 6.0 as 6 and reorders keys: compare numbers by value.
        assert_eq!(
            normalise(&a["features"]),
            normalise(&b["features"]),
            "{path}: the features differ"
        );
        assert_eq!(a["numberMatched"], b["numberMatched"], "{path}");
        assert!(!ids_of(&a).is_empty(), "{path} returns nothing");
    }
}
