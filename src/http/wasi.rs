//! Bytes in and out of `wasi:http`: sending a request with its headers and body, and reading
//! an answer's status, headers and body.

use wasip2::clocks::monotonic_clock;
use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, FutureIncomingResponse, IncomingBody, Method as WasiMethod, OutgoingBody,
    OutgoingRequest, RequestOptions, Scheme as WasiScheme, http_error_code,
};
use wasip2::io::poll;
use wasip2::io::streams::StreamError;

use super::deadline::{Timeout, Timeouts};
use super::request::Method;
use super::response::Response;
use crate::bindings::wit::Error;
use crate::config::{Origin, Scheme};

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

/// A failed exchange, whether it may be tried again, and what ran out when it timed out.
pub struct Failure {
    pub error: Error,
    pub retryable: bool,
    /// The timeout that ended it; the schedule then names it (or the call deadline, when the
    /// deadline had shortened it) in the error.
    pub timeout: Option<Timeout>,
    /// The answer was still being read when the call deadline passed.
    pub deadline: bool,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure {
            error,
            retryable: false,
            timeout: None,
            deadline: false,
        }
    }
}

/// Sends one request through `wasi:http` with `timeouts`, returning the answer to wait for.
pub fn send(request: &Outgoing, timeouts: &Timeouts) -> Result<FutureIncomingResponse, Failure> {
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
    // The schedule enforces the call deadline itself as well, for such a host.
    let _ = options.set_connect_timeout(Some(timeouts.connect.nanos));
    let _ = options.set_first_byte_timeout(Some(timeouts.first_byte.nanos));
    let _ = options.set_between_bytes_timeout(Some(timeouts.between_bytes.nanos));

    let pending = outgoing_handler::handle(outgoing, Some(options))
        .map_err(|code| network_error(&label, &code, false))?;
    write_body(outgoing_body, &request.body)
        .map_err(|message| Error::transport(format!("{label}: {message}"), request.is_write))?;
    Ok(pending)
}

/// Reads the answer to a sent request whose future is ready, body and all, giving up when the
/// monotonic clock reaches `deadline` (an instant) before the body has ended.
pub fn receive(
    pending: &FutureIncomingResponse,
    request: &Outgoing,
    deadline: u64,
) -> Result<Response, Failure> {
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
    let body = read_body(body, deadline).map_err(|problem| match problem {
        ReadError::TooLarge => Failure::from(Error::upstream(
            status,
            format!(
                "{label}: the answer is larger than {} MiB and was not read; narrow the query \
                 (dates, filters, a smaller limit)",
                MAX_BODY_BYTES / (1024 * 1024)
            ),
        )),
        ReadError::Deadline => Failure {
            deadline: true,
            ..Failure::from(Error::transport(
                format!("{label}: the call deadline passed while reading the answer"),
                request.is_write,
            ))
        },
        ReadError::Broken { message, timed_out } => {
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
                timeout: timed_out.then_some(Timeout::BetweenBytes),
                deadline: false,
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
    /// The call deadline passed first.
    Deadline,
    /// The stream failed; `timed_out` when the host's between-bytes timeout ended it.
    Broken { message: String, timed_out: bool },
}

/// Reads the body to its end, sleeping in `wasi:io/poll` on the stream and on the `deadline`
/// instant: a body that stalls ends at the host's between-bytes timeout or at the deadline.
fn read_body(body: IncomingBody, deadline: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    {
        let stream = body.stream().map_err(|()| ReadError::Broken {
            message: "the response stream was unavailable".into(),
            timed_out: false,
        })?;
        let readable = stream.subscribe();
        let deadline_passed = monotonic_clock::subscribe_instant(deadline);
        loop {
            match stream.read(64 * 1024) {
                Ok(chunk) if chunk.is_empty() => {
                    let ready = poll::poll(&[&readable, &deadline_passed]);
                    if !ready.contains(&0) && ready.contains(&1) {
                        return Err(ReadError::Deadline);
                    }
                }
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
                    // A host need not attach the error code to a body's stream error (wasmtime
                    // 48 does not), so its description ("connection read timeout") counts too.
                    let timed_out = match http_error_code(&e) {
                        Some(code) => matches!(
                            code,
                            ErrorCode::ConnectionReadTimeout | ErrorCode::HttpResponseTimeout
                        ),
                        None => detail.to_ascii_lowercase().contains("timeout"),
                    };
                    let first_line: String = detail
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .chars()
                        .take(200)
                        .collect();
                    return Err(ReadError::Broken {
                        message: format!("the connection failed mid-answer ({first_line})"),
                        timed_out,
                    });
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
            return Failure::from(error);
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
    // Before the answer's headers, a read timeout is the first-byte timeout.
    let timeout = match code {
        ErrorCode::ConnectionTimeout => Some(Timeout::Connect),
        ErrorCode::ConnectionReadTimeout | ErrorCode::HttpResponseTimeout => {
            Some(Timeout::FirstByte)
        }
        _ => None,
    };
    Failure {
        error: Error::transport(format!("{label}: {what}{advice}"), applied),
        retryable: true,
        timeout,
        deadline: false,
    }
}

/// The path without its query string, for messages.
pub fn path_only(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}
