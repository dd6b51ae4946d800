//! Server and layer metadata: `/catalog`, `/health`, `/metrics`.

use super::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/catalog", get(catalog))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
}

async fn catalog(State(state): State<AppState>, headers: HeaderMap) -> Json<Value> {
    let base = state.base_url(&headers);
    let layers: Vec<Value> = state
        .tiles
        .catalog()
        .list()
        .iter()
        .map(|source| {
            let info = source.info();
            let mut v = serde_json::to_value(info).expect("layer info serialises");
            v["tiles"] = json!(format!("{base}/tiles/{}/{{z}}/{{x}}/{{y}}.mvt", info.id));
            v["tilejson"] = json!(format!("{base}/tiles/{}.json", info.id));
            v
        })
        .collect();
    Json(json!({ "layers": layers, "styles": format!("{base}/styles") }))
}

async fn health(State(state): State<AppState>) -> Json<Value> {
    let layers = state.tiles.catalog().list();
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "layers": layers.len(),
        "features": layers.iter().filter_map(|l| l.info().feature_count).sum::<usize>(),
        "uptime_s": state.started.elapsed().as_secs(),
    }))
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    for layer in state.tiles.catalog().list() {
        let info = layer.info();
        if let Some(count) = info.feature_count {
            metrics::gauge!("tidewatch_layer_features", "layer" => info.id.clone())
                .set(count as f64);
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        state.metrics.render(),
    )
}
