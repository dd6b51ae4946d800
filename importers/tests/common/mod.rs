//! Helpers shared by the importer integration tests: fixture paths and comparisons of
//! imported features with the WGS84 originals (1 cm, ring orientation ignored).

#![allow(dead_code)] // each test crate uses a different subset

use geo::{Coord, Geometry, LineString, Polygon};
use serde_json::Value;
use std::path::PathBuf;
use tidewatch_importers::{read_file, Feature, ImportOptions, Progress};

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn source(name: &str) -> Vec<Feature> {
    read_file(&fixture(name)).expect("source fixture")
}

pub fn options(crs: &str) -> ImportOptions {
    ImportOptions {
        crs: Some(crs.parse().expect("known CRS")),
        ..Default::default()
    }
}

pub fn no_progress() -> impl FnMut(Progress) {
    |_| {}
}

/// Metres between two lon/lat positions (local flat approximation, fine at 1 cm).
pub fn metres_apart(a: Coord<f64>, b: Coord<f64>) -> f64 {
    let lat = a.y.to_radians();
    let dx = (a.x - b.x) * 111_320.0 * lat.cos();
    let dy = (a.y - b.y) * 110_574.0;
    dx.hypot(dy)
}

/// A ring without its closing position, counter-clockwise, starting at its lowest
/// (x, then y) vertex: equal rings compare equal whatever their writer's convention.
fn ring(r: &LineString<f64>) -> Vec<Coord<f64>> {
    let mut pts: Vec<Coord<f64>> = r.0[..r.0.len() - 1].to_vec();
    let area: f64 =
        r.0.windows(2)
            .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
            .sum();
    if area < 0.0 {
        pts.reverse();
    }
    let start = (0..pts.len())
        .min_by(|&i, &j| {
            (pts[i].x, pts[i].y)
                .partial_cmp(&(pts[j].x, pts[j].y))
                .unwrap()
        })
        .unwrap();
    pts.rotate_left(start);
    pts
}

fn polygon(p: &Polygon<f64>) -> Vec<Vec<Coord<f64>>> {
    std::iter::once(p.exterior())
        .chain(p.interiors())
        .map(ring)
        .collect()
}

/// The geometry as comparable parts.
fn parts(g: &Geometry<f64>) -> Vec<Vec<Coord<f64>>> {
    match g {
        Geometry::Point(p) => vec![vec![p.0]],
        Geometry::MultiPoint(mp) => mp.0.iter().map(|p| vec![p.0]).collect(),
        Geometry::LineString(l) => vec![l.0.clone()],
        Geometry::MultiLineString(ml) => ml.0.iter().map(|l| l.0.clone()).collect(),
        Geometry::Polygon(p) => polygon(p),
        Geometry::MultiPolygon(mp) => mp.0.iter().flat_map(polygon).collect(),
        other => panic!("unexpected geometry {other:?}"),
    }
}

/// Largest distance (m) between corresponding positions; panics if shapes differ.
pub fn max_distance(got: &Geometry<f64>, want: &Geometry<f64>) -> f64 {
    assert_eq!(
        std::mem::discriminant(got),
        std::mem::discriminant(want),
        "geometry types differ: {got:?} vs {want:?}"
    );
    let (a, b) = (parts(got), parts(want));
    assert_eq!(a.len(), b.len(), "part counts differ");
    a.iter()
        .zip(&b)
        .flat_map(|(pa, pb)| {
            assert_eq!(pa.len(), pb.len(), "vertex counts differ");
            pa.iter().zip(pb).map(|(x, y)| metres_apart(*x, *y))
        })
        .fold(0.0, f64::max)
}

/// Booleans as 0/1, for formats that have no boolean type (.dbf, CSV).
pub fn bools_as_ints(f: &Feature) -> Feature {
    let mut f = f.clone();
    for v in f.properties.values_mut() {
        if let Value::Bool(b) = v {
            *v = Value::from(*b as i64);
        }
    }
    f
}

/// Same count, ids, properties, and positions within 1 cm.
pub fn assert_same(got: &[Feature], want: &[Feature]) {
    assert_eq!(got.len(), want.len(), "feature counts differ");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.id, w.id, "ids differ");
        assert_eq!(g.properties, w.properties, "feature {}", w.id);
        let d = max_distance(&g.geometry, &w.geometry);
        assert!(d < 0.01, "feature {} is {d} m from the original", w.id);
    }
}
