//! A fake Harvest: api.harvestapp.com (`/v2/...`) and id.getharvest.com (`/api/v2/accounts`,
//! `/oauth2/authorize`, `/api/v2/oauth2/token`) on one loopback origin, over real HTTP.
//!
//! It behaves as the project's notes on Harvest, `docs/harvest-notes.md`, describe (comments cite
//! their sections as `docs/harvest-notes.md#anchor`), and its answers are checked against
//! Harvest's OpenAPI description (`host-tests/vendor/harvest-openapi.yaml`) by
//! `host-tests/tests/all/fake_conformance.rs`.
//! Seeded data is deterministic for a given anchor date; see [`ids`].
//!
//! ```no_run
//! use harvest_fake::{ACCOUNT_ID, ADMIN_TOKEN, FakeHarvest, FakeOptions};
//! let fake = FakeHarvest::start(FakeOptions::default())?;
//! println!("{} token={ADMIN_TOKEN} account={ACCOUNT_ID}", fake.url());
//! # anyhow::Ok(())
//! ```

mod app;
mod auth;
mod clients;
mod clock;
mod company;
mod entry;
mod error;
mod expenses;
mod faults;
pub mod ids;
mod index;
mod invoice_lines;
mod invoices;
mod lists;
mod messages;
mod model;
mod oauth;
mod pagination;
mod params;
mod payments;
mod projects;
mod recorder;
mod reports;
mod rounding;
pub mod seed;
mod seed_catalogue;
mod seed_expenses;
mod seed_roles;
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
pub use expenses::{Expense, ExpenseCategoryRef, Receipt};
pub use faults::Fault;
pub use ids::{
    ACCOUNT_ID, ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, FORECAST_ACCOUNT_ID, GLOBAL_ACCOUNT_ID,
    GLOBAL_TOKEN, MEMBER_TOKEN, MULTI_TOKEN, REDIRECT_URL, TIMESTAMP_ACCOUNT_ID,
};
pub use index::StateGuard;
pub use model::*;
pub use recorder::RecordedRequest;
pub use reports::{TimeRow, UninvoicedRow};
pub use rounding::TimeRounding;
pub use seed_roles::{KATHERINE_IDENTITY, MEMBER_TOKEN_TWO_ACCOUNTS};
pub use seed_time::HISTORY_DAYS;

#[derive(Clone, Debug)]
pub struct FakeOptions {
    /// "Today" for the seeded data and the fake's clock.
    pub anchor: NaiveDate,
    pub addr: SocketAddr,
    /// After this many `/v2` requests in total, every further one is answered 429
    /// (docs/harvest-notes.md#rate-limits).
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

/// The `HARVEST_*` variables that point the component at a Harvest whose API and Harvest ID both
/// live at `origin`: `token` as `HARVEST_ACCESS_TOKEN` and `account_id` as `HARVEST_ACCOUNT_ID`,
/// each when given. Every environment aimed at the fake is built here.
pub fn harvest_env(
    origin: &str,
    token: Option<&str>,
    account_id: Option<u64>,
) -> Vec<(String, String)> {
    let mut env = Vec::new();
    if let Some(token) = token {
        env.push(("HARVEST_ACCESS_TOKEN".to_string(), token.to_string()));
    }
    env.push(("HARVEST_API_URL".to_string(), origin.to_string()));
    env.push(("HARVEST_ID_URL".to_string(), origin.to_string()));
    if let Some(id) = account_id {
        env.push(("HARVEST_ACCOUNT_ID".to_string(), id.to_string()));
    }
    env
}

/// A running fake. Dropping it shuts the server down.
pub struct FakeHarvest {
    app: app::App,
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
        seed_roles::apply(&mut state);
        state.request_budget = options.request_budget;
        let app = app::App {
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

    /// The administrator's environment: Ada's token ([`ADMIN_TOKEN`]), the main account
    /// ([`ACCOUNT_ID`]), and this fake as both Harvest origins.
    pub fn env(&self) -> Vec<(String, String)> {
        self.env_as(ADMIN_TOKEN, Some(ACCOUNT_ID))
    }

    /// This fake's environment with another token and account choice.
    pub fn env_as(&self, token: &str, account_id: Option<u64>) -> Vec<(String, String)> {
        harvest_env(&self.url(), Some(token), account_id)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        app::lock(&self.app.requests).clone()
    }

    pub fn clear_requests(&self) {
        app::lock(&self.app.requests).clear();
    }

    /// The live data. Drop the guard before sending requests to the fake.
    pub fn state(&self) -> StateGuard<'_> {
        self.app.lock()
    }

    /// Queues a fault for the next request (first in, first out).
    pub fn inject(&self, fault: Fault) {
        app::lock(&self.app.faults).push_back(fault);
    }

    /// Queues a fault for the first request whose path and query contain `needle` (e.g.
    /// `"page=3&"`), whenever it arrives; other requests are served as usual.
    pub fn inject_on(&self, needle: &str, fault: Fault) {
        app::lock(&self.app.aimed_faults).push((needle.to_string(), fault));
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
