//! Coverage of the coast by radars and cameras (issue 6): which stretches of coastline and of
//! the sea band in front of it no working sensor sees, what changes when sensors are added,
//! moved or fail, and where new cameras would close the most gap.
//!
//! Pure computation, no I/O. The server builds one [`CoverageModel`] from land, coastline and
//! towns (projected once to a local transverse Mercator plane, see [`projection`], and indexed
//! in R-trees), computes a [`Baseline`] for its sensors and [`Params`] and caches it, and
//! answers [`CoverageModel::what_if`] and [`CoverageModel::suggest`] against it.
//!
//! Visibility is exact over the land polygons (see [`visibility`](crate::visibility) for the
//! sweep and the rule for sensors standing on land); coastline coverage is exact per segment
//! as parameter intervals; the sea band uses polygon boolean operations.

mod band;
mod baseline;
mod coast;
mod error;
mod gaps;
mod intervals;
mod land;
mod model;
mod parallel;
mod plane;
pub mod projection;
mod sensor;
mod suggest;
mod visibility;
mod whatif;

pub use band::BandGap;
pub use baseline::{BandCoverage, Baseline, Params, SensorVisibility, MAX_BAND_WIDTH_M};
pub use error::{CoverageError, SensorError};
pub use gaps::{CoastGap, Summary, TownCoverage, TownName, TypeCoverage};
pub use model::{CoverageModel, Town};
pub use sensor::{
    radar_horizon_m, Camera, Mode, Radar, Sensor, SensorKind, SensorType, Status,
    DEFAULT_TARGET_HEIGHT_M,
};
pub use suggest::{CameraModel, Candidate, Suggestion, MAX_CANDIDATES};
pub use whatif::{Change, GapChange, WhatIf, MAX_CHANGES};
