//! The one error type of the crate: every way a station, a request or a parameter can be
//! wrong, each saying what and why, so the HTTP layer can answer 4xx with the message.

use thiserror::Error;

/// What went wrong. Every variant is a caller's mistake (bad input or a request outside
/// what the station or the limits allow); none is an internal failure.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TideError {
    #[error("unknown tidal constituent {name:?}")]
    UnknownConstituent { name: String },
    #[error("constituent {name} is given twice")]
    DuplicateConstituent { name: String },
    #[error("constituent {name}: {reason}")]
    InvalidConstituent { name: String, reason: String },
    #[error("invalid station: {0}")]
    InvalidStation(String),
    #[error("invalid tide table: {0}")]
    InvalidTable(String),
    #[error("{what} is not a number")]
    NotANumber { what: &'static str },
    #[error("empty time range: from ({from}) must be before to ({to})")]
    EmptyRange { from: i64, to: i64 },
    #[error("time range of {days:.1} days is longer than the maximum of {max_days} days")]
    RangeTooLong { days: f64, max_days: i64 },
    #[error("step must be a positive number of seconds, not {step}")]
    InvalidStep { step: i64 },
    #[error("{points} points requested, more than the maximum of {max}")]
    TooManyPoints { points: i64, max: i64 },
    #[error("time {time} is outside the tide table, which covers {first} to {last}")]
    OutsideTable { time: i64, first: i64, last: i64 },
    #[error("invalid night rule {input:?}: {reason}")]
    InvalidNight { input: String, reason: String },
    #[error("invalid tide window: {0}")]
    InvalidWindow(String),
    #[error("invalid position: {0}")]
    InvalidPosition(String),
    #[error("invalid date: {0}")]
    InvalidDate(String),
}
