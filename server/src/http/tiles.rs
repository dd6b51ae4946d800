//! Tile endpoints: `/tiles/{layers}/{z}/{x}/{y}.mvt` (one layer or a comma-separated
//! composite) and their TileJSON at `/tiles/{layers}.json`.

use super::{ApiError, ApiPath, AppState};
use crate::tile_service::zoom_range;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tiles/{layers}/{z}/{x}/{y}", get(tile))
        .route("/tiles/{document}", get(tilejson))
}

const MVT: &str = "application/vnd.mapbox-vector-tile";

async fn tile(
    State(state): State<AppState>,
    ApiPath((layers, z, x, y)): ApiPath<(String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let y = y
        .strip_suffix(".mvt")
        .or_else(|| y.strip_suffix(".pbf"))
        .ok_or_else(|| ApiError::bad_request("a tile path ends in {z}/{x}/{y}.mvt"))?;
    let (z, x, y) = (number("z", &z)?, number("x", &x)?, number("y", y)?);
    let body = state.tiles.tile(&layers, z, x, y).await?;

    let mut out = HeaderMap::new();
    out.insert(
        header::ETAG,
        HeaderValue::from_str(&body.etag).expect("hex etag"),
    );
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_str(&format!(
            "public, max-age={}",
            body.max_age_s.map_or(state.config.tile_max_age_s, |s| s
                .min(state.config.tile_max_age_s))
        ))
        .expect("ascii"),
    );
    out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    let etag_matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == body.etag || t.trim() == "*")
        });
    if etag_matches {
        return Ok((StatusCode::NOT_MODIFIED, out).into_response());
    }
    if body.raw.is_empty() {
        return Ok((StatusCode::NO_CONTENT, out).into_response());
    }
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT));
    if accepts_gzip(&headers) {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        return Ok((out, body.gzip()).into_response());
    }
    Ok((out, body.raw.clone()).into_response())
}

fn number(name: &str, s: &str) -> Result<u32, ApiError> {
    s.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "tile {name} must be a whole number, found {:?}",
            s.chars().take(40).collect::<String>()
        ))
    })
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|enc| {
            let mut parts = enc.trim().split(';');
            parts.next() == Some("gzip") && !parts.any(|p| p.trim().replace(' ', "") == "q=0")
        })
}

/// TileJSON 3.0.0 for one layer or a composite.
async fn tilejson(
    State(state): State<AppState>,
    ApiPath(document): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let layers = document
        .strip_suffix(".json")
        .ok_or_else(|| ApiError::not_found("TileJSON lives at /tiles/{layers}.json"))?;
    let sources = state.tiles.resolve(layers)?;
    let base = state.base_url(&headers);
    let (minzoom, maxzoom) = zoom_range(&sources);
    let bounds = sources.iter().map(|s| s.info().bounds).fold(
        [180.0f64, 90.0f64, -180.0f64, -90.0f64],
        |b, l| {
            [
                b[0].min(l[0]),
                b[1].min(l[1]),
                b[2].max(l[2]),
                b[3].max(l[3]),
            ]
        },
    );
    let infos: Vec<_> = sources.iter().map(|s| s.info().clone()).collect();
    let name = infos
        .iter()
        .map(|i| i.title.zh.as_str())
        .collect::<Vec<_>>()
        .join("、");
    let description = infos
        .iter()
        .map(|i| i.title.en.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut attribution: Vec<&str> = infos
        .iter()
        .map(|i| i.attribution.as_str())
        .filter(|a| !a.is_empty())
        .collect();
    attribution.dedup();
    let vector_layers: Vec<Value> = infos
        .iter()
        .map(|i| {
            json!({
                "id": i.id,
                "description": format!("{} / {}", i.title.zh, i.title.en),
                "minzoom": i.minzoom,
                "maxzoom": i.maxzoom,
                "fields": i.fields.iter().map(|(k, t)| (k.clone(), Value::from(t.as_str()))).collect::<Map<_, _>>(),
            })
        })
        .collect();
    let center_zoom = minzoom.max(9).min(maxzoom);
    Ok(Json(json!({
        "tilejson": "3.0.0",
        "name": name,
        "description": description,
        "attribution": attribution.join("; "),
        "version": env!("CARGO_PKG_VERSION"),
        "scheme": "xyz",
        "tiles": [format!("{base}/tiles/{layers}/{{z}}/{{x}}/{{y}}.mvt")],
        "minzoom": minzoom,
        "maxzoom": maxzoom,
        "bounds": bounds,
        "center": [(bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0, center_zoom],
        "vector_layers": vector_layers,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_negotiation_honours_q_zero() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            m
        };
        assert!(accepts_gzip(&h("gzip, deflate, br")));
        assert!(accepts_gzip(&h("br;q=1.0, gzip;q=0.8")));
        assert!(!accepts_gzip(&h("gzip;q=0")));
        assert!(!accepts_gzip(&h("identity")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
