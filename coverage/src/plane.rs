//! Small planar helpers shared by the land and coastline indexes: vector arithmetic, an
//! R-tree of segments with a "within distance" query, and clipping a segment to a disk.

use geo::Coord;
use rstar::primitives::{GeomWithData, Line};
use rstar::{RTree, AABB};

pub(crate) fn cross(a: Coord<f64>, b: Coord<f64>) -> f64 {
    a.x * b.y - a.y * b.x
}

pub(crate) fn dot(a: Coord<f64>, b: Coord<f64>) -> f64 {
    a.x * b.x + a.y * b.y
}

pub(crate) fn norm(a: Coord<f64>) -> f64 {
    a.x.hypot(a.y)
}

/// Distance from `p` to the segment `a`–`b`.
pub(crate) fn segment_distance(a: Coord<f64>, b: Coord<f64>, p: Coord<f64>) -> f64 {
    let ab = b - a;
    let len2 = dot(ab, ab);
    let t = if len2 > 0.0 {
        (dot(p - a, ab) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    norm(a + ab * t - p)
}

/// The part of segment `a`–`b` inside the closed disk (`centre`, `radius`), if any.
pub(crate) fn clip_to_disk(
    a: Coord<f64>,
    b: Coord<f64>,
    centre: Coord<f64>,
    radius: f64,
) -> Option<(Coord<f64>, Coord<f64>)> {
    let d = b - a;
    let f = a - centre;
    let qa = dot(d, d);
    let qb = 2.0 * dot(f, d);
    let qc = dot(f, f) - radius * radius;
    if qa == 0.0 {
        return None;
    }
    let disc = qb * qb - 4.0 * qa * qc;
    if disc <= 0.0 {
        return None;
    }
    let root = disc.sqrt();
    let t0 = ((-qb - root) / (2.0 * qa)).max(0.0);
    let t1 = ((-qb + root) / (2.0 * qa)).min(1.0);
    if t1 <= t0 {
        return None;
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            a + d * t
        }
    };
    Some((at(t0), at(t1)))
}

/// Sutherland–Hodgman clip of a closed ring (first point not repeated) to the box
/// `min`–`max`. For a non-convex ring the result may run along the box edge with zero-width
/// connectors; under the non-zero fill rule these have no area, which is all the sea-band
/// overlay needs.
pub(crate) fn clip_ring_to_box(
    ring: &[Coord<f64>],
    min: Coord<f64>,
    max: Coord<f64>,
) -> Vec<Coord<f64>> {
    let mut current: Vec<Coord<f64>> = ring.to_vec();
    // (axis is x?, bound, keep points with coordinate >= bound?)
    for (on_x, bound, keep_above) in [
        (true, min.x, true),
        (true, max.x, false),
        (false, min.y, true),
        (false, max.y, false),
    ] {
        if current.is_empty() {
            break;
        }
        let value = |c: &Coord<f64>| if on_x { c.x } else { c.y };
        let inside = |c: &Coord<f64>| (value(c) >= bound) == keep_above || value(c) == bound;
        let mut next = Vec::with_capacity(current.len() + 4);
        for i in 0..current.len() {
            let (p, q) = (current[i], current[(i + 1) % current.len()]);
            let (p_in, q_in) = (inside(&p), inside(&q));
            if p_in {
                next.push(p);
            }
            if p_in != q_in {
                let t = (bound - value(&p)) / (value(&q) - value(&p));
                let mut c = p + (q - p) * t;
                if on_x {
                    c.x = bound;
                } else {
                    c.y = bound;
                }
                next.push(c);
            }
        }
        current = next;
    }
    current
}

type IndexedSegment = GeomWithData<Line<[f64; 2]>, u32>;

/// An R-tree over numbered segments.
#[derive(Debug, Clone)]
pub(crate) struct SegmentIndex {
    tree: RTree<IndexedSegment>,
}

impl SegmentIndex {
    pub(crate) fn new(segments: impl Iterator<Item = (Coord<f64>, Coord<f64>, u32)>) -> Self {
        let items = segments
            .map(|(a, b, i)| GeomWithData::new(Line::new([a.x, a.y], [b.x, b.y]), i))
            .collect();
        Self {
            tree: RTree::bulk_load(items),
        }
    }

    /// Segments whose bounding box meets the box `min`–`max`.
    pub(crate) fn in_box(
        &self,
        min: Coord<f64>,
        max: Coord<f64>,
    ) -> impl Iterator<Item = (Coord<f64>, Coord<f64>, u32)> + '_ {
        self.tree
            .locate_in_envelope_intersecting(&AABB::from_corners([min.x, min.y], [max.x, max.y]))
            .map(|s| {
                let (a, b) = (s.geom().from, s.geom().to);
                (
                    Coord { x: a[0], y: a[1] },
                    Coord { x: b[0], y: b[1] },
                    s.data,
                )
            })
    }

    /// Segments that come within `radius` of `centre`.
    pub(crate) fn within(
        &self,
        centre: Coord<f64>,
        radius: f64,
    ) -> impl Iterator<Item = (Coord<f64>, Coord<f64>, u32)> + '_ {
        let r = Coord {
            x: radius,
            y: radius,
        };
        self.in_box(centre - r, centre + r)
            .filter(move |&(a, b, _)| segment_distance(a, b, centre) <= radius)
    }

    /// Distance from `p` to the nearest segment (infinite when there are none).
    pub(crate) fn nearest_distance(&self, p: Coord<f64>) -> f64 {
        self.tree
            .nearest_neighbor(&[p.x, p.y])
            .map(|s| {
                let (a, b) = (s.geom().from, s.geom().to);
                segment_distance(Coord { x: a[0], y: a[1] }, Coord { x: b[0], y: b[1] }, p)
            })
            .unwrap_or(f64::INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_to_a_disk_keeps_the_inside_part() {
        let c = Coord { x: 0.0, y: 0.0 };
        let (a, b) = clip_to_disk(
            Coord { x: -10.0, y: 0.0 },
            Coord { x: 10.0, y: 0.0 },
            c,
            5.0,
        )
        .unwrap();
        assert!((a.x + 5.0).abs() < 1e-12 && (b.x - 5.0).abs() < 1e-12);
        assert!(clip_to_disk(
            Coord { x: -10.0, y: 6.0 },
            Coord { x: 10.0, y: 6.0 },
            c,
            5.0
        )
        .is_none());
        let inside = (Coord { x: 1.0, y: 1.0 }, Coord { x: 2.0, y: 1.0 });
        assert_eq!(clip_to_disk(inside.0, inside.1, c, 5.0), Some(inside));
    }
}
