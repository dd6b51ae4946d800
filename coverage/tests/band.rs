//! Sea-band coverage on the demo county (radars and a subset of the cameras, to keep debug
//! test runs short): the what-if band, which recomputes only the cells the changed views
//! reach, against a fresh baseline of the changed sensors, and the band with no sensors
//! against the band area computed separately.

mod common;

use common::demo;
use tidewatch_coverage::{BandCoverage, Camera, Change, Params, Sensor, Status};

fn sensors() -> Vec<Sensor> {
    let mut s = demo::radars();
    s.extend(demo::cameras().into_iter().take(400));
    s
}

fn assert_close(a: &BandCoverage, b: &BandCoverage) {
    let tolerance = 1e-6 * a.band_area_m2;
    assert!(
        (a.unseen_area_m2 - b.unseen_area_m2).abs() <= tolerance,
        "{} vs {} m²",
        a.unseen_area_m2,
        b.unseen_area_m2
    );
    assert_eq!(a.gaps.len(), b.gaps.len());
}

#[test]
fn what_if_band_matches_a_fresh_baseline() {
    let model = demo::model();
    let base = model.baseline(sensors(), Params::default()).unwrap();
    let (lon, lat) = demo::cameras()[10].position();
    let added = Sensor::camera(
        "new-thermal",
        Status::Working,
        Camera {
            lon,
            lat,
            height_m: 12.0,
            bearing_deg: 90.0,
            fov_deg: 60.0,
            range_day_m: 5000.0,
            range_night_m: 5000.0,
            thermal: true,
        },
    );
    let changes = [
        Change::Fail {
            id: "radar-1".into(),
        },
        Change::Add(added.clone()),
    ];
    let w = model.what_if(&base, &changes).unwrap();
    let incremental = w.band_coverage(&model, &base).unwrap();

    let mut changed = sensors();
    changed
        .iter_mut()
        .find(|s| s.id == "radar-1")
        .unwrap()
        .status = Status::Failed;
    changed.push(added);
    let fresh = model.baseline(changed, Params::default()).unwrap();
    let fresh = fresh.band_coverage(&model).unwrap();
    assert_close(&incremental, fresh);
    assert!(incremental.unseen_area_m2 > base.band_coverage(&model).unwrap().unseen_area_m2);
}

#[test]
fn with_no_sensors_the_whole_band_is_unseen() {
    let model = demo::model();
    let b = model.baseline(Vec::new(), Params::default()).unwrap();
    let band = b.band_coverage(&model).unwrap();
    let tolerance = 1e-6 * band.band_area_m2;
    assert!(
        (band.unseen_area_m2 - band.band_area_m2).abs() <= tolerance,
        "unseen {} m² of a {} m² band",
        band.unseen_area_m2,
        band.band_area_m2
    );
    let total: f64 = band.gaps.iter().map(|g| g.area_m2).sum();
    assert_eq!(total, band.unseen_area_m2);
    assert!(band.gaps.windows(2).all(|g| g[0].area_m2 >= g[1].area_m2));
}
