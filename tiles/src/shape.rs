//! Feature geometry prepared for tiling: projected to world coordinates once, with a
//! simplified version per zoom so no request pays for projection or simplification.

use crate::lonlat_to_world;
use geo::{Coord, Geometry, LineString, Polygon};

const EMPTY_BOUNDS: [f64; 4] = [
    f64::INFINITY,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NEG_INFINITY,
];

/// The three MVT geometry types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GeometryKind {
    Point,
    Line,
    Polygon,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShapeError {
    #[error("geometry collections cannot be tiled; split them into one layer per geometry type")]
    Collection,
    #[error("empty geometry")]
    Empty,
}

/// A geometry in world coordinates, flattened to one MVT geometry type.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Points(Vec<Coord<f64>>),
    Lines(Vec<LineString<f64>>),
    Polygons(Vec<Polygon<f64>>),
}

impl Shape {
    /// Projects a lon/lat geometry.
    pub fn from_geometry(g: &Geometry<f64>) -> Result<Shape, ShapeError> {
        let project = |c: &Coord<f64>| {
            let (x, y) = lonlat_to_world(c.x, c.y);
            Coord { x, y }
        };
        let line = |l: &LineString<f64>| LineString(l.0.iter().map(project).collect());
        let poly = |p: &Polygon<f64>| {
            Polygon::new(line(p.exterior()), p.interiors().iter().map(line).collect())
        };
        let shape = match g {
            Geometry::Point(p) => Shape::Points(vec![project(&p.0)]),
            Geometry::MultiPoint(mp) => Shape::Points(mp.0.iter().map(|p| project(&p.0)).collect()),
            Geometry::Line(l) => {
                Shape::Lines(vec![LineString(vec![project(&l.start), project(&l.end)])])
            }
            Geometry::LineString(l) => Shape::Lines(vec![line(l)]),
            Geometry::MultiLineString(ml) => Shape::Lines(ml.0.iter().map(line).collect()),
            Geometry::Polygon(p) => Shape::Polygons(vec![poly(p)]),
            Geometry::MultiPolygon(mp) => Shape::Polygons(mp.0.iter().map(poly).collect()),
            Geometry::Rect(r) => Shape::Polygons(vec![poly(&r.to_polygon())]),
            Geometry::Triangle(t) => Shape::Polygons(vec![poly(&t.to_polygon())]),
            Geometry::GeometryCollection(_) => return Err(ShapeError::Collection),
        };
        if shape.vertex_count() == 0 {
            return Err(ShapeError::Empty);
        }
        Ok(shape)
    }

    pub fn kind(&self) -> GeometryKind {
        match self {
            Shape::Points(_) => GeometryKind::Point,
            Shape::Lines(_) => GeometryKind::Line,
            Shape::Polygons(_) => GeometryKind::Polygon,
        }
    }

    pub fn vertex_count(&self) -> usize {
        match self {
            Shape::Points(p) => p.len(),
            Shape::Lines(ls) => ls.iter().map(|l| l.0.len()).sum(),
            Shape::Polygons(ps) => ps
                .iter()
                .map(|p| {
                    p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()
                })
                .sum(),
        }
    }

    /// Parts: the points, lines or polygons of a multi-geometry. Stores index parts
    /// separately so a tile touching one island of a county never handles the others.
    pub fn part_count(&self) -> usize {
        match self {
            Shape::Points(p) => p.len(),
            Shape::Lines(ls) => ls.len(),
            Shape::Polygons(ps) => ps.len(),
        }
    }

