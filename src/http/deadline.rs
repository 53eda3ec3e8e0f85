//! The call deadline and the per-request timeouts, as arithmetic on WASI monotonic-clock
//! instants (nanoseconds). Nothing here reads the clock: callers pass `now`, so every rule is
//! tested natively.

use super::error::limit_name;
use crate::bindings::wit::Error;
use crate::config::{self, Policy};

const NANOS_PER_MS: u64 = 1_000_000;
const NANOS_PER_SEC: u64 = 1_000_000_000;

/// One call's budget: it started at `start` and ends `budget` nanoseconds later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadline {
    start: u64,
    budget: u64,
}

impl Deadline {
    /// A deadline of `secs` seconds from the instant `start`.
    pub fn new(start: u64, secs: u64) -> Deadline {
        Deadline {
            start,
            budget: secs.saturating_mul(NANOS_PER_SEC),
        }
    }

    /// The instant the call must have ended by.
    pub fn end(&self) -> u64 {
        self.start.saturating_add(self.budget)
    }

    pub fn remaining(&self, now: u64) -> u64 {
        self.end().saturating_sub(now)
    }

    pub fn elapsed(&self, now: u64) -> u64 {
        now.saturating_sub(self.start)
    }

    pub fn has_passed(&self, now: u64) -> bool {
        now >= self.end()
    }

    /// Whether a wait of `pause` nanoseconds starting at `now` ends before the deadline: a
    /// retry or a rate-limit wait that would end past it is not started.
    pub fn allows_pause(&self, now: u64, pause: u64) -> bool {
        now.saturating_add(pause) < self.end()
    }

    /// The timeouts of a request sent at `now`: each configured one, clipped to what remains
    /// of the deadline.
    pub fn clip(&self, now: u64, policy: &Policy) -> Timeouts {
        let remaining = self.remaining(now);
        let clip = |ms: u64| {
            let configured = ms.saturating_mul(NANOS_PER_MS);
            Clipped {
                nanos: configured.min(remaining),
                by_deadline: remaining < configured,
            }
        };
        Timeouts {
            connect: clip(policy.connect_timeout_ms),
            first_byte: clip(policy.first_byte_timeout_ms),
            between_bytes: clip(policy.between_bytes_timeout_ms),
        }
    }

    /// The deadline's error: which deadline ran out, after how long, `while_doing` what, and
    /// what the agent can do. A write that was sent may have been applied.
    pub fn error(&self, now: u64, label: &str, while_doing: &str, write_sent: bool) -> Error {
        Error::transport(
            format!(
                "{label}: the call deadline of {} ({}) ran out after {} {while_doing}; nothing \
                 partial is returned{}: narrow the query (dates, filters, a smaller limit) or \
                 raise {} for this host",
                seconds(self.budget),
                config::CALL_DEADLINE,
                seconds_exact(self.elapsed(now)),
                may_have_applied(write_sent),
                config::CALL_DEADLINE,
            ),
            write_sent,
        )
    }

    /// The error of a 429 whose `Retry-After` wait of `wait` seconds, starting at `now`, would
    /// end past the deadline: the wait is not started and the agent is told to wait and call
    /// again. Harvest did not process the request, so nothing was applied.
    pub fn rate_limit_error(&self, now: u64, wait: u32, path: &str) -> Error {
        Error::rate_limited(
            wait,
            format!(
                "Harvest's rate limit was reached ({}); waiting {wait} s would pass the call \
                 deadline of {} ({}), which has {} left, so the wait was not started: wait \
                 {wait} s and call again",
                limit_name(path),
                seconds(self.budget),
                config::CALL_DEADLINE,
                seconds_exact(self.remaining(now)),
            ),
        )
    }

    /// The note on an error that was not retried because the retry would pass the deadline.
    pub fn retry_skipped_note(&self, now: u64) -> String {
        format!(
            "not retried: the call deadline of {} ({}) has {} left",
            seconds(self.budget),
            config::CALL_DEADLINE,
            seconds_exact(self.remaining(now)),
        )
    }
}

/// One timeout of a request, and whether the deadline shortened it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clipped {
    pub nanos: u64,
    pub by_deadline: bool,
}

/// The three `wasi:http` timeouts of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Clipped,
    pub first_byte: Clipped,
    pub between_bytes: Clipped,
}

