//! Bad inputs: each fails as a whole (no features), with a message that names the file,
//! the feature or line, and the reason.

mod common;

use common::*;
use std::path::Path;
use tidewatch_importers::{read_bytes_with, read_file_with, Crs, ImportError, ImportOptions};

fn bytes_err(name: &str, bytes: &[u8], options: &ImportOptions) -> String {
    match read_bytes_with(name, bytes, options, &mut no_progress()) {
        Ok(imported) => panic!("{name} imported {} features", imported.features.len()),
        Err(e) => e.to_string(),
    }
}

fn file_err(path: &Path, options: &ImportOptions) -> String {
    match read_file_with(path, options, &mut no_progress()) {
        Ok(imported) => panic!(
            "{} imported {} features",
            path.display(),
            imported.features.len()
        ),
        Err(e) => e.to_string(),
    }
}

fn assert_mentions(err: &str, parts: &[&str]) {
    for p in parts {
        assert!(err.contains(p), "{err:?} does not mention {p:?}");
    }
}

/// Copies the piers shapefile's parts (except `skip`) into a temporary directory.
fn piers_copy(skip: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        if ext != skip {
            let name = format!("piers_4550.{ext}");
            std::fs::copy(fixture(&name), dir.path().join(&name)).unwrap();
        }
    }
    let shp = dir.path().join("piers_4550.shp");
    (dir, shp)
}

#[test]
fn self_intersecting_polygon() {
    let doc = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","geometry":{"type":"Point","coordinates":[121.9,29.2]}},
        {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[121.9,29.2],[122.0,29.3],[122.0,29.2],[121.9,29.3],[121.9,29.2]]]}}]}"#;
    let err = bytes_err("bowtie.geojson", doc.as_bytes(), &ImportOptions::default());
    assert_mentions(
        &err,
        &["bowtie.geojson: feature 2: self-intersecting polygon at (121.9500000, 29.2500000)"],
    );
    // The same in a CSV's WKT column names the line.
    let csv = "name,wkt\nok,POINT(121.9 29.2)\nbad,\"POLYGON((121.9 29.2,122 29.3,122 29.2,121.9 29.3,121.9 29.2))\"\n";
    let err = bytes_err("shapes.csv", csv.as_bytes(), &ImportOptions::default());
    assert_mentions(&err, &["shapes.csv: line 3: self-intersecting polygon at"]);
}

#[test]
fn invalid_geometry() {
    let cases = [
        (
            "POLYGON((121.9 29.2,122 29.2,122 29.3,121.9 29.3))",
            "line 2, column \"wkt\": WKT: polygon ring not closed",
        ),
        ("POINT EMPTY", "line 2, column \"wkt\": WKT: empty geometry"),
        (
            "POLYGON((121.9 29.2,122 29.2,121.9 29.2))",
            "line 2: a polygon ring needs at least three distinct positions",
        ),
        (
            "LINESTRING(121.9 29.2,121.9 29.2)",
            "line 2: a LineString needs two distinct positions",
        ),
        ("POINT(nan 29.2)", "line 2"),
    ];
    for (wkt, expected) in cases {
        let csv = format!("wkt\n\"{wkt}\"\n");
        let err = bytes_err("g.csv", csv.as_bytes(), &ImportOptions::default());
        assert_mentions(&err, &["g.csv: ", expected]);
    }
    let doc = r#"{"type":"Feature","geometry":null,"properties":{}}"#;
    let err = bytes_err("null.geojson", doc.as_bytes(), &ImportOptions::default());
    assert_mentions(&err, &["null.geojson: feature 1: empty geometry"]);
}

#[test]
fn missing_crs() {
    let (_dir, shp) = piers_copy("prj");
    let err = file_err(&shp, &ImportOptions::default());
    assert_mentions(
        &err,
        &["piers_4550.shp: has no .prj; give its CRS (--crs EPSG:XXXX)"],
    );
    // Given explicitly, it reads.
    let imported = read_file_with(&shp, &options("EPSG:4550"), &mut no_progress()).unwrap();
    assert_eq!(imported.features.len(), 20);
    // Projected CSV coordinates without a CRS are caught by their size.
    let err = file_err(&fixture("piers_4550_xy.csv"), &ImportOptions::default());
    assert_mentions(
        &err,
        &["piers_4550_xy.csv: line 2: position (359426.336815439, 3259113.35589068) is not WGS84 lon/lat", "give its CRS"],
    );
}

#[test]
fn unknown_epsg_code() {
    let err = Crs::parse("EPSG:99999").unwrap_err().to_string();
    assert_mentions(&err, &["EPSG:99999 is not a CRS PROJ knows"]);
    let doc = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:99999"}},"features":[]}"#;
    let err = bytes_err("odd.geojson", doc.as_bytes(), &ImportOptions::default());
    assert_mentions(&err, &["odd.geojson: EPSG:99999 is not a CRS PROJ knows"]);
}

#[test]
fn coordinates_outside_the_crs_area() {
    let csv = "x,y\n397883.698,3231893.325\n1000000,3231893.325\n";
    let err = bytes_err("far.csv", csv.as_bytes(), &options("EPSG:4550"));
    assert_mentions(
        &err,
        &[
            "far.csv: line 3: (1000000, 3231893.325) in EPSG:4550 is at lon 12",
            "outside the area where EPSG:4550 is used",
        ],
    );
    // Lon/lat read as EPSG:4549 metres land near the equator, far outside its area.
    let err = file_err(&fixture("piers_wgs84.geojson"), &options("EPSG:4549"));
    assert_mentions(
        &err,
        &["piers_wgs84.geojson: feature 1: ", "outside the area"],
    );
}

