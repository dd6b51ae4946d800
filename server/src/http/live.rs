//! Live vessels over HTTP: ingest (`POST /ingest/positions`, `POST /ingest/nmea`, token
//! required), reads (`/vessels`, `/vessels/{id}`, `/vessels/{id}/track`) and the push
//! stream `/live` (Server-Sent Events).

use super::params::{geojson, truncate};
use super::{ApiError, ApiPath, ApiQuery, AppState};
use crate::live::fleet::{Fix, Vessel};
use crate::live::layer::vessel_properties;
use crate::live::nmea_sources::{LineDecoder, LineSplitter, MAX_LINE};
use crate::live::{batch, now_ms, Position, Update, WhenFull};
use crate::ogc::parse_bbox;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::stream::{self, Stream, StreamExt as _};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ingest/positions", post(ingest_positions))
        .route("/ingest/nmea", post(ingest_nmea))
        .route("/vessels", get(vessels))
        .route("/vessels/{id}", get(vessel))
        .route("/vessels/{id}/track", get(track))
        .route("/live", get(live_stream))
}

/// Most vessels one `/vessels` answer lists.
const MAX_VESSELS: usize = 50_000;
/// Most points in one track.
const MAX_TRACK_POINTS: usize = 100_000;

fn check_ingest_token(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    super::auth::require_bearer(
        state.config.ingest_token.as_deref(),
        headers,
        "ingest endpoints",
        "ingest_token (TIDEWATCH_INGEST_TOKEN)",
    )
}

/// Applies validated positions as one batch, so a full queue (503) applies none of them.
async fn submit(state: &AppState, updates: Vec<Update>, source: &str) -> Result<(), ApiError> {
    if state.live.submit(updates, source, WhenFull::Wait).await > 0 {
        return Err(ApiError::unavailable(
            "ingest queue full: the server is shedding load, retry later",
        ));
    }
    Ok(())
}

async fn ingest_positions(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_ingest_token(&state, &headers)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let positions = match content_type.as_str() {
        "application/json" | "" => batch::from_json(&body),
        "text/csv" => batch::from_csv(&body),
        other => {
            return Err(ApiError {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                message: format!("Content-Type {other:?}: send application/json or text/csv"),
            })
        }
    }
    .map_err(ApiError::bad_request)?;
    let n = positions.len();
    submit(
        &state,
        positions.into_iter().map(Update::Position).collect(),
        "http",
    )
    .await?;
    metrics::counter!("tidewatch_http_positions_total").increment(n as u64);
    Ok((StatusCode::ACCEPTED, Json(json!({ "accepted": n }))).into_response())
}

/// NMEA lines in a request body (a receiver's log, a test): every line is accepted or
/// counted as rejected with its reason in the answer.
async fn ingest_nmea(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    check_ingest_token(&state, &headers)?;
    let mut lines = LineDecoder::new("http".into());
    let mut splitter = LineSplitter::new(MAX_LINE);
    for _ in 0..splitter.push(&body, |l| lines.line(l)) {
        lines.too_long();
    }
    if let Some(rest) = splitter.finish() {
        lines.line(&rest);
    }
    lines.lose_pending_fragments();
    let LineDecoder {
        updates, counts, ..
    } = lines;
    let rejected: BTreeMap<&str, u64> = counts.rejected.into_iter().collect();
    let (accepted, fragments) = (counts.accepted, counts.fragments);
    submit(&state, updates, "http").await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "accepted": accepted, "fragments": fragments, "rejected": rejected })),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VesselsQuery {
    bbox: Option<String>,
}

fn bbox_of(text: Option<&str>) -> Result<[f64; 4], ApiError> {
    match text {
        Some(t) => parse_bbox(t, false).map_err(ApiError::bad_request),
        None => Ok([-180.0, -90.0, 180.0, 90.0]),
    }
}

/// `GET /vessels?bbox=`: every vessel's latest position, with the age of its report.
async fn vessels(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<VesselsQuery>,
) -> Result<Response, ApiError> {
    let bbox = bbox_of(q.bbox.as_deref())?;
    let now = now_ms();
    let fleet = state.live.fleet();
    let found = fleet.in_bbox(bbox);
    let truncated = found.len() > MAX_VESSELS;
    let features: Vec<Value> = found
        .iter()
        .take(MAX_VESSELS)
        .filter_map(|v| vessel_json(v, now))
        .collect();
    let doc = json!({
        "type": "FeatureCollection",
        "numberReturned": features.len(),
        "truncated": truncated,
        "timeStamp": crate::time::rfc3339_ms(now),
        "features": features,
    });
    Ok(geojson(doc))
}

fn vessel_json(v: &Vessel, now: i64) -> Option<Value> {
    let f = v.latest?;
    Some(json!({
        "type": "Feature",
        "id": &*v.id,
        "geometry": {"type": "Point", "coordinates": [f.lon, f.lat]},
        "properties": vessel_properties(v, now),
    }))
}

/// `GET /vessels/{id}`: static data, latest position and when each source last reported.
async fn vessel(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let now = now_ms();
    let fleet = state.live.fleet();
    let v = fleet
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("no vessel {:?}", truncate(&id))))?;
    let mut properties = vessel_properties(v, now);
    properties.insert("static".into(), json!(v.statics));
    let seen = |t: Option<i64>| t.map(crate::time::rfc3339_ms);
    properties.insert(
        "last_report".into(),
        json!({"ais": seen(v.last_ais_ms), "beidou": seen(v.last_beidou_ms)}),
    );
    let geometry = v
        .latest
        .map(|f| json!({"type": "Point", "coordinates": [f.lon, f.lat]}));
    Ok(geojson(json!({
        "type": "Feature",
        "id": &*v.id,
        "geometry": geometry,
        "properties": properties,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrackQuery {
    from: Option<String>,
    to: Option<String>,
}

fn instant(name: &str, text: Option<&str>, default: i64) -> Result<i64, ApiError> {
    match text {
        None => Ok(default),
        Some(t) => crate::ogc::datetime::parse_time(t)
            .map(|(start, _)| start)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "{name} {:?} is not an RFC 3339 date-time or date",
                    truncate(t)
                ))
            }),
    }
}

