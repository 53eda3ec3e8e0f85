//! Fault injection: each queued fault is consumed by the next request, first in first out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

/// A misbehaviour for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status, content type and body instead of serving the request.
    Status {
        status: u16,
        content_type: String,
        body: String,
    },
    /// Answer 429 with an empty `text/html` body and, if given, `Retry-After`
    /// (docs/harvest-notes.md#rate-limits).
    RateLimited { retry_after: Option<u32> },
    /// Wait, then serve the request normally.
    Delay { millis: u64 },
    /// Serve the request, send the headers and half the body, then reset the connection (RST).
    ResetMidBody,
    /// Serve the request, declare the full `Content-Length`, send half the body, then close.
    TruncatedBody,
    /// Never answer: no status line, no headers, the connection held open (a silent upstream).
    Silent,
    /// Serve the request, send the headers with the full `Content-Length` and the first
    /// `after_bytes` bytes of the body, then send nothing more, holding the connection open.
    StallBody { after_bytes: usize },
}

/// Set by a reset fault; the connection's socket then closes with `SO_LINGER` 0, i.e. an RST.
#[derive(Clone, Debug, Default)]
pub struct ResetSwitch(pub Arc<AtomicBool>);

/// Pause long enough for the partial body to reach the socket before the connection breaks.
const FLUSH_PAUSE: Duration = Duration::from_millis(50);

pub fn status(status: u16, content_type: &str, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, body).into_response();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

/// docs/harvest-notes.md#rate-limits: 429 with an empty text/html body; `Retry-After` in seconds
/// when given.
pub fn rate_limited(retry_after: Option<u32>) -> Response {
    let mut response = status(429, "text/html", String::new());
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// Sends the first half of `response`'s body, then breaks the connection: with a reset when
/// `reset` is given, else by closing it short of the declared `Content-Length`.
pub async fn break_body(response: Response, reset: Option<ResetSwitch>) -> Response {
    let (mut parts, body) = response.into_parts();
    let full = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = full.slice(..full.len() / 2);
    parts.headers.remove(header::TRANSFER_ENCODING);
    if reset.is_some() {
        parts.headers.remove(header::CONTENT_LENGTH);
    } else {
        let declared = full.len().max(1);
        parts
            .headers
            .insert(header::CONTENT_LENGTH, HeaderValue::from(declared));
    }
    enum Step {
        Send(Bytes),
        Break,
        Done,
    }
    let stream = futures_util::stream::unfold(Step::Send(half), move |step| {
        let reset = reset.clone();
        async move {
            match step {
                Step::Send(bytes) => Some((Ok(bytes), Step::Break)),
                Step::Break => {
                    tokio::time::sleep(FLUSH_PAUSE).await;
                    let switch = reset?;
                    switch.0.store(true, Ordering::SeqCst);
                    Some((
                        Err(std::io::Error::other("fault: connection reset")),
                        Step::Done,
                    ))
                }
                Step::Done => None,
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// Waits forever: the request never gets an answer. The fake's runtime drops the wait when the
/// client gives up and closes the connection, or when the fake shuts down.
pub async fn silence() -> Response {
    std::future::pending::<Response>().await
}

/// Sends the headers and the first `after_bytes` bytes of `response`'s body under its full
/// `Content-Length`, then stalls: the rest never comes and the connection stays open.
pub async fn stall_body(response: Response, after_bytes: usize) -> Response {
    let (mut parts, body) = response.into_parts();
    let full = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let sent = full.slice(..after_bytes.min(full.len()));
    parts.headers.remove(header::TRANSFER_ENCODING);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(full.len().max(1)));
    let head = futures_util::stream::once(async move { Ok::<_, std::io::Error>(sent) });
    let stall = futures_util::stream::once(std::future::pending::<Result<Bytes, std::io::Error>>());
    Response::from_parts(parts, Body::from_stream(head.chain(stall)))
}
