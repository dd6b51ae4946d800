//! Analysis endpoints: coverage gaps (`/analysis/coverage`, what-if, placement
//! suggestions) and patrol plans (`/patrol/zones` as GeoJSON, CSV or iCalendar).
//! Handlers parse and answer; the analyses are in `crate::analysis`.

use super::params::{self, Format, TimeZoneParam};
use super::{ApiError, ApiQuery, AppState};
use crate::analysis::coverage::parse_mode;
use crate::analysis::layers::gap_properties;
use crate::analysis::{patrol_features, AnalysisError};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use geo::Geometry;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tidewatch_coverage::{
    BandCoverage, Camera, Change, CoverageError, Params, Radar, Sensor, Status, Summary,
};
use tidewatch_importers::Feature;

/// Largest what-if body; with at most `tidewatch_coverage::MAX_CHANGES` changes.
pub const MAX_WHAT_IF_BYTES: usize = 4 * 1024 * 1024;
/// Most suggestions one request may ask for.
pub const MAX_SUGGESTIONS: usize = 50;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/analysis/coverage", get(coverage))
        .route(
            "/analysis/coverage/what-if",
            post(what_if).layer(DefaultBodyLimit::max(MAX_WHAT_IF_BYTES)),
        )
        .route("/analysis/coverage/suggest", get(suggest))
        .route("/patrol/zones", get(patrol_zones))
        .route("/patrol/zones.ics", get(patrol_calendar))
}

impl From<AnalysisError> for ApiError {
    fn from(e: AnalysisError) -> Self {
        match e {
            // The request's sensors, parameters or times: the client's to fix.
            AnalysisError::Coverage(_) | AnalysisError::Tide(_) => {
                ApiError::bad_request(e.to_string())
            }
            // The server's layers: nothing the client can do.
            AnalysisError::MissingLayer { .. }
            | AnalysisError::Input(_)
            | AnalysisError::NoTideStation => ApiError::unavailable(e.to_string()),
        }
    }
}

/// Parameters every coverage request shares.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CoverageQuery {
    /// `day` or `night` camera ranges (default: the server's, night).
    mode: Option<String>,
    /// Sea band width, metres.
    band_width: Option<String>,
    /// `radar`, `camera` or both, comma-separated.
    sensors: Option<String>,
    /// Shortest gap listed, metres.
    min_gap: Option<String>,
    /// Also compute the sea band's unseen parts (slower); default true.
    band: Option<String>,
}

struct CoverageRequest {
    params: Params,
    band: bool,
}

fn coverage_request(state: &AppState, q: &CoverageQuery) -> Result<CoverageRequest, ApiError> {
    let mut params = state.analyses.default_params();
    if let Some(m) = &q.mode {
        params.mode = parse_mode(m).ok_or_else(|| {
            ApiError::bad_request(format!("mode={:?}: use day or night", params::truncate(m)))
        })?;
    }
    if let Some(w) = &q.band_width {
        params.band_width_m = params::number("band_width", w)?;
    }
    if let Some(g) = &q.min_gap {
        params.min_gap_length_m = params::number("min_gap", g)?;
        if params.min_gap_length_m < 0.0 {
            return Err(ApiError::bad_request("min_gap must be at least 0 m"));
        }
    }
    if let Some(s) = &q.sensors {
        params.include_radars = false;
        params.include_cameras = false;
        for t in s.split(',').map(str::trim) {
            match t {
                "radar" | "radars" => params.include_radars = true,
                "camera" | "cameras" => params.include_cameras = true,
                other => {
                    return Err(ApiError::bad_request(format!(
                        "sensors: {:?} is not a sensor type; use radar, camera or radar,camera",
                        params::truncate(other)
                    )))
                }
            }
        }
    }
    let band = match q.band.as_deref() {
        None | Some("true") => true,
        Some("false") => false,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "band={:?}: use true or false",
                params::truncate(other)
            )))
        }
    };
    Ok(CoverageRequest { params, band })
}

