//! The part every format shares: take each feature as read, reproject it to WGS84,
//! validate it, number it, summarise its fields and report progress.
//!
//! Readers hand raw features to a [`Collector`]; the first problem ends the import with
//! an error naming the feature (or the CSV line), and nothing is returned.

use crate::crs::Crs;
use crate::summary::{FieldType, GeometryKind, Summary};
use crate::{validate, Feature, ImportError, Properties};
use geo::{Coord, CoordsIter, Geometry};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Progress is reported every this many features, and once at the end.
pub const PROGRESS_EVERY: u64 = 10_000;

/// How far an import has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub features: u64,
    /// Features in the source, when its header or index says (FlatGeobuf, shapefile,
    /// GeoPackage, GeoJSON after parsing).
    pub features_total: Option<u64>,
    /// Bytes consumed so far and in all, where the reader streams (CSV).
    pub bytes_read: Option<u64>,
    pub bytes_total: Option<u64>,
}

impl Progress {
    /// Completed share in 0..=1, from feature counts or else bytes, when known.
    pub fn fraction(&self) -> Option<f64> {
        let (done, total) = match (self.features_total, self.bytes_read, self.bytes_total) {
            (Some(total), _, _) => (self.features, total),
            (None, Some(read), Some(total)) => (read, total),
            _ => return None,
        };
        Some(if total == 0 {
            1.0
        } else {
            (done as f64 / total as f64).min(1.0)
        })
    }
}

/// A whole file's features in WGS84, with what a store needs to create a layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub features: Vec<Feature>,
    /// The CRS the coordinates were read in, e.g. "EPSG:4550" (or its name, for a CRS
    /// without an EPSG code).
    pub source_crs: String,
    /// None when there are no features.
    pub geometry: Option<GeometryKind>,
    /// Attribute names in order of first appearance, with their merged types.
    pub fields: Vec<(String, FieldType)>,
}

/// Where a raw feature came from, for error messages.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin {
    /// The n-th feature (1-based), counted by the collector.
    Sequence,
    /// A 1-based line of a text file (CSV).
    Line(u64),
}

pub(crate) struct Collector<'a> {
    path: PathBuf,
    source_crs: String,
    reprojector: Option<crate::crs::Reprojector>,
    features: Vec<Feature>,
    given_ids: Vec<Option<u64>>,
    summary: Summary,
    progress: &'a mut dyn FnMut(Progress),
    state: Progress,
    reported: Option<Progress>,
}

impl<'a> Collector<'a> {
    /// `crs` is the coordinates' CRS: the explicit option, else what the file declares,
    /// else None for "WGS84 lon/lat by convention" (then each position must look like one).
    pub(crate) fn new(
        path: &Path,
        crs: Option<&Crs>,
        progress: &'a mut dyn FnMut(Progress),
    ) -> Result<Collector<'a>, ImportError> {
        let crs_err = |source| ImportError::Crs {
            path: path.to_owned(),
            source,
        };
        let reprojector = match crs {
            Some(crs) if !crs.is_wgs84() => Some(crs.transform_to_wgs84().map_err(crs_err)?),
            _ => None,
        };
        Ok(Collector {
            path: path.to_owned(),
            source_crs: crs.map_or_else(|| "EPSG:4326".to_string(), Crs::to_string),
            reprojector,
            features: Vec::new(),
            given_ids: Vec::new(),
            summary: Summary::default(),
            progress,
            state: Progress::default(),
            reported: None,
        })
    }

    /// Sets the expected feature count, for progress.
    pub(crate) fn expect_features(&mut self, total: u64) {
        self.state.features_total = Some(total);
    }

    /// Sets bytes consumed of all, for progress.
    pub(crate) fn bytes(&mut self, read: u64, total: u64) {
        self.state.bytes_read = Some(read);
        self.state.bytes_total = Some(total);
    }

    /// An error about the feature about to be pushed (numbered from 1).
    pub(crate) fn error(&self, origin: Origin, reason: impl Into<String>) -> ImportError {
        let path = self.path.clone();
        let reason = reason.into();
        match origin {
            Origin::Sequence => ImportError::Feature {
                path,
                number: self.features.len() + 1,
                reason,
            },
            Origin::Line(line) => ImportError::Row {
                path,
                line,
                column: None,
                reason,
            },
        }
    }

    /// Reprojects and checks one feature and keeps it. `id` is the file's own id, kept
    /// when every feature has one and they are unique.
    pub(crate) fn push(
        &mut self,
        origin: Origin,
        mut geometry: Geometry<f64>,
        properties: Properties,
        id: Option<u64>,
    ) -> Result<(), ImportError> {
        match &self.reprojector {
            Some(r) => r
                .geometry(&mut geometry)
                .map_err(|e| self.error(origin, e.to_string()))?,
            None => looks_like_lonlat(&geometry).map_err(|reason| self.error(origin, reason))?,
        }
        validate::check(&geometry).map_err(|reason| self.error(origin, reason))?;
        self.summary.add(&geometry, &properties);
        self.given_ids.push(id);
        self.features.push(Feature {
            id: self.features.len() as u64 + 1,
            geometry,
            properties,
        });
        self.state.features += 1;
        if self.state.features.is_multiple_of(PROGRESS_EVERY) {
            self.report();
        }
        Ok(())
    }

    fn report(&mut self) {
        if self.reported != Some(self.state) {
            (self.progress)(self.state);
            self.reported = Some(self.state);
        }
    }

    pub(crate) fn finish(mut self) -> Imported {
        self.report();
        let mut seen = HashSet::new();
        if self
            .given_ids
            .iter()
            .all(|id| id.is_some_and(|id| seen.insert(id)))
        {
            for (feature, id) in self.features.iter_mut().zip(&self.given_ids) {
                feature.id = id.expect("checked above");
            }
        }
        let (geometry, fields) = self.summary.finish();
        Imported {
            features: self.features,
            source_crs: self.source_crs,
            geometry,
            fields,
        }
    }
}

/// Without a CRS, positions must be WGS84 lon/lat; big numbers mean a projected file.
fn looks_like_lonlat(g: &Geometry<f64>) -> Result<(), String> {
    let off = |c: &Coord<f64>| !(-180.0..=180.0).contains(&c.x) || !(-90.0..=90.0).contains(&c.y);
    match g.coords_iter().find(off) {
        Some(c) if c.x.is_finite() && c.y.is_finite() => Err(format!(
            "position ({}, {}) is not WGS84 lon/lat; the file looks projected and declares \
             no CRS: give its CRS (--crs EPSG:XXXX)",
            c.x, c.y
        )),
        _ => Ok(()),
    }
}
