//! Good inputs: the GDAL-made fixtures (piers in EPSG:4550, land in EPSG:4549) re-import
//! to the WGS84 originals within 1 cm and with the same attributes, from every format.

mod common;

use common::*;
use std::path::Path;
use tidewatch_importers::{
    read_bytes_with, read_file, read_file_with, Feature, FieldType, GeometryKind, ImportOptions,
    Imported, Progress,
};

fn import(name: &str, options: &ImportOptions) -> Imported {
    read_file_with(&fixture(name), options, &mut no_progress())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn piers() -> Vec<Feature> {
    source("piers_wgs84.geojson")
}

fn land() -> Vec<Feature> {
    source("land_wgs84.geojson")
}

fn without_bools(fs: Vec<Feature>) -> Vec<Feature> {
    fs.iter().map(bools_as_ints).collect()
}

#[test]
fn shapefiles_reproject_from_their_prj() {
    let imported = import("piers_4550.shp", &ImportOptions::default());
    assert_eq!(imported.source_crs, "EPSG:4550");
    assert_same(&imported.features, &without_bools(piers()));
    assert_eq!(imported.features[0].properties["name_zh"], "西周一号码头");
    let imported = import("land_4549.shp", &ImportOptions::default());
    assert_eq!(imported.source_crs, "EPSG:4549");
    assert_eq!(imported.geometry, Some(GeometryKind::Polygon));
    assert_same(&imported.features, &without_bools(land()));
}

#[test]
fn zipped_gbk_shapefile_reads_from_disk_and_from_memory() {
    let from_disk = import("piers_4550_gbk.zip", &ImportOptions::default());
    assert_same(&from_disk.features, &without_bools(piers()));
    let bytes = std::fs::read(fixture("piers_4550_gbk.zip")).unwrap();
    let from_memory = read_bytes_with(
        "upload.zip",
        &bytes,
        &ImportOptions::default(),
        &mut no_progress(),
    )
    .unwrap();
    assert_eq!(from_memory, from_disk);
}

#[test]
fn geopackage_tables_are_chosen_by_name() {
    let table = |t: &str| ImportOptions {
        table: Some(t.into()),
        ..Default::default()
    };
    let imported = import("fixtures.gpkg", &table("piers_4550"));
    assert_eq!(imported.source_crs, "EPSG:4550");
    assert_same(&imported.features, &piers());
    assert_eq!(
        imported.fields,
        vec![
            ("name_zh".to_string(), FieldType::Text),
            ("name_en".to_string(), FieldType::Text),
            ("kind".to_string(), FieldType::Text),
            ("idle".to_string(), FieldType::Boolean),
            ("berth_m".to_string(), FieldType::Number),
            ("rank".to_string(), FieldType::Integer),
        ]
    );
    let imported = import("fixtures.gpkg", &table("land_4549"));
    assert_same(&imported.features, &land());

    let bytes = std::fs::read(fixture("fixtures.gpkg")).unwrap();
    let from_memory =
        read_bytes_with("x.gpkg", &bytes, &table("land_4549"), &mut no_progress()).unwrap();
    assert_eq!(from_memory, imported);
}

#[test]
fn flatgeobuf_reprojects_from_its_header() {
    let imported = import("piers_4550.fgb", &ImportOptions::default());
    assert_eq!(imported.source_crs, "EPSG:4550");
    assert_same(&imported.features, &piers());
    assert_same(
        &import("land_4549.fgb", &ImportOptions::default()).features,
        &land(),
    );
    let bytes = std::fs::read(fixture("land_4549.fgb")).unwrap();
    let from_memory = read_bytes_with(
        "x.fgb",
        &bytes,
        &ImportOptions::default(),
        &mut no_progress(),
    )
    .unwrap();
    assert_same(&from_memory.features, &land());
}

#[test]
fn csv_with_projected_xy_or_wkt_needs_and_uses_the_crs() {
    let imported = import("piers_4550_xy.csv", &options("EPSG:4550"));
    assert_same(&imported.features, &without_bools(piers()));
    assert_eq!(
        imported.fields.iter().map(|(_, t)| *t).collect::<Vec<_>>(),
        [
            FieldType::Text,
            FieldType::Text,
            FieldType::Text,
            FieldType::Integer,
            FieldType::Number,
            FieldType::Integer
        ]
    );
    let imported = import("land_4549_wkt.csv", &options("EPSG:4549"));
    assert_same(&imported.features, &without_bools(land()));
}

#[test]
fn csv_lon_lat_columns_are_found_by_name_or_given() {
    let text = "Name,LONGITUDE,Lat,code,ok,depth\n石浦,121.95,29.20,007,true,\n丹城,121.87,29.47,12,FALSE,2.5\n";
    let imported = read_bytes_with(
        "towns.csv",
        text.as_bytes(),
        &ImportOptions::default(),
        &mut no_progress(),
    )
    .unwrap();
    assert_eq!(imported.source_crs, "EPSG:4326");
    let f = &imported.features[1];
    assert_eq!(f.geometry, geo::Point::new(121.87, 29.47).into());
    assert_eq!(
        serde_json::Value::Object(f.properties.clone()),
        serde_json::json!({"Name": "丹城", "code": "12", "ok": false, "depth": 2.5})
    );
    assert_eq!(
        imported.features[0].properties["depth"],
        serde_json::Value::Null
    );

    let text = "a,b,label\n1,121.95,29.2\n";
    let named = ImportOptions {
        lon_column: Some("b".into()),
        lat_column: Some("LABEL".into()),
        ..Default::default()
    };
    let imported = read_bytes_with("t.csv", text.as_bytes(), &named, &mut no_progress()).unwrap();
    assert_eq!(
        imported.features[0].geometry,
        geo::Point::new(121.95, 29.2).into()
    );
}

#[test]
fn hostile_names_are_kept_as_data() {
    let want = source("hostile_wgs84.geojson");
    assert!(want[0].properties.contains_key("name\"); DROP TABLE x;--"));
    let imported = import(
        "fixtures.gpkg",
        &ImportOptions {
            table: Some("hostile\"; DROP TABLE gpkg_contents;--".into()),
            ..Default::default()
        },
    );
    assert_same(&imported.features, &want);
    let csv = "lon,lat,\"name\"\"); DROP TABLE x;--\",a\"b\n121.95,29.2,\"Robert'); DROP TABLE piers;--\",1\n";
    let imported = read_bytes_with(
        "h.csv",
        csv.as_bytes(),
        &ImportOptions::default(),
        &mut no_progress(),
    )
    .unwrap();
    assert_eq!(
        imported.features[0].properties["name\"); DROP TABLE x;--"],
        "Robert'); DROP TABLE piers;--"
    );
    assert!(imported.features[0].properties.contains_key("a\"b"));
}

#[test]
fn geojson_keeps_loading_as_before_and_reprojects_on_request() {
    // Every demo file the embedded store and the demo generator read still loads.
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/demo");
    for entry in std::fs::read_dir(&demo).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "geojson") {
            let fs = read_file(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(!fs.is_empty(), "{}", path.display());
        }
    }
    let doc = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","geometry":{"type":"Point","coordinates":[393063.501,3230645.068]},"properties":{}}]}"#;
    let imported = read_bytes_with(
        "utm.geojson",
        doc.as_bytes(),
        &options("EPSG:32651"),
        &mut no_progress(),
    )
    .unwrap();
    let d = max_distance(
        &imported.features[0].geometry,
        &geo::Point::new(121.9, 29.2).into(),
    );
    assert!(d < 0.01, "{d}");
}

#[test]
fn progress_is_reported_every_ten_thousand_features() {
    let mut text = String::from("lon,lat,n\n");
    for i in 0..25_000 {
        text.push_str(&format!("121.{:05},29.2,{i}\n", i));
    }
    let mut seen: Vec<Progress> = Vec::new();
    let imported = read_bytes_with(
        "many.csv",
        text.as_bytes(),
        &ImportOptions::default(),
        &mut |p| seen.push(p),
    )
    .unwrap();
    assert_eq!(imported.features.len(), 25_000);
    assert_eq!(
        seen.iter().map(|p| p.features).collect::<Vec<_>>(),
        [10_000, 20_000, 25_000]
    );
    assert_eq!(seen[0].features_total, Some(25_000));
    assert_eq!(seen[0].fraction(), Some(0.4));
    assert_eq!(seen[2].fraction(), Some(1.0));
    assert!(seen[1].bytes_read.unwrap() < seen[2].bytes_read.unwrap());
    assert_eq!(seen[2].bytes_read, seen[2].bytes_total);
}
