//! CSV with point coordinates (lon/lat, or projected x/y with a CRS) or a WKT column.
//!
//! Two passes over the bytes: the first infers each attribute column's type (integer,
//! number, boolean or text; empty cells are null), the second builds the features. A
//! coordinate that is not a number is an error naming the line and column; any other
//! column holding a non-number becomes text (codes like "007" or "12A" stay text).

use crate::collect::{Collector, Imported, Origin};
use crate::{geom, ImportError, ImportOptions, Progress, Properties};
use geo::{Geometry, Point};
use geozero::wkt::Wkt;
use serde_json::Value;
use std::path::Path;

const LON_NAMES: [&str; 5] = ["lon", "lng", "long", "longitude", "x"];
const LAT_NAMES: [&str; 3] = ["lat", "latitude", "y"];
const WKT_NAMES: [&str; 3] = ["wkt", "geometry", "geom"];

/// Where the geometry comes from: column indexes.
enum GeometryColumns {
    Point { lon: usize, lat: usize },
    Wkt(usize),
}

impl GeometryColumns {
    fn holds(&self, i: usize) -> bool {
        match *self {
            GeometryColumns::Point { lon, lat } => i == lon || i == lat,
            GeometryColumns::Wkt(w) => i == w,
        }
    }
}

/// An attribute column's type, refined value by value.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Empty,
    Integer,
    Number,
    Boolean,
    Text,
}

impl Kind {
    fn of(cell: &str) -> Kind {
        let s = cell.trim();
        let digits = s.trim_start_matches(['+', '-']);
        // A leading zero ("007") marks a code, not a number.
        let code_like = digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.");
        if s.is_empty() {
            Kind::Empty
        } else if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") {
            Kind::Boolean
        } else if code_like {
            Kind::Text
        } else if s.parse::<i64>().is_ok() {
            Kind::Integer
        } else if s.parse::<f64>().is_ok_and(f64::is_finite) {
            Kind::Number
        } else {
            Kind::Text
        }
    }

    fn merge(self, other: Kind) -> Kind {
        match (self, other) {
            (a, Kind::Empty) | (Kind::Empty, a) => a,
            (a, b) if a == b => a,
            (Kind::Integer, Kind::Number) | (Kind::Number, Kind::Integer) => Kind::Number,
            _ => Kind::Text,
        }
    }

    fn value(self, cell: &str) -> Value {
        let s = cell.trim();
        match self {
            _ if s.is_empty() => Value::Null,
            Kind::Integer => Value::from(s.parse::<i64>().expect("inferred")),
            Kind::Number => Value::from(s.parse::<f64>().expect("inferred")),
            Kind::Boolean => Value::Bool(s.eq_ignore_ascii_case("true")),
            Kind::Empty | Kind::Text => Value::from(cell),
        }
    }
}

