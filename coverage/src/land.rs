//! Land as opaque edges: every polygon edge in an R-tree, and where a point stands
//! (at sea, on land, or on the shore line itself).

use geo::{Coord, MultiPolygon};

use crate::plane::SegmentIndex;

/// Closer than this to a land edge counts as standing on the shore line (metres).
pub(crate) const SHORE_TOLERANCE_M: f64 = 1e-3;

/// Where a sensor stands, which decides how land edges block it (see `visibility`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Footing {
    Sea,
    Land,
    /// Within [`SHORE_TOLERANCE_M`] of a land edge.
    Shore,
}

#[derive(Debug, Clone)]
pub(crate) struct Land {
    edges: SegmentIndex,
    max_x: f64,
}

impl Land {
    /// `land` in planar metres.
    pub(crate) fn new(land: &MultiPolygon<f64>) -> Self {
        let mut segments = Vec::new();
        let mut max_x = f64::NEG_INFINITY;
        for polygon in &land.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                for line in ring.lines() {
                    if line.start != line.end {
                        max_x = max_x.max(line.start.x).max(line.end.x);
                        segments.push((line.start, line.end, segments.len() as u32));
                    }
                }
            }
        }
        Self {
            edges: SegmentIndex::new(segments.into_iter()),
            max_x,
        }
    }

    /// Land edges that come within `radius` of `centre`.
    pub(crate) fn edges_within(
        &self,
        centre: Coord<f64>,
        radius: f64,
    ) -> impl Iterator<Item = (Coord<f64>, Coord<f64>)> + '_ {
        self.edges.within(centre, radius).map(|(a, b, _)| (a, b))
    }

    pub(crate) fn footing(&self, p: Coord<f64>) -> Footing {
        if self.edges.nearest_distance(p) <= SHORE_TOLERANCE_M {
            return Footing::Shore;
        }
        // Even-odd count of edges crossed by the ray from p towards +x.
        let far = Coord {
            x: self.max_x + 1.0,
            y: p.y,
        };
        let crossings = self
            .edges
            .in_box(p, far)
            .filter(|&(a, b, _)| {
                (a.y > p.y) != (b.y > p.y) && a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y) > p.x
            })
            .count();
        if crossings % 2 == 1 {
            Footing::Land
        } else {
            Footing::Sea
        }
    }
}
