//! Reads the demo county (data/demo/*.geojson) into coverage inputs; shared by the tests and
//! the benchmark (`#[path]`-included).
#![allow(dead_code)]

use std::path::PathBuf;

use geo::{Coord, LineString, MultiLineString, MultiPolygon, Polygon};
use serde_json::Value;
use tidewatch_coverage::{
    Camera, CoverageModel, Radar, Sensor, Status, Town, DEFAULT_TARGET_HEIGHT_M,
};

pub fn demo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/demo")
}

fn read(name: &str) -> Value {
    let text = std::fs::read_to_string(demo_dir().join(name)).expect("demo file");
    serde_json::from_str(&text).expect("GeoJSON")
}

fn features(name: &str) -> Vec<Value> {
    read(name)["features"].as_array().expect("features").clone()
}

fn line(v: &Value) -> LineString<f64> {
    LineString::new(
        v.as_array()
            .expect("ring")
            .iter()
            .map(|p| Coord {
                x: p[0].as_f64().unwrap(),
                y: p[1].as_f64().unwrap(),
            })
            .collect(),
    )
}

fn point(f: &Value) -> (f64, f64) {
    let c = &f["geometry"]["coordinates"];
    (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
}

fn num(f: &Value, key: &str) -> f64 {
    f["properties"][key]
        .as_f64()
        .unwrap_or_else(|| panic!("property {key}"))
}

fn text(f: &Value, key: &str) -> String {
    f["properties"][key]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub fn land() -> MultiPolygon<f64> {
    let f = &features("land.geojson")[0];
    MultiPolygon::new(
        f["geometry"]["coordinates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|rings| {
                let mut rings = rings.as_array().unwrap().iter().map(line);
                let exterior = rings.next().unwrap();
                Polygon::new(exterior, rings.collect())
            })
            .collect(),
    )
}

pub fn coastline() -> MultiLineString<f64> {
    let f = &features("coastline.geojson")[0];
    MultiLineString::new(
        f["geometry"]["coordinates"]
            .as_array()
            .unwrap()
            .iter()
            .map(line)
            .collect(),
    )
}

pub fn towns() -> Vec<Town> {
    features("places.geojson")
        .iter()
        .map(|f| {
            let (lon, lat) = point(f);
            Town {
                name_zh: text(f, "name_zh"),
                name_en: text(f, "name_en"),
                lon,
                lat,
            }
        })
        .collect()
}

fn status(f: &Value) -> Status {
    if text(f, "status") == "failed" {
        Status::Failed
    } else {
        Status::Working
    }
}

pub fn cameras() -> Vec<Sensor> {
    features("cameras.geojson")
        .iter()
        .map(|f| {
            let (lon, lat) = point(f);
            Sensor::camera(
                format!("camera-{}", f["id"]),
                status(f),
                Camera {
                    lon,
                    lat,
                    height_m: num(f, "height_m"),
                    bearing_deg: num(f, "bearing_deg"),
                    fov_deg: num(f, "fov_deg"),
                    range_day_m: num(f, "range_day_m"),
                    range_night_m: num(f, "range_night_m"),
                    thermal: text(f, "kind") == "thermal",
                },
            )
        })
        .collect()
}

pub fn radars() -> Vec<Sensor> {
    features("radars.geojson")
        .iter()
        .map(|f| {
            let (lon, lat) = point(f);
            Sensor::radar(
                format!("radar-{}", f["id"]),
                status(f),
                Radar {
                    lon,
                    lat,
                    antenna_height_m: num(f, "antenna_height_m"),
                    rated_range_m: num(f, "rated_range_km") * 1000.0,
                    target_height_m: DEFAULT_TARGET_HEIGHT_M,
                },
            )
        })
        .collect()
}

/// (id, name, lon, lat) of the 300 piers and beaching spots.
pub fn piers() -> Vec<(String, String, f64, f64)> {
    features("piers.geojson")
        .iter()
        .map(|f| {
            let (lon, lat) = point(f);
            (format!("pier-{}", f["id"]), text(f, "name_en"), lon, lat)
        })
        .collect()
}

pub fn model() -> CoverageModel {
    CoverageModel::new(&land(), &coastline(), towns()).expect("demo model")
}
