//! Sets of parameter intervals on one segment: sorted, disjoint (t0, t1) pairs in [0, 1].

/// Intervals closer than this (in segment parameter) are joined.
const JOIN_GAP: f64 = 1e-12;

pub(crate) type Intervals = Vec<(f64, f64)>;

/// Sorts and merges `v[first..]` in place.
pub(crate) fn normalize_tail(v: &mut Intervals, first: usize) {
    v[first..].sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut w = first;
    for r in first..v.len() {
        let (t0, t1) = v[r];
        if w > first && t0 <= v[w - 1].1 + JOIN_GAP {
            v[w - 1].1 = v[w - 1].1.max(t1);
        } else {
            v[w] = (t0, t1);
            w += 1;
        }
    }
    v.truncate(w);
}

/// Union of any number of intervals, sorted and merged.
pub(crate) fn union(items: impl IntoIterator<Item = (f64, f64)>) -> Intervals {
    let mut v: Intervals = items.into_iter().collect();
    normalize_tail(&mut v, 0);
    v
}

/// Total parameter length.
pub(crate) fn measure(v: &[(f64, f64)]) -> f64 {
    v.iter().map(|(a, b)| b - a).sum()
}

/// [0, 1] minus `v` (which must be normalized).
pub(crate) fn complement(v: &[(f64, f64)]) -> Intervals {
    let mut out = Vec::new();
    let mut at = 0.0;
    for &(t0, t1) in v {
        if t0 > at {
            out.push((at, t0));
        }
        at = at.max(t1);
    }
    if at < 1.0 {
        out.push((at, 1.0));
    }
    out
}

/// Intersection of two normalized sets.
pub(crate) fn intersection(a: &[(f64, f64)], b: &[(f64, f64)]) -> Intervals {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let lo = a[i].0.max(b[j].0);
        let hi = a[i].1.min(b[j].1);
        if hi > lo {
            out.push((lo, hi));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Measure of `a` minus `b` (both normalized).
pub(crate) fn difference_measure(a: &[(f64, f64)], b: &[(f64, f64)]) -> f64 {
    (measure(a) - measure(&intersection(a, b))).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_complement_intersection() {
        let u = union([(0.5, 0.7), (0.1, 0.2), (0.15, 0.3), (0.7, 0.8)]);
        assert_eq!(u, vec![(0.1, 0.3), (0.5, 0.8)]);
        assert_eq!(complement(&u), vec![(0.0, 0.1), (0.3, 0.5), (0.8, 1.0)]);
        assert_eq!(
            intersection(&u, &[(0.2, 0.6)]),
            vec![(0.2, 0.3), (0.5, 0.6)]
        );
        assert!((difference_measure(&u, &[(0.2, 0.6)]) - 0.3).abs() < 1e-12);
        assert_eq!(complement(&[(0.0, 1.0)]), vec![]);
    }
}