fn params_json(p: &Params) -> Value {
    let sensors: Vec<&str> = [(p.include_radars, "radar"), (p.include_cameras, "camera")]
        .into_iter()
        .filter_map(|(on, t)| on.then_some(t))
        .collect();
    json!({
        "mode": match p.mode { tidewatch_coverage::Mode::Day => "day", tidewatch_coverage::Mode::Night => "night" },
        "band_width_m": p.band_width_m,
        "sensors": sensors,
        "min_gap_m": p.min_gap_length_m,
    })
}

fn km(m: f64) -> f64 {
    (m / 10.0).round() / 100.0
}

fn summary_json(s: &Summary) -> Value {
    json!({
        "coastline_km": km(s.coastline_m),
        "covered_km": km(s.covered_m),
        "percent_covered": (s.percent_covered * 100.0).round() / 100.0,
        "gap_count": s.gap_count,
        "gap_km": km(s.gap_length_m),
        "by_town": s.by_town.iter().map(|t| json!({
            "town_zh": t.town.name_zh,
            "town_en": t.town.name_en,
            "coastline_km": km(t.coastline_m),
            "covered_km": km(t.covered_m),
            "percent_covered": (t.percent_covered * 100.0).round() / 100.0,
        })).collect::<Vec<_>>(),
        "by_sensor_type": s.by_type.iter().map(|t| json!({
            "sensor_type": t.sensor_type.as_str(),
            "working_sensors": t.working_sensors,
            "covered_km": km(t.covered_m),
            "percent_covered": (t.percent_covered * 100.0).round() / 100.0,
        })).collect::<Vec<_>>(),
    })
}

fn band_json(b: &BandCoverage) -> Value {
    json!({
        "band_width_m": b.band_width_m,
        "band_km2": (b.band_area_m2 / 1e4).round() / 100.0,
        "unseen_km2": (b.unseen_area_m2 / 1e4).round() / 100.0,
        "percent_unseen": if b.band_area_m2 > 0.0 { (10_000.0 * b.unseen_area_m2 / b.band_area_m2).round() / 100.0 } else { 0.0 },
        "gap_count": b.gaps.len(),
    })
}

/// Coast gaps (MultiLineString, `kind` `coast_gap`) then band gaps (Polygon,
/// `band_gap`), each ranked within its kind.
fn gap_features(gaps: &[tidewatch_coverage::CoastGap], band: Option<&BandCoverage>) -> Vec<Value> {
    let mut out: Vec<Value> = gaps
        .iter()
        .map(|g| {
            let mut p = gap_properties(g);
            p.insert("kind".into(), json!("coast_gap"));
            feature(
                &format!("coast_gap:{}", g.rank),
                Geometry::MultiLineString(g.line.clone()),
                p,
            )
        })
        .collect();
    for g in band.map(|b| b.gaps.as_slice()).unwrap_or_default() {
        let mut p = Map::new();
        p.insert("kind".into(), json!("band_gap"));
        p.insert("rank".into(), json!(g.rank));
        p.insert("area_m2".into(), json!(g.area_m2.round()));
        if let Some(t) = &g.town {
            p.insert("town_zh".into(), json!(t.name_zh));
            p.insert("town_en".into(), json!(t.name_en));
        }
        out.push(feature(
            &format!("band_gap:{}", g.rank),
            Geometry::Polygon(g.polygon.clone()),
            p,
        ));
    }
    out
}

fn feature(id: &str, geometry: Geometry<f64>, properties: Map<String, Value>) -> Value {
    let mut v = crate::ogc::feature_json(
        &Feature {
            id: 0,
            geometry,
            properties,
        },
        None,
    );
    v["id"] = json!(id);
    v
}

