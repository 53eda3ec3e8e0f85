//! The one place that talks HTTP: builds every request (headers, body), sends it through
//! `wasi:http`, and turns every status into a typed result.

use std::collections::VecDeque;
use std::ops::ControlFlow;

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasip2::clocks::monotonic_clock;
use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, FutureIncomingResponse, IncomingBody, Method as WasiMethod, OutgoingBody,
    OutgoingRequest, RequestOptions, Scheme as WasiScheme,
};
use wasip2::io::poll::{self, Pollable};
use wasip2::io::streams::StreamError;

use crate::bindings::harvest::tools::types::Error;
use crate::config::{Config, Origin, Policy, Scheme, Secret};

/// Largest response body read; a larger one is an error, never a silently short answer.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// Retries of a repeatable request after a gateway error or a network failure.
const MAX_RETRIES: u32 = 2;
const BACKOFF_BASE_MS: u64 = 250;
/// wasi:http output streams accept at most 4096 bytes per blocking write.
const WRITE_CHUNK: usize = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
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
    Api,
    /// id.getharvest.com: accounts and OAuth.
    Id,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Json(Vec<u8>),
    Form(String),
}

/// A described request, kept apart from the code that sends it.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub method: Method,
    pub server: Server,
    /// Path and query, starting with `/`.
    pub path: String,
    pub body: Option<Body>,
    /// Whether to send the access token (every request but the OAuth token exchange).
    pub bearer: bool,
}

impl Request {
    pub fn get(path: impl Into<String>) -> Request {
        Request {
            method: Method::Get,
            server: Server::Api,
            path: path.into(),
            body: None,
            bearer: true,
        }
    }

    pub fn delete(path: impl Into<String>) -> Request {
        Request {
            method: Method::Delete,
            ..Request::get(path)
        }
    }

    pub fn post(path: impl Into<String>, body: &impl Serialize) -> Result<Request, Error> {
        Ok(Request {
            method: Method::Post,
            body: Some(json_body(body)?),
            ..Request::get(path)
        })
    }

    pub fn patch(path: impl Into<String>, body: &impl Serialize) -> Result<Request, Error> {
        Ok(Request {
            method: Method::Patch,
            body: Some(json_body(body)?),
            ..Request::get(path)
        })
    }

    /// A PATCH without a body (timer stop and restart).
    pub fn patch_empty(path: impl Into<String>) -> Request {
        Request {
            method: Method::Patch,
            ..Request::get(path)
        }
    }

    pub fn on(self, server: Server) -> Request {
        Request { server, ..self }
    }

    /// A request that carries its own credentials in the body (the OAuth token exchange).
    pub fn without_bearer(self) -> Request {
        Request {
            bearer: false,
            ..self
        }
    }

    /// Appends `query` to the path.
    pub fn query(mut self, query: &Query) -> Request {
        if !query.0.is_empty() {
            self.path
                .push(if self.path.contains('?') { '&' } else { '?' });
            self.path.push_str(&query.0);
        }
        self
    }

    fn is_write(&self) -> bool {
        self.method != Method::Get
    }

    /// Whether sending the request twice has the effect of sending it once: reads, deletes
    /// and PATCHes that set values. POSTs and the bodiless timer PATCHes are not.
    fn is_repeatable(&self) -> bool {
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
        .map_err(|e| Error::upstream(0, format!("could not encode the request body: {e}")))
}

/// A percent-encoded query string, built pair by pair.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query(String);

impl Query {
    pub fn new() -> Query {
        Query::default()
    }

    pub fn set(mut self, key: &str, value: impl ToString) -> Query {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        self.0.push_str(&encode(key));
        self.0.push('=');
        self.0.push_str(&encode(&value.to_string()));
        self
    }

