//! The tide stations the server predicts for: the `tide_stations` layer's points joined
//! with what predicts each one, harmonic constants or a tide table.
//!
//! Embedded mode reads the predictors from files named in `tides.toml` in the tides
//! folder (`tides_dir`); PostGIS mode reads the `tide_constituents` and
//! `tide_table_events` tables. A station without either is listed but answers
//! predictions with a clear error.

use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;
use tidewatch_importers::tides::{TideKind, TideStationInput, TideTable, TideTableOptions};
use tidewatch_tides::{
    ConstituentInput, Extreme, ExtremeKind, HarmonicConstants, HarmonicStation, Station,
    TableStation, TideTableInput,
};

/// One station.
#[derive(Clone)]
pub struct TideStation {
    /// The short id used in URLs: the English name as a slug (`kanmen`).
    pub key: String,
    /// The source's station id (`ticon/kanmen-632a-chn-uhslc_rq`).
    pub station_id: String,
    pub name_zh: String,
    pub name_en: String,
    pub lon: f64,
    pub lat: f64,
    /// What predicts it, or why nothing does.
    pub predictor: Result<Arc<Station>, String>,
}

impl TideStation {
    /// `harmonic constants`, `tide table` or `none`.
    pub fn source(&self) -> &'static str {
        match self.predictor.as_deref() {
            Ok(Station::Harmonic(_)) => "harmonic constants",
            Ok(Station::Table(_)) => "tide table",
            Err(_) => "none",
        }
    }
}

/// All stations, in the layer's order.
#[derive(Clone, Default)]
pub struct TideStations {
    pub stations: Vec<TideStation>,
}

impl TideStations {
    /// A station by its key, its source id or its English name (case-insensitive).
    pub fn get(&self, id: &str) -> Option<&TideStation> {
        self.stations
            .iter()
            .find(|s| s.key == id || s.station_id == id || s.name_en.eq_ignore_ascii_case(id))
    }

    /// The station nearest to a point that can predict, if any.
    pub fn nearest_predicting(&self, lon: f64, lat: f64) -> Option<&TideStation> {
        let d2 = |s: &TideStation| {
            let dx = (s.lon - lon) * lat.to_radians().cos();
            let dy = s.lat - lat;
            dx * dx + dy * dy
        };
        self.stations
            .iter()
            .filter(|s| s.predictor.is_ok())
            .min_by(|a, b| d2(a).total_cmp(&d2(b)))
    }
}

/// A station as its layer feature gives it.
pub struct StationPoint {
    pub station_id: String,
    pub name_zh: String,
    pub name_en: String,
    pub lon: f64,
    pub lat: f64,
}

/// Joins station points with predictors; `predictor(station_id)` says what predicts one.
pub fn join(
    points: Vec<StationPoint>,
    mut predictor: impl FnMut(&StationPoint) -> Result<Arc<Station>, String>,
) -> TideStations {
    let mut stations: Vec<TideStation> = Vec::with_capacity(points.len());
    for p in points {
        let mut key = super::zones::slug(&p.name_en);
        if key.is_empty() || stations.iter().any(|s| s.key == key) {
            key = format!(
                "{}-{}",
                if key.is_empty() { "station" } else { &key },
                stations.len() + 1
            );
        }
        stations.push(TideStation {
            predictor: predictor(&p),
            key,
            station_id: p.station_id,
            name_zh: p.name_zh,
            name_en: p.name_en,
            lon: p.lon,
            lat: p.lat,
        });
    }
    TideStations { stations }
}

/// `tides.toml`: which file predicts which station.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    #[serde(default)]
    station: Vec<ManifestEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestEntry {
    station_id: String,
    /// Harmonic constants (TICON-4 JSON or `name,amplitude,phase` CSV).
    constants: Option<String>,
    /// A tide table CSV (`time,height,type[,datum]`).
    table: Option<String>,
    /// For the table: the datum (unless a column gives it) and the time zone of times
    /// without an offset.
    datum: Option<String>,
    time_zone: Option<String>,
}

