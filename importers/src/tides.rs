//! Tide inputs: harmonic constants of a station (JSON in the shape of the TICON-4 / Neaps
//! files, or CSV `name,amplitude,phase`) and tide tables (CSV of high and low waters).
//!
//! Parsed into plain structs for the tide-station store; every error names the file and
//! the constituent or line. Constituent names are checked against [`KNOWN_CONSTITUENTS`]
//! and written in its spelling (upper case; NOAA's LAM2, RHO and SIG1 become LAMBDA2, RHO1
//! and SGM as in TICON-4). Phases are normalised into [0, 360).

use crate::ImportError;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use time::format_description::well_known::Iso8601;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// NOAA's 37 standard constituents and the further (mostly shallow-water) ones TICON-4
/// uses, in TICON-4's spelling.
pub const KNOWN_CONSTITUENTS: [&str; 53] = [
    // NOAA's 37 (LAM2 = LAMBDA2, RHO = RHO1).
    "M2", "S2", "N2", "K1", "M4", "O1", "M6", "MK3", "S4", "MN4", "NU2", "S6", "MU2", "2N2", "OO1",
    "LAMBDA2", "S1", "M1", "J1", "MM", "SSA", "SA", "MSF", "MF", "RHO1", "Q1", "T2", "R2", "2Q1",
    "P1", "2SM2", "M3", "L2", "2MK3", "K2", "M8", "MS4", // Further ones in TICON-4.
    "MSQM", "EP2", "MTM", "MKS2", "N4", "S3", "MA2", "MB2", "T3", "R3", "SGM", "3L2", "3N2",
    "2MS6", "2MK5", "2MO5",
];

/// Names some sources use for constituents in [`KNOWN_CONSTITUENTS`].
const ALIASES: [(&str, &str); 4] = [
    ("LAM2", "LAMBDA2"),
    ("RHO", "RHO1"),
    ("SIG1", "SGM"),
    ("SIGMA1", "SGM"),
];

/// One harmonic constituent: amplitude in metres, Greenwich phase lag in degrees.
#[derive(Debug, Clone, PartialEq)]
pub struct Constituent {
    pub name: String,
    pub amplitude_m: f64,
    pub phase_deg: f64,
}

/// A tide station with its harmonic constants, ready for the tide-station tables.
#[derive(Debug, Clone, PartialEq)]
pub struct TideStationInput {
    pub id: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    /// The chart datum's name (e.g. "TLT", "LAT"); heights in tables refer to it.
    pub datum: String,
    /// Datum heights in metres, by name (MSL, MHW, LAT, ...), as the source gives them.
    pub datums: BTreeMap<String, f64>,
    pub constituents: Vec<Constituent>,
    pub attribution: Option<String>,
}

/// Station facts given by the user: required for constants CSV (which holds none), and
/// overriding the file's values for JSON.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StationMeta {
    pub id: Option<String>,
    pub name: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub datum: Option<String>,
}

/// High or low water.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TideKind {
    High,
    Low,
}

/// One high or low water.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TideEvent {
    /// Unix seconds (UTC).
    pub time_utc: i64,
    /// Height above the table's datum, metres.
    pub height_m: f64,
    pub kind: TideKind,
}

/// A station's predicted or observed high and low waters, in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct TideTable {
    pub station: String,
    pub datum: String,
    pub events: Vec<TideEvent>,
}

/// How to read a tide table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TideTableOptions {
    /// The station's id.
    pub station: String,
    /// The datum heights refer to, unless a `datum` column says.
    pub datum: Option<String>,
    /// For times without a UTC offset: `Asia/Shanghai`, `UTC`, `+08:00`, `UTC+8`.
    pub time_zone: Option<String>,
}

/// Reads harmonic constants from a .json or .csv file.
pub fn read_constants(path: &Path, station: &StationMeta) -> Result<TideStationInput, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::io(path, e))?;
    parse_constants(&path.to_string_lossy(), &bytes, station)
}

