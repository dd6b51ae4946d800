//! Geometry against an independent oracle (shapely + pyproj), shadows of hand-built and real
//! islands, and the rule for sensors standing on land.

mod common;

use common::demo;
use geo::{Coord, Distance, Euclidean, LineString, MultiLineString, MultiPolygon, Point, Polygon};
use serde_json::Value;
use tidewatch_coverage::{
    Camera, CoverageModel, Params, Radar, Sensor, Status, DEFAULT_TARGET_HEIGHT_M,
};

fn all_round(id: &str, lon: f64, lat: f64, range_m: f64) -> Sensor {
    Sensor::camera(
        id,
        Status::Working,
        Camera {
            lon,
            lat,
            height_m: 10.0,
            bearing_deg: 0.0,
            fov_deg: 360.0,
            range_day_m: range_m,
            range_night_m: range_m,
            thermal: false,
        },
    )
}

fn line(points: &[(f64, f64)]) -> LineString<f64> {
    LineString::new(points.iter().map(|&(x, y)| Coord { x, y }).collect())
}

/// Is the coastline point (lon, lat) inside one of the baseline's gaps? Gap lines are straight
/// in the projected plane, so between vertices they can be up to a metre or so off a line
/// that is straight in lon/lat; 2·10⁻⁵° (about 2 m) allows for that.
fn unseen(gaps: &[tidewatch_coverage::CoastGap], lon: f64, lat: f64) -> bool {
    let p = Point::new(lon, lat);
    gaps.iter()
        .any(|g| g.line.0.iter().any(|l| Euclidean.distance(&p, l) < 2e-5))
}

#[test]
fn covered_length_matches_shapely_and_pyproj() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/coverage_oracle.json"
    );
    let oracle: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let coast = MultiLineString::new(
        oracle["coastline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|part| {
                let pts: Vec<(f64, f64)> = part
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                    .collect();
                line(&pts)
            })
            .collect(),
    );
    let sensors: Vec<Sensor> = oracle["sensors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            all_round(
                s["id"].as_str().unwrap(),
                s["lon"].as_f64().unwrap(),
                s["lat"].as_f64().unwrap(),
                s["range_m"].as_f64().unwrap(),
            )
        })
        .collect();
    let model = CoverageModel::new(&MultiPolygon::new(vec![]), &coast, vec![]).unwrap();
    let b = model.baseline(sensors, Params::default()).unwrap();
    let s = b.summary();
    let rel = |ours: f64, key: &str| {
        let theirs = oracle[key].as_f64().unwrap();
        let e = (ours - theirs).abs() / theirs;
        println!(
            "{key}: ours {ours:.2} m, shapely/pyproj {theirs:.2} m, relative difference {e:.2e}"
        );
        e
    };
    assert!(rel(s.coastline_m, "coastline_m") < 1e-4);
    assert!(rel(s.covered_m, "covered_m") < 5e-3);
    assert!(rel(s.gap_length_m, "gap_m") < 5e-3);
}

/// A coastline along y = 29.20 from 121.95 to 122.05, an island between it and a sensor.
fn island_world(sensor_lat: f64) -> (CoverageModel, Vec<Sensor>) {
    let coast = MultiLineString::new(vec![line(&[(121.95, 29.20), (122.05, 29.20)])]);
    let island = Polygon::new(
        line(&[
            (121.995, 29.215),
            (122.005, 29.215),
            (122.005, 29.225),
            (121.995, 29.225),
            (121.995, 29.215),
        ]),
        vec![],
    );
    let model = CoverageModel::new(&MultiPolygon::new(vec![island]), &coast, vec![]).unwrap();
    (model, vec![all_round("cam", 122.0, sensor_lat, 8000.0)])
}

#[test]
fn an_island_hides_the_coast_behind_it() {
    let (model, sensors) = island_world(29.24);
    let b = model.baseline(sensors, Params::default()).unwrap();
    // Straight behind the island: seen from 29.24 the island's near side (x ± 0.005°) is
    // 1.66 km away, so its shadow on the coast 4.44 km away spans x ± 0.0134°.
    assert!(unseen(b.gaps(), 122.0, 29.20));
    assert!(unseen(b.gaps(), 122.006, 29.20));
    // Well to the side it is seen.
    assert!(!unseen(b.gaps(), 122.02, 29.20));
    assert!(!unseen(b.gaps(), 121.975, 29.20));
    let shadow = b
        .gaps()
        .iter()
        .find(|g| g.length_m > 1000.0)
        .expect("one shadow gap");
    // Shadow width by similar triangles: 2·0.005°·(0.04 / 0.015)·97.17 km/° ≈ 2.591 km.
    assert!(
        (shadow.length_m - 2591.0).abs() < 10.0,
        "{}",
        shadow.length_m
    );
}

#[test]
fn a_sensor_on_land_sees_past_its_own_shore_but_not_past_the_next_island() {
    // The sensor stands inside the island: its own shore is free, the mainland coast beyond
    // is seen all along (nothing else in the way).
    let (model, sensors) = island_world(29.22);
    let b = model.baseline(sensors, Params::default()).unwrap();
    assert!(!unseen(b.gaps(), 122.0, 29.20));
    // A second island between the first and the coast still casts a shadow.
    let coast = MultiLineString::new(vec![line(&[(121.95, 29.20), (122.05, 29.20)])]);
    let square = |x: f64, y: f64, h: f64| {
        Polygon::new(
            line(&[
                (x - h, y - h),
                (x + h, y - h),
                (x + h, y + h),
                (x - h, y + h),
                (x - h, y - h),
            ]),
            vec![],
        )
    };
    let land = MultiPolygon::new(vec![
        square(122.0, 29.22, 0.005),
        square(122.0, 29.207, 0.002),
    ]);
    let model = CoverageModel::new(&land, &coast, vec![]).unwrap();
    let b = model
        .baseline(
            vec![all_round("cam", 122.0, 29.22, 8000.0)],
            Params::default(),
        )
        .unwrap();
    assert!(unseen(b.gaps(), 122.0, 29.20));
    assert!(!unseen(b.gaps(), 122.03, 29.20));
}

#[test]
fn a_radar_on_xiangshan_is_shadowed_by_the_islands_off_shipu() {
    // Tantoushan radar (demo radar 5), standing on a small island. The coastline vertices
    // below were picked with shapely, not with this crate: the blocked ones are 6.6 and 6.8 km
    // away, and the straight line to them (stopping 30 m short) crosses other islands; the
    // free ones are 3.5 and 5.4 km away and the line to them crosses the land boundary once
    // (leaving the radar's island, which is free by the rule for sensors on land).
    let model = demo::model();
    let radar = Sensor::radar(
        "tantoushan",
        Status::Working,
        Radar {
            lon: 122.056223,
            lat: 29.212808,
            antenna_height_m: 33.0,
            rated_range_m: 25_000.0,
            target_height_m: DEFAULT_TARGET_HEIGHT_M,
        },
    );
    let b = model.baseline(vec![radar], Params::default()).unwrap();
    for (lon, lat) in [
        (121.989578088, 29.2241702907),
        (121.992858778, 29.187441825),
    ] {
        assert!(
            unseen(b.gaps(), lon, lat),
            "({lon}, {lat}) should be in a shadow"
        );
    }
    for (lon, lat) in [
        (122.004577707, 29.229968719),
        (122.064133669, 29.1820859083),
    ] {
        assert!(!unseen(b.gaps(), lon, lat), "({lon}, {lat}) should be seen");
    }
}
