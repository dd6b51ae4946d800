//! Every validation the HTTP layer relies on rejects its bad case with a typed error.

mod common;

use tidewatch_tides::*;

fn kanmen() -> Station {
    common::kanmen_full().into()
}

#[test]
fn ranges_steps_and_points() {
    let s = kanmen();
    let t = 1_795_000_000;
    assert_eq!(
        s.heights(t, t, 60),
        Err(TideError::EmptyRange { from: t, to: t })
    );
    assert!(matches!(
        s.extremes(t, t - 1),
        Err(TideError::EmptyRange { .. })
    ));
    assert!(matches!(
        s.extremes(t, t + 367 * DAY),
        Err(TideError::RangeTooLong { .. })
    ));
    assert!(s.extremes(t, t + 366 * DAY).is_ok());
    assert_eq!(
        s.heights(t, t + 3600, 0),
        Err(TideError::InvalidStep { step: 0 })
    );
    assert_eq!(
        s.heights(t, t + 3600, -60),
        Err(TideError::InvalidStep { step: -60 })
    );
    assert!(matches!(
        s.heights(t, t + 366 * DAY, 30),
        Err(TideError::TooManyPoints { .. })
    ));
    assert_eq!(
        s.heights(t, t + 366 * DAY, 60).unwrap().heights_m.len() as i64,
        validate::MAX_POINTS
    );
    // Extreme instants of i64 do not overflow.
    assert!(matches!(
        validate::range(i64::MIN, i64::MAX),
        Err(TideError::RangeTooLong { .. })
    ));
}

#[test]
fn windows_arguments() {
    let s = kanmen();
    let t = 1_795_000_000;
    let night = NightRule::Civil;
    assert!(matches!(
        windows(&s, t, t + DAY, -1, 3600, &night, None),
        Err(TideError::InvalidWindow(_))
    ));
    assert!(matches!(
        windows(&s, t, t + DAY, 3600, 2 * DAY, &night, None),
        Err(TideError::InvalidWindow(_))
    ));
    assert_eq!(
        windows(&s, t, t + DAY, 3600, 3600, &night, Some(f64::NAN)),
        Err(TideError::NotANumber { what: "min_height" })
    );
    assert!(matches!(
        windows(&s, t, t, 3600, 3600, &night, None),
        Err(TideError::EmptyRange { .. })
    ));
}

fn constants(constituents: Vec<ConstituentInput>) -> HarmonicConstants {
    HarmonicConstants {
        lon: 121.282,
        lat: 28.088,
        datum: "TLT".into(),
        msl_above_datum_m: 3.555,
        constituents,
    }
}

fn c(name: &str, amplitude_m: f64, phase_deg: f64) -> ConstituentInput {
    ConstituentInput {
        name: name.into(),
        amplitude_m,
        phase_deg,
    }
}

#[test]
fn bad_constants() {
    let err = HarmonicStation::new(constants(vec![c("M2", 1.0, 0.0), c("XX7", 0.1, 0.0)]));
    assert_eq!(
        err.unwrap_err(),
        TideError::UnknownConstituent { name: "XX7".into() }
    );
    assert_eq!(
        TideError::UnknownConstituent { name: "XX7".into() }.to_string(),
        "unknown tidal constituent \"XX7\""
    );
    let twice = HarmonicStation::new(constants(vec![c("LAMBDA2", 1.0, 0.0), c("LAM2", 1.0, 0.0)]));
    assert!(matches!(twice, Err(TideError::DuplicateConstituent { .. })));
    for bad in [
        c("M2", f64::NAN, 0.0),
        c("M2", -1.0, 0.0),
        c("M2", 1.0, f64::INFINITY),
    ] {
        assert!(matches!(
            HarmonicStation::new(constants(vec![bad])),
            Err(TideError::InvalidConstituent { .. })
        ));
    }
    assert!(HarmonicStation::new(constants(vec![])).is_err());
    let mut nan_datum = constants(vec![c("M2", 1.0, 0.0)]);
    nan_datum.msl_above_datum_m = f64::NAN;
    assert!(matches!(
        HarmonicStation::new(nan_datum),
        Err(TideError::NotANumber { .. })
    ));
    let mut nowhere = constants(vec![c("M2", 1.0, 0.0)]);
    nowhere.lat = 91.0;
    assert!(matches!(
        HarmonicStation::new(nowhere),
        Err(TideError::InvalidPosition(_))
    ));
}
