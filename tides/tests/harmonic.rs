//! Properties of the harmonic engine on Kanmen: high and low waters are true extremes of
//! the curve, to the second; the curve is continuous where f, u and V are recomputed.

mod common;

use tidewatch_tides::{ExtremeKind, Station, DAY};

#[test]
fn extremes_are_the_curve_extremes_to_the_second() {
    let station: Station = common::kanmen_full().into();
    let from = 1_794_700_800; // 2026-11-15T00:00Z
    let extremes = station.extremes(from, from + 30 * DAY).unwrap().extremes;
    assert!(extremes.len() > 110);
    for pair in extremes.windows(2) {
        assert_ne!(pair[0].kind, pair[1].kind, "kinds alternate at Kanmen");
    }
    for e in &extremes {
        let h = station.height(e.time).unwrap();
        assert!((h - e.height_m).abs() < 5e-4);
        for offset in [-20, 20] {
            let beside = station.height(e.time + offset).unwrap();
            match e.kind {
                ExtremeKind::High => assert!(beside < h, "HW at {} not a maximum", e.time),
                ExtremeKind::Low => assert!(beside > h, "LW at {} not a minimum", e.time),
            }
        }
    }
}

#[test]
fn curve_is_continuous_across_utc_midnight() {
    let station: Station = common::kanmen_full().into();
    let midnight = 1_794_700_800;
    // The last second of a day uses that day's parameters, the next second the next
    // day's: the jump must be no more than the curve's own change over a second.
    for day in 0..30 {
        let t = midnight + day * DAY;
        let before = station.height(t - 1).unwrap();
        let after = station.height(t).unwrap();
        let next = station.height(t + 1).unwrap();
        let jump = (after - before) - (next - after);
        assert!(jump.abs() < 5e-4, "day {day}: {jump} m");
    }
}
