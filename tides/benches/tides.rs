//! Prediction speed: a year of one-minute heights for one station, and a year of high and
//! low waters for ten stations (Kanmen's 50 constituents, phases shifted per copy).
//! Plain timing loop, best of several runs; `cargo bench -p tidewatch-tides`.
//! reference/bench_reference.mjs times @neaps/tide-predictor on the same work.

use std::hint::black_box;
use std::time::{Duration, Instant};
use tidewatch_tides::{ConstituentInput, HarmonicConstants, HarmonicStation, Station, DAY};

/// Kanmen's constants as the reference file lists them; `compared_only` keeps the 48
/// that Neaps also predicts (the set its timing uses).
fn kanmen(phase_shift_deg: f64, compared_only: bool) -> Station {
    let text = include_str!("../tests/data/kanmen_neaps.csv");
    let constituents = text
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            (f[0] == "constituent" && (!compared_only || f[4] == "compared")).then(|| {
                ConstituentInput {
                    name: f[1].to_owned(),
                    amplitude_m: f[2].parse().unwrap(),
                    phase_deg: f[3].parse::<f64>().unwrap() + phase_shift_deg,
                }
            })
        })
        .collect();
    HarmonicStation::new(HarmonicConstants {
        lon: 121.282,
        lat: 28.088,
        datum: "TLT".into(),
        msl_above_datum_m: 3.555,
        constituents,
    })
    .unwrap()
    .into()
}

fn best_of<T>(runs: usize, mut work: impl FnMut() -> T) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(work());
            start.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    // 2026-01-01T00:00Z.
    let from = 1_767_225_600;
    let to = from + 365 * DAY - 60;

    for (label, compared_only) in [("50 constituents", false), ("48 constituents", true)] {
        let station = kanmen(0.0, compared_only);
        let points = station.heights(from, to, 60).unwrap().heights_m.len();
        let took = best_of(10, || station.heights(from, to, 60).unwrap());
        println!(
            "heights, 1 station, 1 year at 1 min ({points} points, {label}): {:.1} ms",
            took.as_secs_f64() * 1e3
        );
    }

    let stations: Vec<Station> = (0..10)
        .map(|k| kanmen(17.0 * f64::from(k), false))
        .collect();
    let count: usize = stations
        .iter()
        .map(|s| s.extremes(from, to).unwrap().extremes.len())
        .sum();
    let took = best_of(10, || {
        stations
            .iter()
            .map(|s| s.extremes(from, to).unwrap().extremes.len())
            .sum::<usize>()
    });
    println!(
        "extremes, 10 stations, 1 year ({count} high and low waters, 50 constituents): {:.1} ms",
        took.as_secs_f64() * 1e3
    );

    let station = kanmen(0.0, false);
    let took = best_of(10, || {
        (0..365)
            .map(|d| station.height(from + d * DAY).unwrap())
            .sum::<f64>()
    });
    println!("365 single heights: {:.2} ms", took.as_secs_f64() * 1e3);
    let took = best_of(1000, || station.height(from + 12_345));
    println!("one height: {:.1} µs", took.as_secs_f64() * 1e6);
}
