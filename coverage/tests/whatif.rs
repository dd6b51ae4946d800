//! What-if consistency on the demo county (radars and a subset of the cameras, to keep debug
//! test runs short), suggestions, and refused inputs.

mod common;

use std::time::{Duration, Instant};

use common::demo;
use tidewatch_coverage::{
    Camera, CameraModel, Candidate, Change, CoverageError, Params, Sensor, SensorError, Status,
    MAX_CHANGES,
};

/// A small deterministic generator (SplitMix64) for the property cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn sensors() -> Vec<Sensor> {
    let mut s = demo::radars();
    s.extend(demo::cameras().into_iter().take(400));
    s
}

fn thermal(id: &str, lon: f64, lat: f64, bearing_deg: f64) -> Sensor {
    Sensor::camera(
        id,
        Status::Working,
        Camera {
            lon,
            lat,
            height_m: 12.0,
            bearing_deg,
            fov_deg: 60.0,
            range_day_m: 4000.0,
            range_night_m: 4000.0,
            thermal: true,
        },
    )
}

#[test]
fn no_changes_equals_the_baseline_exactly() {
    let model = demo::model();
    let b = model.baseline(sensors(), Params::default()).unwrap();
    let w = model.what_if(&b, &[]).unwrap();
    assert_eq!(&w.summary, b.summary());
    assert_eq!(w.gaps.as_slice(), b.gaps());
    assert_eq!((w.newly_covered_m, w.newly_lost_m), (0.0, 0.0));
    assert!(w.closed_gaps.is_empty() && w.shrunk_gaps.is_empty() && w.new_gaps.is_empty());
}

#[test]
fn adding_never_increases_gaps_and_failing_never_decreases_them() {
    let model = demo::model();
    let all = sensors();
    let b = model.baseline(all.clone(), Params::default()).unwrap();
    let piers = demo::piers();
    let mut rng = Rng(6);
    for case in 0..6 {
        let pier = &piers[(rng.next() * piers.len() as f64) as usize];
        let add = thermal(
            &format!("new-{case}"),
            pier.2,
            pier.3,
            (rng.next() * 360.0).floor(),
        );
        let w = model.what_if(&b, &[Change::Add(add.clone())]).unwrap();
        assert!(
            w.summary.covered_m >= b.summary().covered_m - 1e-6,
            "case {case}"
        );
        assert!(
            w.newly_lost_m == 0.0 && w.new_gaps.is_empty(),
            "case {case}"
        );
        assert!((w.summary.covered_m - b.summary().covered_m - w.newly_covered_m).abs() < 1e-3);
        // The incremental answer equals a full recompute with the sensor added.
        let mut with = all.clone();
        with.push(add);
        let full = model.baseline(with, Params::default()).unwrap();
        assert!(
            (w.summary.covered_m - full.summary().covered_m).abs() < 1e-6,
            "case {case}"
        );
        assert_eq!(w.gaps.len(), full.gaps().len(), "case {case}");

        let victim = &all[(rng.next() * all.len() as f64) as usize];
        let w = model
            .what_if(
                &b,
                &[Change::Fail {
                    id: victim.id.clone(),
                }],
            )
            .unwrap();
        assert!(
            w.summary.covered_m <= b.summary().covered_m + 1e-6,
            "case {case}"
        );
        assert!(w.newly_covered_m == 0.0 && w.closed_gaps.is_empty() && w.shrunk_gaps.is_empty());
    }
}

