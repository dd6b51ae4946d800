//! High and low waters of a harmonic station: the zeros of the curve's analytic
//! derivative h'(t) = −Σ f·H·ω·sin(φ), bracketed by a scan every 30 minutes and then
//! refined by Newton's method on h' (using h''), kept inside the bracket by bisection,
//! to under 0.01 s.
//!
//! 30 minutes is under a quarter of the shortest spacing of extremes (about 3 h between a
//! high and a low water at semidiurnal stations), so every real high/low pair is seen.
//! Two extremes closer than that (a small shallow-water wiggle on a slack) can fall into
//! one scan interval and are then not reported; both lie within 30 minutes and a few
//! millimetres of each other.

use crate::harmonic::{Chunk, HarmonicStation, Rotor};
use crate::station::{Extreme, ExtremeKind};
use crate::time::DAY;

/// Scan step for bracketing the zeros of h'.
const SCAN_STEP: i64 = 1800;
/// Refinement stops when the root is known to this many seconds.
const TOLERANCE_S: f64 = 0.01;

/// High and low waters with `from <= time <= to`, in time order.
pub(crate) fn harmonic_extremes(station: &HarmonicStation, from: i64, to: i64) -> Vec<Extreme> {
    let mut found = Vec::new();
    let mut t = from;
    let mut previous: Option<(i64, f64)> = None;
    while t <= to {
        let chunk = station.chunk(t);
        let chunk_end = (chunk.start + DAY).min(to + 1);
        let count = (chunk_end - 1 - t) / SCAN_STEP + 1;
        let mut rotor = Rotor::new(&chunk, t, SCAN_STEP);
        for k in 0..count {
            let time = t + k * SCAN_STEP;
            let slope = rotor.slope_and_advance();
            if let Some((a, slope_a)) = previous {
                bracket(station, &chunk, (a, slope_a), (time, slope), &mut found);
            }
            previous = Some((time, slope));
        }
        t += count * SCAN_STEP;
    }
    // The last scan point can fall short of `to`: close the range with one more bracket.
    if let Some((a, slope_a)) = previous.filter(|(a, _)| *a < to) {
        let chunk = station.chunk(a);
        let (slope_to, _) = chunk.slope_and_curvature(to as f64);
        bracket(station, &chunk, (a, slope_a), (to, slope_to), &mut found);
    }
    found
}

/// Records the extreme in [a, b] if h' changes sign there.
fn bracket(
    station: &HarmonicStation,
    chunk: &Chunk,
    (a, slope_a): (i64, f64),
    (b, slope_b): (i64, f64),
    found: &mut Vec<Extreme>,
) {
    let kind = if slope_a > 0.0 && slope_b <= 0.0 {
        ExtremeKind::High
    } else if slope_a < 0.0 && slope_b >= 0.0 {
        ExtremeKind::Low
    } else {
        return;
    };
    let root = refine(chunk, a as f64, b as f64, slope_a, slope_b);
    let time = root.round() as i64;
    found.push(Extreme {
        time,
        height_m: chunk.height(root) + station.z0(),
        kind,
    });
}

/// The zero of h' in [lo, hi], where h' has opposite signs at the ends: Newton steps from
/// the secant estimate, falling back to bisection whenever a step leaves the bracket.
fn refine(chunk: &Chunk, mut lo: f64, mut hi: f64, slope_lo: f64, slope_hi: f64) -> f64 {
    let rising_at_lo = slope_lo > 0.0;
    let mut t = lo + (hi - lo) * slope_lo / (slope_lo - slope_hi);
    for _ in 0..60 {
        let (slope, curvature) = chunk.slope_and_curvature(t);
        if slope == 0.0 {
            return t;
        }
        if (slope > 0.0) == rising_at_lo {
            lo = t;
        } else {
            hi = t;
        }
        let newton = t - slope / curvature;
        let next = if newton > lo && newton < hi && curvature != 0.0 {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if (next - t).abs() < TOLERANCE_S || hi - lo < TOLERANCE_S {
            return next;
        }
        t = next;
    }
    t
}