pub(crate) fn read(
    bytes: &[u8],
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Imported, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let reader = || csv::ReaderBuilder::new().from_reader(bytes);
    let row_err = |e: csv::Error| {
        let line = e.position().map_or(1, |p| p.line());
        let reason = match e.kind() {
            csv::ErrorKind::Utf8 { .. } => "text is not UTF-8 (save the file as UTF-8)".into(),
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("{len} fields where the header has {expected_len}"),
            _ => e.to_string(),
        };
        ImportError::Row {
            path: path.to_owned(),
            line,
            column: None,
            reason,
        }
    };

    let mut first = reader();
    let headers: Vec<String> = first
        .headers()
        .map_err(row_err)?
        .iter()
        .map(str::to_string)
        .collect();
    let geometry = geometry_columns(&headers, options).map_err(|r| ImportError::file(path, r))?;
    let mut kinds = vec![Kind::Empty; headers.len()];
    let mut rows = 0u64;
    for record in first.records() {
        let record = record.map_err(row_err)?;
        for (kind, cell) in kinds.iter_mut().zip(record.iter()) {
            *kind = kind.merge(Kind::of(cell));
        }
        rows += 1;
    }

    let mut collector = Collector::new(path, options.crs.as_ref(), progress)?;
    collector.expect_features(rows);
    let cell_err = |line: u64, column: usize, reason: String| ImportError::Row {
        path: path.to_owned(),
        line,
        column: Some(headers[column].clone()),
        reason,
    };
    for record in reader().records() {
        let record = record.map_err(row_err)?;
        let position = record.position().expect("records from a reader have one");
        let line = position.line();
        let g = match geometry {
            GeometryColumns::Point { lon, lat } => {
                let number = |i: usize| {
                    let cell = record[i].trim();
                    match cell.parse::<f64>() {
                        Ok(v) if v.is_finite() => Ok(v),
                        _ if cell.is_empty() => Err(cell_err(line, i, "no coordinate".into())),
                        _ => Err(cell_err(line, i, format!("{cell:?} is not a number"))),
                    }
                };
                Geometry::Point(Point::new(number(lon)?, number(lat)?))
            }
            GeometryColumns::Wkt(w) => geom::to_geo(&Wkt(record[w].trim()))
                .map_err(|reason| cell_err(line, w, format!("WKT: {reason}")))?,
        };
        let properties: Properties = headers
            .iter()
            .zip(&kinds)
            .zip(record.iter())
            .enumerate()
            .filter(|(i, _)| !geometry.holds(*i))
            .map(|(_, ((name, kind), cell))| (name.clone(), kind.value(cell)))
            .collect();
        collector.bytes(position.byte(), bytes.len() as u64);
        collector.push(Origin::Line(line), g, properties, None)?;
    }
    collector.bytes(bytes.len() as u64, bytes.len() as u64);
    Ok(collector.finish())
}

/// The geometry columns: named by the options, else found by their usual names.
fn geometry_columns(
    headers: &[String],
    options: &ImportOptions,
) -> Result<GeometryColumns, String> {
    let named = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| format!("no column {name:?}; the columns are {}", headers.join(", ")))
    };
    let guess = |names: &[&str], what: &str, option: &str| -> Result<Option<usize>, String> {
        let found: Vec<usize> = (0..headers.len())
            .filter(|&i| {
                names
                    .iter()
                    .any(|n| headers[i].trim().eq_ignore_ascii_case(n))
            })
            .collect();
        match found.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            many => Err(format!(
                "several {what} columns ({}); choose one with {option}",
                many.iter()
                    .map(|&i| headers[i].as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    };
    if let Some(wkt) = &options.wkt_column {
        return named(wkt).map(GeometryColumns::Wkt);
    }
    let lon = match &options.lon_column {
        Some(name) => Some(named(name)?),
        None => guess(&LON_NAMES, "longitude", "--lon-column")?,
    };
    let lat = match &options.lat_column {
        Some(name) => Some(named(name)?),
        None => guess(&LAT_NAMES, "latitude", "--lat-column")?,
    };
    let wkt = guess(&WKT_NAMES, "WKT", "--wkt-column")?;
    match (lon, lat, wkt) {
        (Some(lon), Some(lat), None) => Ok(GeometryColumns::Point { lon, lat }),
        (None, None, Some(wkt)) => Ok(GeometryColumns::Wkt(wkt)),
        (Some(_), Some(_), Some(_)) => Err(
            "has both coordinate and WKT columns; choose with --wkt-column or --lon-column/--lat-column"
                .into(),
        ),
        _ => Err(format!(
            "no geometry columns: expected lon/lat (or x/y) or a WKT column; the columns are {}",
            headers.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infers_kinds() {
        let kind = |cells: &[&str]| cells.iter().fold(Kind::Empty, |k, c| k.merge(Kind::of(c)));
        assert_eq!(kind(&["1", "", "-3"]), Kind::Integer);
        assert_eq!(kind(&["1", "2.5"]), Kind::Number);
        assert_eq!(kind(&["TRUE", "false"]), Kind::Boolean);
        assert_eq!(kind(&["1", "12A"]), Kind::Text);
        assert_eq!(kind(&["007", "8"]), Kind::Text);
        assert_eq!(kind(&["0", "0.5"]), Kind::Number);
        assert_eq!(kind(&["NaN"]), Kind::Text);
        assert_eq!(kind(&["", ""]), Kind::Empty);
        assert_eq!(Kind::Empty.value(""), Value::Null);
    }
}