#[test]
fn moving_a_camera_and_failing_a_radar_are_reported() {
    let model = demo::model();
    let b = model.baseline(sensors(), Params::default()).unwrap();
    let w = model
        .what_if(
            &b,
            &[Change::Fail {
                id: "radar-1".into(),
            }],
        )
        .unwrap();
    assert!(w.newly_lost_m > 1000.0, "{}", w.newly_lost_m);
    assert!(!w.new_gaps.is_empty());
    let w = model
        .what_if(
            &b,
            &[Change::Move {
                id: "camera-3".into(),
                lon: 121.70,
                lat: 29.45,
                bearing_deg: Some(200.0),
            }],
        )
        .unwrap();
    assert_eq!(w.changed_visibility.len(), 1);
    assert!(matches!(
        model.what_if(&b, &[Change::Fail { id: "nope".into() }]),
        Err(CoverageError::UnknownSensor(_))
    ));
    assert!(matches!(
        model.what_if(&b, &[Change::Add(thermal("radar-1", 121.9, 29.3, 0.0))]),
        Err(CoverageError::DuplicateSensorId(_))
    ));
}

#[test]
fn suggestions_close_gaps_in_decreasing_steps() {
    let model = demo::model();
    let b = model.baseline(sensors(), Params::default()).unwrap();
    let candidates: Vec<Candidate> = demo::piers()
        .into_iter()
        .take(60)
        .map(|(id, name, lon, lat)| Candidate { id, name, lon, lat })
        .collect();
    let camera = CameraModel {
        height_m: 12.0,
        fov_deg: 60.0,
        range_day_m: 4000.0,
        range_night_m: 4000.0,
        thermal: true,
        bearing_step_deg: 30.0,
    };
    let picks = model.suggest(&b, 3, &candidates, &camera).unwrap();
    assert_eq!(picks.len(), 3);
    assert!(picks.windows(2).all(|w| w[0].closes_m >= w[1].closes_m));
    // Installing the picks closes what they claimed.
    let changes: Vec<Change> = picks
        .iter()
        .map(|p| {
            Change::Add(thermal(
                &format!("s-{}", p.candidate_id),
                p.lon,
                p.lat,
                p.bearing_deg,
            ))
        })
        .collect();
    let w = model.what_if(&b, &changes).unwrap();
    let claimed: f64 = picks.iter().map(|p| p.closes_m).sum();
    assert!(
        (w.newly_covered_m - claimed).abs() < 1e-3,
        "{} vs {claimed}",
        w.newly_covered_m
    );
}

#[test]
fn bad_input_is_refused_with_typed_errors() {
    let model = demo::model();
    let bad = |f: &dyn Fn(&mut Camera)| {
        let mut s = thermal("bad", 121.9, 29.3, 90.0);
        if let tidewatch_coverage::SensorKind::Camera(c) = &mut s.kind {
            f(c);
        }
        model.baseline(vec![s], Params::default()).unwrap_err()
    };
    assert!(matches!(
        bad(&|c| c.range_day_m = -100.0),
        CoverageError::Sensor(SensorError::BadRange {
            field: "range_day_m",
            ..
        })
    ));
    assert!(matches!(
        bad(&|c| c.bearing_deg = 400.0),
        CoverageError::Sensor(SensorError::BadBearing { .. })
    ));
    assert!(matches!(
        bad(&|c| c.lon = f64::NAN),
        CoverageError::Sensor(SensorError::BadPosition { .. })
    ));
    let b = model.baseline(demo::radars(), Params::default()).unwrap();
    let many: Vec<Change> = (0..100_000)
        .map(|i| Change::Add(thermal(&format!("x{i}"), 121.9, 29.3, 0.0)))
        .collect();
    let t = Instant::now();
    let err = model.what_if(&b, &many).unwrap_err();
    assert!(t.elapsed() < Duration::from_millis(100));
    assert_eq!(
        err,
        CoverageError::TooManyChanges {
            count: 100_000,
            limit: MAX_CHANGES
        }
    );
    assert_eq!(
        err.to_string(),
        "a what-if takes at most 10000 changes, got 100000"
    );
    let params = Params {
        band_width_m: f64::NAN,
        ..Params::default()
    };
    assert!(matches!(
        model.baseline(vec![], params),
        Err(CoverageError::BadParameter {
            name: "band_width_m",
            ..
        })
    ));
}
