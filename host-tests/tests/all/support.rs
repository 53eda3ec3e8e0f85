//! Shared set-up: the component loaded once, a fake Harvest per test, a fresh instance per call.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use harvest_fake::{self as fake, FakeHarvest, FakeOptions, RecordedRequest};
use harvest_host::host::{CallOptions, CallRecord, Exports, Host, State};
use wasmtime::Store;

pub use harvest_host::wit;

/// The "today" of every test's seeded data: a Wednesday.
pub const ANCHOR: NaiveDate = match NaiveDate::from_ymd_opt(2026, 3, 18) {
    Some(date) => date,
    None => panic!("invalid anchor"),
};

pub static HOST: LazyLock<Host> = LazyLock::new(|| {
    Host::load(&Host::default_component_path()).unwrap_or_else(|e| panic!("{e:#}"))
});

pub struct Session {
    pub fake: FakeHarvest,
    pub env: Vec<(String, String)>,
}

impl Session {
    /// A fake Harvest and the admin's configuration for the main account.
    pub fn new() -> Session {
        Session::with_options(FakeOptions {
            anchor: ANCHOR,
            ..FakeOptions::default()
        })
    }

    pub fn with_options(options: FakeOptions) -> Session {
        let fake = FakeHarvest::start(options).unwrap_or_else(|e| panic!("fake Harvest: {e:#}"));
        let env = fake.env();
        Session { fake, env }
    }

    /// The same fake, with another token and account configuration.
    pub fn configured(mut self, token: &str, account_id: Option<u64>) -> Session {
        self.env = self.fake.env_as(token, account_id);
        self
    }

    /// Calls typed exports in a fresh instance; a trap fails the test.
    pub fn call<R>(&self, f: impl FnOnce(&Exports, &mut Store<State>) -> wasmtime::Result<R>) -> R {
        self.call_recorded(f).0
    }

    pub fn call_recorded<R>(
        &self,
        f: impl FnOnce(&Exports, &mut Store<State>) -> wasmtime::Result<R>,
    ) -> (R, CallRecord) {
        HOST.call(&self.env, f).unwrap_or_else(|e| panic!("{e:#}"))
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.fake.requests()
    }

    /// The only request since the last `clear`, asserting there was exactly one.
    pub fn only_request(&self) -> RecordedRequest {
        let mut requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected one request, got {:#?}",
            requests
        );
        requests.remove(0)
    }

    pub fn clear(&self) {
        self.fake.clear_requests();
    }
}

/// (method, path) of each request, in order.
pub fn method_paths(requests: &[RecordedRequest]) -> Vec<(&str, &str)> {
    requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect()
}

/// Query pairs of a request, sorted, for exact comparison.
pub fn query(request: &RecordedRequest) -> Vec<(String, String)> {
    let mut pairs = request.query_pairs();
    pairs.sort();
    pairs
}

pub fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    pairs.sort();
    pairs
}

/// Ids of the seeded entries matching `keep`, in the main account, in id order.
pub fn entry_ids(session: &Session, keep: impl Fn(&fake::TimeEntry) -> bool) -> Vec<u64> {
    let state = session.fake.state();
    let mut ids: Vec<u64> = state
        .account(fake::ACCOUNT_ID)
        .expect("account")
        .time_entries
        .iter()
        .filter(|e| keep(e))
        .map(|e| e.id)
        .collect();
    ids.sort();
    ids
}

/// The `harvest-host` binary the CLI tests run: `HARVEST_HOST_BIN`, or the debug build in the
/// workspace's target directory. It is another package's binary, which cargo does not build for
/// this one's tests: `make test` builds it first (`cargo build -p harvest-host`).
pub fn harvest_host_bin() -> PathBuf {
    let path = match std::env::var_os("HARVEST_HOST_BIN") {
        Some(path) => PathBuf::from(path),
        None => option_env!("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
            .join("debug/harvest-host"),
    };
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build -p harvest-host` (make test does), or set HARVEST_HOST_BIN",
        path.display()
    );
    path
}

/// An instant given as UTC `YYYY-MM-DD HH:MM`.
pub fn utc(text: &str) -> Duration {
    let at = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("instant");
    Duration::from_secs(u64::try_from(at.and_utc().timestamp()).expect("after 1970"))
}

/// Calls typed exports with the guest's wall clock stopped at `at`.
pub fn call_at<R>(
    session: &Session,
    at: Duration,
    f: impl FnOnce(&Exports, &mut Store<State>) -> wasmtime::Result<R>,
) -> R {
    let options = CallOptions {
        wall_clock: Some(at),
        ..CallOptions::default()
    };
    HOST.call_with(&options, &session.env, f)
        .unwrap_or_else(|e| panic!("{e:#}"))
        .0
}
