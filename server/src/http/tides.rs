//! Tide endpoints: stations as features, predicted heights, high and low waters, and the
//! night tide windows patrols are planned around. JSON by default, CSV with `f=csv`;
//! instants are UTC unless `tz=Asia/Shanghai` asks for local time.

use super::params::{self, Format, TimeZoneParam};
use super::{ApiError, ApiPath, ApiQuery, AppState};
use crate::analysis::tide_stations::TideStation;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use tidewatch_tides::{format_rfc3339, windows, ExtremeKind, NightRule, Station, TideError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tides/stations", get(stations))
        .route("/tides/{station}/predictions", get(predictions))
        .route("/tides/{station}/extremes", get(extremes))
        .route("/tides/{station}/windows", get(tide_windows))
}

impl From<TideError> for ApiError {
    fn from(e: TideError) -> Self {
        ApiError::bad_request(e.to_string())
    }
}

/// `GET /tides/stations`: every station as a GeoJSON point with what predicts it.
async fn stations(State(state): State<AppState>) -> Result<Response, ApiError> {
    let stations = state.analyses.tide_stations().await?;
    let features: Vec<Value> = stations
        .stations
        .iter()
        .map(|s| {
            let datum = s.predictor.as_ref().ok().map(|p| p.datum().to_owned());
            json!({
                "type": "Feature",
                "id": s.key,
                "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                "properties": {
                    "station": s.key,
                    "station_id": s.station_id,
                    "name_zh": s.name_zh,
                    "name_en": s.name_en,
                    "source": s.source(),
                    "datum": datum,
                    "problem": s.predictor.as_ref().err(),
                    "predictions": format!("/tides/{}/predictions", s.key),
                    "extremes": format!("/tides/{}/extremes", s.key),
                    "windows": format!("/tides/{}/windows", s.key),
                },
            })
        })
        .collect();
    Ok(params::geojson(
        json!({"type": "FeatureCollection", "features": features}),
    ))
}

/// The station a path names, and its predictor.
async fn station(state: &AppState, id: &str) -> Result<(TideStation, Arc<Station>), ApiError> {
    let stations = state.analyses.tide_stations().await?;
    let station = stations.get(id).cloned().ok_or_else(|| {
        let known: Vec<&str> = stations.stations.iter().map(|s| s.key.as_str()).collect();
        ApiError::not_found(format!(
            "no tide station {:?}; stations: {}",
            params::truncate(id),
            known.join(", ")
        ))
    })?;
    let predictor = station.predictor.clone().map_err(|reason| ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: reason,
    })?;
    Ok((station, predictor))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PredictionsQuery {
    from: Option<String>,
    to: Option<String>,
    step: Option<String>,
    tz: Option<String>,
    f: Option<String>,
}

