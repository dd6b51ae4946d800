//! Coverage inputs from the catalog: the land, coastline and places layers make the
//! coverage model, the cameras and radars layers its sensors, the piers and barriers
//! layers the candidate sites for new cameras.
//!
//! Sensor ids are `camera:{feature id}` and `radar:{feature id}`, so a what-if can name
//! the sensor a map click showed.

use super::AnalysisError;
use geo::{Geometry, MultiLineString, MultiPolygon};
use serde_json::{Map, Value};
use std::collections::HashMap;
use tidewatch_coverage::{
    Camera, CameraModel, Candidate, Mode, Params, Radar, Sensor, Status, Town,
};
use tidewatch_importers::Feature;

/// Coverage settings (`[coverage]` in the config file).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoverageConfig {
    /// Camera ranges the `coverage` and `coverage_gaps` layers and patrol priorities use:
    /// `night` (smugglers land at night) or `day`.
    pub mode: ModeSetting,
    /// Sea band in front of the coast, metres.
    pub band_width_m: f64,
    /// Height above the sea of the boats radars must see (radar horizon), metres.
    pub radar_target_height_m: f64,
    /// The camera `suggest` proposes: a thermal unit on a 12 m mast.
    pub suggest_camera: SuggestCamera,
}

impl Default for CoverageConfig {
    fn default() -> Self {
        CoverageConfig {
            mode: ModeSetting::Night,
            band_width_m: 1000.0,
            radar_target_height_m: tidewatch_coverage::DEFAULT_TARGET_HEIGHT_M,
            suggest_camera: SuggestCamera::default(),
        }
    }
}

/// The camera model placement suggestions propose.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SuggestCamera {
    pub height_m: f64,
    pub fov_deg: f64,
    pub range_day_m: f64,
    /// Recognition range of a small boat for a good thermal unit (Johnson criteria).
    pub range_night_m: f64,
    pub thermal: bool,
    /// Bearings tried at each site, degrees apart.
    pub bearing_step_deg: f64,
}

impl Default for SuggestCamera {
    fn default() -> Self {
        SuggestCamera {
            height_m: 12.0,
            fov_deg: 60.0,
            range_day_m: 3000.0,
            range_night_m: 3000.0,
            thermal: true,
            bearing_step_deg: 15.0,
        }
    }
}

impl SuggestCamera {
    pub fn model(&self) -> CameraModel {
        CameraModel {
            height_m: self.height_m,
            fov_deg: self.fov_deg,
            range_day_m: self.range_day_m,
            range_night_m: self.range_night_m,
            thermal: self.thermal,
            bearing_step_deg: self.bearing_step_deg,
        }
    }
}

/// `mode` in the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModeSetting {
    Day,
    Night,
}

impl From<ModeSetting> for Mode {
    fn from(m: ModeSetting) -> Mode {
        match m {
            ModeSetting::Day => Mode::Day,
            ModeSetting::Night => Mode::Night,
        }
    }
}

/// `day` or `night`.
pub fn parse_mode(text: &str) -> Option<Mode> {
    match text.to_ascii_lowercase().as_str() {
        "day" => Some(Mode::Day),
        "night" => Some(Mode::Night),
        _ => None,
    }
}

/// A parameter set as a hashable cache key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParamsKey {
    night: bool,
    band_width_bits: u64,
    radars: bool,
    cameras: bool,
    min_gap_bits: u64,
}

impl From<&Params> for ParamsKey {
    fn from(p: &Params) -> Self {
        ParamsKey {
            night: p.mode == Mode::Night,
            band_width_bits: p.band_width_m.to_bits(),
            radars: p.include_radars,
            cameras: p.include_cameras,
            min_gap_bits: p.min_gap_length_m.to_bits(),
        }
    }
}

/// Names people see for a sensor or site.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub zh: String,
    pub en: String,
}