impl Timeouts {
    pub fn get(&self, which: Timeout) -> Clipped {
        match which {
            Timeout::Connect => self.connect,
            Timeout::FirstByte => self.first_byte,
            Timeout::BetweenBytes => self.between_bytes,
        }
    }
}

/// Which per-request timeout ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timeout {
    /// The connection was not open in time.
    Connect,
    /// The connection was open, the request sent, and no response headers came in time.
    FirstByte,
    /// The answer started and then stalled.
    BetweenBytes,
}

impl Timeout {
    fn key(self) -> &'static str {
        match self {
            Timeout::Connect => config::CONNECT_TIMEOUT,
            Timeout::FirstByte => config::FIRST_BYTE_TIMEOUT,
            Timeout::BetweenBytes => config::BETWEEN_BYTES_TIMEOUT,
        }
    }

    fn configured_ms(self, policy: &Policy) -> u64 {
        match self {
            Timeout::Connect => policy.connect_timeout_ms,
            Timeout::FirstByte => policy.first_byte_timeout_ms,
            Timeout::BetweenBytes => policy.between_bytes_timeout_ms,
        }
    }

    /// The error of a request whose last attempt ran out of this timeout: what timed out, how
    /// long it was, how many attempts were made over how long, and what the agent can do. A
    /// connect timeout is before anything was sent, so it never leaves a write applied.
    pub fn error(
        self,
        policy: &Policy,
        label: &str,
        attempts: u32,
        elapsed: u64,
        write_sent: bool,
    ) -> Error {
        let limit = seconds(self.configured_ms(policy).saturating_mul(NANOS_PER_MS));
        let what = match self {
            Timeout::Connect => format!("the connection did not open within {limit}"),
            Timeout::FirstByte => format!("Harvest sent no answer within {limit}"),
            Timeout::BetweenBytes => {
                format!("Harvest's answer stalled: no data came for {limit}")
            }
        };
        let applied = write_sent && self != Timeout::Connect;
        let tries = match attempts {
            1 => "1 attempt".to_string(),
            n => format!("{n} attempts"),
        };
        Error::transport(
            format!(
                "{label}: {what} (the {} timeout, {}); {tries} in {}{}: Harvest or the network \
                 is slow or down: try again in a minute, narrow the query (dates, filters, a \
                 smaller limit), or raise {} for this host",
                self.name(),
                self.key(),
                seconds_exact(elapsed),
                may_have_applied(applied),
                self.key(),
            ),
            applied,
        )
    }

    fn name(self) -> &'static str {
        match self {
            Timeout::Connect => "connect",
            Timeout::FirstByte => "first-byte",
            Timeout::BetweenBytes => "between-bytes",
        }
    }
}

fn may_have_applied(applied: bool) -> &'static str {
    if applied {
        "; the change may have been applied: check before repeating it"
    } else {
        ""
    }
}

/// A configured duration: `15 s`, or `0.3 s` when it is not whole seconds.
fn seconds(nanos: u64) -> String {
    if nanos.is_multiple_of(NANOS_PER_SEC) {
        format!("{} s", nanos / NANOS_PER_SEC)
    } else {
        seconds_exact(nanos)
    }
}

