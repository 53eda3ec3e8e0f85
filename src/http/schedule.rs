//! Scheduling flights: several requests in flight at once through `wasi:io/poll`, each waiting
//! out Harvest's rate limit and retried on its own, their outcomes handed on in order.

use std::collections::VecDeque;
use std::iter::{Enumerate, Peekable};
use std::ops::ControlFlow;

use wasip2::clocks::monotonic_clock;
use wasip2::http::types::FutureIncomingResponse;
use wasip2::io::poll::{self, Pollable};

use super::deadline::{Deadline, Timeout, Timeouts};
use super::error::retry_after_seconds;
use super::response::Response;
use super::wasi::{self, Failure, Outgoing};
use crate::bindings::wit::Error;
use crate::config::{Policy, TIMEOUT_RETRIES};

/// Retries of a repeatable request after a gateway error or a network failure; of these, at
/// most [`TIMEOUT_RETRIES`] after a timeout.
const MAX_RETRIES: u32 = 2;
const BACKOFF_BASE_MS: u64 = 250;
const NANOS_PER_MS: u64 = 1_000_000;

/// What `run` hands each outcome to; a trait object, so that one copy of the loop serves every
/// caller.
pub type Each<'e> =
    dyn FnMut(usize, Result<Response, Error>) -> Result<ControlFlow<()>, Error> + 'e;

/// Sends `requests` with up to `concurrency` in flight, each waiting out rate limits and
/// retried on its own by the rules of [`Flight::settle`], and hands every outcome to `each` in
/// the order of `requests` (an answer that arrives early waits for those before it). The first
/// error `each` returns, or its `Break`, ends the exchange: those in flight are dropped and no
/// other request is started (a request safe to repeat may have been started while the answer
/// was being handed on). Nothing outlives `deadline`: a request is not sent, a wait not
/// started, and an answer not awaited past it.
pub fn run(
    requests: &[Outgoing],
    concurrency: usize,
    policy: &Policy,
    deadline: &Deadline,
    each: &mut Each<'_>,
) -> Result<(), Error> {
    let mut waiting = Waiting {
        requests: requests.iter().enumerate().peekable(),
        concurrency: concurrency.max(1),
    };
    let mut flights: VecDeque<(usize, Flight)> = VecDeque::new();
    loop {
        waiting.start(&mut flights, policy, deadline, false);
        while flights
            .front()
            .is_some_and(|(_, f)| matches!(f.stage, Stage::Done(_)))
        {
            let Some((index, flight)) = flights.pop_front() else {
                break;
            };
            // A request safe to repeat goes out before this answer is handed on, so that
            // reading the answer (a page of 2,000 records takes tens of milliseconds) overlaps
            // a full set of requests in flight. Should `each` end the exchange, that one
            // request is dropped unanswered.
            waiting.start(&mut flights, policy, deadline, true);
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
        wait_for_any(&mut flights, policy, deadline);
    }
}

/// The requests not sent yet, in order, and how many may be in flight at once.
struct Waiting<'r> {
    requests: Peekable<Enumerate<std::slice::Iter<'r, Outgoing>>>,
    concurrency: usize,
}

impl<'r> Waiting<'r> {
    /// Starts requests until `concurrency` flights are under way; with `only_repeatable`, stops
    /// at the first request that is not safe to repeat.
    fn start(
        &mut self,
        flights: &mut VecDeque<(usize, Flight<'r>)>,
        policy: &Policy,
        deadline: &Deadline,
        only_repeatable: bool,
    ) {
        while flights.len() < self.concurrency {
            let Some((index, request)) = self
                .requests
                .next_if(|(_, request)| !only_repeatable || request.is_repeatable)
            else {
                break;
            };
            let mut flight = Flight::new(request);
            flight.start(policy, deadline);
            flights.push_back((index, flight));
        }
    }
}

/// An answer the schedule should have had but did not: never expected, never a panic.
pub fn lost(request: &Outgoing) -> Error {
    Error::transport(
        format!(
            "{} {}: the answer was lost",
            request.method.as_str(),
            request.path()
        ),
        request.is_write,
    )
}

/// One request on its way, with what it has been through: the rate-limit wait and the retries
/// spent so far.
struct Flight<'r> {
    request: &'r Outgoing,
    waited_secs: u64,
    retries: u32,
    /// Of the retries, those after a timeout.
    timeout_retries: u32,
    /// Times the request was handed to `wasi:http`.
    attempts: u32,
    /// The monotonic-clock instant of the first attempt.
    began: Option<u64>,
    /// The timeouts of the latest attempt, as clipped to the deadline.
    timeouts: Option<Timeouts>,
    stage: Stage,
}

