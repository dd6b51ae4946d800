//! The demo traffic's Kanmen high waters (`KANMEN_HIGH_WATERS` in
//! demo/src/traffic/mod.rs, computed with UTide by demo/scripts/high_waters.py) must come
//! out of this engine within ±15 minutes. The constant is read from the demo's source, so
//! the two cannot drift apart unnoticed.

mod common;

use tidewatch_tides::{format_rfc3339, Station, Zone};

/// (Unix ms, metres above MSL) pairs of the constant.
fn demo_high_waters() -> Vec<(i64, f64)> {
    let source = include_str!("../../demo/src/traffic/mod.rs");
    let start = source
        .find("pub const KANMEN_HIGH_WATERS")
        .expect("KANMEN_HIGH_WATERS in demo/src/traffic/mod.rs");
    let block = &source[start..];
    let block = &block[..block.find("];").unwrap()];
    block
        .lines()
        .filter_map(|line| {
            let inner = line.trim().strip_prefix('(')?.split(')').next()?;
            let (ms, height) = inner.split_once(',')?;
            Some((
                ms.trim().replace('_', "").parse().ok()?,
                height.trim().parse().ok()?,
            ))
        })
        .collect()
}

#[test]
fn kanmen_high_waters_match_the_demo_within_15_minutes() {
    let expected = demo_high_waters();
    assert_eq!(expected.len(), 9);
    let station: Station = common::kanmen_full().into();
    let first = expected[0].0 / 1000;
    let last = expected[expected.len() - 1].0 / 1000;
    let msl = 3.903 - 0.348; // Kanmen's MSL above TLT.
    let ours = common::high_waters(
        &station
            .extremes(first - 3 * 3600, last + 3 * 3600)
            .unwrap()
            .extremes,
    );
    assert_eq!(ours.len(), expected.len());
    let mut worst_time = 0;
    let mut worst_height: f64 = 0.0;
    for (mine, (ms, above_msl)) in ours.iter().zip(&expected) {
        let diff = mine.time - ms / 1000;
        println!(
            "{} ours {:+.3} m above MSL, UTide {} {:+.3} m: {diff:+} s",
            format_rfc3339(mine.time, Zone::Shanghai),
            mine.height_m - msl,
            format_rfc3339(ms / 1000, Zone::Shanghai),
            above_msl
        );
        worst_time = worst_time.max(diff.abs());
        worst_height = worst_height.max((mine.height_m - msl - above_msl).abs());
    }
    println!(
        "max difference from UTide: {worst_time} s, {:.1} cm",
        worst_height * 100.0
    );
    assert!(worst_time <= 15 * 60, "{worst_time} s");
}
