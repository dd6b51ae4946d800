//! Bearer tokens for the endpoints that change data (admin imports, position ingest).

use super::ApiError;
use axum::http::{header, HeaderMap, StatusCode};

/// Passes when the request carries `Authorization: Bearer <expected>`. With no token
/// configured the endpoints are off (403), never open.
pub fn require_bearer(
    expected: Option<&str>,
    headers: &HeaderMap,
    what: &str,
    setting: &str,
) -> Result<(), ApiError> {
    let Some(expected) = expected else {
        return Err(ApiError {
            status: StatusCode::FORBIDDEN,
            message: format!("{what} are off: set {setting}"),
        });
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Compare in time independent of where the strings differ.
    let same = given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same {
        Ok(())
    } else {
        Err(ApiError {
            status: StatusCode::UNAUTHORIZED,
            message: format!("missing or wrong token for {what} (Authorization: Bearer …)"),
        })
    }
}
