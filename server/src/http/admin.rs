//! Layer data in and out over HTTP: the authenticated upload
//! `POST /admin/layers/{id}/import` and the streamed export `GET /export/{id}.{geojson|fgb}`.

use super::{ApiError, ApiPath, ApiQuery, AppState};
use crate::export::{flatgeobuf, geojson_chunks, Format};
use crate::import::{store_layer, ImportChoices, Target};
use crate::store::postgis::ImportSummary;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::sync::Arc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/layers/{id}/import", post(import))
        .route("/export/{file}", get(export))
}

fn check_token(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    super::auth::require_bearer(
        state.config.admin_token.as_deref(),
        headers,
        "admin endpoints",
        "admin_token (TIDEWATCH_ADMIN_TOKEN)",
    )
}

async fn import(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(choices): ApiQuery<ImportChoices>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportSummary>, ApiError> {
    check_token(&state, &headers)?;
    let limit = state.config.max_upload_mb.saturating_mul(1024 * 1024);
    let too_large = || ApiError {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        message: format!(
            "upload larger than the limit of {} MiB (max_upload_mb)",
            state.config.max_upload_mb
        ),
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, limit as usize)
        .await
        .map_err(|_| too_large())?;

    let bad = |e: anyhow::Error| ApiError::bad_request(format!("{e:#}"));
    let options = choices.options().map_err(bad)?;
    let request = choices.request(&id).map_err(bad)?;
    let filename = choices
        .filename
        .clone()
        .ok_or_else(|| ApiError::bad_request("say the file's name: ?filename=piers.zip"))?;
    let source = filename.clone();

    let imported = tokio::task::spawn_blocking(move || {
        tidewatch_importers::read_bytes_with(&filename, &bytes, &options, &mut |_| {})
    })
    .await
    .map_err(|e| ApiError::internal(format!("import task failed: {e}")))?
    .map_err(|e| ApiError::bad_request(e.to_string()))?;

    let target = match &state.postgis {
        Some(store) => Target::Postgis(store),
        None => Target::Embedded {
            layers_dir: &state.config.layers_dir,
            import_dir: &state.config.import_dir,
        },
    };
    let stored = store_layer(target, &request, imported, &source, &mut |_| {})
        .await
        .map_err(|e| ApiError::bad_request(format!("{e:#}")))?;
    match (stored.embedded, &state.postgis) {
        (Some(layer), _) => state.tiles.catalog().replace(Arc::new(layer)),
        (None, Some(store)) => {
            let layers = store
                .layers()
                .await
                .map_err(|e| ApiError::unavailable(e.to_string()))?;
            state.replace_layers(layers);
        }
        (None, None) => {}
    }
    state.tiles.invalidate();
    tracing::info!(layer = %stored.summary.layer, features = stored.summary.features, "layer imported over HTTP");
    Ok(Json(stored.summary))
}

async fn export(
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
) -> Result<Response, ApiError> {
    let (id, format) = file
        .rsplit_once('.')
        .and_then(|(id, ext)| Some((id, Format::from_extension(ext)?)))
        .ok_or_else(|| {
            ApiError::not_found("exports are at /export/{layer}.geojson or /export/{layer}.fgb")
        })?;
    let source = state.tiles.resolve(id)?.remove(0);
    let features = source
        .features_in([-180.0, -90.0, 180.0, 90.0], usize::MAX)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    let name = id.to_owned();
    let body = match format {
        Format::Geojson => {
            let chunks = geojson_chunks(&name, features).map(Ok::<_, std::convert::Infallible>);
            Body::from_stream(futures_util::stream::iter(chunks))
        }
        Format::Fgb => {
            let kind = source.info().geometry;
            let bytes = tokio::task::spawn_blocking(move || flatgeobuf(&name, kind, &features))
                .await
                .map_err(|e| ApiError::internal(format!("export task failed: {e}")))?
                .map_err(|e| ApiError::internal(format!("FlatGeobuf export failed: {e:#}")))?;
            Body::from(bytes)
        }
    };
    let disposition = format!("attachment; filename=\"{file}\"");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.media_type()),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .map_err(|_| ApiError::bad_request("bad file name"))?,
            ),
        ],
        body,
    )
        .into_response())
}
