//! Constructors and text for the WIT `error` variant, the one error type of every tool.

use crate::bindings::harvest::tools::types::{
    Error, InvalidInput, RateLimit, TransportFailure, UpstreamFailure,
};

impl Error {
    /// An argument broke `rule`; raised before any request is sent.
    pub fn invalid(field: impl Into<String>, rule: impl Into<String>) -> Error {
        Error::InvalidInput(InvalidInput {
            field: field.into(),
            rule: rule.into(),
        })
    }

    pub fn upstream(status: u16, message: impl Into<String>) -> Error {
        Error::Upstream(UpstreamFailure {
            status,
            message: message.into(),
        })
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
}
