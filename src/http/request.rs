//! A request as a value: what to send, where, and what its answer decodes to. Resource modules
//! build these with pure functions, so a unit test can read a request without sending it.

use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;

use super::query::Query;
use crate::bindings::wit::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// Which Harvest server a request goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    /// api.harvestapp.com: needs the account header.
    HarvestApi,
    /// id.getharvest.com: accounts and OAuth.
    HarvestId,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Json(Vec<u8>),
    Form(String),
}

impl Body {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Body::Json(bytes) => bytes,
            Body::Form(text) => text.as_bytes(),
        }
    }

    pub fn content_type(&self) -> &'static str {
        match self {
            Body::Json(_) => "application/json",
            Body::Form(_) => "application/x-www-form-urlencoded",
        }
    }
}

/// A described request whose 2xx answer decodes to `T` (`()` when the body is not read).
pub struct Request<T> {
    pub method: Method,
    pub server: Server,
    /// The path, starting with `/`, without the query.
    pub path: String,
    pub query: Query,
    pub body: Option<Body>,
    /// Whether to send the access token (every request but the OAuth token exchange).
    pub bearer: bool,
    decodes: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Request<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may hold secrets (the OAuth form): only its size is shown.
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("server", &self.server)
            .field("path", &self.path_and_query())
            .field("body_bytes", &self.body.as_ref().map(|b| b.bytes().len()))
            .finish()
    }
}

impl<T> Request<T> {
    /// A GET on the Harvest API of `target`, a path with or without a query (a `links.next`
    /// path or a continuation's page keeps its query).
    pub fn get(target: impl Into<String>) -> Request<T> {
        let target = target.into();
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path.to_string(), Query::raw(query)),
            None => (target, Query::new()),
        };
        Request {
            method: Method::Get,
            server: Server::HarvestApi,
            path,
            query,
            body: None,
            bearer: true,
            decodes: PhantomData,
        }
    }

    pub fn delete(path: impl Into<String>) -> Request<T> {
        Request {
            method: Method::Delete,
            ..Request::get(path)
        }
    }

    pub fn post(path: impl Into<String>, body: &impl Serialize) -> Result<Request<T>, Error> {
        Ok(Request {
            method: Method::Post,
            body: Some(json_body(body)?),
            ..Request::get(path)
        })
    }

    pub fn patch(path: impl Into<String>, body: &impl Serialize) -> Result<Request<T>, Error> {
        Ok(Request {
            method: Method::Patch,
            body: Some(json_body(body)?),
            ..Request::get(path)
        })
    }

    /// A PATCH without a body (timer stop and restart).
    pub fn patch_empty(path: impl Into<String>) -> Request<T> {
        Request {
            method: Method::Patch,
            ..Request::get(path)
        }
    }

    /// A form POST to Harvest ID that carries its own credentials (the OAuth token exchange).
    pub fn form_to_harvest_id(path: impl Into<String>, form: Query) -> Request<T> {
        Request {
            method: Method::Post,
            server: Server::HarvestId,
            body: Some(Body::Form(form.as_str().to_string())),
            bearer: false,
            ..Request::get(path)
        }
    }

    /// The same request, its answer decoded as `U` instead (say, `IgnoredAny` when only its
    /// being JSON matters).
    pub fn decoding<U>(self) -> Request<U> {
        Request {
            method: self.method,
            server: self.server,
            path: self.path,
            query: self.query,
            body: self.body,
            bearer: self.bearer,
            decodes: PhantomData,
        }
    }

    pub fn on(self, server: Server) -> Request<T> {
        Request { server, ..self }
    }

    /// Adds `query`'s pairs after those the request has.
    pub fn query(self, query: Query) -> Request<T> {
        Request {
            query: self.query.extend(query),
            ..self
        }
    }

    /// The path and query as sent, e.g. `/v2/clients?is_active=true`.
    pub fn path_and_query(&self) -> String {
        match self.query.as_str() {
            "" => self.path.clone(),
            query => format!("{}?{query}", self.path),
        }
    }

    /// The body as text, as sent (JSON; a form only to Harvest ID).
    pub fn body_text(&self) -> Option<String> {
        self.body
            .as_ref()
            .map(|body| String::from_utf8_lossy(body.bytes()).into_owned())
    }

    pub fn is_write(&self) -> bool {
        self.method != Method::Get
    }

    /// Whether sending the request twice has the effect of sending it once: reads, deletes
    /// and PATCHes that set values. POSTs and the bodiless timer PATCHes are not.
    pub fn is_repeatable(&self) -> bool {
        match self.method {
            Method::Get | Method::Delete => true,
            Method::Patch => self.body.is_some(),
            Method::Post => false,
        }
    }
}

fn json_body(body: &impl Serialize) -> Result<Body, Error> {
    serde_json::to_vec(body)
        .map(Body::Json)
        .map_err(|e| Error::internal(format!("could not encode the request body: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_with_a_query_keeps_it_apart_from_the_path() {
        let request: Request<()> = Request::get("/v2/x?page=2&per_page=10");
        assert_eq!(request.path, "/v2/x");
        assert_eq!(request.query.as_str(), "page=2&per_page=10");
        let request = request.query(Query::new().set("a", "b c"));
        assert_eq!(request.path_and_query(), "/v2/x?page=2&per_page=10&a=b%20c");
        assert_eq!(Request::<()>::get("/v2/y").path_and_query(), "/v2/y");
    }

    #[test]
    fn only_requests_safe_to_repeat_are_repeatable() {
        assert!(Request::<()>::get("/v2/x").is_repeatable());
        assert!(Request::<()>::delete("/v2/x").is_repeatable());
        assert!(!Request::<()>::patch_empty("/v2/x/stop").is_repeatable());
        let post = Request::<()>::post("/v2/x", &1);
        assert!(post.is_ok_and(|p| !p.is_repeatable() && p.is_write()));
    }
}
