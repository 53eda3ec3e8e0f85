//! The state every handler shares with [`crate::FakeHarvest`]: the data, the recorded requests,
//! the queued faults and the latency. A leaf of the fake's modules: the handlers and the server
//! depend on it, it depends on none of them.

use std::collections::VecDeque;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::faults::Fault;
use super::index::StateGuard;
use super::model::FakeState;
use super::recorder::RecordedRequest;

/// Shared by the handlers and by `FakeHarvest`.
#[derive(Clone)]
pub struct App {
    pub state: Arc<Mutex<FakeState>>,
    pub requests: Arc<Mutex<Vec<RecordedRequest>>>,
    pub faults: Arc<Mutex<VecDeque<Fault>>>,
    /// Faults for the first request whose path and query contain the text given.
    pub aimed_faults: Arc<Mutex<Vec<(String, Fault)>>>,
    /// Milliseconds every request waits before it is answered, like a distant server.
    pub latency_ms: Arc<AtomicU64>,
    /// `http://127.0.0.1:PORT`, used for absolute pagination links.
    pub origin: String,
}

/// Locks a mutex, ignoring poisoning (a panicking test must not wedge the server).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl App {
    pub fn lock(&self) -> StateGuard<'_> {
        StateGuard::new(lock(&self.state))
    }
}
