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
        self.refuse_html(path)?;
        json::parse(&self.body).map_err(|e| self.not_json(path, &e))
    }

    /// A list answer, its items handed to `each` as they are read (see [`json::parse_list`]);
    /// `path` names the request in the message.
    pub fn parse_list<'r>(
        &'r self,
        path: &str,
        is_list: fn(&str) -> bool,
        each: &mut json::ItemReader<'_, 'r>,
    ) -> Result<json::ParsedList<'r>, Error> {
        self.refuse_html(path)?;
        json::parse_list(&self.body, is_list, each).map_err(|e| match e {
            json::ListError::Syntax(e) => self.not_json(path, &e),
            json::ListError::Item(m) => self.unreadable(path, &m.to_string()),
        })
    }

    /// Refuses an HTML page (a proxy's or a maintenance page) before it is parsed as JSON.
    fn refuse_html(&self, path: &str) -> Result<(), Error> {
        if self.is_html() {
            return Err(Error::unreadable(
                self.status,
                format!("{path}: Harvest answered with an HTML page instead of JSON"),
            ));
        }
        Ok(())
    }

    fn not_json(&self, path: &str, error: &json::SyntaxError) -> Error {
        self.unreadable(path, &format!("not JSON: {error}"))
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
