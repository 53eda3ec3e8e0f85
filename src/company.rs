//! Company settings (docs/harvest-notes.md#company): the `get-company` tool, and how the account
//! tracks time, which logging time needs.

use chrono::Weekday;

use crate::bindings::wit::{Company, Error, Feature, TimesheetMode};
use crate::http::{Client, Request};
use crate::json::json_record;

json_record! {
    /// `GET /v2/company` as Harvest answers it. Only `name` is required: every setting may be
    /// missing or null, and an unknown one is ignored.
    pub(crate) struct Settings {
        name: String,
        week_start_day: Option<String>,
        wants_timestamp_timers: Option<bool>,
        clock: Option<String>,
        time_format: Option<String>,
        date_format: Option<String>,
        currency_code_display: Option<String>,
        currency_symbol_display: Option<String>,
        weekly_capacity: Option<u32>,
        invoice_feature: Option<bool>,
        expense_feature: Option<bool>,
        estimate_feature: Option<bool>,
        approval_feature: Option<bool>,
        team_feature: Option<bool>,
    }
}

fn settings_request() -> Request<Settings> {
    Request::get("/v2/company")
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

impl Settings {
    fn week_start(&self) -> Weekday {
        match self.week_start_day.as_deref() {
            Some("Sunday") => Weekday::Sun,
            Some("Saturday") => Weekday::Sat,
            _ => Weekday::Mon,
        }
    }

    fn timesheet(&self) -> Timesheet {
        let clock = match self.clock.as_deref() {
            Some("24h") => Clock::TwentyFourHour,
            _ => Clock::TwelveHour,
        };
        Timesheet {
            timestamps: self.wants_timestamp_timers.unwrap_or(false),
            clock,
        }
    }

    fn company(self) -> Company {
        let timesheet_mode = if self.timesheet().timestamps {
            TimesheetMode::StartAndEndTimes
        } else {
            TimesheetMode::Durations
        };
        let features = [
            (self.invoice_feature, Feature::Invoices),
            (self.expense_feature, Feature::Expenses),
            (self.estimate_feature, Feature::Estimates),
            (self.approval_feature, Feature::Approvals),
            (self.team_feature, Feature::Team),
        ]
        .into_iter()
        .filter_map(|(on, feature)| (on == Some(true)).then_some(feature))
        .collect();
        Company {
            name: self.name,
            week_start_day: self.week_start_day,
            timesheet_mode,
            clock: self.clock,
            time_format: self.time_format,
            date_format: self.date_format,
            currency_code_display: self.currency_code_display,
            currency_symbol_display: self.currency_symbol_display,
            weekly_capacity: self.weekly_capacity,
            weekly_capacity_hours: self.weekly_capacity.map(|s| f64::from(s) / 3600.0),
            features,
        }
    }
}

pub fn get_company(account_id: Option<u64>) -> Result<Company, Error> {
    let settings = Client::for_account(account_id)?.send(&settings_request())?;
    Ok(settings.company())
}

pub fn timesheet(client: &Client) -> Result<Timesheet, Error> {
    Ok(client.send(&settings_request())?.timesheet())
}

/// The day the account's weeks start on; Monday unless Harvest says Sunday or Saturday.
pub fn week_start(client: &Client) -> Result<Weekday, Error> {
    Ok(client.send(&settings_request())?.week_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_become_the_company_record() -> Result<(), String> {
        let json = r#"{"name":"Acme","week_start_day":"Sunday","wants_timestamp_timers":true,
            "clock":"24h","time_format":"hours_minutes","weekly_capacity":126000,
            "invoice_feature":true,"expense_feature":false,"team_feature":true,"plan_type":"x"}"#;
        let settings: Settings = crate::json::decode(json.as_bytes())?;
        assert_eq!(
            settings.timesheet(),
            Timesheet {
                timestamps: true,
                clock: Clock::TwentyFourHour
            }
        );
        let company = settings.company();
        assert_eq!(company.timesheet_mode, TimesheetMode::StartAndEndTimes);
        assert_eq!(company.weekly_capacity_hours, Some(35.0));
        assert_eq!(company.features, vec![Feature::Invoices, Feature::Team]);
        assert_eq!(company.date_format, None);
        Ok(())
    }
}
