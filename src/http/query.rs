//! Query strings and form bodies, percent-encoded pair by pair.

/// A percent-encoded query string, built pair by pair.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query(String);

impl Query {
    pub fn new() -> Query {
        Query::default()
    }

    /// A query string already encoded, as found in a `links.next` URL.
    pub fn raw(encoded: &str) -> Query {
        Query(encoded.to_string())
    }

    pub fn set(mut self, key: &str, value: impl ToString) -> Query {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        self.0.push_str(&percent_encode(key));
        self.0.push('=');
        self.0.push_str(&percent_encode(&value.to_string()));
        self
    }

    pub fn opt(self, key: &str, value: Option<impl ToString>) -> Query {
        match value {
            Some(value) => self.set(key, value),
            None => self,
        }
    }

    /// This query's pairs followed by `more`'s.
    pub fn extend(mut self, more: Query) -> Query {
        if !more.0.is_empty() {
            if !self.0.is_empty() {
                self.0.push('&');
            }
            self.0.push_str(&more.0);
        }
        self
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Request;

    #[test]
    fn query_encodes_values() {
        let q = Query::new()
            .set("from", "2026-01-01")
            .opt("note", Some("a b&c"))
            .opt("x", None::<u8>);
        assert_eq!(q.as_str(), "from=2026-01-01&note=a%20b%26c");
        assert_eq!(
            Request::<()>::get("/v2/x").query(q).path_and_query(),
            "/v2/x?from=2026-01-01&note=a%20b%26c"
        );
    }
}
