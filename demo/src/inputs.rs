//! The real inputs the demo is built on: shoreline, land, area of interest, place names
//! and the Kanmen tide station, read from one directory (normally `data/demo/`).

use crate::DemoError;
use geo::{Coord, Geometry, MultiLineString, MultiPolygon};
use serde_json::Value;
use std::path::Path;
use tidewatch_importers::read_file;

pub const COASTLINE_FILE: &str = "coastline.geojson";
pub const LAND_FILE: &str = "land.geojson";
pub const AOI_FILE: &str = "aoi.geojson";
pub const PLACES_FILE: &str = "places.csv";
pub const TIDE_STATION_FILE: &str = "tides/kanmen-ticon4.json";

/// A town or island from `places.csv`; positions are approximate (± a few km).
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub name_zh: String,
    pub name_en: String,
    pub kind: String,
    pub position: Coord<f64>,
}

/// The parts of a TICON-4 station file the demo layer shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TideStation {
    pub station_id: String,
    pub position: Coord<f64>,
    pub chart_datum: String,
    pub constituent_count: usize,
    pub attribution: String,
}

/// Everything `generate` needs, in WGS84 lon/lat.
#[derive(Debug, Clone)]
pub struct DemoInputs {
    pub coastline: MultiLineString<f64>,
    pub land: MultiPolygon<f64>,
    pub aoi: MultiPolygon<f64>,
    pub places: Vec<Place>,
    pub tide_station: TideStation,
}

impl DemoInputs {
    /// Reads the five input files from `dir`.
    pub fn load(dir: &Path) -> Result<Self, DemoError> {
        Ok(DemoInputs {
            coastline: read_lines(&dir.join(COASTLINE_FILE))?,
            land: read_polygons(&dir.join(LAND_FILE))?,
            aoi: read_polygons(&dir.join(AOI_FILE))?,
            places: read_places(&dir.join(PLACES_FILE))?,
            tide_station: read_tide_station(&dir.join(TIDE_STATION_FILE))?,
        })
    }
}

fn input_error(path: &Path, reason: impl Into<String>) -> DemoError {
    DemoError::Input {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

fn read_text(path: &Path) -> Result<String, DemoError> {
    std::fs::read_to_string(path).map_err(|source| DemoError::Io {
        path: path.to_owned(),
        source,
    })
}

/// All (multi)line strings of a GeoJSON file as one MultiLineString.
fn read_lines(path: &Path) -> Result<MultiLineString<f64>, DemoError> {
    let mut lines = Vec::new();
    for feature in read_file(path)? {
        match feature.geometry {
            Geometry::LineString(line) => lines.push(line),
            Geometry::MultiLineString(multi) => lines.extend(multi),
            _ => {
                return Err(input_error(
                    path,
                    format!(
                        "feature {} is not a LineString or MultiLineString",
                        feature.id
                    ),
                ))
            }
        }
    }
    if lines.is_empty() {
        return Err(input_error(path, "no shoreline in the file"));
    }
    Ok(MultiLineString(lines))
}

/// All (multi)polygons of a GeoJSON file as one MultiPolygon.
fn read_polygons(path: &Path) -> Result<MultiPolygon<f64>, DemoError> {
    let mut polygons = Vec::new();
    for feature in read_file(path)? {
        match feature.geometry {
            Geometry::Polygon(polygon) => polygons.push(polygon),
            Geometry::MultiPolygon(multi) => polygons.extend(multi),
            _ => {
                return Err(input_error(
                    path,
                    format!("feature {} is not a Polygon or MultiPolygon", feature.id),
                ))
            }
        }
    }
    if polygons.is_empty() {
        return Err(input_error(path, "no polygon in the file"));
    }
    Ok(MultiPolygon(polygons))
}

fn read_places(path: &Path) -> Result<Vec<Place>, DemoError> {
    parse_places(&read_text(path)?, path)
}

/// Parses `name_zh,name_en,kind,lon,lat` lines (no quoting: no field holds a comma).
fn parse_places(text: &str, path: &Path) -> Result<Vec<Place>, DemoError> {
    const HEADER: &str = "name_zh,name_en,kind,lon,lat";
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header.trim() == HEADER => {}
        _ => return Err(input_error(path, format!("first line must be {HEADER:?}"))),
    }
    let mut places = Vec::new();
    for (index, line) in lines.filter(|(_, line)| !line.trim().is_empty()) {
        let line_error =
            |reason: String| input_error(path, format!("line {}: {reason}", index + 1));
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let [name_zh, name_en, kind, lon, lat] = fields[..] else {
            return Err(line_error(format!(
                "expected 5 fields, found {}",
                fields.len()
            )));
        };
        let number = |field: &str| {
            field
                .parse::<f64>()
                .map_err(|_| line_error(format!("{field:?} is not a number")))
        };
        let position = Coord {
            x: number(lon)?,
            y: number(lat)?,
        };
        if !(-180.0..=180.0).contains(&position.x) || !(-90.0..=90.0).contains(&position.y) {
            return Err(line_error(format!("({lon}, {lat}) is not WGS84 lon/lat")));
        }
        places.push(Place {
            name_zh: name_zh.to_owned(),
            name_en: name_en.to_owned(),
            kind: kind.to_owned(),
            position,
        });
    }
    if places.is_empty() {
        return Err(input_error(path, "no places in the file"));
    }
    Ok(places)
}

fn read_tide_station(path: &Path) -> Result<TideStation, DemoError> {
    let doc: Value = serde_json::from_str(&read_text(path)?)
        .map_err(|e| input_error(path, format!("not valid JSON: {e}")))?;
    let missing = |key: &str| input_error(path, format!("no {key:?} member of the right type"));
    let text = |key: &str| {
        doc.get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| missing(key))
    };
    let number = |key: &str| {
        doc.get(key)
            .and_then(Value::as_f64)
            .ok_or_else(|| missing(key))
    };
    Ok(TideStation {
        station_id: text("id")?,
        position: Coord {
            x: number("lon")?,
            y: number("lat")?,
        },
        chart_datum: text("chart_datum")?,
        constituent_count: doc
            .get("constituents")
            .and_then(Value::as_array)
            .ok_or_else(|| missing("constituents"))?
            .len(),
        attribution: text("attribution")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_errors_name_file_and_line() {
        let path = Path::new("places.csv");
        let err = parse_places(
            "name_zh,name_en,kind,lon,lat\n石浦,Shipu,town,121.95\n",
            path,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("places.csv") && err.contains("line 2"),
            "{err}"
        );
        let err = parse_places("name,lon,lat\n", path)
            .unwrap_err()
            .to_string();
        assert!(err.contains("first line"), "{err}");
        let err = parse_places(
            "name_zh,name_en,kind,lon,lat\n石浦,Shipu,town,x,29.2\n",
            path,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("\"x\" is not a number"), "{err}");
    }

    #[test]
    fn parses_places() {
        let places = parse_places(
            "name_zh,name_en,kind,lon,lat\n石浦,Shipu,fishing port town,121.95,29.20\n\n",
            Path::new("places.csv"),
        )
        .unwrap();
        assert_eq!(places.len(), 1);
        assert_eq!(places[0].name_en, "Shipu");
        assert_eq!(
            places[0].position,
            Coord {
                x: 121.95,
                y: 29.20
            }
        );
    }

    #[test]
    fn missing_directory_names_the_file() {
        let err = DemoInputs::load(Path::new("/nonexistent/tidewatch"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(COASTLINE_FILE), "{err}");
    }
}
