//! Benchmarks on the demo county (run with `cargo bench -p tidewatch-coverage`): full
//! recompute, sea band, one-sensor what-ifs, suggest k = 5 over the 300 piers, and how the
//! cost grows with the number of sensors and the length of coastline.

#[path = "../tests/common/demo.rs"]
mod demo;

use std::time::{Duration, Instant};

use geo::MultiLineString;
use tidewatch_coverage::{
    Camera, CameraModel, Candidate, Change, CoverageModel, Params, Sensor, Status,
};

/// Runs `f` `runs` times; prints and returns (min, median).
fn measure<T>(label: &str, runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    let (min, median) = (times[0], times[runs / 2]);
    println!(
        "{label:<58} min {:>9.1} ms  median {:>9.1} ms",
        ms(min),
        ms(median)
    );
    (min, median)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let (land, coast, towns) = (demo::land(), demo::coastline(), demo::towns());
    measure("model (project + index land, coast, towns)", 5, || {
        CoverageModel::new(&land, &coast, towns.clone()).unwrap()
    });
    let model = CoverageModel::new(&land, &coast, towns.clone()).unwrap();
    let radars = demo::radars();
    let cameras = demo::cameras();
    let all: Vec<Sensor> = radars.iter().chain(&cameras).cloned().collect();
    let params = Params::default();

    measure(
        "full recompute: 8 radars + 2,200 cameras, 825 km (day)",
        7,
        || model.baseline(all.clone(), params.clone()).unwrap(),
    );
    let night = Params {
        mode: tidewatch_coverage::Mode::Night,
        ..params.clone()
    };
    measure("full recompute, night ranges", 5, || {
        model.baseline(all.clone(), night.clone()).unwrap()
    });
    measure("sea band 1 km: first request after a recompute", 3, || {
        let b = model.baseline(all.clone(), params.clone()).unwrap();
        b.band_coverage(&model).unwrap().unseen_area_m2
    });

    let baseline = model.baseline(all.clone(), params.clone()).unwrap();
    let thermal = Camera {
        lon: 121.95,
        lat: 29.2,
        height_m: 12.0,
        bearing_deg: 90.0,
        fov_deg: 60.0,
        range_day_m: 5000.0,
        range_night_m: 5000.0,
        thermal: true,
    };
    let pier = demo::piers()[40].clone();
    let add = vec![Change::Add(Sensor::camera(
        "new-thermal",
        Status::Working,
        Camera {
            lon: pier.2,
            lat: pier.3,
            ..thermal.clone()
        },
    ))];
    measure("what-if: add one thermal camera (coast)", 21, || {
        model.what_if(&baseline, &add).unwrap()
    });
    let fail_camera = vec![Change::Fail {
        id: "camera-100".into(),
    }];
    measure("what-if: fail one camera (coast)", 21, || {
        model.what_if(&baseline, &fail_camera).unwrap()
    });
    let (lon, lat) = cameras[500].position();
    let move_camera = vec![Change::Move {
        id: "camera-501".into(),
        lon: lon + 0.001,
        lat,
        bearing_deg: Some(180.0),
    }];
    measure("what-if: move one camera (coast)", 21, || {
        model.what_if(&baseline, &move_camera).unwrap()
    });
    let fail_radar = vec![Change::Fail {
        id: "radar-1".into(),
    }];
    measure("what-if: fail one radar (coast)", 21, || {
        model.what_if(&baseline, &fail_radar).unwrap()
    });
    baseline.band_coverage(&model).unwrap();
    for (label, changes) in [
        ("add one thermal camera", &add),
        ("fail one camera", &fail_camera),
        ("fail one radar", &fail_radar),
    ] {
        let w = model.what_if(&baseline, changes).unwrap();
        measure(
            &format!("what-if band (cells reached only): {label}"),
            5,
            || w.band_coverage(&model, &baseline).unwrap().unseen_area_m2,
        );
    }

    let candidates: Vec<Candidate> = demo::piers()
        .into_iter()
        .map(|(id, name, lon, lat)| Candidate { id, name, lon, lat })
        .collect();
    let camera_model = CameraModel {
        height_m: 12.0,
        fov_deg: 60.0,
        range_day_m: 5000.0,
        range_night_m: 5000.0,
        thermal: true,
        bearing_step_deg: 15.0,
    };
    measure(
        "suggest k = 5 over 300 piers (thermal 5 km, 60°, 24 bearings)",
        5,
        || {
            model
                .suggest(&baseline, 5, &candidates, &camera_model)
                .unwrap()
        },
    );

    println!("\ngrowth with the number of cameras (8 radars + n cameras, full recompute):");
    for n in [275, 550, 1100, 2200] {
        let some: Vec<Sensor> = radars.iter().chain(&cameras[..n]).cloned().collect();
        measure(&format!("  {n} cameras"), 5, || {
            model.baseline(some.clone(), params.clone()).unwrap()
        });
    }
    println!("growth with coastline length (first parts of the coastline, all sensors):");
    let parts = coast.0.len();
    for share in [4, 2, 1] {
        let part = MultiLineString::new(coast.0[..parts / share].to_vec());
        let m = CoverageModel::new(&land, &part, towns.clone()).unwrap();
        let km = m.coastline_length_m() / 1e3;
        measure(&format!("  {km:.0} km of coastline"), 5, || {
            m.baseline(all.clone(), params.clone()).unwrap()
        });
    }

    let s = baseline.summary();
    println!(
        "\ndemo county (day): {:.1} km coast, {:.1} km covered ({:.1} %), {} gaps",
        s.coastline_m / 1e3,
        s.covered_m / 1e3,
        s.percent_covered,
        s.gap_count
    );
    for t in &s.by_type {
        println!(
            "  {:?}: {} working, {:.1} km ({:.1} %)",
            t.sensor_type,
            t.working_sensors,
            t.covered_m / 1e3,
            t.percent_covered
        );
    }
    for g in baseline.gaps().iter().take(5) {
        let town = g.town.as_ref().map_or("-", |t| t.name_en.as_str());
        println!("  gap {}: {:.0} m near {town}", g.rank, g.length_m);
    }
    let band = baseline.band_coverage(&model).unwrap();
    println!(
        "  sea band {:.1} km²: {:.1} km² unseen in {} gaps",
        band.band_area_m2 / 1e6,
        band.unseen_area_m2 / 1e6,
        band.gaps.len()
    );
}