#[test]
fn csv_text_in_a_number_column() {
    let csv = "name,lon,lat\nShipu,121.95,29.20\nDancheng,121.87,29.47\nJuexi,121.96,29.4N\n";
    let err = bytes_err("towns.csv", csv.as_bytes(), &ImportOptions::default());
    assert_mentions(
        &err,
        &["towns.csv: line 4, column \"lat\": \"29.4N\" is not a number"],
    );
    let csv = "name,lon,lat\nShipu,121.95,29.20,extra\n";
    let err = bytes_err("towns.csv", csv.as_bytes(), &ImportOptions::default());
    assert_mentions(
        &err,
        &["towns.csv: line 2: 4 fields where the header has 3"],
    );
}

#[test]
fn truncated_shapefile() {
    let (_dir, shp) = piers_copy("");
    let full = std::fs::read(&shp).unwrap();
    std::fs::write(&shp, &full[..full.len() / 2]).unwrap();
    let err = file_err(&shp, &ImportOptions::default());
    assert_mentions(&err, &["piers_4550.shp: feature ", "(truncated?)"]);

    let (_dir, shp) = piers_copy("");
    let dbf = shp.with_extension("dbf");
    let full = std::fs::read(&dbf).unwrap();
    std::fs::write(&dbf, &full[..full.len() - 200]).unwrap();
    let err = file_err(&shp, &ImportOptions::default());
    assert_mentions(
        &err,
        &["piers_4550.shp: feature 20: ", ".dbf", "(truncated?)"],
    );
}

#[test]
fn zip_with_paths_leading_out() {
    for (zip, member) in [
        ("zip_slip_parent.zip", "../../evil.shp"),
        ("zip_slip_absolute.zip", "/tmp/evil.shp"),
    ] {
        let err = file_err(&fixture(zip), &ImportOptions::default());
        assert_mentions(
            &err,
            &[zip, &format!("refusing zip member {member:?}"), "zip-slip"],
        );
    }
    assert!(!Path::new("/tmp/evil.shp").exists());
}

#[test]
fn zip_expanding_past_the_limit() {
    let small = ImportOptions {
        max_unzipped_bytes: 1000,
        ..Default::default()
    };
    let err = file_err(&fixture("piers_4550_gbk.zip"), &small);
    assert_mentions(
        &err,
        &["piers_4550_gbk.zip: the archive expands to more than 1000 bytes"],
    );
}

#[test]
fn broken_geojson() {
    let full = std::fs::read(fixture("piers_wgs84.geojson")).unwrap();
    let err = bytes_err(
        "cut.geojson",
        &full[..full.len() / 2],
        &ImportOptions::default(),
    );
    assert_mentions(&err, &["cut.geojson: not valid JSON: EOF while parsing"]);
    let doc = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","geometry":{"type":"Point","coordinates":[121.9,29.2]}},
        {"type":"Feature","geometry":{"type":"Point","coordinates":["121.9",29.2]}}]}"#;
    let err = bytes_err("str.geojson", doc.as_bytes(), &ImportOptions::default());
    assert_mentions(
        &err,
        &["str.geojson: feature 2: a position must hold two numbers"],
    );
}

#[test]
fn geopackage_with_several_tables_and_no_name() {
    let err = file_err(&fixture("fixtures.gpkg"), &ImportOptions::default());
    assert_mentions(
        &err,
        &[
            "fixtures.gpkg: has several feature tables (",
            "\"land_4549\", \"piers_4550\"",
            "--table",
        ],
    );
    let err = bytes_err(
        "notes.gpkg",
        b"plain text, not SQLite",
        &ImportOptions::default(),
    );
    assert_mentions(&err, &["notes.gpkg: "]);
}

#[test]
fn errors_are_typed() {
    let (_dir, shp) = piers_copy("prj");
    let err = read_file_with(&shp, &ImportOptions::default(), &mut no_progress()).unwrap_err();
    assert!(matches!(err, ImportError::File { .. }), "{err:?}");
    let err =
        read_bytes_with("a.kml", b"", &ImportOptions::default(), &mut no_progress()).unwrap_err();
    assert!(
        matches!(err, ImportError::UnsupportedFormat { .. }),
        "{err:?}"
    );
    let csv = "lon,lat\n121.9,x\n";
    let err = read_bytes_with(
        "a.csv",
        csv.as_bytes(),
        &ImportOptions::default(),
        &mut no_progress(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, ImportError::Row { line: 2, column: Some(c), .. } if c == "lat"),
        "{err:?}"
    );
}

#[test]
fn gbk_text_without_a_cpg() {
    // The zipped fixture's .dbf is GBK; without its .cpg it is taken as UTF-8 and fails.
    let dir = tempfile::tempdir().unwrap();
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(fixture("piers_4550_gbk.zip")).unwrap()).unwrap();
    for ext in ["shp", "dbf", "prj"] {
        let name = format!("piers_4550_gbk.{ext}");
        let mut member = zip.by_name(&name).unwrap();
        let mut out = std::fs::File::create(dir.path().join(&name)).unwrap();
        std::io::copy(&mut member, &mut out).unwrap();
    }
    let err = file_err(
        &dir.path().join("piers_4550_gbk.shp"),
        &ImportOptions::default(),
    );
    assert_mentions(
        &err,
        &["piers_4550_gbk.shp: feature 1: .dbf field \"name_zh\": text is not valid UTF-8; add a .cpg"],
    );
}
