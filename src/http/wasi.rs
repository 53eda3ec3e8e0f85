//! Bytes in and out of `wasi:http`: sending a request with its headers and body, and reading
//! an answer's status, headers and body.

use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, FutureIncomingResponse, IncomingBody, Method as WasiMethod, OutgoingBody,
    OutgoingRequest, RequestOptions, Scheme as WasiScheme,
};
use wasip2::io::streams::StreamError;

use super::request::Method;
use super::response::Response;
use crate::bindings::wit::Error;
use crate::config::{Origin, Policy, Scheme};

/// Largest response body read; a larger one is an error, never a silently short answer.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// wasi:http output streams accept at most 4096 bytes per blocking write.
const WRITE_CHUNK: usize = 4096;

/// A request ready for the wire: where it goes, every header it carries and its body.
pub struct Outgoing {
    pub method: Method,
    pub origin: Origin,
    /// Path and query, starting with `/`.
    pub path_and_query: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    pub is_write: bool,
    pub is_repeatable: bool,
}

impl Outgoing {
    /// The path without its query string, for messages.
    pub fn path(&self) -> &str {
        path_only(&self.path_and_query)
    }

    /// `METHOD origin/path`, naming the request in messages.
    pub fn label(&self) -> String {
        format!("{} {}{}", self.method.as_str(), self.origin, self.path())
    }
}

/// A failed exchange, and whether it may be tried again.
pub struct Failure {
    pub error: Error,
    pub retryable: bool,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure {
            error,
            retryable: false,
        }
    }
}

/// Sends one request through `wasi:http`, returning the answer to wait for.
pub fn send(request: &Outgoing, policy: &Policy) -> Result<FutureIncomingResponse, Failure> {
    let label = request.label();
    let fields: Vec<(String, Vec<u8>)> = request
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect();
    let fields = Fields::from_list(&fields)
        .map_err(|e| Error::Config(format!("a request header is not valid HTTP ({e:?})")))?;
    let outgoing = OutgoingRequest::new(fields);
    let method = match request.method {
        Method::Get => WasiMethod::Get,
        Method::Post => WasiMethod::Post,
        Method::Patch => WasiMethod::Patch,
        Method::Delete => WasiMethod::Delete,
    };
    let scheme = match request.origin.scheme {
        Scheme::Http => WasiScheme::Http,
        Scheme::Https => WasiScheme::Https,
    };
    let valid = outgoing.set_method(&method).is_ok()
        && outgoing.set_scheme(Some(&scheme)).is_ok()
        && outgoing
            .set_authority(Some(&request.origin.authority))
            .is_ok()
        && outgoing
            .set_path_with_query(Some(&request.path_and_query))
            .is_ok();
    if !valid {
        let error = Error::Config(format!("the request {label} is not a valid HTTP request"));
        return Err(error.into());
    }
    let outgoing_body = outgoing.body().map_err(|()| {
        Error::transport(format!("{label}: the request body was unavailable"), false)
    })?;

    let options = RequestOptions::new();
    // A host that does not support a timeout keeps its own; the request still goes out.
    let _ = options.set_connect_timeout(Some(policy.connect_timeout_ms * 1_000_000));
    let _ = options.set_first_byte_timeout(Some(policy.first_byte_timeout_ms * 1_000_000));
    let _ = options.set_between_bytes_timeout(Some(policy.between_bytes_timeout_ms * 1_000_000));

    let pending = outgoing_handler::handle(outgoing, Some(options))
        .map_err(|code| network_error(&label, &code, false))?;
    write_body(outgoing_body, &request.body)
        .map_err(|message| Error::transport(format!("{label}: {message}"), request.is_write))?;
    Ok(pending)
}

