//! Tide prediction for Tidewatch: heights, high and low waters, sunrise and sunset, and
//! the night tide windows of issue 7. Pure computation: no I/O, no clock, no allocation
//! beyond the results. Every instant is Unix seconds in UTC (`i64`); [`format_rfc3339`]
//! shows one in UTC or Asia/Shanghai.
//!
//! # Use
//!
//! ```
//! use tidewatch_tides::*;
//!
//! let station: Station = HarmonicStation::new(HarmonicConstants {
//!     lon: 121.282,
//!     lat: 28.088,
//!     datum: "TLT".into(),
//!     msl_above_datum_m: 3.555,
//!     constituents: vec![
//!         ConstituentInput { name: "M2".into(), amplitude_m: 1.877, phase_deg: 22.33 },
//!         ConstituentInput { name: "S2".into(), amplitude_m: 0.679, phase_deg: 54.68 },
//!         ConstituentInput { name: "K1".into(), amplitude_m: 0.300, phase_deg: 98.62 },
//!     ],
//! })?
//! .into();
//! let from = Zone::Shanghai.instant(Date::new(2026, 11, 28)?, 0, 0, 0);
//! let to = from + 2 * DAY;
//! let curve = station.heights(from, to, 600)?; // every 10 minutes, metres above TLT
//! assert_eq!(curve.heights_m.len(), 289);
//! let tides = station.extremes(from, to)?; // high and low waters, to the second
//! assert!(tides.extremes.len() >= 7);
//! let night = NightRule::parse("22:00-05:00")?;
//! for w in windows(&station, from, to, 2 * 3600, 2 * 3600, &night, Some(5.0))? {
//!     println!(
//!         "HW {} {:.2} m {}: window {} to {}",
//!         format_rfc3339(w.high_water.time, Zone::Shanghai),
//!         w.high_water.height_m,
//!         tides.datum,
//!         format_rfc3339(w.start, Zone::Shanghai),
//!         format_rfc3339(w.end, Zone::Shanghai),
//!     );
//! }
//! let sun = sun_day(121.95, 29.2, Date::new(2026, 11, 28)?, Zone::Shanghai)?;
//! assert!(matches!(sun.sunset, Crossing::At(_)));
//! # Ok::<(), TideError>(())
//! ```
//!
//! # The pieces
//!
//! - [`Station`]: a [`HarmonicStation`] (from [`HarmonicConstants`]) or a [`TableStation`]
//!   (from a [`TideTableInput`] of high and low waters); ask either for
//!   [`Station::height`], [`Station::heights`] ([`HeightSeries`]) and
//!   [`Station::extremes`] ([`ExtremeSeries`]). Heights are metres above the station's
//!   datum, whose name every series carries.
//! - [`sun_day`]: civil dawn, sunrise, sunset, civil dusk ([`Crossing::AlwaysAbove`] /
//!   [`Crossing::AlwaysBelow`] where the Sun does not cross).
//! - [`windows`] with a [`NightRule`], giving [`TideWindow`]s; [`nights`] alone.
//! - [`validate`]: the request limits ([`validate::MAX_RANGE_DAYS`],
//!   [`validate::MAX_POINTS`]) and checks; every error is a [`TideError`].
//!
//! # Harmonic prediction and its conventions
//!
//! h(t) = Z0 + Σ f·H·cos(V(t) + u − G), Z0 being mean sea level above the datum. The
//! astronomical arguments T, s, h, p, N, p1 come from Meeus's polynomials; V is
//! Schureman's equilibrium argument of each constituent; f and u are Schureman's nodal
//! corrections. They are **continuous**, not fixed per year: V and the speeds are
//! recomputed at every UTC midnight and f, u at every UTC noon (XTide instead takes f and
//! u at mid-year and V at 1 January for a whole year, which differs by up to ~2 cm).
//! High and low waters are the zeros of the analytic derivative, bracketed every 30
//! minutes and refined to 0.01 s (reported to the nearest second).
//!
//! Constants published by different bodies do not all use the same V for the same name.
//! This crate reads TICON-4 constants (the project's data) as Neaps does, which is
//! Schureman's V for NOAA's constituents except:
//! - **SA** is V = h (NOAA, Neaps). The TICON-4 manual lists Doodson 056.554 (h − p1, as
//!   Foreman and UTide): that shifts the annual term by 77°, up to 15 cm for Kanmen's
//!   12 cm Sa. Kanmen's SA phase (178.7°) gives a sea level highest in late September
//!   with V = h, when that coast's sea level generally is, and in early July with h − p1
//!   (a plausibility argument: the least certain choice here).
//! - **M3** is V = 3T − 3s + 3h + 180° (IHO, Foreman, Neaps); NOAA's M3 has no 180°.
//! - **M1** is NOAA's (T − s + h + p − 90°) with Schureman's f and u, Q taken in P's
//!   quadrant. Neaps takes Q as a principal arctangent, 180° off whenever P is in the
//!   second or third quadrant, and its IHO default uses another formula.
//! - **MKS2, 3N2, 3L2** are TICON-4's own (Doodson 245.555, 257.555, 265.555): TICON's
//!   3N2 is the IHO's MKS2 (M2 + K2 − S2); Neaps 0.11 reads TICON's MKS2 as that as well.
//! - **R3** is read as SK3 (3T + h − 90°, K1's nodal correction) and **T3** as 3T − h, as
//!   Neaps does; **MA2, MB2** take M2's nodal correction (Neaps: none).
//!
//! Against `@neaps/tide-predictor` 0.11.0 with Schureman's nodal corrections on Kanmen's
//! constants without M1 and MKS2 (`tests/neaps_reference.rs`, `reference/README.md`),
//! heights every 10 minutes for a month agree within 0.82 mm and the 116 high and low
//! water times within 2.4 s. The demo's UTide high waters agree within 312 s.
//!
//! # Speed
//!
//! `cargo bench -p tidewatch-tides` (release, 2 cores): a year of one-minute heights for
//! one 50-constituent station in 37 ms; a year of high and low waters for ten stations in
//! 44 ms (Neaps: 1,050 ms and 1,120 ms for the same work).

mod astro;
mod constituents;
mod error;
mod extremes;
mod harmonic;
mod nodal;
mod station;
mod sun;
mod table;
mod time;
pub mod validate;
mod windows;

pub use constituents::known_constituents;
pub use error::TideError;
pub use harmonic::{ConstituentInput, HarmonicConstants, HarmonicStation};
pub use station::{Extreme, ExtremeKind, ExtremeSeries, HeightSeries, Station};
pub use sun::{sun_day, Crossing, SunDay, CIVIL_ALTITUDE_DEG, SUNRISE_ALTITUDE_DEG};
pub use table::{TableStation, TideTableInput};
pub use time::{format_rfc3339, Date, Zone, DAY};
pub use windows::{nights, windows, Interval, NightRule, TideWindow};
