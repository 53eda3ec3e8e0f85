//! Query-string filters, request bodies and path ids, with 4xx answers instead of panics.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;

use super::clock::{parse_date, parse_datetime};
use super::error::ApiError;

/// The decoded query string. Invalid filter values are a 422, as for other validation errors.
#[derive(Debug, Default, Clone)]
pub struct Params(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Params::parse(parts.uri.query().unwrap_or("")))
    }
}

impl Params {
    pub fn parse(query: &str) -> Params {
        Params(
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// The last value sent for `name`, if any (empty values count as absent).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    fn typed<T>(
        &self,
        name: &str,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(raw) => parse(raw)
                .map(Some)
                .ok_or_else(|| ApiError::Unprocessable(format!("{name} is not a valid {what}"))),
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.typed(name, "boolean", |s| match s {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        })
    }

    pub fn id(&self, name: &str) -> Result<Option<u64>, ApiError> {
        self.typed(name, "id", |s| s.parse().ok())
    }

    pub fn number(&self, name: &str) -> Result<Option<u32>, ApiError> {
        self.typed(name, "number", |s| s.parse().ok())
    }

    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>, ApiError> {
        self.typed(name, "date", parse_date)
    }

    pub fn datetime(&self, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
        self.typed(name, "date-time", parse_datetime)
    }

    /// The filters to carry into pagination links: everything except the paging parameters.
    pub fn filters(&self) -> Vec<(String, String)> {
        const PAGING: [&str; 4] = ["page", "per_page", "cursor", "ref"];
        self.0
            .iter()
            .filter(|(k, _)| !PAGING.contains(&k.as_str()))
            .cloned()
            .collect()
    }
}

/// A POST/PATCH body, JSON or form-encoded (docs/harvest-notes.md#headers-and-accounts). Malformed
/// JSON is a 400; well-formed JSON of the wrong shape is a 422 with serde's explanation.
pub struct Payload<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Payload<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        if form {
            return serde_urlencoded::from_bytes(&bytes)
                .map(Payload)
                .map_err(|e| ApiError::Unprocessable(e.to_string()));
        }
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(bytes).map(Payload).map_err(|e| {
            if e.is_syntax() || e.is_eof() {
                ApiError::BadRequest(format!("There was a problem parsing the JSON body: {e}"))
            } else {
                ApiError::Unprocessable(e.to_string())
            }
        })
    }
}

/// A numeric id from the path; anything else is an unknown route (docs/harvest-notes.md#errors:
/// e.g. `null` in a path gives the HTML 404 page).
pub fn path_id(raw: &str) -> Result<u64, ApiError> {
    raw.parse().map_err(|_| ApiError::RouteNotFound)
}