/// Reads the answer to a sent request whose future is ready, body and all.
pub fn receive(pending: &FutureIncomingResponse, request: &Outgoing) -> Result<Response, Failure> {
    let label = request.label();
    let incoming = match pending.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => return Err(network_error(&label, &code, request.is_write)),
        Some(Err(())) | None => {
            let error =
                Error::transport(format!("{label}: the response was lost"), request.is_write);
            return Err(error.into());
        }
    };
    let status = incoming.status();
    let header = |name: &str| {
        incoming
            .headers()
            .get(name)
            .first()
            .map(|value| String::from_utf8_lossy(value).into_owned())
    };
    let content_type = header("content-type");
    let retry_after = header("retry-after");
    let body = incoming.consume().map_err(|()| {
        Error::transport(
            format!("{label}: the response body was unavailable"),
            request.is_write,
        )
    })?;
    let body = read_body(body).map_err(|problem| match problem {
        ReadError::TooLarge => Failure::from(Error::upstream(
            status,
            format!(
                "{label}: the answer is larger than {} MiB and was not read; narrow the query \
                 (dates, filters, a smaller limit)",
                MAX_BODY_BYTES / (1024 * 1024)
            ),
        )),
        ReadError::Broken(message) => {
            let advice = if request.is_write {
                "; the change may have been applied: check before repeating it"
            } else {
                ""
            };
            let error = Error::transport(
                format!("{label}: reading the answer failed: {message}{advice}"),
                request.is_write,
            );
            Failure {
                error,
                retryable: true,
            }
        }
    })?;
    Ok(Response {
        status,
        content_type,
        retry_after,
        body,
    })
}

fn write_body(body: OutgoingBody, bytes: &[u8]) -> Result<(), String> {
    {
        let stream = body
            .write()
            .map_err(|()| "the request body stream was unavailable")?;
        for chunk in bytes.chunks(WRITE_CHUNK) {
            stream
                .blocking_write_and_flush(chunk)
                .map_err(|e| format!("sending the request body failed ({e:?})"))?;
        }
    }
    OutgoingBody::finish(body, None)
        .map_err(|code| format!("finishing the request failed ({code:?})"))
}

/// Why an answer's body could not be read.
enum ReadError {
    /// Larger than `MAX_BODY_BYTES`: the same request would fail the same way again.
    TooLarge,
    Broken(String),
}

fn read_body(body: IncomingBody) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    {
        let stream = body
            .stream()
            .map_err(|()| ReadError::Broken("the response stream was unavailable".into()))?;
        loop {
            match stream.blocking_read(64 * 1024) {
                Ok(chunk) => {
                    if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                        return Err(ReadError::TooLarge);
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Err(StreamError::Closed) => break,
                Err(StreamError::LastOperationFailed(e)) => {
                    // The host's description can carry a backtrace: keep its first line.
                    let detail = e.to_debug_string();
                    let first_line: String = detail
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .chars()
                        .take(200)
                        .collect();
                    return Err(ReadError::Broken(format!(
                        "the connection failed mid-answer ({first_line})"
                    )));
                }
            }
        }
    }
    drop(IncomingBody::finish(body));
    Ok(bytes)
}

fn network_error(label: &str, code: &ErrorCode, sent: bool) -> Failure {
    let (what, before_sending) = match code {
        ErrorCode::HttpRequestDenied => {
            let error = Error::transport(
                format!(
                    "{label}: the host denied this request: allow the Harvest hosts in the host's network policy"
                ),
                false,
            );
            return Failure {
                error,
                retryable: false,
            };
        }
        ErrorCode::DnsTimeout | ErrorCode::DnsError(_) => {
            ("the host name could not be resolved".to_string(), true)
        }
        ErrorCode::ConnectionRefused => ("the connection was refused".into(), true),
        ErrorCode::ConnectionTimeout => ("connecting timed out".into(), true),
        ErrorCode::ConnectionReadTimeout | ErrorCode::HttpResponseTimeout => {
            ("Harvest did not answer in time".into(), false)
        }
        other => (format!("the request failed ({other:?})"), false),
    };
    let applied = sent && !before_sending;
    let advice = if applied {
        "; the change may have been applied: check before repeating it"
    } else {
        ""
    };
    Failure {
        error: Error::transport(format!("{label}: {what}{advice}"), applied),
        retryable: true,
    }
}

/// The path without its query string, for messages.
pub fn path_only(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}
