//! Every error answer the fake gives, in the shapes of docs/harvest-notes.md#errors,
//! docs/harvest-notes.md#oauth.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Harvest's 401 body, seen for bad tokens and for a missing or wrong `Harvest-Account-Id`
/// (docs/harvest-notes.md#errors).
pub const INVALID_TOKEN_DESCRIPTION: &str =
    "The access token provided is expired, revoked, malformed or invalid for other reasons.";

/// The HTML page Rails serves for an unknown route (docs/harvest-notes.md#errors: not JSON).
pub const NOT_FOUND_HTML: &str = "<!DOCTYPE html>\n<html>\n<head><title>The page you were looking \
    for doesn't exist (404)</title></head>\n<body>\n<h1>The page you were looking for doesn't \
    exist.</h1>\n<p>You may have mistyped the address or the page may have moved.</p>\n</body>\n</html>\n";

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 400, e.g. a missing `User-Agent` (docs/harvest-notes.md#headers-and-accounts; the body is
    /// undocumented).
    BadRequest(String),
    /// 401 `invalid_token`.
    Unauthorized,
    /// 403 (undocumented body; we mirror the 404 shape).
    Forbidden,
    /// 404 for a record: `{"status":404,"error":"Not Found"}`.
    NotFound,
    /// 404 for an unknown route: an HTML page.
    RouteNotFound,
    /// 422 `{"message": "A, B"}`.
    Unprocessable(String),
    /// OAuth token endpoint errors: `{"error", "error_description"}`.
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: &'static str,
    },
}

impl ApiError {
    /// A 422 whose message joins the given messages with ", " as Harvest does.
    pub fn invalid<S: AsRef<str>>(messages: &[S]) -> ApiError {
        let joined: Vec<&str> = messages.iter().map(AsRef::as_ref).collect();
        ApiError::Unprocessable(joined.join(", "))
    }
}

/// Collects validation messages, then fails with one 422 when any were found.
#[derive(Default)]
pub struct Problems(Vec<String>);

impl Problems {
    pub fn add(&mut self, message: impl Into<String>) {
        self.0.push(message.into());
    }
    pub fn check(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(&self.0))
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let json = |status: StatusCode, body: serde_json::Value| {
            (status, axum::Json(body)).into_response()
        };
        match self {
            ApiError::BadRequest(message) => {
                json(StatusCode::BAD_REQUEST, json!({ "message": message }))
            }
            ApiError::Unauthorized => json(
                StatusCode::UNAUTHORIZED,
                json!({ "error": "invalid_token", "error_description": INVALID_TOKEN_DESCRIPTION }),
            ),
            ApiError::Forbidden => json(
                StatusCode::FORBIDDEN,
                json!({ "status": 403, "error": "Forbidden" }),
            ),
            ApiError::NotFound => json(
                StatusCode::NOT_FOUND,
                json!({ "status": 404, "error": "Not Found" }),
            ),
            ApiError::RouteNotFound => html_404(),
            ApiError::Unprocessable(message) => json(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "message": message }),
            ),
            ApiError::OAuth {
                status,
                error,
                description,
            } => json(
                status,
                json!({ "error": error, "error_description": description }),
            ),
        }
    }
}

pub fn html_404() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        NOT_FOUND_HTML,
    )
        .into_response()
}

/// Router fallback for unknown routes and unsupported methods.
pub async fn route_not_found() -> Response {
    html_404()
}