/// Parses harmonic constants; `file_name`'s extension (.json or .csv) gives the format.
pub fn parse_constants(
    file_name: &str,
    bytes: &[u8],
    station: &StationMeta,
) -> Result<TideStationInput, ImportError> {
    let path = Path::new(file_name);
    match extension(path).as_deref() {
        Some("json") => constants_json(bytes, path, station),
        Some("csv") => constants_csv(bytes, path, station),
        _ => Err(ImportError::file(
            path,
            "harmonic constants must be a .json or .csv file",
        )),
    }
}

/// Reads a tide table CSV file.
pub fn read_tide_table(path: &Path, options: &TideTableOptions) -> Result<TideTable, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::io(path, e))?;
    parse_tide_table(&path.to_string_lossy(), &bytes, options)
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

#[derive(Deserialize)]
struct StationJson {
    id: String,
    name: Option<String>,
    lat: f64,
    lon: f64,
    #[serde(default)]
    datums: BTreeMap<String, f64>,
    chart_datum: Option<String>,
    attribution: Option<String>,
    constituents: Vec<ConstituentJson>,
}

#[derive(Deserialize)]
struct ConstituentJson {
    name: String,
    amplitude: f64,
    phase: f64,
}

fn constants_json(
    bytes: &[u8],
    path: &Path,
    meta: &StationMeta,
) -> Result<TideStationInput, ImportError> {
    let doc: StationJson = serde_json::from_slice(bytes).map_err(|e| {
        ImportError::file(
            path,
            format!("not harmonic constants in the expected JSON shape: {e}"),
        )
    })?;
    let mut checker = Constituents::default();
    for c in doc.constituents {
        checker
            .add(&c.name, c.amplitude, c.phase)
            .map_err(|reason| ImportError::Constituent {
                path: path.to_owned(),
                name: c.name.clone(),
                reason,
            })?;
    }
    let datum = meta
        .datum
        .clone()
        .or(doc.chart_datum)
        .ok_or_else(|| ImportError::file(path, "no chart_datum; give the datum"))?;
    let id = meta.id.clone().unwrap_or(doc.id);
    checked(
        path,
        TideStationInput {
            name: meta.name.clone().or(doc.name).unwrap_or_else(|| id.clone()),
            id,
            lon: meta.lon.unwrap_or(doc.lon),
            lat: meta.lat.unwrap_or(doc.lat),
            datum,
            datums: doc.datums,
            constituents: checker.0,
            attribution: doc.attribution,
        },
    )
}

fn constants_csv(
    bytes: &[u8],
    path: &Path,
    meta: &StationMeta,
) -> Result<TideStationInput, ImportError> {
    let missing = |what: &str| {
        ImportError::file(
            path,
            format!("constants in CSV hold no station {what}; give it with the station options"),
        )
    };
    let id = meta.id.clone().ok_or_else(|| missing("id"))?;
    let lon = meta.lon.ok_or_else(|| missing("longitude"))?;
    let lat = meta.lat.ok_or_else(|| missing("latitude"))?;
    let datum = meta.datum.clone().ok_or_else(|| missing("datum"))?;
    let mut checker = Constituents::default();
    for_each_row(bytes, path, &["name", "amplitude", "phase"], |cells| {
        let name = cells[0].trim();
        let amplitude = number(cells[1]).map_err(|r| format!("amplitude: {r}"))?;
        let phase = number(cells[2]).map_err(|r| format!("phase: {r}"))?;
        checker
            .add(name, amplitude, phase)
            .map_err(|reason| format!("constituent {name}: {reason}"))
    })?;
    checked(
        path,
        TideStationInput {
            name: meta.name.clone().unwrap_or_else(|| id.clone()),
            id,
            lon,
            lat,
            datum,
            datums: BTreeMap::new(),
            constituents: checker.0,
            attribution: None,
        },
    )
}

