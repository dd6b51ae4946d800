//! Geometry checks every imported feature must pass, with reasons a person can act on.
//!
//! Structural checks (empty parts, too few points, NaN) and, for polygons, topology:
//! edges that cross or overlap (a self-intersecting ring, rings crossing each other, two
//! parts of a MultiPolygon overlapping), holes outside their polygon and parts inside
//! other parts. Crossings are found with geo's sweep-line `Intersections`, which runs
//! in about O(n log n) for real data and names where the problem is; geo's `Validation`
//! compares every edge with every other (O(n²)), too slow for a county's coastline, and
//! does not say where. Rings touching at a single vertex are allowed, as in OGC.
//!
//! Ring closure cannot be checked here: geo closes rings when a polygon is built, so
//! each reader checks it while parsing (see `geom::ClosedRings`).

use geo::sweep::{Cross, Intersections};
use geo::{
    coordinate_position::CoordPos, BoundingRect, Coord, CoordinatePosition, CoordsIter, Geometry,
    Line, LineIntersection, LineString, Polygon, Rect,
};

/// Checks a geometry (in its final lon/lat); the error is a sentence without the feature.
pub(crate) fn check(g: &Geometry<f64>) -> Result<(), String> {
    if let Some(c) = g
        .coords_iter()
        .find(|c| !c.x.is_finite() || !c.y.is_finite())
    {
        return Err(format!("coordinate ({}, {}) is not a number", c.x, c.y));
    }
    match g {
        Geometry::Point(_) | Geometry::Line(_) | Geometry::Rect(_) | Geometry::Triangle(_) => {
            Ok(())
        }
        Geometry::MultiPoint(mp) => non_empty(mp.0.len(), "MultiPoint"),
        Geometry::LineString(l) => line(l),
        Geometry::MultiLineString(ml) => {
            non_empty(ml.0.len(), "MultiLineString")?;
            ml.0.iter().try_for_each(line)
        }
        Geometry::Polygon(p) => polygons(std::slice::from_ref(p)),
        Geometry::MultiPolygon(mp) => {
            non_empty(mp.0.len(), "MultiPolygon")?;
            polygons(&mp.0)
        }
        Geometry::GeometryCollection(gc) => {
            non_empty(gc.0.len(), "GeometryCollection")?;
            gc.0.iter().try_for_each(check)
        }
    }
}

fn non_empty(parts: usize, kind: &str) -> Result<(), String> {
    if parts == 0 {
        Err(format!("empty geometry (a {kind} without parts)"))
    } else {
        Ok(())
    }
}

fn line(l: &LineString<f64>) -> Result<(), String> {
    match distinct(&l.0).len() {
        0 => Err("empty geometry (a LineString without positions)".into()),
        1 => Err(format!(
            "a LineString needs two distinct positions; this one has only {}",
            at(l.0[0])
        )),
        _ => Ok(()),
    }
}

/// The coordinates without consecutive repeats.
fn distinct(coords: &[Coord<f64>]) -> Vec<Coord<f64>> {
    let mut out: Vec<Coord<f64>> = Vec::with_capacity(coords.len());
    for &c in coords {
        if out.last() != Some(&c) {
            out.push(c);
        }
    }
    out
}

fn at(c: Coord<f64>) -> String {
    format!("({:.7}, {:.7})", c.x, c.y)
}

/// One polygon edge, with where it sits, so the sweep's hits can be told apart.
#[derive(Debug, Clone, Copy)]
struct Edge {
    line: Line<f64>,
    /// Ring number across all polygons checked together.
    ring: usize,
    /// Position in its ring, and the ring's edge count, to recognise neighbours.
    index: usize,
    ring_edges: usize,
}

impl Cross for Edge {
    type Scalar = f64;
    fn line(&self) -> Line<f64> {
        self.line
    }
}

impl Edge {
    fn is_next_to(&self, other: &Edge) -> bool {
        self.ring == other.ring
            && ((self.index + 1) % self.ring_edges == other.index
                || (other.index + 1) % other.ring_edges == self.index)
    }
}

fn polygons(polys: &[Polygon<f64>]) -> Result<(), String> {
    let mut edges = Vec::new();
    let mut ring = 0;
    for p in polys {
        if p.exterior().0.is_empty() {
            return Err("empty geometry (a polygon without an exterior ring)".into());
        }
        for r in std::iter::once(p.exterior()).chain(p.interiors()) {
            // Rings are closed, so the last position repeats the first.
            let points = distinct(&r.0);
            if points.len() < 4 {
                return Err(format!(
                    "a polygon ring needs at least three distinct positions; the ring at {} has {}",
                    at(r.0.first().copied().unwrap_or(Coord { x: 0.0, y: 0.0 })),
                    points.len().saturating_sub(1)
                ));
            }
            let ring_edges = points.len() - 1;
            edges.extend(points.windows(2).enumerate().map(|(index, w)| Edge {
                line: Line::new(w[0], w[1]),
                ring,
                index,
                ring_edges,
            }));
            ring += 1;
        }
    }
    crossing_edges(edges)?;
    holes_inside(polys)?;
    parts_apart(polys)
}

