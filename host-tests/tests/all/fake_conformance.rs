//! The fake Harvest itself: its answers against `harvest-openapi.yaml`, and the behaviour
//! `docs/harvest-notes.md` describes (auth, pagination, errors, rate limit, OAuth, business rules,
//! faults). Requests go over real loopback HTTP through the tiny client in `client.rs`.

mod access;
mod billing;
mod client;
mod harvest_id;
mod paging;
mod recording;
mod schema;
mod schemas;
mod time;

use chrono::NaiveDate;
use harvest_fake::{FakeHarvest, FakeOptions};

/// A Wednesday, different from the host tests' anchor so that nothing depends on one date.
const ANCHOR: NaiveDate = match NaiveDate::from_ymd_opt(2025, 11, 12) {
    Some(date) => date,
    None => panic!("invalid anchor"),
};
const USER_AGENT: &str = "fake-conformance (dev@example.com)";

fn start() -> FakeHarvest {
    start_with(FakeOptions {
        anchor: ANCHOR,
        ..FakeOptions::default()
    })
}

fn start_with(options: FakeOptions) -> FakeHarvest {
    FakeHarvest::start(options).expect("the fake starts")
}
