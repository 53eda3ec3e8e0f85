//! Company settings (§9.13): how the account tracks time.

use serde::Deserialize;

use crate::api::Api;
use crate::bindings::harvest::tools::types::Error;
use crate::transport::Request;
use crate::validate::Clock;

#[derive(Deserialize)]
struct Company {
    wants_timestamp_timers: bool,
    clock: Option<String>,
}

/// What the account's timesheets need from a new or changed entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timesheet {
    /// True when the account tracks start and end times; false when it tracks durations.
    pub timestamps: bool,
    pub clock: Clock,
}

pub fn timesheet(api: &Api) -> Result<Timesheet, Error> {
    let company: Company = api.call(&Request::get("/v2/company"))?;
    let clock = match company.clock.as_deref() {
        Some("24h") => Clock::TwentyFourHour,
        _ => Clock::TwelveHour,
    };
    Ok(Timesheet {
        timestamps: company.wants_timestamp_timers,
        clock,
    })
}
