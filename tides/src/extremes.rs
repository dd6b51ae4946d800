//! High and low waters of a harmonic station: the zeros of the curve's analytic
//! derivative h'(t) = −Σ f·H·ω·sin(φ). A scan every 30 minutes brackets them, a walk in
//! five-minute steps inside the bracket narrows each to five minutes, and Newton's method
//! on h' (with h'') finishes to under 0.01 s; the result is reported to the nearest
//! second. Scan and walk rotate the constituents' phasors (no trigonometry), Newton uses
//! the Taylor series of the rotation, so a year of extremes costs little more than the
//! 17,520 scan points.
//!
//! 30 minutes is under a quarter of the shortest spacing of extremes (about 3 h between a
//! high and a low water at semidiurnal stations), so every real high/low pair is seen.
//! Two extremes closer than that (a small shallow-water wiggle on a slack) can fall into
//! one scan interval and are then not reported; both lie within 30 minutes and a few
//! millimetres of each other.

use crate::harmonic::{HarmonicStation, Phasors, Step};
use crate::station::{Extreme, ExtremeKind};
use crate::time::DAY;

/// Scan step for bracketing the zeros of h'.
const SCAN_STEP: i64 = 1800;
/// Step of the walk inside a bracket; short enough for `Phasors::near` (ω·Δ ≤ 0.17 rad
/// for M8).
const WALK_STEP: i64 = 300;
/// Newton stops when its step is under this many seconds.
const TOLERANCE_S: f64 = 0.01;

/// Rotations for the walk, forwards and back.
struct Walk {
    forwards: Step,
    backwards: Step,
}

/// High and low waters with `from <= time <= to`, in time order.
pub(crate) fn harmonic_extremes(station: &HarmonicStation, from: i64, to: i64) -> Vec<Extreme> {
    let mut found = Vec::new();
    // The previous scan point's time and slope.
    let mut previous: Option<(i64, f64)> = None;
    let mut walk = None;
    let mut t = from;
    while t <= to {
        let chunk = station.chunk(t);
        let chunk_end = (chunk.start + DAY).min(to + 1);
        let count = (chunk_end - 1 - t) / SCAN_STEP + 1;
        let mut phasors = Phasors::new(&chunk, t);
        let forwards = phasors.step(WALK_STEP as f64);
        let scan = forwards.power(SCAN_STEP / WALK_STEP);
        let scan_back = scan.backwards();
        let walk: &Walk = walk.insert(Walk {
            backwards: forwards.backwards(),
            forwards,
        });
        for k in 0..count {
            let time = t + k * SCAN_STEP;
            let slope = phasors.slope();
            if let Some((a, slope_a)) = previous {
                if let Some(kind) = crossing(slope_a, slope) {
                    // Back to the bracket's start, with this day's parameters.
                    let mut at_a = phasors.clone();
                    at_a.advance(&scan_back);
                    found.push(refine(at_a, a, slope_a, time, kind, walk));
                }
            }
            previous = Some((time, slope));
            phasors.advance(&scan);
        }
        t += count * SCAN_STEP;
    }
    // The last scan point can fall short of `to`: close the range with one more bracket.
    if let (Some((a, slope_a)), Some(walk)) = (previous.filter(|p| p.0 < to), walk.as_ref()) {
        let mut at_a = Phasors::new(&station.chunk(to), to);
        if let Some(kind) = crossing(slope_a, at_a.slope()) {
            at_a.advance(&at_a.step((a - to) as f64));
            found.push(refine(at_a, a, slope_a, to, kind, walk));
        }
    }
    found.retain(|e| e.time >= from && e.time <= to);
    for e in &mut found {
        e.height_m += station.z0();
    }
    found
}

/// High water where h' goes from positive to not, low water the other way.
fn crossing(slope_a: f64, slope_b: f64) -> Option<ExtremeKind> {
    if slope_a > 0.0 && slope_b <= 0.0 {
        Some(ExtremeKind::High)
    } else if slope_a < 0.0 && slope_b >= 0.0 {
        Some(ExtremeKind::Low)
    } else {
        None
    }
}

/// The extreme of `kind` between `a` (phasors and slope there) and `b`; its height is
/// without Z0.
fn refine(
    mut phasors: Phasors,
    a: i64,
    slope_a: f64,
    b: i64,
    kind: ExtremeKind,
    walk: &Walk,
) -> Extreme {
    // Walk to the step that holds the zero, then back to its start.
    let mut t = a;
    let mut slope_start = slope_a;
    let slope_end = loop {
        phasors.advance(&walk.forwards);
        let slope = phasors.slope();
        if crossing(slope_start, slope) == Some(kind) || t + WALK_STEP >= b {
            phasors.advance(&walk.backwards);
            break slope;
        }
        slope_start = slope;
        t += WALK_STEP;
    };
    // Newton from the linear interpolation, kept inside the step.
    let width = WALK_STEP as f64;
    let mut dt = if slope_start != slope_end {
        (width * slope_start / (slope_start - slope_end)).clamp(0.0, width)
    } else {
        0.5 * width
    };
    let mut height_m = 0.0;
    for _ in 0..10 {
        let (height, slope, curvature) = phasors.near(dt);
        height_m = height;
        if curvature == 0.0 {
            break;
        }
        let newton = slope / curvature;
        if newton.abs() < TOLERANCE_S {
            // The height hardly changes over the last 0.01 s at an extreme.
            break;
        }
        dt = (dt - newton).clamp(0.0, width);
    }
    Extreme {
        time: t + dt.round() as i64,
        height_m,
        kind,
    }
}