/// What a station's predictions come from, as read.
pub enum PredictorInput {
    Constants(TideStationInput),
    Table(TideTable),
}

impl PredictorInput {
    /// The predictor for a station at `point` (the layer's position wins: tables carry
    /// none, and the night windows are computed there).
    pub fn station(&self, point: &StationPoint) -> Result<Arc<Station>, String> {
        match self {
            PredictorInput::Constants(input) => harmonic(input, point.lon, point.lat),
            PredictorInput::Table(table) => table_station(table, point.lon, point.lat),
        }
        .map(Arc::new)
    }
}

/// Reads `dir/tides.toml` and the files it names, by station id. A missing manifest
/// means no predictors; a broken one or a bad file is an error naming it.
pub fn read_tides_dir(dir: &Path) -> anyhow::Result<Vec<(String, PredictorInput)>> {
    use anyhow::Context;
    let manifest_path = dir.join("tides.toml");
    if !manifest_path.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read {}", manifest_path.display()))?;
    let manifest: Manifest = toml::from_str(&text)
        .with_context(|| format!("{} is not a valid tides manifest", manifest_path.display()))?;
    let mut out = Vec::new();
    for entry in manifest.station {
        let input = match (&entry.constants, &entry.table) {
            (Some(file), None) => {
                let meta = tidewatch_importers::tides::StationMeta {
                    id: Some(entry.station_id.clone()),
                    ..Default::default()
                };
                PredictorInput::Constants(tidewatch_importers::tides::read_constants(
                    &dir.join(file),
                    &meta,
                )?)
            }
            (None, Some(file)) => {
                let options = TideTableOptions {
                    station: entry.station_id.clone(),
                    datum: entry.datum.clone(),
                    time_zone: entry.time_zone.clone(),
                };
                PredictorInput::Table(tidewatch_importers::tides::read_tide_table(
                    &dir.join(file),
                    &options,
                )?)
            }
            _ => anyhow::bail!(
                "{}: station {:?}: give exactly one of constants or table",
                manifest_path.display(),
                entry.station_id
            ),
        };
        out.push((entry.station_id, input));
    }
    Ok(out)
}

/// A harmonic predictor from imported constants; heights above the chart datum, mean
/// sea level taken from the station's datums (0, heights about MSL, when not given).
pub fn harmonic(input: &TideStationInput, lon: f64, lat: f64) -> Result<Station, String> {
    // Datum heights are given on the source's own zero: MSL above the chart datum is
    // their difference (Kanmen: 3.903 − 0.348 m above TLT).
    let (datum, msl) = match input.datums.get("MSL") {
        Some(msl) => (
            input.datum.clone(),
            msl - input.datums.get(&input.datum).copied().unwrap_or(0.0),
        ),
        None => ("MSL".to_owned(), 0.0),
    };
    HarmonicStation::new(HarmonicConstants {
        lon,
        lat,
        datum,
        msl_above_datum_m: msl,
        constituents: input
            .constituents
            .iter()
            .map(|c| ConstituentInput {
                name: c.name.clone(),
                amplitude_m: c.amplitude_m,
                phase_deg: c.phase_deg,
            })
            .collect(),
    })
    .map(Station::from)
    .map_err(|e| e.to_string())
}

/// A tide-table predictor at a position.
pub fn table_station(table: &TideTable, lon: f64, lat: f64) -> Result<Station, String> {
    TableStation::new(TideTableInput {
        lon,
        lat,
        datum: table.datum.clone(),
        events: table
            .events
            .iter()
            .map(|e| Extreme {
                time: e.time_utc,
                height_m: e.height_m,
                kind: match e.kind {
                    TideKind::High => ExtremeKind::High,
                    TideKind::Low => ExtremeKind::Low,
                },
            })
            .collect(),
    })
    .map(Station::from)
    .map_err(|e| e.to_string())
}
