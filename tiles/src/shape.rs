//! Feature geometry prepared for tiling: projected to world coordinates once, with a
//! simplified version per zoom so no request pays for projection or simplification.

use crate::lonlat_to_world;
use geo::{Coord, Geometry, LineString, Polygon, Simplify};

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
        match self {
            Shape::Points(p) => Shape::Points(p.clone()),
            Shape::Lines(ls) => Shape::Lines(ls.iter().map(|l| l.simplify(epsilon)).collect()),
            Shape::Polygons(ps) => {
                Shape::Polygons(ps.iter().map(|p| p.simplify(epsilon)).collect())
            }
        }
    }
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
    fn rejects_collections() {
        let gc = Geometry::GeometryCollection(geo::GeometryCollection(vec![]));
        assert_eq!(Shape::from_geometry(&gc), Err(ShapeError::Collection));
    }
}
