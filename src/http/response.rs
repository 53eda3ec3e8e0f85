//! An answer as received, and the decoding of a 2xx answer into the type its request names.

use crate::json::{self, FromJson};

use crate::bindings::wit::Error;

/// A response as received, before its status is judged.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

/// A decoded 2xx answer with the status Harvest sent it with, so that a later complaint about
/// its content (a pagination fault, say) names the real status.
pub struct Answer<T> {
    pub status: u16,
    pub value: T,
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
    pub fn decode<T: FromJson>(&self, path: &str) -> Result<Answer<T>, Error> {
        if self.is_html() {
            return Err(Error::unreadable(
                self.status,
                format!("{path}: Harvest answered with an HTML page instead of JSON"),
            ));
        }
        let value = json::decode(&self.body).map_err(|e| {
            Error::unreadable(
                self.status,
                format!("{path}: Harvest's answer could not be read ({e})"),
            )
        })?;
        Ok(Answer {
            status: self.status,
            value,
        })
    }
}