    pub fn opt(self, key: &str, value: Option<impl ToString>) -> Query {
        match value {
            Some(value) => self.set(key, value),
            None => self,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode(value: &str) -> String {
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

/// A response as received, before its status is judged.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

/// Sends requests to Harvest with one configuration and (for the API) one account.
pub struct Transport<'c> {
    pub config: &'c Config,
    pub account_id: Option<u64>,
}

impl Transport<'_> {
    /// Sends `request` and decodes a 2xx JSON answer into `T`; any other status is an error.
    pub fn call<T: DeserializeOwned>(&self, request: &Request) -> Result<T, Error> {
        let response = self.send(request)?;
        check_status(request, &response, &self.config.access_token)?;
        decode(request, &response)
    }

    /// Sends `request`, returning the response whatever its status.
    pub fn send(&self, request: &Request) -> Result<Response, Error> {
        let mut answer = None;
        self.send_each(std::slice::from_ref(request), 1, &mut |_, response| {
            answer = Some(response);
            Ok(ControlFlow::Break(()))
        })?;
        answer.unwrap_or_else(|| Err(lost(request)))
    }

    /// Sends `requests` with up to `concurrency` of them in flight, and hands each decoded 2xx
    /// answer to `each` in the order of `requests`. The first error (a status, an unreadable
    /// answer, or one `each` returns) ends the whole exchange: no request after it is started,
    /// and those in flight are dropped. `each` may also end it early with `Break`.
    pub fn call_each<T: DeserializeOwned>(
        &self,
        requests: &[Request],
        concurrency: usize,
        mut each: impl FnMut(usize, T) -> Result<ControlFlow<()>, Error>,
    ) -> Result<(), Error> {
        self.send_each(requests, concurrency, &mut |index, response| {
            let response = response?;
            let request = requests.get(index).ok_or_else(|| lost_index(index))?;
            check_status(request, &response, &self.config.access_token)?;
            each(index, decode(request, &response)?)
        })
    }

    /// Sends `requests` with up to `concurrency` in flight, each waiting out rate limits and
    /// retried on its own by the rules of [`Flight::settle`], and hands every outcome to `each`
    /// in the order of `requests` (an answer that arrives early waits for those before it).
    /// `each` is a trait object so that one copy of this loop serves every caller.
    fn send_each(
        &self,
        requests: &[Request],
        concurrency: usize,
        each: &mut dyn FnMut(usize, Result<Response, Error>) -> Result<ControlFlow<()>, Error>,
    ) -> Result<(), Error> {
        let concurrency = concurrency.max(1);
        let mut waiting = requests.iter().enumerate();
        let mut flights: VecDeque<(usize, Flight)> = VecDeque::new();
        loop {
            while flights.len() < concurrency {
                let Some((index, request)) = waiting.next() else {
                    break;
                };
                let mut flight = self.flight(request);
                flight.start(&self.config.policy);
                flights.push_back((index, flight));
            }
            while flights
                .front()
                .is_some_and(|(_, f)| matches!(f.stage, Stage::Done(_)))
            {
                let Some((index, flight)) = flights.pop_front() else {
                    break;
                };
                let outcome = match flight.stage {
                    Stage::Done(outcome) => outcome,
                    _ => Err(lost(flight.request)),
                };
                if each(index, outcome)?.is_break() {
                    return Ok(());
                }
            }
            if flights.is_empty() {
                return Ok(());
            }
            wait_for_any(&mut flights, &self.config.policy);
        }
    }

    /// A request ready to go: its origin and every header it carries.
    fn flight<'r>(&'r self, request: &'r Request) -> Flight<'r> {
        let origin = match request.server {
            Server::Api => &self.config.api,
            Server::Id => &self.config.id,
        };
        let mut headers = vec![
            ("user-agent", self.config.user_agent.clone()),
            ("accept", "application/json".to_string()),
        ];
        if request.bearer {
            headers.push((
                "authorization",
                format!("Bearer {}", self.config.access_token.expose()),
            ));
        }
        let mut stage = Stage::Ready;
        if request.server == Server::Api {
            match self.account_id {
                Some(account) => headers.push(("harvest-account-id", account.to_string())),
                None => {
                    stage = Stage::Done(Err(Error::Config(
                        "no Harvest account was chosen for this request".into(),
                    )))
                }
            }
        }
        match &request.body {
            Some(Body::Json(_)) => headers.push(("content-type", "application/json".into())),
            Some(Body::Form(_)) => {
                headers.push(("content-type", "application/x-www-form-urlencoded".into()))
            }
            None => {}
        }
        Flight {
            request,
            origin,
            headers,
            waited_secs: 0,
            retries: 0,
            stage,
        }
    }
}

/// An answer the transport should have had but did not: never expected, never a panic.
fn lost(request: &Request) -> Error {
    Error::transport(
        format!(
            "{} {}: the answer was lost",
            request.method.as_str(),
            path_only(&request.path)
        ),
        request.is_write(),
    )
}

fn lost_index(index: usize) -> Error {
    Error::transport(format!("request {index} of a batch was lost"), false)
}

/// One request on its way, with what it has been through: the rate-limit wait and the retries
/// spent so far.
struct Flight<'r> {
    request: &'r Request,
    origin: &'r Origin,
    headers: Vec<(&'static str, String)>,
    waited_secs: u64,
    retries: u32,
    stage: Stage,
}

enum Stage {
    /// To be sent now.
    Ready,
    /// Waiting, until this monotonic-clock instant, to be sent again.
    Pausing(u64),
    /// Sent; the answer is on its way.
    InFlight {
        pending: FutureIncomingResponse,
        where_: String,
    },
    Done(Result<Response, Error>),
}

impl Flight<'_> {
    fn body(&self) -> &[u8] {
        match &self.request.body {
            Some(Body::Json(bytes)) => bytes,
            Some(Body::Form(text)) => text.as_bytes(),
            None => &[],
        }
    }

    /// Sends the request (again), unless it is already done.
    fn start(&mut self, policy: &Policy) {
        if matches!(self.stage, Stage::Done(_)) {
            return;
        }
        match send_request(
            self.origin,
            self.request,
            &self.headers,
            self.body(),
            policy,
        ) {
            Ok((pending, where_)) => self.stage = Stage::InFlight { pending, where_ },
            Err(failure) => self.settle(Err(failure), policy),
        }
    }

    /// Reads the answer once it has arrived.
    fn receive(&mut self, policy: &Policy) {
        if let Stage::InFlight { pending, where_ } = &self.stage {
            let attempt = receive_response(pending, self.request, where_);
            self.settle(attempt, policy);
        }
    }

    /// Decides what an attempt leads to: done, or a pause before sending again. A 429 was not
    /// processed, so even a POST is sent again after `Retry-After`, within the call's wait
    /// budget (§6); gateway errors and network failures are retried with backoff only for
    /// requests that are safe to repeat.
    fn settle(&mut self, attempt: Result<Response, Failure>, policy: &Policy) {
        let request = self.request;
        let pause_ms = match &attempt {
            Ok(response) if response.status == 429 => {
                let wait = u64::from(retry_after_seconds(
                    response.retry_after.as_deref(),
                    &request.path,
                ));
                (self.waited_secs + wait <= policy.rate_limit_wait_secs).then(|| {
                    self.waited_secs += wait;
                    wait * 1000
                })
            }
            Ok(response) if matches!(response.status, 502..=504) => (request.is_repeatable()
                && self.retries < MAX_RETRIES)
                .then(|| backoff_ms(self.retries)),
            Err(failure)
                if failure.retryable && request.is_repeatable() && self.retries < MAX_RETRIES =>
            {
                Some(backoff_ms(self.retries))
            }
            _ => None,
        };
        self.stage = match pause_ms {
            Some(ms) => {
                if attempt.as_ref().is_ok_and(|r| r.status != 429) || attempt.is_err() {
                    self.retries += 1;
                }
                Stage::Pausing(monotonic_clock::now().saturating_add(ms.saturating_mul(1_000_000)))
            }
            None => Stage::Done(attempt.map_err(|failure| failure.error)),
        };
    }
}

/// Blocks until at least one flight can move on (an answer arrived, a pause ended), and moves
/// every one that can. The instance sleeps in `wasi:io/poll`; nothing spins.
fn wait_for_any(flights: &mut VecDeque<(usize, Flight)>, policy: &Policy) {
    for (_, flight) in flights.iter_mut() {
        if matches!(flight.stage, Stage::Ready) {
            flight.start(policy);
        }
    }
    let ready: Vec<usize> = {
        let mut waiting = Vec::new();
        let mut pollables = Vec::new();
        for (position, (_, flight)) in flights.iter().enumerate() {
            let pollable = match &flight.stage {
                Stage::InFlight { pending, .. } => pending.subscribe(),
                Stage::Pausing(until) => monotonic_clock::subscribe_instant(*until),
                Stage::Ready | Stage::Done(_) => continue,
            };
            waiting.push(position);
            pollables.push(pollable);
        }
        if pollables.is_empty() {
            return;
        }
        let refs: Vec<&Pollable> = pollables.iter().collect();
        poll::poll(&refs)
            .into_iter()
            .filter_map(|i| waiting.get(i as usize).copied())
            .collect()
        // The pollables are dropped here, before any future they watch.
    };
    for position in ready {
        if let Some((_, flight)) = flights.get_mut(position) {
            match flight.stage {
                Stage::InFlight { .. } => flight.receive(policy),
                Stage::Pausing(_) => flight.start(policy),
                Stage::Ready | Stage::Done(_) => {}
            }
        }
    }
}

/// Exponential backoff with jitter, so retrying clients do not arrive together.
fn backoff_ms(retry: u32) -> u64 {
    BACKOFF_BASE_MS * 2u64.pow(retry) + wasip2::random::random::get_random_u64() % BACKOFF_BASE_MS
}

/// A failed exchange, and whether it may be tried again.
struct Failure {
    error: Error,
    retryable: bool,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure {
            error,
            retryable: false,
        }
    }
}

/// Sends one request through `wasi:http`, returning the answer to wait for and the
/// `METHOD origin/path` that names it in messages.
fn send_request(
    origin: &Origin,
    request: &Request,
    headers: &[(&str, String)],
    body: &[u8],
    policy: &Policy,
) -> Result<(FutureIncomingResponse, String), Failure> {
    let where_ = format!(
        "{} {}{}",
        request.method.as_str(),
        origin,
        path_only(&request.path)
    );
    let fields: Vec<(String, Vec<u8>)> = headers
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
    let scheme = match origin.scheme {
        Scheme::Http => WasiScheme::Http,
        Scheme::Https => WasiScheme::Https,
    };
    let valid = outgoing.set_method(&method).is_ok()
        && outgoing.set_scheme(Some(&scheme)).is_ok()
        && outgoing.set_authority(Some(&origin.authority)).is_ok()
        && outgoing.set_path_with_query(Some(&request.path)).is_ok();
    if !valid {
        let error = Error::Config(format!("the request {where_} is not a valid HTTP request"));
        return Err(error.into());
    }
    let outgoing_body = outgoing.body().map_err(|()| {
        Error::transport(format!("{where_}: the request body was unavailable"), false)
    })?;

    let options = RequestOptions::new();
    // A host that does not support a timeout keeps its own; the request still goes out.
    let _ = options.set_connect_timeout(Some(policy.connect_timeout_ms * 1_000_000));
    let _ = options.set_first_byte_timeout(Some(policy.first_byte_timeout_ms * 1_000_000));
    let _ = options.set_between_bytes_timeout(Some(policy.between_bytes_timeout_ms * 1_000_000));

    let pending = outgoing_handler::handle(outgoing, Some(options))
        .map_err(|code| network_error(&where_, &code, false))?;
    write_body(outgoing_body, body)
        .map_err(|message| Error::transport(format!("{where_}: {message}"), request.is_write()))?;
    Ok((pending, where_))
}

/// Reads the answer to a sent request whose future is ready, body and all.
fn receive_response(
    pending: &FutureIncomingResponse,
    request: &Request,
    where_: &str,
) -> Result<Response, Failure> {
    let incoming = match pending.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => return Err(network_error(where_, &code, request.is_write())),
        Some(Err(())) | None => {
            let error = Error::transport(
                format!("{where_}: the response was lost"),
                request.is_write(),
            );
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
            format!("{where_}: the response body was unavailable"),
            request.is_write(),
        )
    })?;
    let body = read_body(body).map_err(|problem| match problem {
        ReadError::TooLarge => Failure::from(Error::upstream(
            status,
            format!(
                "{where_}: the answer is larger than {} MiB and was not read; narrow the query \
                 (dates, filters, a smaller limit)",
                MAX_BODY_BYTES / (1024 * 1024)
            ),
        )),
        ReadError::Broken(message) => {
            let advice = if request.is_write() {
                "; the change may have been applied: check before repeating it"
            } else {
                ""
            };
            let error = Error::transport(
                format!("{where_}: reading the answer failed: {message}{advice}"),
                request.is_write(),
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

fn network_error(where_: &str, code: &ErrorCode, sent: bool) -> Failure {
    let (what, before_sending) = match code {
        ErrorCode::HttpRequestDenied => {
            let error = Error::transport(
                format!(
                    "{where_}: the host denied this request: allow the Harvest hosts in the host's network policy"
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
        error: Error::transport(format!("{where_}: {what}{advice}"), applied),
        retryable: true,
    }
}

/// The path without its query string, for messages.
fn path_only(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

/// Maps a non-2xx response to the error an agent can act on, with Harvest's own message.
pub fn check_status(request: &Request, response: &Response, secret: &Secret) -> Result<(), Error> {
    let status = response.status;
    if (200..300).contains(&status) {
        return Ok(());
    }
    let message = redact(&harvest_message(response), secret);
    let path = path_only(&request.path);
    Err(match status {
        401 => Error::Unauthorized(format!(
            "Harvest rejected the access token ({message}). The token is expired, revoked or \
             malformed, or it does not belong to the account id used: refresh the OAuth token or \
             reconnect, and check the account id with list-accounts"
        )),
        403 => Error::Forbidden(format!(
            "Harvest refused {} {path}: the user's role lacks the permission ({message})",
            request.method.as_str()
        )),
        404 if is_html(response) => Error::NotFound(format!(
            "Harvest has no route {path} (it answered with an HTML page): check the ids used"
        )),
        404 => Error::NotFound(format!(
            "Harvest found nothing at {path} ({message}): the id does not exist in this account or \
             the user cannot see it"
        )),
        422 => Error::Rejected(message),
        429 => {
            let seconds = retry_after_seconds(response.retry_after.as_deref(), &request.path);
            Error::rate_limited(
                seconds,
                format!(
                    "Harvest's rate limit was reached ({}); wait {seconds} s",
                    limit_name(&request.path)
                ),
            )
        }
        _ => Error::upstream(
            status,
            format!("{} {path}: {message}", request.method.as_str()),
        ),
    })
}

fn limit_name(path: &str) -> &'static str {
    if path.starts_with("/v2/reports") {
        "reports: 100 requests per 15 minutes"
    } else {
        "100 requests per 15 seconds"
    }
}

/// Seconds from `Retry-After`, or Harvest's window when it is missing.
pub fn retry_after_seconds(header: Option<&str>, path: &str) -> u32 {
    header
        .and_then(|value| value.trim().parse::<u32>().ok())
        .unwrap_or(if path.starts_with("/v2/reports") {
            900
        } else {
            15
        })
}

fn is_html(response: &Response) -> bool {
    response
        .content_type
        .as_deref()
        .is_some_and(|t| t.contains("html"))
        || response.body.trim_ascii_start().starts_with(b"<")
}

/// Harvest's message from an error body: `message`, `error_description` or `error`, or a
/// description of a body that has none.
pub fn harvest_message(response: &Response) -> String {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        message: Option<String>,
        error_description: Option<String>,
        error: Option<String>,
    }
    if response.body.trim_ascii().is_empty() {
        return format!("HTTP {} with an empty body", response.status);
    }
    if is_html(response) {
        return format!("HTTP {} with an HTML page instead of JSON", response.status);
    }
    match serde_json::from_slice::<ErrorBody>(&response.body) {
        Ok(ErrorBody {
            message: Some(m), ..
        })
        | Ok(ErrorBody {
            error_description: Some(m),
            ..
        }) => m,
        Ok(ErrorBody { error: Some(m), .. }) => m,
        _ => {
            let text = String::from_utf8_lossy(&response.body);
            let short: String = text.chars().take(300).collect();
            format!("HTTP {}: {short}", response.status)
        }
    }
}

fn redact(message: &str, secret: &Secret) -> String {
    if secret.expose().len() >= 4 {
        message.replace(secret.expose(), "[redacted]")
    } else {
        message.to_string()
    }
}

/// Decodes a 2xx JSON answer.
pub fn decode<T: DeserializeOwned>(request: &Request, response: &Response) -> Result<T, Error> {
    if is_html(response) {
        return Err(Error::upstream(
            response.status,
            format!(
                "{}: Harvest answered with an HTML page instead of JSON",
                path_only(&request.path)
            ),
        ));
    }
    serde_json::from_slice(&response.body).map_err(|e| {
        Error::upstream(
            response.status,
            format!(
                "{}: Harvest's answer could not be read ({e})",
                path_only(&request.path)
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, content_type: &str, body: &str) -> Response {
        Response {
            status,
            content_type: Some(content_type.into()),
            retry_after: None,
            body: body.as_bytes().to_vec(),
        }
    }

    fn error_for(status: u16, content_type: &str, body: &str) -> Error {
        let secret = Secret::new("tok-SECRET".into());
        match check_status(
            &Request::get("/v2/projects/1"),
            &response(status, content_type, body),
            &secret,
        ) {
            Err(error) => error,
            Ok(()) => Error::Config("no error".into()),
        }
    }

    #[test]
    fn query_encodes_values() {
        let q = Query::new()
            .set("from", "2026-01-01")
            .opt("note", Some("a b&c"))
            .opt("x", None::<u8>);
        assert_eq!(q.as_str(), "from=2026-01-01&note=a%20b%26c");
        assert_eq!(
            Request::get("/v2/x").query(&q).path,
            "/v2/x?from=2026-01-01&note=a%20b%26c"
        );
    }

    #[test]
    fn unprocessable_passes_harvests_message() {
        let e = error_for(
            422,
            "application/json",
            r#"{"message":"Spent date can't be blank"}"#,
        );
        assert!(matches!(e, Error::Rejected(m) if m == "Spent date can't be blank"));
    }

    #[test]
    fn html_404_is_not_decoded_as_json() {
        let e = error_for(404, "text/html", "<html><body>Not here</body></html>");
        assert!(matches!(e, Error::NotFound(m) if m.contains("HTML")));
    }

    #[test]
    fn rate_limit_falls_back_when_retry_after_is_missing() {
        assert_eq!(retry_after_seconds(None, "/v2/projects"), 15);
        assert_eq!(retry_after_seconds(None, "/v2/reports/time/team?x"), 900);
        assert_eq!(retry_after_seconds(Some(" 7 "), "/v2/projects"), 7);
    }

    #[test]
    fn echoed_secrets_are_redacted() {
        let e = error_for(
            500,
            "application/json",
            r#"{"message":"bad token tok-SECRET"}"#,
        );
        assert!(!format!("{e:?}").contains("tok-SECRET"), "{e:?}");
    }

    #[test]
    fn empty_error_body_is_described() {
        let e = error_for(502, "text/plain", "");
        assert!(
            matches!(e, Error::Upstream(u) if u.status == 502 && u.message.contains("empty body"))
        );
    }
}
