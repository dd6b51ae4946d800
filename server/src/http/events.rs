//! Early-warning events: `GET /events` (GeoJSON, with each event's evidence) and
//! `GET /events/stream` (Server-Sent Events: `snapshot` of the open events, then `opened`,
//! `severity` and `closed` as the rules raise them). The `events` layer serves the same
//! events as tiles and OGC API items.

use super::params::{geojson, truncate};
use super::{ApiError, ApiQuery, AppState};
use crate::live::alerts::{event_json, kind_name, StoredEvent};
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events", get(events))
        .route("/events/stream", get(event_stream))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsQuery {
    /// `true`: only open events.
    open: Option<bool>,
    /// One event type (`dark_vessel`, `night_pier_approach`, `rendezvous`, `loitering`,
    /// `repeat_visit`).
    #[serde(rename = "type")]
    kind: Option<String>,
}

const TYPES: [&str; 5] = [
    "dark_vessel",
    "night_pier_approach",
    "rendezvous",
    "loitering",
    "repeat_visit",
];

fn feature(s: &StoredEvent) -> Value {
    let mut properties = event_json(s);
    let geometry = match &s.event.geometry {
        tidewatch_alerts::Geometry::Point { at } => {
            json!({"type": "Point", "coordinates": [at.lon, at.lat]})
        }
        tidewatch_alerts::Geometry::Line { points } => json!({
            "type": "LineString",
            "coordinates": points.iter().map(|p| [p.lon, p.lat]).collect::<Vec<_>>(),
        }),
    };
    properties.as_object_mut().map(|p| p.remove("geometry"));
    json!({"type": "Feature", "id": s.event.id.0, "geometry": geometry, "properties": properties})
}

/// `GET /events?open=true&type=…`: events, oldest first.
async fn events(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> Result<Response, ApiError> {
    if let Some(k) = &q.kind {
        if !TYPES.contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!(
                "type={:?} is not an event type; use one of {}",
                truncate(k),
                TYPES.join(", ")
            )));
        }
    }
    let features: Vec<Value> = state
        .alerts
        .events()
        .iter()
        .filter(|e| !q.open.unwrap_or(false) || e.event.end_ms.is_none())
        .filter(|e| {
            q.kind
                .as_deref()
                .is_none_or(|k| kind_name(e.event.kind) == k)
        })
        .map(feature)
        .collect();
    Ok(geojson(
        json!({"type": "FeatureCollection", "features": features}),
    ))
}

/// `GET /events/stream`: the open events, then every change as it happens.
async fn event_stream(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.alerts.subscribe();
    let open: Vec<Value> = state
        .alerts
        .events()
        .iter()
        .filter(|e| e.event.end_ms.is_none())
        .map(feature)
        .collect();
    let first = Event::default()
        .event("snapshot")
        .data(json!({"type": "FeatureCollection", "features": open}).to_string());
    let updates = stream::unfold(receiver, |mut rx| async move {
        match rx.recv().await {
            Ok(message) => {
                let name = message["type"].as_str().unwrap_or("event").to_owned();
                let event = Event::default()
                    .event(name)
                    .data(message["event"].to_string());
                Some((Ok(event), rx))
            }
            Err(RecvError::Lagged(n)) => Some((
                Ok(Event::default()
                    .event("lagged")
                    .data(json!({ "missed": n }).to_string())),
                rx,
            )),
            Err(RecvError::Closed) => None,
        }
    });
    let events = stream::once(async move { Ok(first) }).chain(updates);
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
