//! Company settings (docs/harvest-notes.md#company): how the account tracks time.

use serde::Deserialize;

use crate::bindings::wit::Error;
use crate::http::{Client, Request};

#[derive(Deserialize)]
pub(crate) struct Company {
    wants_timestamp_timers: bool,
    clock: Option<String>,
}

/// The account's time format (`clock` on `/v2/company`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    TwelveHour,
    TwentyFourHour,
}

/// What the account's timesheets need from a new or changed entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timesheet {
    /// True when the account tracks start and end times; false when it tracks durations.
    pub timestamps: bool,
    pub clock: Clock,
}

pub fn timesheet(client: &Client) -> Result<Timesheet, Error> {
    let company: Company = client.send(&Request::get("/v2/company"))?;
    let clock = match company.clock.as_deref() {
        Some("24h") => Clock::TwentyFourHour,
        _ => Clock::TwelveHour,
    };
    Ok(Timesheet {
        timestamps: company.wants_timestamp_timers,
        clock,
    })
}