/// A string property.
pub(super) fn text(p: &Map<String, Value>, key: &str) -> Option<String> {
    p.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn names(p: &Map<String, Value>) -> Names {
    Names {
        zh: text(p, "name_zh").unwrap_or_default(),
        en: text(p, "name_en").unwrap_or_default(),
    }
}

fn number(f: &Feature, layer: &str, key: &str) -> Result<f64, AnalysisError> {
    f.properties
        .get(key)
        .and_then(Value::as_f64)
        .ok_or_else(|| {
            AnalysisError::Input(format!(
                "{layer} feature {}: property {key} is missing or not a number",
                f.id
            ))
        })
}

fn point(f: &Feature, layer: &str) -> Result<(f64, f64), AnalysisError> {
    match &f.geometry {
        Geometry::Point(p) => Ok((p.x(), p.y())),
        _ => Err(AnalysisError::Input(format!(
            "{layer} feature {} is not a point",
            f.id
        ))),
    }
}

fn status(f: &Feature) -> Status {
    match text(&f.properties, "status").as_deref() {
        Some("working") | None => Status::Working,
        Some(_) => Status::Failed,
    }
}

/// Cameras as sensors (`kind` thermal or visible; `status` other than working counts as
/// failed), with their names by sensor id.
pub fn cameras(
    features: &[Feature],
    names_out: &mut HashMap<String, Names>,
) -> Result<Vec<Sensor>, AnalysisError> {
    features
        .iter()
        .map(|f| {
            let (lon, lat) = point(f, "cameras")?;
            let id = format!("camera:{}", f.id);
            names_out.insert(id.clone(), names(&f.properties));
            Ok(Sensor::camera(
                id,
                status(f),
                Camera {
                    lon,
                    lat,
                    height_m: number(f, "cameras", "height_m")?,
                    bearing_deg: number(f, "cameras", "bearing_deg")?,
                    fov_deg: number(f, "cameras", "fov_deg")?,
                    range_day_m: number(f, "cameras", "range_day_m")?,
                    range_night_m: number(f, "cameras", "range_night_m")?,
                    thermal: text(&f.properties, "kind").as_deref() == Some("thermal"),
                },
            ))
        })
        .collect()
}

/// Radars as sensors, seeing boats `target_height_m` tall.
pub fn radars(
    features: &[Feature],
    target_height_m: f64,
    names_out: &mut HashMap<String, Names>,
) -> Result<Vec<Sensor>, AnalysisError> {
    features
        .iter()
        .map(|f| {
            let (lon, lat) = point(f, "radars")?;
            let id = format!("radar:{}", f.id);
            names_out.insert(id.clone(), names(&f.properties));
            Ok(Sensor::radar(
                id,
                status(f),
                Radar {
                    lon,
                    lat,
                    antenna_height_m: number(f, "radars", "antenna_height_m")?,
                    rated_range_m: number(f, "radars", "rated_range_km")? * 1000.0,
                    target_height_m,
                },
            ))
        })
        .collect()
}

/// Candidate sites from a point layer, ids `{layer}:{feature id}`.
pub fn candidates(layer: &str, features: &[Feature]) -> Result<Vec<Candidate>, AnalysisError> {
    features
        .iter()
        .map(|f| {
            let (lon, lat) = point(f, layer)?;
            let n = names(&f.properties);
            Ok(Candidate {
                id: format!("{layer}:{}", f.id),
                name: match (n.zh.is_empty(), n.en.is_empty()) {
                    (false, false) => format!("{} {}", n.zh, n.en),
                    (false, true) => n.zh,
                    _ => n.en,
                },
                lon,
                lat,
            })
        })
        .collect()
}

/// All polygons of a layer as one multipolygon.
pub fn land(features: &[Feature]) -> MultiPolygon<f64> {
    let mut out = Vec::new();
    for f in features {
        match &f.geometry {
            Geometry::Polygon(p) => out.push(p.clone()),
            Geometry::MultiPolygon(m) => out.extend(m.0.iter().cloned()),
            _ => {}
        }
    }
    MultiPolygon::new(out)
}

/// All lines of a layer as one multilinestring.
pub fn coastline(features: &[Feature]) -> MultiLineString<f64> {
    let mut out = Vec::new();
    for f in features {
        match &f.geometry {
            Geometry::LineString(l) => out.push(l.clone()),
            Geometry::MultiLineString(m) => out.extend(m.0.iter().cloned()),
            _ => {}
        }
    }
    MultiLineString::new(out)
}

/// Towns and islands from the places layer.
pub fn towns(features: &[Feature]) -> Vec<Town> {
    features
        .iter()
        .filter_map(|f| {
            let (lon, lat) = point(f, "places").ok()?;
            let n = names(&f.properties);
            Some(Town {
                name_zh: n.zh,
                name_en: n.en,
                lon,
                lat,
            })
        })
        .collect()
}
