//! Reprojection against pyproj: golden values from tests/golden/make_golden.py (21 points
//! across the county, EPSG:4549, 4550, 32651 and 3857, both directions) must be met
//! within 1 cm, point by point and through a whole import.

mod common;

use common::*;
use geo::{Coord, Geometry};
use tidewatch_importers::{read_bytes_with, Crs};

struct Row {
    forward: bool,
    epsg: u32,
    input: Coord<f64>,
    output: Coord<f64>,
}

fn golden() -> Vec<Row> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/reprojection.csv");
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let n = |i: usize| f[i].parse::<f64>().unwrap();
            Row {
                forward: f[0] == "forward",
                epsg: f[1].parse().unwrap(),
                input: Coord { x: n(2), y: n(3) },
                output: Coord { x: n(4), y: n(5) },
            }
        })
        .collect()
}

#[test]
fn every_golden_point_is_within_a_centimetre_of_pyproj() {
    let rows = golden();
    assert_eq!(rows.len(), 4 * 2 * 21);
    for row in rows {
        let crs = Crs::epsg(row.epsg).unwrap();
        if row.forward {
            let got = crs
                .transform_from_wgs84()
                .unwrap()
                .coord(row.input)
                .unwrap();
            let d = (got.x - row.output.x).hypot(got.y - row.output.y);
            assert!(
                d < 0.01,
                "EPSG:{} {:?}: {d} m from pyproj",
                row.epsg,
                row.input
            );
        } else {
            let got = crs.transform_to_wgs84().unwrap().coord(row.input).unwrap();
            let d = metres_apart(got, row.output);
            assert!(
                d < 0.01,
                "EPSG:{} {:?}: {d} m from pyproj",
                row.epsg,
                row.input
            );
        }
    }
}

#[test]
fn imported_points_land_within_a_centimetre_of_pyproj() {
    for epsg in [4550, 4549, 32651, 3857] {
        let rows: Vec<Row> = golden()
            .into_iter()
            .filter(|r| !r.forward && r.epsg == epsg)
            .collect();
        let mut csv = String::from("x,y\n");
        for r in &rows {
            csv.push_str(&format!("{},{}\n", r.input.x, r.input.y));
        }
        let imported = read_bytes_with(
            "golden.csv",
            csv.as_bytes(),
            &options(&format!("EPSG:{epsg}")),
            &mut no_progress(),
        )
        .unwrap();
        for (f, r) in imported.features.iter().zip(&rows) {
            let Geometry::Point(p) = f.geometry else {
                panic!("{f:?}")
            };
            let d = metres_apart(p.0, r.output);
            assert!(d < 0.01, "EPSG:{epsg} {:?}: {d} m from pyproj", r.input);
        }
    }
}
