//! Sunrise, sunset and civil twilight with NOAA's solar calculator equations (Meeus's
//! low-precision Sun: about 0.01° in declination, a few seconds in the equation of time),
//! each event iterated on the Sun's position at the event itself, which keeps it within
//! a minute of the NOAA calculator at any latitude where the event happens. Where the Sun
//! stays above or below the altitude all day (polar day and night), the result says so.

use crate::time::{julian_centuries, Date, Zone, DAY};
use crate::{validate, TideError};

/// Sun altitude at sunrise and sunset: upper limb on the horizon with standard refraction.
pub const SUNRISE_ALTITUDE_DEG: f64 = -0.833;
/// Sun altitude at civil dawn and dusk.
pub const CIVIL_ALTITUDE_DEG: f64 = -6.0;

/// When the Sun crosses an altitude on a day, or why it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crossing {
    /// Unix seconds (UTC).
    At(i64),
    /// The Sun stays above the altitude all day (midnight sun for sunset).
    AlwaysAbove,
    /// The Sun stays below the altitude all day (polar night for sunrise).
    AlwaysBelow,
}

/// The Sun's events of one local calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SunDay {
    pub civil_dawn: Crossing,
    pub sunrise: Crossing,
    pub sunset: Crossing,
    pub civil_dusk: Crossing,
}

/// Rising (morning) or setting (evening) crossing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Rising,
    Setting,
}

/// Sun events at a position on a calendar day of `zone`.
pub fn sun_day(lon: f64, lat: f64, date: Date, zone: Zone) -> Result<SunDay, TideError> {
    validate::position(lon, lat)?;
    let event = |altitude, side| crossing(lon, lat, date, zone, altitude, side);
    Ok(SunDay {
        civil_dawn: event(CIVIL_ALTITUDE_DEG, Side::Rising),
        sunrise: event(SUNRISE_ALTITUDE_DEG, Side::Rising),
        sunset: event(SUNRISE_ALTITUDE_DEG, Side::Setting),
        civil_dusk: event(CIVIL_ALTITUDE_DEG, Side::Setting),
    })
}

/// Sunrise and sunset (or dawn and dusk) of a day, for night intervals.
pub(crate) fn rise_and_set(lon: f64, lat: f64, date: Date, altitude: f64) -> (Crossing, Crossing) {
    (
        crossing(lon, lat, date, Zone::Shanghai, altitude, Side::Rising),
        crossing(lon, lat, date, Zone::Shanghai, altitude, Side::Setting),
    )
}

fn crossing(lon: f64, lat: f64, date: Date, zone: Zone, altitude: f64, side: Side) -> Crossing {
    // Start from the local day's mean solar noon, then move to the event and recompute the
    // Sun there; three rounds settle to well under a second.
    let midnight_utc = (date.days_since_epoch() * DAY) as f64;
    let local_noon = midnight_utc + 43_200.0 - zone.offset_seconds() as f64;
    // Keep the solar noon on this local day: shift by whole days when the zone's noon and
    // the meridian's noon differ by more than half a day.
    let noon_shift = ((local_noon - (midnight_utc + 43_200.0 - lon * 240.0)) / DAY as f64).round();
    let mut t = local_noon;
    for _ in 0..3 {
        let (declination, equation_of_time_min) = sun_position(t);
        let noon = midnight_utc
            + noon_shift * DAY as f64
            + (720.0 - 4.0 * lon - equation_of_time_min) * 60.0;
        let (phi, delta) = (lat.to_radians(), declination.to_radians());
        let cos_h =
            (altitude.to_radians().sin() - phi.sin() * delta.sin()) / (phi.cos() * delta.cos());
        if cos_h > 1.0 {
            return Crossing::AlwaysBelow;
        }
        if cos_h < -1.0 {
            return Crossing::AlwaysAbove;
        }
        let half_day = cos_h.acos().to_degrees() * 240.0;
        t = match side {
            Side::Rising => noon - half_day,
            Side::Setting => noon + half_day,
        };
    }
    Crossing::At(t.round() as i64)
}

/// The Sun's apparent declination (degrees) and the equation of time (minutes) at an
/// instant, as in NOAA's solar calculator.
fn sun_position(unix_seconds: f64) -> (f64, f64) {
    let t = julian_centuries(unix_seconds);
    let mean_longitude = (280.466_46 + t * (36_000.769_83 + 0.000_303_2 * t)).rem_euclid(360.0);
    let mean_anomaly = 357.529_11 + t * (35_999.050_29 - 0.000_153_7 * t);
    let eccentricity = 0.016_708_634 - t * (0.000_042_037 + 0.000_000_126_7 * t);
    let m = mean_anomaly.to_radians();
    let centre = m.sin() * (1.914_602 - t * (0.004_817 + 0.000_014 * t))
        + (2.0 * m).sin() * (0.019_993 - 0.000_101 * t)
        + (3.0 * m).sin() * 0.000_289;
    let omega = (125.04 - 1_934.136 * t).to_radians();
    let apparent_longitude =
        (mean_longitude + centre - 0.005_69 - 0.004_78 * omega.sin()).to_radians();
    let mean_obliquity =
        23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.000_59 - t * 0.001_813))) / 60.0) / 60.0;
    let obliquity = (mean_obliquity + 0.002_56 * omega.cos()).to_radians();
    let declination = (obliquity.sin() * apparent_longitude.sin())
        .asin()
        .to_degrees();
    let y = (obliquity / 2.0).tan().powi(2);
    let l0 = mean_longitude.to_radians();
    let e = eccentricity;
    let equation_of_time = y * (2.0 * l0).sin() - 2.0 * e * m.sin()
        + 4.0 * e * y * m.sin() * (2.0 * l0).cos()
        - 0.5 * y * y * (4.0 * l0).sin()
        - 1.25 * e * e * (2.0 * m).sin();
    (declination, 4.0 * equation_of_time.to_degrees())
}
