//! Constructors and text for the WIT `error` variant, the one error type of every tool.

use crate::bindings::wit::{
    Error, Forbidden, InvalidInput, RateLimit, TransportFailure, UpstreamFailure,
};

impl Error {
    /// An argument broke `rule`; raised before any request is sent.
    pub fn invalid(field: impl Into<String>, rule: impl Into<String>) -> Error {
        Error::InvalidInput(InvalidInput {
            field: field.into(),
            rule: rule.into(),
        })
    }

    /// Harvest refused the request for the user's role (403); `use_instead` names the tool that
    /// serves this role, when there is one.
    pub fn forbidden(message: impl Into<String>, use_instead: Option<&str>) -> Error {
        Error::Forbidden(Forbidden {
            message: message.into(),
            use_instead: use_instead.map(str::to_string),
        })
    }

    /// Harvest answered with `status`, a failure or an answer that cannot be used.
    pub fn upstream(status: u16, message: impl Into<String>) -> Error {
        Error::Upstream(UpstreamFailure {
            status,
            message: message.into(),
        })
    }

    /// A 2xx answer whose content cannot be used: undecodable, or breaking the rules of
    /// pagination. It keeps the status Harvest really sent; the message says what is wrong.
    pub fn unreadable(status: u16, message: impl Into<String>) -> Error {
        Error::upstream(status, message)
    }

    /// A fault of the component itself, not of Harvest nor of the network.
    pub fn internal(message: impl Into<String>) -> Error {
        Error::Internal(message.into())
    }

    pub fn transport(message: impl Into<String>, write_may_have_applied: bool) -> Error {
        Error::Transport(TransportFailure {
            message: message.into(),
            write_may_have_applied,
        })
    }

    pub fn rate_limited(retry_after_seconds: u32, message: impl Into<String>) -> Error {
        Error::RateLimited(RateLimit {
            retry_after_seconds,
            message: message.into(),
        })
    }

    /// When a later step of a call fails, says what was `done` already (for instance "the
    /// invoice changes were saved"), so the call is not repeated as a whole. Invalid input is
    /// raised before anything is sent and passes unchanged.
    pub fn after(self, done: &str) -> Error {
        self.noted(&format!("{done}, then this failed: "))
    }

    /// When a read that must come before a write fails, says that the write was not sent
    /// (`what` names the read), so the caller knows nothing changed.
    pub fn before_write(self, what: &str) -> Error {
        self.noted(&format!("nothing was created: {what} failed: "))
    }

    /// The same error, its message after `prefix`.
    fn noted(self, prefix: &str) -> Error {
        let note = |message: String| format!("{prefix}{message}");
        match self {
            Error::Unauthorized(m) => Error::Unauthorized(note(m)),
            Error::Forbidden(mut f) => {
                f.message = note(f.message);
                Error::Forbidden(f)
            }
            Error::NotFound(m) => Error::NotFound(note(m)),
            Error::Rejected(m) => Error::Rejected(note(m)),
            Error::Config(m) => Error::Config(note(m)),
            Error::Internal(m) => Error::Internal(note(m)),
            Error::RateLimited(mut r) => {
                r.message = note(r.message);
                Error::RateLimited(r)
            }
            Error::Upstream(mut u) => {
                u.message = note(u.message);
                Error::Upstream(u)
            }
            Error::Transport(mut t) => {
                t.message = note(t.message);
                Error::Transport(t)
            }
            Error::Duplicate(mut d) => {
                d.message = note(d.message);
                Error::Duplicate(d)
            }
            invalid @ Error::InvalidInput(_) => invalid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_after_a_saved_step_says_so() {
        let error = Error::Rejected("Event type send isn't allowed".into())
            .after("the invoice changes were saved");
        assert!(
            matches!(error, Error::Rejected(m) if m.starts_with("the invoice changes were saved") && m.ends_with("isn't allowed"))
        );
    }
}
