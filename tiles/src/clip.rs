//! Clipping lines and polygon rings to an axis-aligned rectangle (the buffered tile).

/// A point in (unrounded) tile units.
pub type Pt = (f64, f64);

/// Clip rectangle `[min_x, min_y, max_x, max_y]` in tile units.
pub type Rect = [f64; 4];

pub fn inside(p: Pt, r: &Rect) -> bool {
    p.0 >= r[0] && p.0 <= r[2] && p.1 >= r[1] && p.1 <= r[3]
}

/// Sutherland–Hodgman clipping of a ring (without its closing point) to `r`.
/// Parts of the ring outside become runs along the rectangle's edges, which renders
/// correctly and keeps the ring a single closed path. `out` receives the result.
pub fn clip_ring(ring: &[Pt], r: &Rect, out: &mut Vec<Pt>, scratch: &mut Vec<Pt>) {
    out.clear();
    out.extend_from_slice(ring);
    // One pass per rectangle edge: (axis, bound, keep values >= bound?)
    let edges = [
        (0, r[0], true),
        (0, r[2], false),
        (1, r[1], true),
        (1, r[3], false),
    ];
    for (axis, bound, keep_greater) in edges {
        if out.is_empty() {
            return;
        }
        std::mem::swap(out, scratch);
        out.clear();
        let coord = |p: Pt| if axis == 0 { p.0 } else { p.1 };
        let is_in = |p: Pt| {
            if keep_greater {
                coord(p) >= bound
            } else {
                coord(p) <= bound
            }
        };
        let mut prev = *scratch.last().expect("non-empty");
        for &cur in scratch.iter() {
            let (pi, ci) = (is_in(prev), is_in(cur));
            if ci {
                if !pi {
                    out.push(intersect(prev, cur, axis, bound));
                }
                out.push(cur);
            } else if pi {
                out.push(intersect(prev, cur, axis, bound));
            }
            prev = cur;
        }
    }
}

/// Where segment a→b crosses the line `axis = bound`.
fn intersect(a: Pt, b: Pt, axis: usize, bound: f64) -> Pt {
    if axis == 0 {
        let t = (bound - a.0) / (b.0 - a.0);
        (bound, a.1 + t * (b.1 - a.1))
    } else {
        let t = (bound - a.1) / (b.1 - a.1);
        (a.0 + t * (b.0 - a.0), bound)
    }
}

/// Clips a polyline to `r`, calling `emit` with each piece that lies inside.
pub fn clip_line(line: &[Pt], r: &Rect, piece: &mut Vec<Pt>, mut emit: impl FnMut(&[Pt])) {
    piece.clear();
    for seg in line.windows(2) {
        match clip_segment(seg[0], seg[1], r) {
            Some((a, b)) => {
                if piece.last() != Some(&a) {
                    if piece.len() > 1 {
                        emit(piece);
                    }
                    piece.clear();
                    piece.push(a);
                }
                piece.push(b);
                // The segment left the rectangle: this piece ends here.
                if b != seg[1] {
                    emit(piece);
                    piece.clear();
                }
            }
            None => {
                if piece.len() > 1 {
                    emit(piece);
                }
                piece.clear();
            }
        }
    }
    if piece.len() > 1 {
        emit(piece);
    }
}

/// Liang–Barsky clipping of one segment.
fn clip_segment(a: Pt, b: Pt, r: &Rect) -> Option<(Pt, Pt)> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - r[0]),
        (dx, r[2] - a.0),
        (-dy, a.1 - r[1]),
        (dy, r[3] - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            (a.0 + t * dx, a.1 + t * dy)
        }
    };
    Some((at(t0), at(t1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: Rect = [0.0, 0.0, 10.0, 10.0];

    #[test]
    fn ring_larger_than_rect_becomes_rect() {
        let ring = [(-5.0, -5.0), (15.0, -5.0), (15.0, 15.0), (-5.0, 15.0)];
        let (mut out, mut s) = (vec![], vec![]);
        clip_ring(&ring, &R, &mut out, &mut s);
        assert_eq!(out.len(), 4);
        assert!(out.iter().all(|p| inside(*p, &R)));
    }

    #[test]
    fn ring_outside_vanishes_and_inside_stays() {
        let (mut out, mut s) = (vec![], vec![]);
        clip_ring(
            &[(20.0, 20.0), (30.0, 20.0), (30.0, 30.0)],
            &R,
            &mut out,
            &mut s,
        );
        assert!(out.is_empty());
        let tri = [(1.0, 1.0), (5.0, 1.0), (5.0, 5.0)];
        clip_ring(&tri, &R, &mut out, &mut s);
        assert_eq!(out, tri);
    }

    #[test]
    fn line_crossing_rect_twice_gives_two_pieces() {
        let line = [
            (-5.0, 5.0),
            (5.0, 5.0),
            (5.0, 20.0),
            (8.0, 20.0),
            (8.0, 5.0),
            (20.0, 5.0),
        ];
        let mut pieces = vec![];
        clip_line(&line, &R, &mut vec![], |p| pieces.push(p.to_vec()));
        assert_eq!(
            pieces,
            vec![
                vec![(0.0, 5.0), (5.0, 5.0), (5.0, 10.0)],
                vec![(8.0, 10.0), (8.0, 5.0), (10.0, 5.0)]
            ]
        );
    }
}