fn crossing_edges(edges: Vec<Edge>) -> Result<(), String> {
    for (a, b, hit) in Intersections::from_iter(edges) {
        match hit {
            // Neighbouring edges of a ring meet at their shared vertex.
            LineIntersection::SinglePoint { .. } if a.is_next_to(&b) => {}
            // Different rings may touch at a vertex (OGC); crossing is not allowed.
            LineIntersection::SinglePoint {
                is_proper: false, ..
            } if a.ring != b.ring => {}
            LineIntersection::SinglePoint { intersection, .. } if a.ring == b.ring => {
                return Err(format!("self-intersecting polygon at {}", at(intersection)));
            }
            LineIntersection::SinglePoint { intersection, .. } => {
                return Err(format!("polygon rings cross at {}", at(intersection)));
            }
            LineIntersection::Collinear { intersection } => {
                let what = if a.ring == b.ring {
                    "polygon ring runs back over itself (a spike or zero-area part)"
                } else {
                    "polygon rings share an edge"
                };
                return Err(format!("{what} at {}", at(intersection.start)));
            }
        }
    }
    Ok(())
}

/// With no edges crossing, a ring is inside another exactly when one of its vertices
/// that is not on the other's boundary is.
fn inside(ring: &LineString<f64>, outer: &Polygon<f64>) -> Option<bool> {
    ring.0
        .iter()
        .map(|c| outer.coordinate_position(c))
        .find(|pos| *pos != CoordPos::OnBoundary)
        .map(|pos| pos == CoordPos::Inside)
}

fn holes_inside(polys: &[Polygon<f64>]) -> Result<(), String> {
    for p in polys {
        let shell = Polygon::new(p.exterior().clone(), vec![]);
        for hole in p.interiors() {
            if inside(hole, &shell) == Some(false) {
                return Err(format!(
                    "a polygon's hole lies outside its exterior ring, at {}",
                    at(hole.0[0])
                ));
            }
        }
    }
    Ok(())
}

/// The parts of a MultiPolygon must not overlap: no part inside another's area.
fn parts_apart(polys: &[Polygon<f64>]) -> Result<(), String> {
    if polys.len() < 2 {
        return Ok(());
    }
    let boxes: Vec<Rect<f64>> = polys
        .iter()
        .map(|p| p.bounding_rect().expect("checked non-empty"))
        .collect();
    for (i, outer) in polys.iter().enumerate() {
        for (j, part) in polys.iter().enumerate() {
            let (a, b) = (boxes[i], boxes[j]);
            let box_inside = a.min().x <= b.min().x
                && a.min().y <= b.min().y
                && a.max().x >= b.max().x
                && a.max().y >= b.max().y;
            if i != j && box_inside && inside(part.exterior(), outer) == Some(true) {
                return Err(format!(
                    "MultiPolygon parts overlap: part {} lies inside part {} at {}",
                    j + 1,
                    i + 1,
                    at(part.exterior().0[0])
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, point, polygon, MultiPolygon};

    fn err(g: impl Into<Geometry<f64>>) -> String {
        check(&g.into()).unwrap_err()
    }

    #[test]
    fn accepts_valid_shapes() {
        let square = polygon![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)];
        let with_hole = polygon!(
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
            // Touches the exterior at one vertex: allowed.
            interiors: [[(x: 0., y: 0.), (x: 2., y: 1.), (x: 1., y: 2.)]],
        );
        let far = polygon![(x: 10., y: 0.), (x: 14., y: 0.), (x: 14., y: 4.)];
        for g in [
            Geometry::from(square.clone()),
            with_hole.into(),
            MultiPolygon(vec![square, far]).into(),
            point!(x: 1., y: 2.).into(),
            line_string![(x: 0., y: 0.), (x: 0., y: 0.), (x: 1., y: 1.)].into(),
        ] {
            assert_eq!(check(&g), Ok(()), "{g:?}");
        }
    }

    #[test]
    fn names_self_intersections_and_where() {
        let bowtie = polygon![(x: 0., y: 0.), (x: 2., y: 2.), (x: 2., y: 0.), (x: 0., y: 2.)];
        let e = err(bowtie);
        assert!(
            e.contains("self-intersecting polygon at (1.0000000, 1.0000000)"),
            "{e}"
        );
        // Out along a line and back: reported as a spike or as the touch it makes.
        let spike = polygon![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 2.), (x: 6., y: 2.), (x: 4., y: 2.), (x: 0., y: 4.)];
        let e = err(spike);
        assert!(
            e.contains("runs back over itself") || e.contains("self-intersecting"),
            "{e}"
        );
    }

    #[test]
    fn rejects_bad_holes_and_overlapping_parts() {
        let crossing_hole = polygon!(
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
            interiors: [[(x: 3., y: 1.), (x: 5., y: 1.), (x: 5., y: 2.), (x: 3., y: 2.)]],
        );
        assert!(err(crossing_hole).contains("rings cross"));
        let outside_hole = polygon!(
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
            interiors: [[(x: 5., y: 1.), (x: 6., y: 1.), (x: 6., y: 2.)]],
        );
        assert!(err(outside_hole).contains("outside its exterior"));
        let big = polygon![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)];
        let small = polygon![(x: 1., y: 1.), (x: 2., y: 1.), (x: 2., y: 2.)];
        assert!(err(MultiPolygon(vec![big, small])).contains("part 2 lies inside part 1"));
    }

    #[test]
    fn rejects_empty_and_degenerate_parts() {
        assert!(err(MultiPolygon::<f64>(vec![])).contains("empty geometry"));
        assert!(err(line_string![(x: 1., y: 1.), (x: 1., y: 1.)]).contains("two distinct"));
        let flat = polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 0., y: 0.)];
        assert!(err(flat).contains("three distinct"));
        assert!(err(point!(x: f64::NAN, y: 1.)).contains("not a number"));
    }
}
