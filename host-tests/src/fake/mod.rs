//! A fake Harvest: api.harvestapp.com (`/v2/...`) and id.getharvest.com (`/api/v2/accounts`,
//! `/oauth2/authorize`, `/api/v2/oauth2/token`) on one loopback origin, over real HTTP.
//!
//! It follows `/work/shared/harvest-api.md` (section numbers in comments refer to it) and its
//! answers are checked against `harvest-openapi.yaml` by `tests/all/fake_conformance.rs`.
//! Seeded data is deterministic for a given anchor date; see [`seed::ids`].
//!
//! ```no_run
//! use host_tests::fake::{ACCOUNT_ID, ADMIN_TOKEN, FakeHarvest, FakeOptions};
//! let fake = FakeHarvest::start(FakeOptions::default())?;
//! println!("{} token={ADMIN_TOKEN} account={ACCOUNT_ID}", fake.url());
//! # anyhow::Ok(())
//! ```

mod auth;
mod clients;
mod clock;
mod company;
mod entry;
mod error;
mod faults;
mod index;
mod invoice_lines;
mod invoices;
mod messages;
mod model;
mod oauth;
mod pagination;
mod params;
mod payments;
mod projects;
mod recorder;
mod reports;
pub mod seed;
mod seed_catalogue;
mod seed_time;
mod server;
mod tasks;
mod time_entries;
mod timers;
mod users;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use tokio::sync::oneshot;

pub use clock::Clock;
pub use error::INVALID_TOKEN_DESCRIPTION;
pub use faults::Fault;
pub use index::StateGuard;
pub use model::*;
pub use recorder::RecordedRequest;
pub use reports::{TimeRow, UninvoicedRow};
pub use seed::ids;
pub use seed_time::HISTORY_DAYS;

/// Personal access token of Ada Lovelace, administrator of `ACCOUNT_ID` only.
pub const ADMIN_TOKEN: &str = "fake-admin-token";
/// Personal access token of Grace Hopper (manager), who has both Harvest accounts.
pub const MULTI_TOKEN: &str = "fake-multi-token";
/// Personal access token of Alan Turing, a Member of `ACCOUNT_ID`.
pub const MEMBER_TOKEN: &str = "fake-member-token";
/// "Acme Studio": duration tracking, 12-hour clock.
pub const ACCOUNT_ID: u64 = 1_000_001;
/// "Acme Labs": start/end-time tracking (`wants_timestamp_timers`), 24-hour clock.
pub const TIMESTAMP_ACCOUNT_ID: u64 = 1_000_002;
/// A Forecast account, listed by Harvest ID but unusable on the Harvest API.
pub const FORECAST_ACCOUNT_ID: u64 = 2_000_001;
pub const CLIENT_ID: &str = "fake-oauth-client-id";
pub const CLIENT_SECRET: &str = "fake-oauth-client-secret";
/// The OAuth client's registered Redirect URL (any port is accepted).
pub const REDIRECT_URL: &str = "http://127.0.0.1/callback";

#[derive(Clone, Debug)]
pub struct FakeOptions {
    /// "Today" for the seeded data and the fake's clock.
    pub anchor: NaiveDate,
    pub addr: SocketAddr,
    /// After this many `/v2` requests in total, every further one is answered 429 (§6).
    pub request_budget: Option<u32>,
    /// Lifetime of OAuth-issued access tokens.
    pub access_token_lifetime_secs: u64,
}

impl Default for FakeOptions {
    fn default() -> Self {
        FakeOptions {
            anchor: Utc::now().date_naive(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            request_budget: None,
            access_token_lifetime_secs: 1_209_600,
        }
    }
}

/// A running fake. Dropping it shuts the server down.
pub struct FakeHarvest {
    app: server::App,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeHarvest {
    /// Binds, seeds and starts serving on a thread of its own; returns once listening.
    pub fn start(options: FakeOptions) -> anyhow::Result<FakeHarvest> {
        let listener =
            std::net::TcpListener::bind(options.addr).context("binding the fake Harvest")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let mut state = seed::state(options.anchor, options.access_token_lifetime_secs);
        state.request_budget = options.request_budget;
        let app = server::App {
            state: Arc::new(Mutex::new(state)),
            requests: Arc::new(Mutex::new(Vec::new())),
            faults: Arc::new(Mutex::new(VecDeque::new())),
            aimed_faults: Arc::new(Mutex::new(Vec::new())),
            latency_ms: Arc::new(AtomicU64::new(0)),
            origin: format!("http://{addr}"),
        };
        let router = server::router(app.clone());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (shutdown, stop) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("fake-harvest".into())
            .spawn(move || {
                runtime.block_on(async move {
                    if let Ok(listener) = tokio::net::TcpListener::from_std(listener) {
                        server::serve(listener, router, stop).await;
                    }
                });
            })?;
        Ok(FakeHarvest {
            app,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, serving both the API and Harvest ID routes.
    pub fn url(&self) -> String {
        self.app.origin.clone()
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        server::lock(&self.app.requests).clone()
    }

    pub fn clear_requests(&self) {
        server::lock(&self.app.requests).clear();
    }

    /// The live data. Drop the guard before sending requests to the fake.
    pub fn state(&self) -> StateGuard<'_> {
        self.app.lock()
    }

    /// Queues a fault for the next request (first in, first out).
    pub fn inject(&self, fault: Fault) {
        server::lock(&self.app.faults).push_back(fault);
    }

    /// Queues a fault for the first request whose path and query contain `needle` (e.g.
    /// `"page=3&"`), whenever it arrives; other requests are served as usual.
    pub fn inject_on(&self, needle: &str, fault: Fault) {
        server::lock(&self.app.aimed_faults).push((needle.to_string(), fault));
    }

    /// Makes every later request wait `latency` before it is answered (zero: no wait).
    pub fn set_latency(&self, latency: Duration) {
        let millis = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.app.latency_ms.store(millis, Ordering::Relaxed);
    }

    /// Replaces the main account's time entries with `count` copies of one stopped entry, ids
    /// from 4,000,000,000 up; returns the ids in the order Harvest lists them (newest first,
    /// and all on one day, by descending id).
    pub fn seed_time_entries(&self, count: u64) -> anyhow::Result<Vec<u64>> {
        let mut state = self.state();
        let account = state
            .account_mut(ACCOUNT_ID)
            .context("the main account is seeded")?;
        let template = account
            .time_entries
            .iter()
            .find(|e| !e.is_running)
            .context("a stopped entry is seeded")?
            .clone();
        account.time_entries = (0..count)
            .map(|i| {
                let mut entry = template.clone();
                entry.id = 4_000_000_000 + i;
                entry
            })
            .collect();
        Ok((0..count).rev().map(|i| 4_000_000_000 + i).collect())
    }

    /// Makes every OAuth-issued access token expire now (personal access tokens are unaffected).
    pub fn expire_all_tokens(&self) {
        let mut st = self.app.lock();
        let past = st.clock.now() - chrono::Duration::seconds(1);
        for grant in st
            .tokens
            .values_mut()
            .filter(|g| g.oauth_client_id.is_some())
        {
            grant.expires_at = Some(past);
        }
    }
}

impl Drop for FakeHarvest {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
