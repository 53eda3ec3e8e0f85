//! HTTP to Harvest, one concept per file (after wstd's `src/http/`):
//!
//! - [`request`]: a request as a value, [`Request<T>`], built by pure functions;
//! - [`query`]: percent-encoded query strings and forms;
//! - [`response`]: an answer, and decoding a 2xx answer into `T`;
//! - [`error`]: the one mapping from a status and a body to an [`Error`](crate::bindings::wit::Error);
//! - [`wasi`]: bytes in and out of `wasi:http`;
//! - [`deadline`]: the call deadline and the per-request timeouts clipped to it;
//! - [`schedule`]: flights in parallel, retries and rate-limit waits, all within the deadline;
//! - [`client`]: the [`Client`], bound to a configuration and an account, that sends requests.

mod client;
mod deadline;
pub mod error;
mod query;
mod request;
pub mod response;
mod schedule;
mod wasi;

pub use client::Client;
pub use query::Query;
#[cfg(test)]
pub use request::{Body, Method};
pub use request::{Request, Server};
