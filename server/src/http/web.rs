//! The map page and its assets, compiled into the binary so the server needs no
//! files and no internet to show a map; and glyph ranges for map labels.

use super::{ApiError, ApiPath, AppState};

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::OnceLock;
use tidewatch_glyphs::{parse_range, GlyphFont};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/static/{file}",
            get(|ApiPath(file): ApiPath<String>| async move { asset(&file) }),
        )
        .route("/fonts/{fontstack}/{range}", get(glyphs))
}

macro_rules! web_file {
    ($name:literal, $path:literal, $mime:literal) => {
        (
            $name,
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/", $path)).as_slice(),
            $mime,
        )
    };
}

const ASSETS: &[(&str, &[u8], &str)] = &[
    web_file!("index.html", "index.html", "text/html; charset=utf-8"),
    web_file!("map.js", "map.js", "text/javascript; charset=utf-8"),
    web_file!("map.css", "map.css", "text/css; charset=utf-8"),
    web_file!(
        "maplibre-gl.mjs",
        "vendor/maplibre-gl.mjs",
        "text/javascript; charset=utf-8"
    ),
    web_file!(
        "maplibre-gl-worker.mjs",
        "vendor/maplibre-gl-worker.mjs",
        "text/javascript; charset=utf-8"
    ),
    web_file!(
        "maplibre-gl-shared.mjs",
        "vendor/maplibre-gl-shared.mjs",
        "text/javascript; charset=utf-8"
    ),
    web_file!(
        "maplibre-gl.css",
        "vendor/maplibre-gl.css",
        "text/css; charset=utf-8"
    ),
];

/// A compiled-in file (`/` serves `index.html` from `ogc.rs`, which negotiates).
pub(super) fn asset(name: &str) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, bytes, mime)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=300"),
                ),
            ],
            *bytes,
        )
            .into_response(),
        None => ApiError::not_found(format!(
            "no static file {:?}",
            name.chars().take(80).collect::<String>()
        ))
        .into_response(),
    }
}

/// `/fonts/{fontstack}/{start}-{end}.pbf`. Any font stack that names the bundled font
/// gets it; ranges are rendered once and kept.
async fn glyphs(
    ApiPath((fontstack, range)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    static RANGES: OnceLock<Vec<OnceLock<Vec<u8>>>> = OnceLock::new();
    let font = GlyphFont::bundled();
    if !fontstack.split(',').any(|f| f.trim() == font.name()) {
        return Err(ApiError::not_found(format!(
            "unknown font stack {:?}; this server has {:?}",
            fontstack.chars().take(120).collect::<String>(),
            font.name()
        )));
    }
    let range = range
        .strip_suffix(".pbf")
        .ok_or_else(|| ApiError::bad_request("a glyph range looks like 0-255.pbf"))?;
    let start = parse_range(range).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let slots = RANGES.get_or_init(|| (0..256).map(|_| OnceLock::new()).collect());
    let pbf = match slots[(start / 256) as usize].get() {
        Some(pbf) => pbf.clone(),
        None => {
            let pbf = tokio::task::spawn_blocking(move || font.range_pbf(start))
                .await
                .map_err(|e| ApiError::internal(format!("glyph rendering failed: {e}")))?
                .map_err(|e| ApiError::bad_request(e.to_string()))?;
            slots[(start / 256) as usize].get_or_init(|| pbf).clone()
        }
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-protobuf"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        pbf,
    )
        .into_response())
}
