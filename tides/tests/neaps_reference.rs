//! Accuracy against an independent implementation: @neaps/tide-predictor 0.11.0 on
//! Kanmen's TICON-4 constants, 2026-11-15 to 2026-12-15 (tests/data/kanmen_neaps.csv,
//! written by reference/make_reference.mjs; no node needed here).

mod common;

use tidewatch_tides::{HarmonicStation, Station};

#[test]
fn heights_agree_with_neaps_within_1_cm() {
    let r = common::reference();
    let station: Station = HarmonicStation::new(r.constants).unwrap().into();
    let (from, to) = (r.heights[0].0, r.heights[r.heights.len() - 1].0);
    let ours = station.heights(from, to, 600).unwrap();
    assert_eq!(ours.heights_m.len(), r.heights.len());
    assert_eq!(ours.datum, "TLT");
    let mut worst: f64 = 0.0;
    for ((t, mine), (t_ref, theirs)) in ours.points().zip(&r.heights) {
        assert_eq!(t, *t_ref);
        worst = worst.max((mine - theirs).abs());
        // A single height must agree with the series.
        if t % 86_400 == 3_600 {
            assert!((station.height(t).unwrap() - mine).abs() < 1e-9);
        }
    }
    println!("max height difference from Neaps: {:.2} mm", worst * 1000.0);
    assert!(worst < 0.01, "max height difference {worst} m");
}

#[test]
fn high_and_low_waters_agree_with_neaps_within_60_s() {
    let r = common::reference();
    let station: Station = HarmonicStation::new(r.constants).unwrap().into();
    let (from, to) = (r.heights[0].0, r.heights[r.heights.len() - 1].0);
    let ours = station.extremes(from, to).unwrap().extremes;
    assert_eq!(ours.len(), r.extremes.len(), "number of extremes");
    let (mut worst_time, mut worst_height): (f64, f64) = (0.0, 0.0);
    for (mine, (time, height, kind)) in ours.iter().zip(&r.extremes) {
        assert_eq!(mine.kind, *kind);
        worst_time = worst_time.max((mine.time as f64 - time).abs());
        worst_height = worst_height.max((mine.height_m - height).abs());
    }
    println!(
        "{} extremes; max time difference from Neaps {worst_time:.1} s, height {:.2} mm",
        ours.len(),
        worst_height * 1000.0
    );
    assert!(worst_time <= 60.0, "max time difference {worst_time} s");
    assert!(worst_height < 0.01);
}