/// `GET /vessels/{id}/track?from=&to=`: a LineString with one time per vertex
/// (`properties.times`), from PostGIS's full history when there is one, else from memory.
async fn track(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TrackQuery>,
) -> Result<Response, ApiError> {
    let from = instant("from", q.from.as_deref(), i64::MIN)?;
    let to = instant("to", q.to.as_deref(), i64::MAX)?;
    if from > to {
        return Err(ApiError::bad_request("from is after to"));
    }
    let (known, mut fixes) = {
        let fleet = state.live.fleet();
        (fleet.get(&id).is_some(), fleet.track(&id, from, to))
    };
    if let Some(store) = &state.postgis {
        let open = |t: i64| (t != i64::MIN && t != i64::MAX).then_some(t);
        let stored =
            crate::live::persist::track(store.pool(), &id, open(from), open(to), MAX_TRACK_POINTS)
                .await
                .map_err(|e| ApiError::unavailable(format!("track from PostGIS: {e}")))?;
        // Positions still waiting to be written are only in memory: merge by time.
        fixes = merge_tracks(stored, fixes);
    }
    if !known && fixes.is_empty() {
        return Err(ApiError::not_found(format!(
            "no vessel {:?}",
            truncate(&id)
        )));
    }
    fixes.truncate(MAX_TRACK_POINTS);
    Ok(geojson(track_json(&id, &fixes)))
}

fn merge_tracks(a: Vec<Fix>, b: Vec<Fix>) -> Vec<Fix> {
    let mut all: Vec<Fix> = a.into_iter().chain(b).collect();
    all.sort_by_key(|f| f.at_ms);
    all.dedup_by(|x, y| x.at_ms == y.at_ms && x.source == y.source);
    all
}

/// A track as GeoJSON: a LineString (a Point for one position, no geometry for none).
pub fn track_json(id: &str, fixes: &[Fix]) -> Value {
    let coords: Vec<[f64; 2]> = fixes.iter().map(|f| [f.lon, f.lat]).collect();
    let geometry = match coords.len() {
        0 => Value::Null,
        1 => json!({"type": "Point", "coordinates": coords[0]}),
        _ => json!({"type": "LineString", "coordinates": coords}),
    };
    json!({
        "type": "Feature",
        "id": id,
        "geometry": geometry,
        "properties": {
            "vessel_id": id,
            "points": fixes.len(),
            "times": fixes.iter().map(|f| crate::time::rfc3339_ms(f.at_ms)).collect::<Vec<_>>(),
            "speeds_kn": fixes.iter().map(|f| f.speed_kn).collect::<Vec<_>>(),
            "sources": fixes.iter().map(|f| f.source.as_str()).collect::<Vec<_>>(),
        }
    })
}

/// One pushed position, compact.
fn position_json(p: &Position) -> Value {
    json!({
        "id": &*p.vessel,
        "source": p.source.as_str(),
        "time": crate::time::rfc3339_ms(p.at_ms),
        "lon": p.lon,
        "lat": p.lat,
        "speed_kn": p.speed_kn,
        "course_deg": p.course_deg,
        "heading_deg": p.heading_deg,
    })
}

/// `GET /live?bbox=`: Server-Sent Events. First a `snapshot` event (the vessels in the
/// box now), then a `positions` event per applied batch with the positions in the box,
/// and a `lagged` event saying how many batches a slow client missed.
async fn live_stream(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<VesselsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let bbox = bbox_of(q.bbox.as_deref())?;
    let receiver = state.live.subscribe();
    let snapshot = {
        let now = now_ms();
        let fleet = state.live.fleet();
        let features: Vec<Value> = fleet
            .in_bbox(bbox)
            .iter()
            .take(MAX_VESSELS)
            .filter_map(|v| vessel_json(v, now))
            .collect();
        json!({"type": "FeatureCollection", "features": features})
    };
    metrics::gauge!("tidewatch_live_subscribers").increment(1.0);
    let first = Event::default()
        .event("snapshot")
        .data(snapshot.to_string());
    let inside = move |p: &Position| {
        p.lon >= bbox[0] && p.lon <= bbox[2] && p.lat >= bbox[1] && p.lat <= bbox[3]
    };
    let guard = SubscriberGauge;
    let updates = stream::unfold((receiver, guard), move |(mut rx, guard)| async move {
        loop {
            match rx.recv().await {
                Ok(batch) => {
                    let items: Vec<Value> = batch
                        .iter()
                        .filter(|p| inside(p))
                        .map(position_json)
                        .collect();
                    if items.is_empty() {
                        continue;
                    }
                    let event = Event::default()
                        .event("positions")
                        .data(Value::Array(items).to_string());
                    return Some((Ok(event), (rx, guard)));
                }
                Err(RecvError::Lagged(n)) => {
                    let event = Event::default()
                        .event("lagged")
                        .data(json!({ "missed_batches": n }).to_string());
                    return Some((Ok(event), (rx, guard)));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    let events = stream::once(async move { Ok(first) }).chain(updates);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// Counts open `/live` streams; the stream owns it, so a closed client decrements.
struct SubscriberGauge;

impl Drop for SubscriberGauge {
    fn drop(&mut self) {
        metrics::gauge!("tidewatch_live_subscribers").decrement(1.0);
    }
}