/// `GET /tides/{station}/predictions?from=&to=&step=`: heights every `step` (default 10
/// minutes) from `from` (default: today, local midnight) to `to` (default: a day later).
async fn predictions(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PredictionsQuery>,
) -> Result<Response, ApiError> {
    let zone = TimeZoneParam::parse(q.tz.as_deref())?;
    let format = Format::parse(q.f.as_deref())?;
    let (from, to) = params::range(
        q.from.as_deref(),
        q.to.as_deref(),
        zone.zone,
        params::today(zone.zone),
        1,
    )?;
    let step = match q.step.as_deref() {
        Some(s) => params::duration("step", s)?,
        None => 600,
    };
    tidewatch_tides::validate::series(from, to, step)?;
    let (station, predictor) = station(&state, &id).await?;
    let series = predictor.heights(from, to, step)?;
    let rows = series
        .points()
        .map(|(t, h)| vec![json!(format_rfc3339(t, zone.zone)), json!(round_mm(h))]);
    Ok(match format {
        Format::Csv => params::csv(&["time", "height_m"], rows, &series.datum),
        Format::Json => Json(json!({
            "station": header_of(&station, &series.datum, zone),
            "from": format_rfc3339(from, zone.zone),
            "to": format_rfc3339(to, zone.zone),
            "step_s": step,
            "predictions": series.points().map(|(t, h)| json!({
                "time": format_rfc3339(t, zone.zone),
                "height_m": round_mm(h),
            })).collect::<Vec<_>>(),
        }))
        .into_response(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtremesQuery {
    from: Option<String>,
    to: Option<String>,
    tz: Option<String>,
    f: Option<String>,
}

/// `GET /tides/{station}/extremes?from=&to=`: high and low waters, to the second
/// (default: 7 days from today's local midnight).
async fn extremes(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ExtremesQuery>,
) -> Result<Response, ApiError> {
    let zone = TimeZoneParam::parse(q.tz.as_deref())?;
    let format = Format::parse(q.f.as_deref())?;
    let (from, to) = params::range(
        q.from.as_deref(),
        q.to.as_deref(),
        zone.zone,
        params::today(zone.zone),
        7,
    )?;
    tidewatch_tides::validate::range(from, to)?;
    let (station, predictor) = station(&state, &id).await?;
    let series = predictor.extremes(from, to)?;
    let kind = |k: ExtremeKind| match k {
        ExtremeKind::High => "high",
        ExtremeKind::Low => "low",
    };
    Ok(match format {
        Format::Csv => params::csv(
            &["time", "height_m", "type"],
            series.extremes.iter().map(|e| {
                vec![
                    json!(format_rfc3339(e.time, zone.zone)),
                    json!(round_mm(e.height_m)),
                    json!(kind(e.kind)),
                ]
            }),
            &series.datum,
        ),
        Format::Json => Json(json!({
            "station": header_of(&station, &series.datum, zone),
            "from": format_rfc3339(from, zone.zone),
            "to": format_rfc3339(to, zone.zone),
            "extremes": series.extremes.iter().map(|e| json!({
                "time": format_rfc3339(e.time, zone.zone),
                "height_m": round_mm(e.height_m),
                "type": kind(e.kind),
            })).collect::<Vec<_>>(),
        }))
        .into_response(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowsQuery {
    from: Option<String>,
    to: Option<String>,
    before: Option<String>,
    after: Option<String>,
    night: Option<String>,
    min_height: Option<String>,
    tz: Option<String>,
    f: Option<String>,
}

/// `GET /tides/{station}/windows`: every high water whose window (`before` and `after`
/// it, default 2 h each) touches the night (`civil` twilight by default, `sunset`, or a
/// local clock range `HH:MM-HH:MM`), optionally only those reaching `min_height` metres.
async fn tide_windows(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<WindowsQuery>,
) -> Result<Response, ApiError> {
    let zone = TimeZoneParam::parse(q.tz.as_deref())?;
    let format = Format::parse(q.f.as_deref())?;
    let (from, to) = params::range(
        q.from.as_deref(),
        q.to.as_deref(),
        zone.zone,
        params::today(zone.zone),
        7,
    )?;
    let before = params::duration_or("before", q.before.as_deref(), 2 * 3600)?;
    let after = params::duration_or("after", q.after.as_deref(), 2 * 3600)?;
    let night = NightRule::parse(q.night.as_deref().unwrap_or("civil"))?;
    let min_height = q
        .min_height
        .as_deref()
        .map(|s| params::number("min_height", s))
        .transpose()?;
    let (station, predictor) = station(&state, &id).await?;
    let found = windows(&predictor, from, to, before, after, &night, min_height)?;
    let t = |i: i64| format_rfc3339(i, zone.zone);
    Ok(match format {
        Format::Csv => params::csv(
            &[
                "start",
                "end",
                "high_water_time",
                "high_water_height_m",
                "night_start",
                "night_end",
            ],
            found.iter().map(|w| {
                vec![
                    json!(t(w.start)),
                    json!(t(w.end)),
                    json!(t(w.high_water.time)),
                    json!(round_mm(w.high_water.height_m)),
                    json!(t(w.night.start)),
                    json!(t(w.night.end)),
                ]
            }),
            predictor.datum(),
        ),
        Format::Json => Json(json!({
            "station": header_of(&station, predictor.datum(), zone),
            "from": t(from),
            "to": t(to),
            "before_s": before,
            "after_s": after,
            "night": q.night.as_deref().unwrap_or("civil"),
            "min_height_m": min_height,
            "windows": found.iter().map(|w| json!({
                "start": t(w.start),
                "end": t(w.end),
                "high_water": {"time": t(w.high_water.time), "height_m": round_mm(w.high_water.height_m)},
                "night": {"start": t(w.night.start), "end": t(w.night.end)},
            })).collect::<Vec<_>>(),
        }))
        .into_response(),
    })
}

fn header_of(station: &TideStation, datum: &str, zone: TimeZoneParam) -> Value {
    json!({
        "station": station.key,
        "station_id": station.station_id,
        "name_zh": station.name_zh,
        "name_en": station.name_en,
        "source": station.source(),
        "datum": datum,
        "time_zone": zone.name,
        "lon": station.lon,
        "lat": station.lat,
    })
}

/// Heights to the millimetre: predictions are not better than that.
fn round_mm(h: f64) -> f64 {
    (h * 1000.0).round() / 1000.0
}