    /// World bounds `[min_x, min_y, max_x, max_y]` of one part.
    pub fn part_bounds(&self, part: usize) -> [f64; 4] {
        let coords: &[Coord<f64>] = match self {
            Shape::Points(p) => std::slice::from_ref(&p[part]),
            Shape::Lines(ls) => &ls[part].0,
            Shape::Polygons(ps) => &ps[part].exterior().0,
        };
        coords.iter().fold(EMPTY_BOUNDS, |b, c| {
            [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)]
        })
    }

    /// World bounds `[min_x, min_y, max_x, max_y]` of the whole shape.
    pub fn bounds(&self) -> [f64; 4] {
        (0..self.part_count())
            .map(|i| self.part_bounds(i))
            .fold(EMPTY_BOUNDS, |b, p| {
                [
                    b[0].min(p[0]),
                    b[1].min(p[1]),
                    b[2].max(p[2]),
                    b[3].max(p[3]),
                ]
            })
    }

    /// The shape as drawn at zoom `z` of a layer whose deepest zoom is `max_zoom`:
    /// Douglas–Peucker with a tolerance of `tolerance_px` pixels of a 256-pixel tile.
    /// The deepest zoom keeps full detail, since clients over-zoom it. Rings that
    /// collapse are left for the encoder to drop once rounded to tile units.
    pub fn simplified_for_zoom(&self, z: u8, max_zoom: u8, tolerance_px: f64) -> Shape {
        let epsilon = tolerance_px / (256.0 * (1u64 << z) as f64);
        if z >= max_zoom || epsilon <= 0.0 {
            return self.clone();
        }
        let ring = |r: &LineString<f64>| LineString(douglas_peucker(&r.0, epsilon, 4));
        match self {
            Shape::Points(p) => Shape::Points(p.clone()),
            Shape::Lines(ls) => Shape::Lines(
                ls.iter()
                    .map(|l| LineString(douglas_peucker(&l.0, epsilon, 2)))
                    .collect(),
            ),
            Shape::Polygons(ps) => Shape::Polygons(
                ps.iter()
                    .map(|p| {
                        Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect())
                    })
                    .collect(),
            ),
        }
    }
}

/// Douglas–Peucker as geo's `Simplify` runs it (the same splits in the same order, ties
/// to the later vertex, never fewer than `min_len` vertices: 4 keeps a ring a ring), but
/// comparing squared distances. geo's `hypot` per vertex was most of the cost, and the
/// PostGIS store simplifies on every tile.
fn douglas_peucker(coords: &[Coord<f64>], epsilon: f64, min_len: usize) -> Vec<Coord<f64>> {
    let n = coords.len();
    if epsilon <= 0.0 || n < 3 {
        return coords.to_vec();
    }
    let epsilon2 = epsilon * epsilon;
    let mut keep = vec![false; n];
    let mut len = n;
    // Depth first, left half before right, as geo's recursion: `len` is the running
    // count the minimum is checked against.
    let mut stack = vec![(0, n - 1)];
    while let Some((first, last)) = stack.pop() {
        keep[first] = true;
        keep[last] = true;
        if last - first < 2 {
            continue;
        }
        let (a, b) = (coords[first], coords[last]);
        let mut farthest = (first, 0.0);
        for (i, c) in coords.iter().enumerate().take(last).skip(first + 1) {
            let d2 = segment_distance2(*c, a, b);
            if d2 >= farthest.1 {
                farthest = (i, d2);
            }
        }
        if farthest.1 > epsilon2 {
            stack.push((farthest.0, last));
            stack.push((first, farthest.0));
            continue;
        }
        let culled = last - first - 1;
        if len - culled < min_len {
            keep[first..=last].fill(true);
        } else {
            len -= culled;
        }
    }
    coords
        .iter()
        .zip(&keep)
        .filter_map(|(c, k)| k.then_some(*c))
        .collect()
}

/// Squared distance from `p` to the segment `a`–`b`.
fn segment_distance2(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let norm2 = |c: Coord<f64>| c.x * c.x + c.y * c.y;
    if a == b {
        return norm2(p - a);
    }
    let d = b - a;
    let length2 = norm2(d);
    let r = ((p.x - a.x) * d.x + (p.y - a.y) * d.y) / length2;
    if r <= 0.0 {
        return norm2(p - a);
    }
    if r >= 1.0 {
        return norm2(p - b);
    }
    let cross = (a.y - p.y) * d.x - (a.x - p.x) * d.y;
    cross * cross / length2
}

/// One shape per zoom level, sharing storage between zooms whose simplification is equal.
#[derive(Debug, Clone)]
pub struct ZoomShapes {
    /// (first zoom this version serves, shape), ascending by zoom.
    versions: Vec<(u8, Shape)>,
}

