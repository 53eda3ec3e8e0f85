//! Scheduling flights: several requests in flight at once through `wasi:io/poll`, each waiting
//! out Harvest's rate limit and retried on its own, their outcomes handed on in order.

use std::collections::VecDeque;
use std::ops::ControlFlow;

use wasip2::clocks::monotonic_clock;
use wasip2::http::types::FutureIncomingResponse;
use wasip2::io::poll::{self, Pollable};

use super::error::retry_after_seconds;
use super::response::Response;
use super::wasi::{self, Failure, Outgoing};
use crate::bindings::wit::Error;
use crate::config::Policy;

/// Retries of a repeatable request after a gateway error or a network failure.
const MAX_RETRIES: u32 = 2;
const BACKOFF_BASE_MS: u64 = 250;

/// What `run` hands each outcome to; a trait object, so that one copy of the loop serves every
/// caller.
pub type Each<'e> =
    dyn FnMut(usize, Result<Response, Error>) -> Result<ControlFlow<()>, Error> + 'e;

/// Sends `requests` with up to `concurrency` in flight, each waiting out rate limits and
/// retried on its own by the rules of [`Flight::settle`], and hands every outcome to `each` in
/// the order of `requests` (an answer that arrives early waits for those before it). The first
/// error `each` returns, or its `Break`, ends the exchange: no request after it is started, and
/// those in flight are dropped.
pub fn run(
    requests: &[Outgoing],
    concurrency: usize,
    policy: &Policy,
    each: &mut Each<'_>,
) -> Result<(), Error> {
    let concurrency = concurrency.max(1);
    let mut waiting = requests.iter().enumerate();
    let mut flights: VecDeque<(usize, Flight)> = VecDeque::new();
    loop {
        while flights.len() < concurrency {
            let Some((index, request)) = waiting.next() else {
                break;
            };
            let mut flight = Flight::new(request);
            flight.start(policy);
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
        wait_for_any(&mut flights, policy);
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
            stage: Stage::Ready,
        }
    }

    /// Sends the request (again), unless it is already done.
    fn start(&mut self, policy: &Policy) {
        if matches!(self.stage, Stage::Done(_)) {
            return;
        }
        match wasi::send(self.request, policy) {
            Ok(pending) => self.stage = Stage::InFlight(pending),
            Err(failure) => self.settle(Err(failure), policy),
        }
    }

    /// Reads the answer once it has arrived.
    fn receive(&mut self, policy: &Policy) {
        if let Stage::InFlight(pending) = &self.stage {
            let attempt = wasi::receive(pending, self.request);
            self.settle(attempt, policy);
        }
    }

    /// Decides what an attempt leads to: done, or a pause before sending again. A 429 was not
    /// processed, so even a POST is sent again after `Retry-After`, within the call's wait
    /// budget (docs/harvest-notes.md#rate-limits); gateway errors and network failures are
    /// retried with backoff only for requests that are safe to repeat.
    fn settle(&mut self, attempt: Result<Response, Failure>, policy: &Policy) {
        let request = self.request;
        let pause_ms = match &attempt {
            Ok(response) if response.status == 429 => {
                let wait = u64::from(retry_after_seconds(
                    response.retry_after.as_deref(),
                    request.path(),
                ));
                (self.waited_secs + wait <= policy.rate_limit_wait_secs).then(|| {
                    self.waited_secs += wait;
                    wait * 1000
                })
            }
            Ok(response) if matches!(response.status, 502..=504) => (request.is_repeatable
                && self.retries < MAX_RETRIES)
                .then(|| backoff_ms(self.retries)),
            Err(failure)
                if failure.retryable && request.is_repeatable && self.retries < MAX_RETRIES =>
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
                Stage::InFlight(_) => flight.receive(policy),
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
