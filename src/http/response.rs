//! An answer as received, and the decoding of a 2xx answer into the type its request names.

use crate::bindings::wit::Error;
use crate::json::{self, FromJson, Json};

/// A response as received, before its status is judged.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn is_html(&self) -> bool {
        self.content_type
            .as_deref()
            .is_some_and(|t| t.contains("html"))
            || self.body.trim_ascii_start().starts_with(b"<")
    }

    /// Decodes a 2xx JSON answer; `path` names the request in the message.
    pub fn decode<T: FromJson>(&self, path: &str) -> Result<T, Error> {
        T::from_json(&self.parse(path)?).map_err(|e| self.unreadable(path, &e.to_string()))
    }

    /// The answer as a JSON tree; `path` names the request in the message. What does not
    /// depend on the type decoded to is kept out of `decode`, which the component carries once
    /// per type.
    pub fn parse(&self, path: &str) -> Result<Json<'_>, Error> {
        if self.is_html() {
            return Err(Error::unreadable(
                self.status,
                format!("{path}: Harvest answered with an HTML page instead of JSON"),
            ));
        }
        json::parse(&self.body).map_err(|e| self.unreadable(path, &format!("not JSON: {e}")))
    }

    fn unreadable(&self, path: &str, problem: &str) -> Error {
        unreadable(self.status, path, problem)
    }
}

/// A 2xx answer to the request at `path` that does not read as it should.
pub fn unreadable(status: u16, path: &str, problem: &str) -> Error {
    Error::unreadable(
        status,
        format!("{path}: Harvest's answer could not be read ({problem})"),
    )
}
