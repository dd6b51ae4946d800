//! MapLibre styles from the styles folder, with `{base_url}` in them replaced by the
//! URL clients reach this server at, so one style file works behind any proxy.

use super::{ApiError, ApiPath, AppState};
use crate::layers::is_valid_id;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/styles", get(list))
        .route("/styles/{file}", get(style))
}

async fn list(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let base = state.base_url(&headers);
    let mut names: Vec<String> = std::fs::read_dir(&state.config.styles_dir)
        .map_err(|e| ApiError::not_found(format!("styles folder unreadable: {e}")))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".json")
                .map(str::to_owned)
        })
        .filter(|n| is_valid_id(n))
        .collect();
    names.sort();
    let styles: Vec<Value> = names
        .iter()
        .map(|n| json!({ "id": n, "url": format!("{base}/styles/{n}.json") }))
        .collect();
    Ok(Json(json!({ "styles": styles })))
}

async fn style(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let name = file
        .strip_suffix(".json")
        .filter(|n| is_valid_id(n))
        .ok_or_else(|| {
            ApiError::not_found("styles are at /styles/{name}.json; GET /styles lists them")
        })?;
    let path = state.config.styles_dir.join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path)
        .map_err(|_| ApiError::not_found(format!("no style {name:?}; GET /styles lists them")))?;
    let body = text.replace("{base_url}", &state.base_url(&headers));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response())
}