/// A measured duration, to a tenth of a second.
fn seconds_exact(nanos: u64) -> String {
    format!("{:.1} s", nanos as f64 / NANOS_PER_SEC as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = NANOS_PER_SEC;

    fn message(error: Error) -> (String, bool) {
        match error {
            Error::Transport(t) => (t.message, t.write_may_have_applied),
            other => panic!("expected a transport error, got {other:?}"),
        }
    }

    #[test]
    fn the_deadline_counts_from_its_start_and_saturates() {
        let deadline = Deadline::new(5 * S, 120);
        assert_eq!(deadline.end(), 125 * S);
        assert_eq!(deadline.remaining(25 * S), 100 * S);
        assert_eq!(deadline.remaining(200 * S), 0);
        assert_eq!(deadline.elapsed(65 * S), 60 * S);
        assert_eq!(
            deadline.elapsed(0),
            0,
            "a clock before the start is no time"
        );
        assert!(!deadline.has_passed(125 * S - 1));
        assert!(deadline.has_passed(125 * S));
        assert_eq!(Deadline::new(u64::MAX - S, 3600).end(), u64::MAX);
    }

    #[test]
    fn a_pause_that_would_end_past_the_deadline_is_not_allowed() {
        let deadline = Deadline::new(0, 10);
        assert!(deadline.allows_pause(2 * S, 7 * S));
        assert!(
            !deadline.allows_pause(3 * S, 7 * S),
            "ending at the deadline leaves no time to send"
        );
        assert!(!deadline.allows_pause(9 * S, 20 * S));
        assert!(!deadline.allows_pause(u64::MAX, 1));
    }

    #[test]
    fn timeouts_are_clipped_to_what_remains() {
        let policy = Policy::default();
        let deadline = Deadline::new(0, 120);
        let early = deadline.clip(S, &policy);
        assert_eq!(
            early.first_byte,
            Clipped {
                nanos: 15 * S,
                by_deadline: false
            }
        );
        assert_eq!(early.connect.nanos, 10 * S);
        let late = deadline.clip(108 * S, &policy);
        assert_eq!(
            (late.connect, late.first_byte, late.between_bytes),
            (
                Clipped {
                    nanos: 10 * S,
                    by_deadline: false
                },
                Clipped {
                    nanos: 12 * S,
                    by_deadline: true
                },
                Clipped {
                    nanos: 12 * S,
                    by_deadline: true
                },
            )
        );
        assert_eq!(late.get(Timeout::FirstByte), late.first_byte);
        let over = deadline.clip(130 * S, &policy);
        assert_eq!(over.between_bytes.nanos, 0);
        assert!(over.connect.by_deadline);
    }

    #[test]
    fn a_timeout_error_names_the_timeout_its_key_and_the_attempts() {
        let policy = Policy::default();
        let error =
            Timeout::FirstByte.error(&policy, "GET x/v2/projects", 2, 30_400_000_000, false);
        let (text, applied) = message(error);
        assert!(!applied);
        for part in [
            "GET x/v2/projects:",
            "within 15 s",
            "first-byte timeout",
            config::FIRST_BYTE_TIMEOUT,
            "2 attempts in 30.4 s",
            "narrow the query",
        ] {
            assert!(text.contains(part), "{part:?} missing from {text}");
        }
        let short = Policy {
            between_bytes_timeout_ms: 300,
            ..Policy::default()
        };
        let (text, _) = message(Timeout::BetweenBytes.error(&short, "GET x", 1, S, false));
        assert!(text.contains("stalled") && text.contains("0.3 s"), "{text}");
        assert!(text.contains("1 attempt in 1.0 s"), "{text}");
    }

    #[test]
    fn a_timed_out_write_may_have_applied_unless_it_never_connected() {
        let policy = Policy::default();
        let (text, applied) = message(Timeout::FirstByte.error(&policy, "POST x", 1, S, true));
        assert!(applied && text.contains("check before repeating"), "{text}");
        let (text, applied) = message(Timeout::Connect.error(&policy, "POST x", 1, S, true));
        assert!(
            !applied && !text.contains("may have been applied"),
            "{text}"
        );
    }

    #[test]
    fn the_deadline_error_names_the_key_the_time_and_the_way_out() {
        let deadline = Deadline::new(S, 2);
        let error = deadline.error(3 * S + S / 10, "GET x/v2/time_entries", "waiting", false);
        let (text, applied) = message(error);
        assert!(!applied);
        for part in [
            "call deadline of 2 s",
            config::CALL_DEADLINE,
            "after 2.1 s waiting",
            "nothing partial",
            "narrow the query",
        ] {
            assert!(text.contains(part), "{part:?} missing from {text}");
        }
        let (text, applied) = message(deadline.error(3 * S, "POST x", "waiting", true));
        assert!(applied && text.contains("may have been applied"), "{text}");
        let Error::RateLimited(limit) = deadline.rate_limit_error(2 * S, 20, "/v2/projects") else {
            panic!("expected rate limited")
        };
        assert_eq!(limit.retry_after_seconds, 20);
        for part in [
            "100 requests per 15 seconds",
            "waiting 20 s",
            "1.0 s left",
            "not started",
        ] {
            assert!(
                limit.message.contains(part),
                "{part:?} missing from {}",
                limit.message
            );
        }
        let note = deadline.retry_skipped_note(2 * S + S / 2);
        assert!(note.contains("0.5 s left"), "{note}");
    }
}