enum Stage {
    /// To be sent now.
    Ready,
    /// Waiting, until this monotonic-clock instant, to be sent again.
    Pausing(u64),
    /// Sent; the answer is on its way.
    InFlight(FutureIncomingResponse),
    Done(Result<Response, Error>),
}

impl<'r> Flight<'r> {
    fn new(request: &'r Outgoing) -> Flight<'r> {
        Flight {
            request,
            waited_secs: 0,
            retries: 0,
            timeout_retries: 0,
            attempts: 0,
            began: None,
            timeouts: None,
            stage: Stage::Ready,
        }
    }

    /// Sends the request (again) with its timeouts clipped to the deadline, unless it is
    /// already done or the deadline has passed.
    fn start(&mut self, policy: &Policy, deadline: &Deadline) {
        if matches!(self.stage, Stage::Done(_)) {
            return;
        }
        let now = monotonic_clock::now();
        if deadline.has_passed(now) {
            let error = deadline.error(
                now,
                &self.request.label(),
                "before this request was sent",
                false,
            );
            self.stage = Stage::Done(Err(error));
            return;
        }
        let timeouts = deadline.clip(now, policy);
        self.timeouts = Some(timeouts);
        self.attempts += 1;
        self.began.get_or_insert(now);
        match wasi::send(self.request, &timeouts) {
            Ok(pending) => self.stage = Stage::InFlight(pending),
            Err(failure) => self.settle(Err(failure), policy, deadline),
        }
    }

    /// Reads the answer once it has arrived.
    fn receive(&mut self, policy: &Policy, deadline: &Deadline) {
        if let Stage::InFlight(pending) = &self.stage {
            let attempt = wasi::receive(pending, self.request, deadline.end());
            self.settle(attempt, policy, deadline);
        }
    }

    /// Decides what an attempt leads to: done, or a pause before sending again. A 429 was not
    /// processed, so even a POST is sent again after `Retry-After`, within the call's wait
    /// budget (docs/harvest-notes.md#rate-limits); gateway errors and network failures are
    /// retried with backoff only for requests that are safe to repeat, timeouts at most
    /// [`TIMEOUT_RETRIES`] times. No pause is started that would end past the deadline.
    fn settle(&mut self, attempt: Result<Response, Failure>, policy: &Policy, deadline: &Deadline) {
        let request = self.request;
        let now = monotonic_clock::now();
        let attempt = attempt.map_err(|failure| self.named(failure, policy, deadline, now));
        let retry = match &attempt {
            Ok(response) if response.status == 429 => {
                let wait = retry_after_seconds(response.retry_after.as_deref(), request.path());
                let wait_secs = u64::from(wait);
                if self.waited_secs + wait_secs > policy.rate_limit_wait_secs {
                    None
                } else if !deadline.allows_pause(now, wait_secs.saturating_mul(1_000_000_000)) {
                    let error = deadline.rate_limit_error(now, wait, request.path());
                    self.stage = Stage::Done(Err(error));
                    return;
                } else {
                    self.waited_secs += wait_secs;
                    Some((wait_secs * 1000, Retry::RateLimit))
                }
            }
            Ok(response) if matches!(response.status, 502..=504) => (request.is_repeatable
                && self.retries < MAX_RETRIES)
                .then(|| (backoff_ms(self.retries), Retry::Failure)),
            Err(failure) if failure.retryable && request.is_repeatable => {
                let allowed = self.retries < MAX_RETRIES
                    && (failure.timeout.is_none() || self.timeout_retries < TIMEOUT_RETRIES);
                let kind = if failure.timeout.is_some() {
                    Retry::Timeout
                } else {
                    Retry::Failure
                };
                allowed.then(|| (backoff_ms(self.retries), kind))
            }
            _ => None,
        };
        self.stage = match retry {
            Some((ms, kind)) if deadline.allows_pause(now, ms.saturating_mul(NANOS_PER_MS)) => {
                if kind != Retry::RateLimit {
                    self.retries += 1;
                }
                if kind == Retry::Timeout {
                    self.timeout_retries += 1;
                }
                Stage::Pausing(now.saturating_add(ms.saturating_mul(NANOS_PER_MS)))
            }
            Some(_) => {
                let note = deadline.retry_skipped_note(now);
                Stage::Done(attempt.map_err(|error| noted(error, &note)))
            }
            None => Stage::Done(attempt.map_err(|failure| failure.error)),
        };
    }

    /// A failure whose error names what ran out: the call deadline when it had passed or had
    /// shortened the timeout that fired (never retried), else the timeout that fired.
    fn named(&self, failure: Failure, policy: &Policy, deadline: &Deadline, now: u64) -> Failure {
        let request = self.request;
        let label = request.label();
        if failure.deadline {
            return Failure::from(deadline.error(
                now,
                &label,
                "while reading the answer",
                request.is_write,
            ));
        }
        let Some(timeout) = failure.timeout else {
            return failure;
        };
        let sent = request.is_write && timeout != Timeout::Connect;
        let clipped = self
            .timeouts
            .is_some_and(|timeouts| timeouts.get(timeout).by_deadline);
        if clipped || deadline.has_passed(now) {
            let doing = match timeout {
                Timeout::Connect => "while connecting",
                Timeout::FirstByte => "while waiting for the answer",
                Timeout::BetweenBytes => "while reading the answer",
            };
            return Failure::from(deadline.error(now, &label, doing, sent));
        }
        let elapsed = now.saturating_sub(self.began.unwrap_or(now));
        Failure {
            error: timeout.error(policy, &label, self.attempts, elapsed, request.is_write),
            ..failure
        }
    }
}

/// Why a flight is sent again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Retry {
    RateLimit,
    Timeout,
    Failure,
}

