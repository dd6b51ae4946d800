//! HTTP: routers composed per concern, shared state passed explicitly, errors turned
//! into one JSON shape and status code here at the edge.

mod admin;
mod analysis;
mod auth;
mod error;
mod events;
mod extract;
mod live;
mod meta;
mod ogc;
mod params;
mod styles;
mod tides;
mod tiles;
mod web;

pub use error::ApiError;
pub use extract::{ApiPath, ApiQuery};

use crate::analysis::Analyses;
use crate::config::Config;
use crate::live::nmea_sources::BoundSources;
use crate::live::Live;
use crate::store::postgis::PostgisStore;
use crate::tile_service::TileService;
use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use std::time::Instant;
use tower_http::cors::{Any, CorsLayer};
use tower_http::trace::TraceLayer;

/// Everything handlers need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub tiles: Arc<TileService>,
    pub metrics: PrometheusHandle,
    /// The PostGIS store, when the server runs on one.
    pub postgis: Option<PostgisStore>,
    /// Live vessels.
    pub live: Arc<Live>,
    /// Coverage, tides and patrol zones over the catalog's layers.
    pub analyses: Arc<Analyses>,
    /// Early-warning events raised from the live positions.
    pub alerts: Arc<crate::live::alerts::Alerts>,
    /// Where the NMEA listeners are bound (ports chosen by the system included).
    pub nmea: Arc<BoundSources>,
    pub started: Instant,
}

impl AppState {
    /// The URL clients reach us at: configured, or from the request's Host header.
    pub fn base_url(&self, headers: &HeaderMap) -> String {
        if let Some(url) = &self.config.public_url {
            return url.trim_end_matches('/').to_owned();
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| is_safe_host(h))
            .map(str::to_owned)
            .unwrap_or_else(|| self.config.listen.to_string());
        let proto = match headers
            .get("x-forwarded-proto")
            .and_then(|h| h.to_str().ok())
        {
            Some("https") => "https",
            _ => "http",
        };
        format!("{proto}://{host}")
    }
}

/// Host header values are echoed into JSON documents: allow only host[:port] characters.
fn is_safe_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
}

pub fn router(state: AppState) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
        .allow_headers([header::IF_NONE_MATCH, header::CONTENT_TYPE])
        .expose_headers([header::ETAG, header::CONTENT_LENGTH]);
    Router::new()
        .merge(tiles::routes())
        .merge(admin::routes())
        .merge(analysis::routes())
        .merge(live::routes())
        .merge(events::routes())
        .merge(meta::routes())
        .merge(ogc::routes())
        .merge(styles::routes())
        .merge(tides::routes())
        .merge(web::routes())
        .fallback(not_found)
        .layer(middleware::from_fn(record_metrics))
        .layer(cors)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!(
        "no endpoint at {}; see README.md or GET /catalog",
        uri.path().chars().take(200).collect::<String>()
    ))
}

/// Counts requests and their latency per route pattern (never per raw path, which would
/// make one time series per tile).
async fn record_metrics(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let start = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("tidewatch_http_requests_total", "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("tidewatch_http_request_duration_seconds", "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}