/// Checks what holds for every station: a lon/lat position, a chart datum among the
/// datums (when there are any), and constituents.
fn checked(path: &Path, s: TideStationInput) -> Result<TideStationInput, ImportError> {
    if !(-180.0..=180.0).contains(&s.lon) || !(-90.0..=90.0).contains(&s.lat) {
        return Err(ImportError::file(
            path,
            format!(
                "station position ({}, {}) is not WGS84 lon/lat",
                s.lon, s.lat
            ),
        ));
    }
    if !s.datums.is_empty() && !s.datums.contains_key(&s.datum) {
        return Err(ImportError::file(
            path,
            format!(
                "chart datum {:?} is not among the datums ({})",
                s.datum,
                s.datums.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    if s.constituents.is_empty() {
        return Err(ImportError::file(path, "no constituents"));
    }
    Ok(s)
}

/// Collects constituents, rejecting unknown names, duplicates and bad values.
#[derive(Default)]
struct Constituents(Vec<Constituent>, HashSet<&'static str>);

impl Constituents {
    fn add(&mut self, name: &str, amplitude: f64, phase: f64) -> Result<(), String> {
        let upper = name.trim().to_ascii_uppercase();
        let canonical = ALIASES
            .iter()
            .find(|(alias, _)| *alias == upper)
            .map(|(_, c)| *c)
            .or_else(|| KNOWN_CONSTITUENTS.iter().find(|k| **k == upper).copied())
            .ok_or_else(|| {
                "unknown constituent name (see tides::KNOWN_CONSTITUENTS)".to_string()
            })?;
        if !amplitude.is_finite() || amplitude < 0.0 {
            return Err(format!(
                "amplitude {amplitude} m is not a non-negative number"
            ));
        }
        if !phase.is_finite() {
            return Err(format!("phase {phase} is not a number"));
        }
        if !self.1.insert(canonical) {
            return Err(format!("{canonical} appears twice"));
        }
        self.0.push(Constituent {
            name: canonical.to_string(),
            amplitude_m: amplitude,
            // rem_euclid can round a tiny negative phase up to 360.0 itself.
            phase_deg: Some(phase.rem_euclid(360.0))
                .filter(|p| *p < 360.0)
                .unwrap_or(0.0),
        });
        Ok(())
    }
}

fn number(cell: &str) -> Result<f64, String> {
    match cell.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("{:?} is not a number", cell.trim())),
    }
}

/// Runs `row` over each record's cells in `columns` order (headers match
/// case-insensitively; a name ending in '?' is optional, and empty when missing).
/// `row`'s error becomes an error naming the line.
fn for_each_row(
    bytes: &[u8],
    path: &Path,
    columns: &[&str],
    mut row: impl FnMut(&[&str]) -> Result<(), String>,
) -> Result<(), ImportError> {
    let line_err = |line: u64, reason: String| ImportError::Row {
        path: path.to_owned(),
        line,
        column: None,
        reason,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let csv_err = |e: csv::Error| line_err(e.position().map_or(1, |p| p.line()), e.to_string());
    let headers = reader.headers().map_err(csv_err)?.clone();
    let index: Vec<Option<usize>> = columns
        .iter()
        .map(|c| {
            let name = c.trim_end_matches('?');
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        })
        .collect();
    if let Some((c, _)) = columns
        .iter()
        .zip(&index)
        .find(|(c, i)| i.is_none() && !c.ends_with('?'))
    {
        return Err(ImportError::file(
            path,
            format!(
                "no {c:?} column; expected columns {}",
                columns
                    .iter()
                    .map(|c| c.trim_end_matches('?'))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        ));
    }
    for record in reader.records() {
        let record = record.map_err(csv_err)?;
        let line = record.position().map_or(1, |p| p.line());
        let cells: Vec<&str> = index
            .iter()
            .map(|i| i.and_then(|i| record.get(i)).unwrap_or(""))
            .collect();
        row(&cells).map_err(|reason| line_err(line, reason))?;
    }
    Ok(())
}

/// Parses a tide table: CSV with `time,height,type` (high|low) and optionally `datum`.
pub fn parse_tide_table(
    file_name: &str,
    bytes: &[u8],
    options: &TideTableOptions,
) -> Result<TideTable, ImportError> {
    let path = Path::new(file_name);
    let zone = options
        .time_zone
        .as_deref()
        .map(|z| time_zone(z).map_err(|reason| ImportError::file(path, reason)))
        .transpose()?;
    let mut datum: Option<String> = None;
    let mut events: Vec<TideEvent> = Vec::new();
    for_each_row(
        bytes,
        path,
        &["time", "height", "type", "datum?"],
        |cells| {
            let time_utc = parse_time(cells[0], zone)?;
            let height_m = number(cells[1]).map_err(|r| format!("height: {r}"))?;
            let kind = match cells[2].trim().to_ascii_lowercase().as_str() {
                "high" | "h" => TideKind::High,
                "low" | "l" => TideKind::Low,
                other => return Err(format!("type {other:?} is neither high nor low")),
            };
            let row_datum = Some(cells[3].trim())
                .filter(|d| !d.is_empty())
                .map(str::to_string)
                .or_else(|| options.datum.clone())
                .ok_or("no datum: give one with the datum option or a datum column")?;
            match &datum {
                Some(d) if *d != row_datum => {
                    return Err(format!("datum {row_datum:?} differs from {d:?} above"))
                }
                _ => datum = Some(row_datum),
            }
            if let Some(previous) = events.last() {
                if time_utc <= previous.time_utc {
                    return Err(format!(
                        "time {} is not after the previous event's; events must be in time order",
                        cells[0].trim()
                    ));
                }
            }
            events.push(TideEvent {
                time_utc,
                height_m,
                kind,
            });
            Ok(())
        },
    )?;
    let datum = datum.ok_or_else(|| ImportError::file(path, "no high or low waters"))?;
    Ok(TideTable {
        station: options.station.clone(),
        datum,
        events,
    })
}

/// Zones that are a fixed UTC+8: none has had daylight saving since 1991.
const UTC_PLUS_8: [&str; 7] = [
    "Asia/Shanghai",
    "Asia/Chongqing",
    "Asia/Harbin",
    "Asia/Hong_Kong",
    "Asia/Macau",
    "Asia/Taipei",
    "PRC",
];

/// A fixed UTC offset from a zone name or an offset (`UTC`, `+08:00`, `UTC+8`, `+0800`).
fn time_zone(zone: &str) -> Result<UtcOffset, String> {
    let z = zone.trim();
    if UTC_PLUS_8.iter().any(|n| n.eq_ignore_ascii_case(z)) {
        return UtcOffset::from_hms(8, 0, 0).map_err(|e| e.to_string());
    }
    let upper = z.to_ascii_uppercase();
    let offset = upper
        .strip_prefix("UTC")
        .or_else(|| upper.strip_prefix("GMT"))
        .unwrap_or(&upper);
    if offset.is_empty() || offset == "Z" {
        return Ok(UtcOffset::UTC);
    }
    let bad = || format!("unknown time zone {z:?}; use e.g. Asia/Shanghai, UTC or +08:00");
    let (sign, rest) = match offset.as_bytes().first() {
        Some(b'+') => (1, &offset[1..]),
        Some(b'-') => (-1, &offset[1..]),
        _ => return Err(bad()),
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, "0"),
    };
    let (h, m): (i8, i8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    UtcOffset::from_hms(sign * h, sign * m, 0).map_err(|_| bad())
}

/// ISO 8601 (a space may separate date and time); times without an offset take `zone`.
fn parse_time(cell: &str, zone: Option<UtcOffset>) -> Result<i64, String> {
    let text = cell.trim().replacen(' ', "T", 1);
    if let Ok(t) = OffsetDateTime::parse(&text, &Iso8601::DEFAULT) {
        return Ok(t.unix_timestamp());
    }
    let local = PrimitiveDateTime::parse(&text, &Iso8601::DEFAULT)
        .map_err(|_| format!("time {:?} is not an ISO 8601 date and time", cell.trim()))?;
    let zone = zone.ok_or_else(|| {
        format!(
            "time {:?} has no UTC offset; give the time zone (e.g. Asia/Shanghai)",
            cell.trim()
        )
    })?;
    Ok(local.assume_offset(zone).unix_timestamp())
}
