//! OGC API Features Part 1 (Core, GeoJSON): the landing page (JSON for clients, the map
//! for browsers), conformance, collections, items, single features and queryables. The
//! documents and query rules are in `crate::ogc`; this is only the HTTP edge.

use super::{web, ApiError, ApiPath, ApiQuery, AppState};
use crate::catalog::SharedSource;
use crate::ogc;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::Value;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(landing))
        .route("/conformance", get(conformance))
        .route("/collections", get(collections))
        .route("/collections/{id}", get(collection))
        .route("/collections/{id}/items", get(items))
        .route("/collections/{id}/items/{feature_id}", get(feature))
        .route("/collections/{id}/queryables", get(queryables))
}

type Params = ApiQuery<Vec<(String, String)>>;

fn document(content_type: &'static str, body: &Value) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body.to_string(),
    )
        .into_response()
}

/// Only `f` is taken by the metadata documents; anything else is a mistake worth naming.
fn only_format(params: &[(String, String)]) -> Result<(), ApiError> {
    for (k, v) in params {
        match k.as_str() {
            "f" => ogc::check_format(v).map_err(ApiError::bad_request)?,
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter {:?}; this document takes only f",
                    other.chars().take(60).collect::<String>()
                )))
            }
        }
    }
    Ok(())
}

fn layer(state: &AppState, id: &str) -> Result<SharedSource, ApiError> {
    state.tiles.catalog().get(id).ok_or_else(|| {
        ApiError::not_found(format!(
            "no collection {:?}; see /collections",
            id.chars().take(80).collect::<String>()
        ))
    })
}

/// `GET /`: the landing page as JSON for `?f=json` or clients that ask for JSON and not
/// HTML; the map page for browsers and everyone else.
async fn landing(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(params): Params,
) -> Result<Response, ApiError> {
    let f = params
        .iter()
        .find(|(k, _)| k == "f")
        .map(|(_, v)| v.as_str());
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let json = match f {
        Some("html") => false,
        Some(other) => {
            ogc::check_format(other).map_err(ApiError::bad_request)?;
            true
        }
        None => accept.contains("json") && !accept.contains("text/html"),
    };
    let mut response = if json {
        document("application/json", &ogc::landing(&state.base_url(&headers)))
    } else {
        web::asset("index.html")
    };
    // The answer depends on Accept: caches must not hand the map to a JSON client.
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept"));
    Ok(response)
}

async fn conformance(ApiQuery(params): Params) -> Result<Response, ApiError> {
    only_format(&params)?;
    Ok(document("application/json", &ogc::conformance()))
}

async fn collections(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(params): Params,
) -> Result<Response, ApiError> {
    only_format(&params)?;
    let layers = state.tiles.catalog().list();
    let infos: Vec<_> = layers.iter().map(|l| l.info()).collect();
    Ok(document(
        "application/json",
        &ogc::collections(&state.base_url(&headers), &infos),
    ))
}

async fn collection(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): Params,
) -> Result<Response, ApiError> {
    let layer = layer(&state, &id)?;
    only_format(&params)?;
    Ok(document(
        "application/json",
        &ogc::collection(&state.base_url(&headers), layer.info()),
    ))
}

async fn items(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): Params,
) -> Result<Response, ApiError> {
    let layer = layer(&state, &id)?;
    let query = ogc::parse_items_query(&params, layer.info(), state.config.ogc_max_limit)
        .map_err(ApiError::bad_request)?;
    let page = layer
        .items(&query)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    let doc = ogc::items_document(
        &state.base_url(&headers),
        layer.info(),
        &query,
        &page,
        std::time::SystemTime::now(),
    );
    Ok(document(ogc::GEOJSON, &doc))
}

async fn feature(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath((id, feature_id)): ApiPath<(String, String)>,
    ApiQuery(params): Params,
) -> Result<Response, ApiError> {
    let layer = layer(&state, &id)?;
    only_format(&params)?;
    let missing = || {
        ApiError::not_found(format!(
            "collection {id} has no feature {:?}",
            feature_id.chars().take(80).collect::<String>()
        ))
    };
    // Feature ids are whole numbers; anything else names no feature.
    let fid: u64 = feature_id.parse().map_err(|_| missing())?;
    let f = layer
        .feature(fid)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?
        .ok_or_else(missing)?;
    Ok(document(
        ogc::GEOJSON,
        &ogc::feature_document(&state.base_url(&headers), layer.info(), &f),
    ))
}

async fn queryables(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): Params,
) -> Result<Response, ApiError> {
    let layer = layer(&state, &id)?;
    only_format(&params)?;
    Ok(document(
        "application/schema+json",
        &ogc::queryables(&state.base_url(&headers), layer.info()),
    ))
}
