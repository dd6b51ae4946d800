//! One station type for both sources (harmonic constants or a tide table), and the
//! output types, which carry the datum their heights refer to.

use crate::extremes::harmonic_extremes;
use crate::harmonic::HarmonicStation;
use crate::table::TableStation;
use crate::{validate, TideError};

/// High or low water.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtremeKind {
    High,
    Low,
}

/// One high or low water.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extreme {
    /// Unix seconds (UTC).
    pub time: i64,
    /// Metres above the station's datum.
    pub height_m: f64,
    pub kind: ExtremeKind,
}

/// Heights at regular steps.
#[derive(Debug, Clone, PartialEq)]
pub struct HeightSeries {
    /// The datum of every height.
    pub datum: String,
    /// Time of the first height and seconds between heights (Unix seconds, UTC).
    pub start: i64,
    pub step: i64,
    /// Metres above the datum.
    pub heights_m: Vec<f64>,
}

impl HeightSeries {
    /// (time, height) pairs.
    pub fn points(&self) -> impl Iterator<Item = (i64, f64)> + '_ {
        let (start, step) = (self.start, self.step);
        (0..)
            .map(move |k| start + k * step)
            .zip(self.heights_m.iter().copied())
    }
}

/// High and low waters over a range.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtremeSeries {
    /// The datum of every height.
    pub datum: String,
    /// In time order.
    pub extremes: Vec<Extreme>,
}

/// A tide station, whatever its source.
#[derive(Debug, Clone)]
pub enum Station {
    Harmonic(HarmonicStation),
    Table(TableStation),
}

impl From<HarmonicStation> for Station {
    fn from(station: HarmonicStation) -> Station {
        Station::Harmonic(station)
    }
}

impl From<TableStation> for Station {
    fn from(station: TableStation) -> Station {
        Station::Table(station)
    }
}

impl Station {
    /// The datum heights refer to.
    pub fn datum(&self) -> &str {
        match self {
            Station::Harmonic(s) => &s.datum,
            Station::Table(s) => &s.datum,
        }
    }

    /// (longitude, latitude) in degrees.
    pub fn position(&self) -> (f64, f64) {
        match self {
            Station::Harmonic(s) => (s.lon, s.lat),
            Station::Table(s) => (s.lon, s.lat),
        }
    }

    /// Height above the datum at an instant (Unix seconds). A table station fails outside
    /// its table.
    pub fn height(&self, instant: i64) -> Result<f64, TideError> {
        match self {
            Station::Harmonic(s) => Ok(s.height(instant)),
            Station::Table(s) => s.height(instant),
        }
    }

    /// Heights at `from`, `from + step`, ... up to and including `to`.
    pub fn heights(&self, from: i64, to: i64, step: i64) -> Result<HeightSeries, TideError> {
        let count = validate::series(from, to, step)?;
        let mut heights_m = Vec::with_capacity(count);
        match self {
            Station::Harmonic(s) => s.heights_into(from, to, step, &mut heights_m),
            Station::Table(s) => {
                s.check_covers(from, to)?;
                for k in 0..count as i64 {
                    heights_m.push(s.height(from + k * step)?);
                }
            }
        }
        Ok(HeightSeries {
            datum: self.datum().to_owned(),
            start: from,
            step,
            heights_m,
        })
    }

    /// High and low waters with `from <= time <= to`, in time order.
    pub fn extremes(&self, from: i64, to: i64) -> Result<ExtremeSeries, TideError> {
        validate::range(from, to)?;
        let extremes = match self {
            Station::Harmonic(s) => harmonic_extremes(s, from, to),
            Station::Table(s) => {
                s.check_covers(from, to)?;
                s.extremes(from, to)
            }
        };
        Ok(ExtremeSeries {
            datum: self.datum().to_owned(),
            extremes,
        })
    }
}
