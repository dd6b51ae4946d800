//! Typed errors: what was wrong with which input, in words a planner can act on.

use thiserror::Error;

/// A sensor description that cannot be analysed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SensorError {
    #[error("sensor id must not be empty")]
    EmptyId,
    #[error("sensor {id:?}: position ({lon}, {lat}) is not a lon/lat in degrees (lon -180..180, lat -90..90, no NaN)")]
    BadPosition { id: String, lon: f64, lat: f64 },
    #[error("sensor {id:?}: {field} must be a finite number greater than 0 m, got {value}")]
    BadRange {
        id: String,
        field: &'static str,
        value: f64,
    },
    #[error("sensor {id:?}: bearing_deg must be in [0, 360), got {value}")]
    BadBearing { id: String, value: f64 },
    #[error("sensor {id:?}: fov_deg must be in (0, 360], got {value}")]
    BadFov { id: String, value: f64 },
    #[error("sensor {id:?}: {field} must be a finite number of metres >= 0, got {value}")]
    BadHeight {
        id: String,
        field: &'static str,
        value: f64,
    },
}

/// Everything the coverage analysis can refuse.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CoverageError {
    #[error(transparent)]
    Sensor(#[from] SensorError),
    #[error("sensor id {0:?} appears more than once")]
    DuplicateSensorId(String),
    #[error("no sensor with id {0:?} in the baseline")]
    UnknownSensor(String),
    #[error("a what-if takes at most {limit} changes, got {count}")]
    TooManyChanges { count: usize, limit: usize },
    #[error("suggest takes at most {limit} candidate sites, got {count}")]
    TooManyCandidates { count: usize, limit: usize },
    #[error("parameter {name}: {reason}")]
    BadParameter { name: &'static str, reason: String },
    #[error("input geometry: {0}")]
    BadGeometry(String),
    #[error("this baseline was computed with a different coverage model (coastline of {baseline} segments, model has {model})")]
    ModelMismatch { baseline: usize, model: usize },
}
