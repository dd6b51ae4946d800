//! The engine's input: one position report of one vessel from one source.
//!
//! Identity: the server gives every report a [`VesselId`]. A vessel that carries both an
//! AIS transponder and a Beidou terminal (most Chinese fishing vessels do) must get the
//! same id for both, from the server's registry linking MMSI and Beidou terminal id; the
//! engine then keeps one *stream* per (vessel, [`Stream`]) for the dark rule, and one
//! track per vessel (reports of both sources merged) for the other rules. An unlinked
//! terminal is simply another vessel: its gaps are still found, but "AIS dark while Beidou
//! still reports" cannot be.

use crate::metric::LonLat;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The server's vessel id (one per physical vessel, see the module comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VesselId(pub u64);

/// Where a report came from. AIS class A (message types 1/2/3) and class B (18/19) report
/// at different rates, so the class is part of the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    AisClassA,
    AisClassB,
    Beidou,
}

/// A vessel's independent report streams: one AIS transponder, one Beidou terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    Ais,
    Beidou,
}

impl Source {
    pub fn stream(self) -> Stream {
        match self {
            Source::AisClassA | Source::AisClassB => Stream::Ais,
            Source::Beidou => Stream::Beidou,
        }
    }
}

impl Stream {
    pub(crate) fn index(self) -> usize {
        match self {
            Stream::Ais => 0,
            Stream::Beidou => 1,
        }
    }
}

/// One position report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub vessel: VesselId,
    pub source: Source,
    /// Unix milliseconds (UTC), the time of the fix.
    pub time_ms: i64,
    pub position: LonLat,
    /// Speed over ground, knots.
    pub speed_kn: f64,
    /// Course over ground, degrees.
    pub course_deg: f64,
    /// True heading, degrees (class A AIS only).
    pub heading_deg: Option<f64>,
}

#[derive(Debug, Error, PartialEq)]
pub enum ReportError {
    #[error("vessel {vessel:?}: invalid position ({lon}, {lat})")]
    InvalidPosition {
        vessel: VesselId,
        lon: f64,
        lat: f64,
    },
    #[error("vessel {vessel:?}: invalid speed {speed_kn} kn")]
    InvalidSpeed { vessel: VesselId, speed_kn: f64 },
    #[error(
        "vessel {vessel:?} {stream:?}: report at {time_ms} is not after the last one at {last_ms}"
    )]
    OutOfOrder {
        vessel: VesselId,
        stream: Stream,
        time_ms: i64,
        last_ms: i64,
    },
}

impl Report {
    pub(crate) fn check(&self) -> Result<(), ReportError> {
        if !self.position.is_valid() {
            return Err(ReportError::InvalidPosition {
                vessel: self.vessel,
                lon: self.position.lon,
                lat: self.position.lat,
            });
        }
        if !(self.speed_kn.is_finite() && self.speed_kn >= 0.0) {
            return Err(ReportError::InvalidSpeed {
                vessel: self.vessel,
                speed_kn: self.speed_kn,
            });
        }
        Ok(())
    }
}