impl ZoomShapes {
    /// Prepares `shape` for zooms `min_zoom..=max_zoom`, simplifying lines and polygons
    /// by `tolerance_px(z)` pixels of a 256-pixel tile. The layer's deepest zoom keeps the
    /// full geometry, since clients over-zoom it.
    pub fn build(
        shape: Shape,
        min_zoom: u8,
        max_zoom: u8,
        tolerance_px: impl Fn(u8) -> f64,
    ) -> Self {
        if shape.kind() == GeometryKind::Point {
            return ZoomShapes {
                versions: vec![(min_zoom, shape)],
            };
        }
        let mut versions: Vec<(u8, Shape)> = Vec::new();
        for z in min_zoom..=max_zoom {
            let s = shape.simplified_for_zoom(z, max_zoom, tolerance_px(z));
            // Equal neighbours share one version; the shape at any zoom is exactly what
            // `simplified_for_zoom` gives, which other stores compute on the fly.
            if versions.last().map(|(_, last)| last) != Some(&s) {
                versions.push((z, s));
            }
        }
        ZoomShapes { versions }
    }

    /// The shape to draw at zoom `z` (zooms beyond the prepared range use the nearest).
    pub fn at(&self, z: u8) -> &Shape {
        let i = self.versions.partition_point(|(from, _)| *from <= z);
        &self.versions[i.saturating_sub(1)].1
    }

    /// The full-detail shape.
    pub fn full(&self) -> &Shape {
        &self.versions.last().expect("at least one version").1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Simplify;

    #[test]
    fn simplifies_less_at_deeper_zooms_and_keeps_full_detail_at_max() {
        // A wiggly line: 1000 vertices along a sine wave across ~0.1 degrees.
        let line: LineString<f64> = (0..1000)
            .map(|i| {
                let t = i as f64 / 1000.0;
                Coord {
                    x: 121.9 + t * 0.1,
                    y: 29.2 + (t * 60.0).sin() * 0.001,
                }
            })
            .collect();
        let zs = ZoomShapes::build(
            Shape::from_geometry(&Geometry::LineString(line)).unwrap(),
            0,
            14,
            |_| 1.0,
        );
        let counts: Vec<usize> = (0..=14).map(|z| zs.at(z).vertex_count()).collect();
        assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
        assert!(counts[0] < 10, "{counts:?}");
        assert_eq!(counts[14], 1000);
        assert_eq!(zs.full().vertex_count(), 1000);
    }

    #[test]
    fn douglas_peucker_keeps_what_geos_simplify_keeps() {
        // Deterministic noisy lines and rings at several tolerances.
        let mut seed = 7u64;
        let mut noise = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        for n in [3, 5, 40, 400] {
            let line: LineString<f64> = (0..n)
                .map(|i| Coord {
                    x: i as f64 + noise(),
                    y: (i as f64 / 7.0).sin() * 10.0 + noise() * 3.0,
                })
                .collect();
            let ring: LineString<f64> = (0..n)
                .map(|i| {
                    let t = i as f64 / n as f64 * std::f64::consts::TAU;
                    let r = 10.0 + noise() * 4.0;
                    Coord {
                        x: r * t.cos(),
                        y: r * t.sin(),
                    }
                })
                .collect();
            let polygon = Polygon::new(ring, vec![]);
            for epsilon in [0.0, 0.1, 1.0, 5.0, 50.0] {
                assert_eq!(
                    douglas_peucker(&line.0, epsilon, 2),
                    line.simplify(epsilon).0,
                    "line of {n}, epsilon {epsilon}"
                );
                let ours = Polygon::new(
                    LineString(douglas_peucker(&polygon.exterior().0, epsilon, 4)),
                    vec![],
                );
                assert_eq!(
                    ours,
                    polygon.simplify(epsilon),
                    "ring of {n}, epsilon {epsilon}"
                );
            }
        }
    }

    #[test]
    fn rejects_collections() {
        let gc = Geometry::GeometryCollection(geo::GeometryCollection(vec![]));
        assert_eq!(Shape::from_geometry(&gc), Err(ShapeError::Collection));
    }
}
