//! The one error shape every endpoint returns: an HTTP status and a JSON body
//! `{"code": "...", "description": "..."}` naming the problem (OGC API style).

use crate::tile_service::TileRequestError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: message.into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: message.into(),
        }
    }
}

impl From<TileRequestError> for ApiError {
    fn from(e: TileRequestError) -> Self {
        let status = match &e {
            TileRequestError::UnknownLayer(_) => StatusCode::NOT_FOUND,
            TileRequestError::TooManyLayers
            | TileRequestError::ZoomOutOfRange { .. }
            | TileRequestError::Address(_) => StatusCode::BAD_REQUEST,
            TileRequestError::Source(_) => StatusCode::SERVICE_UNAVAILABLE,
        };
        ApiError {
            status,
            message: e.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = %self.status, "{}", self.message);
        }
        let code = self
            .status
            .canonical_reason()
            .unwrap_or("Error")
            .replace(' ', "");
        let body = serde_json::json!({ "code": code, "description": self.message });
        (self.status, Json(body)).into_response()
    }
}
