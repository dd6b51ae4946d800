//! OGC API Features Part 1 (Core, GeoJSON): the landing page (JSON for clients, the map
//! for browsers), conformance, collections, items, single features and queryables. The
//! documents and query rules are in `crate::ogc`; this is only the HTTP edge.

use super::{web, ApiError, ApiPath, ApiQuery, AppState};
use crate::catalog::SharedSource;
use crate::ogc;
use crate::ogc::format::{negotiate, Format};
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
        .route("/api", get(api))
        .route("/collections", get(collections))
        .route("/collections/{id}", get(collection))
        .route("/collections/{id}/items", get(items))
        .route("/collections/{id}/items/{feature_id}", get(feature))
        .route("/collections/{id}/queryables", get(queryables))
}

type Params = ApiQuery<Vec<(String, String)>>;

fn document(content_type: &'static str, body: &Value) -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body.to_string(),
    )
        .into_response();
    // Documents that have other formats vary with `Accept`.
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept"));
    response
}

/// An HTML page; like every negotiated answer, it varies with `Accept`.
fn html_page(body: String) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(ogc::format::HTML),
            ),
            (header::VARY, HeaderValue::from_static("accept")),
        ],
        body,
    )
        .into_response()
}

fn accept(headers: &HeaderMap) -> &str {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Like [`only_format`], choosing among `offered` by `f`, else by `Accept`.
fn format_of(
    params: &[(String, String)],
    headers: &HeaderMap,
    offered: &[Format],
) -> Result<Format, ApiError> {
    only_format(params)?;
    let f = params
        .iter()
        .find(|(k, _)| k == "f")
        .map(|(_, v)| v.as_str());
    negotiate(f, accept(headers), offered).map_err(ApiError::bad_request)
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
            negotiate(Some(other), "", &[Format::Json]).map_err(ApiError::bad_request)?;
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

/// `GET /api`: the OpenAPI 3.0 document, built from the code (`crate::ogc::openapi`).
async fn api(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(params): Params,
) -> Result<Response, ApiError> {
    for (k, v) in &params {
        if k != "f" || !matches!(v.as_str(), "json" | "openapi") {
            return Err(ApiError::bad_request(
                "/api takes only f=json; it answers with the OpenAPI 3.0 document",
            ));
        }
    }
    let layers = state.tiles.catalog().list();
    let ids: Vec<&str> = layers.iter().map(|l| l.info().id.as_str()).collect();
    Ok(document(
        ogc::openapi::OPENAPI_JSON,
        &ogc::openapi::document(&state.base_url(&headers), &ids),
    ))
}

async fn conformance(ApiQuery(params): Params) -> Result<Response, ApiError> {
    format_of(&params, &HeaderMap::new(), &[Format::Json])?;
    Ok(document("application/json", &ogc::conformance()))
}

async fn collections(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(params): Params,
) -> Result<Response, ApiError> {
    let format = format_of(&params, &headers, &[Format::Json, Format::Html])?;
    let layers = state.tiles.catalog().list();
    let infos: Vec<_> = layers.iter().map(|l| l.info()).collect();
    if format == Format::Html {
        return Ok(html_page(ogc::html::collections(
            &state.base_url(&headers),
            &infos,
        )));
    }
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
    if format_of(&params, &headers, &[Format::Json, Format::Html])? == Format::Html {
        return Ok(html_page(ogc::html::collection(
            &state.base_url(&headers),
            layer.info(),
        )));
    }
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
    let f = params
        .iter()
        .find(|(k, _)| k == "f")
        .map(|(_, v)| v.as_str());
    let format = negotiate(
        f,
        accept(&headers),
        &[Format::Json, Format::Html, Format::FlatGeobuf],
    )
    .map_err(ApiError::bad_request)?;
    if format == Format::FlatGeobuf && query.crs.is_some() {
        return Err(ApiError::bad_request(
            "FlatGeobuf pages are written in CRS84 (EPSG:4326 longitude/latitude); leave out crs",
        ));
    }
    let page = if query.datetime.is_some() && layer.info().time_property.is_none() {
        // No feature of this collection has a time: none matches (see ogc::datetime).
        ogc::ItemsPage {
            features: Vec::new(),
            number_matched: 0,
        }
    } else {
        layer
            .items(&query)
            .await
            .map_err(|e| ApiError::unavailable(e.to_string()))?
    };
    if format == Format::FlatGeobuf {
        return flatgeobuf_page(layer.info(), &query, page).await;
    }
    let page = in_crs(page, query.crs).await?;
    if format == Format::Html {
        let html = ogc::html::items(&state.base_url(&headers), layer.info(), &query, &page);
        return Ok(with_content_crs(html_page(html), query.crs));
    }
    let doc = ogc::items_document(
        &state.base_url(&headers),
        layer.info(),
        &query,
        &page,
        std::time::SystemTime::now(),
    );
    Ok(with_content_crs(document(ogc::GEOJSON, &doc), query.crs))
}

/// A page of features as FlatGeobuf (EPSG:4326 longitude/latitude), with only the
/// selected properties.
async fn flatgeobuf_page(
    info: &crate::store::LayerInfo,
    query: &ogc::ItemsQuery,
    page: ogc::ItemsPage,
) -> Result<Response, ApiError> {
    let mut features = page.features;
    if let Some(names) = &query.properties {
        for f in &mut features {
            f.properties.retain(|k, _| names.contains(k));
        }
    }
    let (name, kind) = (info.id.clone(), info.geometry);
    let bytes = tokio::task::spawn_blocking(move || {
        // No spatial index: it would reorder the page (sortby, paging).
        crate::export::flatgeobuf_with(&name, kind, &features, false)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
    .map_err(|e| ApiError::internal(format!("FlatGeobuf: {e}")))?;
    let response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(ogc::format::FLATGEOBUF),
            ),
            (header::VARY, HeaderValue::from_static("accept")),
        ],
        bytes,
    )
        .into_response();
    Ok(with_content_crs(response, None))
}

/// Features of a page converted to the requested CRS (PROJ work, on a blocking thread).
async fn in_crs(mut page: ogc::ItemsPage, crs: Option<u32>) -> Result<ogc::ItemsPage, ApiError> {
    if crs.is_none() {
        return Ok(page);
    }
    tokio::task::spawn_blocking(move || {
        ogc::crs::reproject_features(&mut page.features, crs).map(|()| page)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
    .map_err(ApiError::bad_request)
}

/// `Content-Crs: <uri>` (OGC API Features Part 2).
fn with_content_crs(mut response: Response, crs: Option<u32>) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("<{}>", ogc::crs::uri(crs))) {
        response.headers_mut().insert("content-crs", v);
    }
    response
}

async fn feature(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath((id, feature_id)): ApiPath<(String, String)>,
    ApiQuery(params): Params,
) -> Result<Response, ApiError> {
    let layer = layer(&state, &id)?;
    // A single feature takes f and crs.
    let mut crs = None;
    for (k, v) in &params {
        if k == "crs" {
            crs = ogc::crs::parse_uri("crs", v).map_err(ApiError::bad_request)?;
        }
    }
    let other: Vec<(String, String)> = params.into_iter().filter(|(k, _)| k != "crs").collect();
    let format = format_of(&other, &headers, &[Format::Json, Format::Html])?;
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
    let page = in_crs(
        ogc::ItemsPage {
            features: vec![f],
            number_matched: 1,
        },
        crs,
    )
    .await?;
    let f = &page.features[0];
    if format == Format::Html {
        let html = ogc::html::feature(&state.base_url(&headers), layer.info(), f);
        return Ok(with_content_crs(html_page(html), crs));
    }
    Ok(with_content_crs(
        document(
            ogc::GEOJSON,
            &ogc::feature_document(&state.base_url(&headers), layer.info(), f),
        ),
        crs,
    ))
}

async fn queryables(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): Params,
) -> Result<Response, ApiError> {
    let layer = layer(&state, &id)?;
    format_of(&params, &headers, &[Format::Json])?;
    Ok(document(
        "application/schema+json",
        &ogc::queryables(&state.base_url(&headers), layer.info()),
    ))
}