/// `GET /analysis/coverage`: coast and sea-band gaps of the working sensors, ranked by
/// length and area, with a summary per town and per sensor type.
async fn coverage(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<CoverageQuery>,
) -> Result<Response, ApiError> {
    let request = coverage_request(&state, &q)?;
    let (inputs, baseline) = state.analyses.baseline(request.params).await?;
    let band = if request.band {
        let (inputs, baseline) = (inputs.clone(), baseline.clone());
        Some(
            tokio::task::spawn_blocking(move || baseline.band_coverage(&inputs.model).cloned())
                .await
                .map_err(|e| ApiError::internal(format!("band task failed: {e}")))?
                .map_err(AnalysisError::from)?,
        )
    } else {
        None
    };
    let mut doc = json!({
        "type": "FeatureCollection",
        "parameters": params_json(baseline.params()),
        "summary": summary_json(baseline.summary()),
        "features": gap_features(baseline.gaps(), band.as_ref()),
    });
    if let Some(b) = &band {
        doc["band"] = band_json(b);
    }
    Ok(params::geojson(doc))
}

/// A sensor in a what-if: a camera or a radar.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
enum NewSensor {
    Camera {
        id: String,
        lon: f64,
        lat: f64,
        height_m: f64,
        bearing_deg: f64,
        fov_deg: f64,
        range_day_m: f64,
        range_night_m: f64,
        #[serde(default)]
        thermal: bool,
    },
    Radar {
        id: String,
        lon: f64,
        lat: f64,
        antenna_height_m: f64,
        rated_range_km: f64,
        target_height_m: Option<f64>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Move {
    id: String,
    lon: f64,
    lat: f64,
    bearing_deg: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct WhatIfBody {
    mode: Option<String>,
    band_width: Option<f64>,
    sensors: Option<String>,
    min_gap: Option<f64>,
    band: Option<bool>,
    add: Vec<NewSensor>,
    #[serde(rename = "move")]
    moves: Vec<Move>,
    fail: Vec<String>,
}

impl WhatIfBody {
    fn changes(self, default_target_m: f64) -> Vec<Change> {
        let added = self.add.into_iter().map(|s| {
            Change::Add(match s {
                NewSensor::Camera {
                    id,
                    lon,
                    lat,
                    height_m,
                    bearing_deg,
                    fov_deg,
                    range_day_m,
                    range_night_m,
                    thermal,
                } => Sensor::camera(
                    id,
                    Status::Working,
                    Camera {
                        lon,
                        lat,
                        height_m,
                        bearing_deg,
                        fov_deg,
                        range_day_m,
                        range_night_m,
                        thermal,
                    },
                ),
                NewSensor::Radar {
                    id,
                    lon,
                    lat,
                    antenna_height_m,
                    rated_range_km,
                    target_height_m,
                } => Sensor::radar(
                    id,
                    Status::Working,
                    Radar {
                        lon,
                        lat,
                        antenna_height_m,
                        rated_range_m: rated_range_km * 1000.0,
                        target_height_m: target_height_m.unwrap_or(default_target_m),
                    },
                ),
            })
        });
        let moved = self.moves.into_iter().map(|m| Change::Move {
            id: m.id,
            lon: m.lon,
            lat: m.lat,
            bearing_deg: m.bearing_deg,
        });
        let failed = self.fail.into_iter().map(|id| Change::Fail { id });
        added.chain(moved).chain(failed).collect()
    }
}

/// `POST /analysis/coverage/what-if`: the gaps with sensors added, moved or failed, and
/// the difference from the current coverage. Nothing stored changes.
async fn what_if(
    State(state): State<AppState>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|e| ApiError {
        status: e.status(),
        message: format!(
            "{}; a what-if body may be at most {} MiB and {} changes",
            e.body_text(),
            MAX_WHAT_IF_BYTES >> 20,
            tidewatch_coverage::MAX_CHANGES
        ),
    })?;
    let mut body: WhatIfBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("what-if body: {e}")))?;
    let query = CoverageQuery {
        mode: body.mode.take(),
        band_width: body.band_width.map(|w| w.to_string()),
        sensors: body.sensors.take(),
        min_gap: body.min_gap.map(|g| g.to_string()),
        band: Some(body.band.unwrap_or(false).to_string()),
    };
    let request = coverage_request(&state, &query)?;
    let changes = body.changes(state.config.coverage.radar_target_height_m);
    if changes.len() > tidewatch_coverage::MAX_CHANGES {
        return Err(AnalysisError::from(CoverageError::TooManyChanges {
            count: changes.len(),
            limit: tidewatch_coverage::MAX_CHANGES,
        })
        .into());
    }
    let (inputs, baseline) = state.analyses.baseline(request.params).await?;
    let band = request.band;
    let answer = tokio::task::spawn_blocking(move || -> Result<Value, AnalysisError> {
        let result = inputs.model.what_if(&baseline, &changes)?;
        let band = if band {
            let before = baseline.band_coverage(&inputs.model)?.clone();
            let after = result.band_coverage(&inputs.model, &baseline)?;
            Some((before, after))
        } else {
            None
        };
        let mut features = gap_features(&result.gaps, band.as_ref().map(|b| &b.1));
        features.extend(result.changed_visibility.iter().map(|v| {
            let mut p = Map::new();
            p.insert("kind".into(), json!("visibility"));
            p.insert("sensor_id".into(), json!(v.id));
            p.insert("sensor_type".into(), json!(v.sensor_type.as_str()));
            feature(
                &format!("visibility:{}", v.id),
                Geometry::Polygon(v.polygon.clone()),
                p,
            )
        }));
        let mut doc = json!({
            "type": "FeatureCollection",
            "parameters": params_json(baseline.params()),
            "baseline": summary_json(baseline.summary()),
            "summary": summary_json(&result.summary),
            "difference": {
                "newly_covered_km": km(result.newly_covered_m),
                "newly_lost_km": km(result.newly_lost_m),
                "newly_covered_m": result.newly_covered_m,
                "newly_lost_m": result.newly_lost_m,
                "closed_gaps": result.closed_gaps,
                "shrunk_gaps": result.shrunk_gaps.iter().map(|g| json!({
                    "baseline_rank": g.baseline_rank,
                    "before_m": g.before_m,
                    "after_m": g.after_m,
                })).collect::<Vec<_>>(),
                "new_gaps": result.new_gaps,
            },
            "features": features,
        });
        if let Some((before, after)) = band {
            doc["band_before"] = band_json(&before);
            doc["band"] = band_json(&after);
        }
        Ok(doc)
    })
    .await
    .map_err(|e| ApiError::internal(format!("what-if task failed: {e}")))??;
    Ok(params::geojson(answer))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuggestQuery {
    k: Option<String>,
    /// `piers`, `barriers` or both (comma or `|` separated).
    candidates: Option<String>,
    mode: Option<String>,
    sensors: Option<String>,
}

/// `GET /analysis/coverage/suggest?k=5&candidates=piers`: the k sites where one more
/// camera (the configured model) closes the most unseen coast, chosen greedily.
async fn suggest(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> Result<Response, ApiError> {
    let k = match q.k.as_deref() {
        None => 5,
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|k| (1..=MAX_SUGGESTIONS).contains(k))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "k={:?}: give a whole number from 1 to {MAX_SUGGESTIONS}",
                    params::truncate(t)
                ))
            })?,
    };
    let mut sites = Vec::new();
    for layer in q.candidates.as_deref().unwrap_or("piers").split([',', '|']) {
        let layer: &'static str = match layer.trim() {
            "piers" => "piers",
            "barriers" => "barriers",
            "cameras" => "cameras",
            other => {
                return Err(ApiError::bad_request(format!(
                    "candidates: {:?} is not a candidate layer; use piers, barriers or cameras",
                    params::truncate(other)
                )))
            }
        };
        let features = state.analyses.layer_features(layer).await?;
        sites.extend(crate::analysis::coverage::candidates(layer, &features)?);
    }
    let request = coverage_request(
        &state,
        &CoverageQuery {
            mode: q.mode,
            sensors: q.sensors,
            ..Default::default()
        },
    )?;
    let (inputs, baseline) = state.analyses.baseline(request.params).await?;
    let camera = state.config.coverage.suggest_camera.clone();
    let model = camera.model();
    let found =
        tokio::task::spawn_blocking(move || inputs.model.suggest(&baseline, k, &sites, &model))
            .await
            .map_err(|e| ApiError::internal(format!("suggest task failed: {e}")))?
            .map_err(AnalysisError::from)?;
    let mut total = 0.0;
    let features: Vec<Value> = found
        .iter()
        .enumerate()
        .map(|(i, s)| {
            total += s.closes_m;
            let mut p = Map::new();
            p.insert("rank".into(), json!(i + 1));
            p.insert("candidate_id".into(), json!(s.candidate_id));
            p.insert("name".into(), json!(s.name));
            p.insert("bearing_deg".into(), json!(s.bearing_deg));
            p.insert("closes_m".into(), json!((s.closes_m * 10.0).round() / 10.0));
            p.insert("closes_km".into(), json!(km(s.closes_m)));
            p.insert("cumulative_km".into(), json!(km(total)));
            feature(&s.candidate_id, Geometry::Polygon(s.visibility.clone()), p)
        })
        .collect();
    Ok(params::geojson(json!({
        "type": "FeatureCollection",
        "camera": camera,
        "k": k,
        "features": features,
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatrolQuery {
    from: Option<String>,
    to: Option<String>,
    before: Option<String>,
    after: Option<String>,
    night: Option<String>,
    tz: Option<String>,
    f: Option<String>,
}

/// Nights in a patrol plan by default: tonight and the week after.
const DEFAULT_PATROL_NIGHTS: i64 = 7;

async fn plan_for(
    state: &AppState,
    q: &PatrolQuery,
) -> Result<(crate::analysis::PatrolPlan, i64, i64), ApiError> {
    let zone = TimeZoneParam::parse(q.tz.as_deref())?;
    let tonight = crate::analysis::tonight_range(crate::live::now_ms() / 1000).0;
    let (from, to) = params::range(
        q.from.as_deref(),
        q.to.as_deref(),
        zone.zone,
        tonight,
        DEFAULT_PATROL_NIGHTS,
    )?;
    tidewatch_tides::validate::range(from, to)?;
    let mut rule = state.analyses.default_window_rule();
    rule.before_s = params::duration_or("before", q.before.as_deref(), rule.before_s)?;
    rule.after_s = params::duration_or("after", q.after.as_deref(), rule.after_s)?;
    tidewatch_tides::validate::window_sides(rule.before_s, rule.after_s)?;
    if let Some(n) = q.night.as_deref() {
        rule.night = tidewatch_tides::NightRule::parse(n)?;
    }
    let plan = state.analyses.patrol_plan(from, to, &rule).await?;
    Ok((plan, from, to))
}

/// `GET /patrol/zones?from=&to=`: every zone's tide windows for every night in the
/// range with priorities and reasons; `f=csv` or `f=ics` for a spreadsheet or calendar.
async fn patrol_zones(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PatrolQuery>,
) -> Result<Response, ApiError> {
    let format = match q.f.as_deref() {
        Some("ics") => return patrol_calendar(State(state), ApiQuery(q)).await,
        other => Format::parse(other)?,
    };
    let zone = TimeZoneParam::parse(q.tz.as_deref())?;
    let (plan, _, _) = plan_for(&state, &q).await?;
    Ok(match format {
        Format::Json => params::geojson(patrol_features::geojson(
            &plan.zones,
            &plan.windows,
            zone.zone,
        )),
        Format::Csv => params::csv(
            &patrol_features::csv_columns(),
            patrol_features::csv_rows(&plan.zones, &plan.windows, zone.zone).into_iter(),
            "",
        ),
    })
}

/// `GET /patrol/zones.ics`: the plan as an iCalendar feed schedulers subscribe to.
async fn patrol_calendar(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PatrolQuery>,
) -> Result<Response, ApiError> {
    let (plan, from, _) = plan_for(&state, &q).await?;
    let body = patrol_features::ics(&plan.zones, &plan.windows, from);
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"tidewatch-patrol.ics\"",
            ),
        ],
        body,
    )
        .into_response())
}