/// The error of `failure`, whose retry the deadline did not allow, with `note` saying so.
fn noted(failure: Failure, note: &str) -> Error {
    match failure.error {
        Error::Transport(mut t) => {
            t.message = format!("{}; {note}", t.message);
            Error::Transport(t)
        }
        other => other,
    }
}

/// Blocks until at least one flight can move on (an answer arrived, a pause ended, the
/// deadline passed), and moves every one that can. The instance sleeps in `wasi:io/poll`;
/// nothing spins. At the deadline every flight still waiting ends with the deadline's error.
fn wait_for_any(flights: &mut VecDeque<(usize, Flight)>, policy: &Policy, deadline: &Deadline) {
    for (_, flight) in flights.iter_mut() {
        if matches!(flight.stage, Stage::Ready) {
            flight.start(policy, deadline);
        }
    }
    let ready: Vec<usize> = {
        let mut waiting = Vec::new();
        let mut pollables = Vec::new();
        for (position, (_, flight)) in flights.iter().enumerate() {
            let pollable = match &flight.stage {
                Stage::InFlight(pending) => pending.subscribe(),
                Stage::Pausing(until) => monotonic_clock::subscribe_instant(*until),
                Stage::Ready | Stage::Done(_) => continue,
            };
            waiting.push(position);
            pollables.push(pollable);
        }
        if pollables.is_empty() {
            return;
        }
        // Last, so that its index names no flight.
        pollables.push(monotonic_clock::subscribe_instant(deadline.end()));
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
                Stage::InFlight(_) => flight.receive(policy, deadline),
                Stage::Pausing(_) => flight.start(policy, deadline),
                Stage::Ready | Stage::Done(_) => {}
            }
        }
    }
    let now = monotonic_clock::now();
    if deadline.has_passed(now) {
        for (_, flight) in flights.iter_mut() {
            let (doing, sent) = match flight.stage {
                Stage::InFlight(_) => ("while waiting for the answer", flight.request.is_write),
                Stage::Pausing(_) | Stage::Ready => ("before this request was sent again", false),
                Stage::Done(_) => continue,
            };
            let error = deadline.error(now, &flight.request.label(), doing, sent);
            // Dropping the future here abandons the request.
            flight.stage = Stage::Done(Err(error));
        }
    }
}

/// Exponential backoff with jitter, so retrying clients do not arrive together.
fn backoff_ms(retry: u32) -> u64 {
    BACKOFF_BASE_MS * 2u64.pow(retry) + wasip2::random::random::get_random_u64() % BACKOFF_BASE_MS
}
