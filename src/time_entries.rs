//! Time entries (docs/harvest-notes.md#time-entries): listing, logging time in the form the
//! account's timesheet mode needs, and timers.

use chrono::Timelike;
use serde::Serialize;

use crate::bindings::wit::{
    Error, NewTimeEntry, TimeEntry, TimeEntryChanges, TimeEntryPage, TimeEntryQuery,
};
use crate::company::{self, Timesheet};
use crate::filters;
use crate::http::{Client, Query, Request};
use crate::paging;
use crate::period::Dates;
use crate::timezone;
use crate::validate::{self, TimeOfDay};

const ENDPOINT: &str = "/v2/time_entries";

pub fn list(query: TimeEntryQuery) -> Result<TimeEntryPage, Error> {
    paging::list_dated(ENDPOINT, &query, |dates| list_filters(&query, dates))
}

fn list_filters(query: &TimeEntryQuery, dates: &Dates) -> Result<Query, Error> {
    let filters = filters::work(query.user_id, query.client_id, query.project_id)?
        .opt("task_id", validate::opt_id("task-id", query.task_id)?)
        .opt("is_billed", query.is_billed)
        .opt("is_running", query.is_running)
        .opt("from", dates.from)
        .opt("to", dates.to);
    filters::updated_since(filters, query.updated_since.as_deref())
}

pub fn get(time_entry_id: u64, account_id: Option<u64>) -> Result<TimeEntry, Error> {
    let request = Request::get(entry_path(time_entry_id, "")?);
    Client::for_account(account_id)?.send(&request)
}

pub fn delete(time_entry_id: u64, account_id: Option<u64>) -> Result<u64, Error> {
    let request: Request<()> = Request::delete(entry_path(time_entry_id, "")?);
    Client::for_account(account_id)?.execute(&request)?;
    Ok(time_entry_id)
}

pub fn stop_timer(time_entry_id: u64, account_id: Option<u64>) -> Result<TimeEntry, Error> {
    let request = Request::patch_empty(entry_path(time_entry_id, "/stop")?);
    Client::for_account(account_id)?.send(&request)
}

pub fn restart_timer(time_entry_id: u64, account_id: Option<u64>) -> Result<TimeEntry, Error> {
    let request = Request::patch_empty(entry_path(time_entry_id, "/restart")?);
    Client::for_account(account_id)?.send(&request)
}

fn entry_path(time_entry_id: u64, action: &str) -> Result<String, Error> {
    let id = validate::id("time-entry-id", time_entry_id)?;
    Ok(format!("{ENDPOINT}/{id}{action}"))
}

/// How the caller gave the time, before the account's mode is known.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Timing {
    /// Nothing given.
    Unset,
    /// A duration in hours.
    Hours(f64),
    /// A start, and an end unless the timer is to keep running.
    Span(TimeOfDay, Option<TimeOfDay>),
    /// Only an end (allowed in changes: the entry keeps its start).
    EndOnly(TimeOfDay),
}

/// Reads `duration`, `started-time` and `ended-time` into one consistent timing.
fn timing(
    duration: Option<&str>,
    started: Option<&str>,
    ended: Option<&str>,
) -> Result<Timing, Error> {
    let hours = duration
        .map(|d| validate::duration("duration", d))
        .transpose()?;
    let start = started
        .map(|t| TimeOfDay::parse("started-time", t))
        .transpose()?;
    let end = ended
        .map(|t| TimeOfDay::parse("ended-time", t))
        .transpose()?;
    match (hours, start, end) {
        (Some(_), _, Some(_)) => Err(Error::invalid(
            "duration",
            "give duration or ended-time, not both",
        )),
        (None, None, None) => Ok(Timing::Unset),
        (Some(hours), None, None) => Ok(Timing::Hours(hours)),
        (Some(hours), Some(start), None) => {
            let minutes = start.minutes() + (hours * 60.0).round() as u32;
            let end = TimeOfDay::from_minutes(minutes).ok_or_else(|| {
                Error::invalid(
                    "duration",
                    "started-time plus duration must end before midnight",
                )
            })?;
            Ok(Timing::Span(start, Some(end)))
        }
        (None, Some(start), Some(end)) if end <= start => Err(Error::invalid(
            "ended-time",
            format!(
                "must be later than started-time ({}:{:02})",
                start.hour, start.minute
            ),
        )),
        (None, Some(start), end) => Ok(Timing::Span(start, end)),
        (None, None, Some(end)) => Ok(Timing::EndOnly(end)),
    }
}

/// The time fields Harvest takes, in the account's mode.
#[derive(Debug, Default, PartialEq, Serialize)]
struct TimeFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    hours: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    started_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ended_time: Option<String>,
}

/// Expresses `timing` the way the account tracks time, or explains why it cannot be.
fn time_fields(timing: Timing, sheet: Timesheet) -> Result<TimeFields, Error> {
    let format = |t: TimeOfDay| t.format(sheet.clock);
    match (timing, sheet.timestamps) {
        (Timing::Unset, _) => Ok(TimeFields::default()),
        (Timing::Hours(hours), false) => Ok(TimeFields {
            hours: Some(hours),
            ..TimeFields::default()
        }),
        (Timing::Span(start, Some(end)), false) => {
            let hours = f64::from(end.minutes() - start.minutes()) / 60.0;
            Ok(TimeFields {
                hours: Some(hours),
                ..TimeFields::default()
            })
        }
        (Timing::Span(_, None) | Timing::EndOnly(_), false) => Err(Error::invalid(
            "started-time",
            "this account tracks durations, not start and end times: give duration (or both \
             started-time and ended-time), or give neither to start a timer now",
        )),
        (Timing::Hours(_), true) => Err(Error::invalid(
            "duration",
            "this account tracks start and end times: give started-time with ended-time or with duration",
        )),
        (Timing::Span(start, end), true) => Ok(TimeFields {
            started_time: Some(format(start)),
            ended_time: end.map(format),
            ..TimeFields::default()
        }),
        (Timing::EndOnly(end), true) => Ok(TimeFields {
            ended_time: Some(format(end)),
            ..TimeFields::default()
        }),
    }
}

#[derive(Debug, Serialize)]
struct CreateBody {
    project_id: u64,
    task_id: u64,
    /// None until the user's today is known, when the caller gave no date.
    #[serde(skip_serializing_if = "Option::is_none")]
    spent_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<u64>,
    #[serde(flatten)]
    time: TimeFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
}

/// Checks everything but the time, then reads the account's timesheet mode and sends the
/// entry in the form it needs. Without a date, the entry is for the user's today; a timer in an
/// account of start and end times starts at the user's time of day. Both come from the WASI
/// wall clock in the token's user's zone (docs/harvest-notes.md#time-zones), read only then.
pub fn create(entry: NewTimeEntry) -> Result<TimeEntry, Error> {
    let account_id = entry.account_id;
    let (mut body, mut timing) = create_body(entry)?;
    let client = Client::for_account(account_id)?;
    let sheet = company::timesheet(&client)?;
    let timer_now = sheet.timestamps && timing == Timing::Unset;
    if body.spent_date.is_none() || timer_now {
        let now = timezone::user_now(&client, "spent-date")?;
        body.spent_date
            .get_or_insert_with(|| now.date().to_string());
        if timer_now {
            let start = TimeOfDay {
                hour: now.hour(),
                minute: now.minute(),
            };
            timing = Timing::Span(start, None);
        }
    }
    let time = time_fields(timing, sheet)?;
    client.send(&create_request(&CreateBody { time, ..body })?)
}

fn create_request(body: &CreateBody) -> Result<Request<TimeEntry>, Error> {
    Request::post(ENDPOINT, body)
}

/// The checked body of a new entry (its time fields still empty) and its timing.
fn create_body(entry: NewTimeEntry) -> Result<(CreateBody, Timing), Error> {
    let project_id = validate::id("project-id", entry.project_id)?;
    let task_id = validate::id("task-id", entry.task_id)?;
    let spent_date =
        validate::opt_date("spent-date", entry.spent_date.as_deref())?.map(|d| d.to_string());
    let user_id = validate::opt_id("user-id", entry.user_id)?;
    if entry.started_time.is_none() && entry.ended_time.is_some() {
        return Err(Error::invalid("ended-time", "needs started-time"));
    }
    let timing = timing(
        entry.duration.as_deref(),
        entry.started_time.as_deref(),
        entry.ended_time.as_deref(),
    )?;
    let body = CreateBody {
        project_id,
        task_id,
        spent_date,
        user_id,
        time: TimeFields::default(),
        notes: entry.notes,
    };
    Ok((body, timing))
}

#[derive(Debug, Serialize)]
struct UpdateBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    project_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    task_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spent_date: Option<String>,
    #[serde(flatten)]
    time: TimeFields,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
}

pub fn update(time_entry_id: u64, changes: TimeEntryChanges) -> Result<TimeEntry, Error> {
    let path = entry_path(time_entry_id, "")?;
    let project_id = validate::opt_id("project-id", changes.project_id)?;
    let task_id = validate::opt_id("task-id", changes.task_id)?;
    let spent_date =
        validate::opt_date("spent-date", changes.spent_date.as_deref())?.map(|d| d.to_string());
    let timing = timing(
        changes.duration.as_deref(),
        changes.started_time.as_deref(),
        changes.ended_time.as_deref(),
    )?;
    let nothing_else = project_id.is_none()
        && task_id.is_none()
        && spent_date.is_none()
        && changes.notes.is_none();
    if nothing_else && timing == Timing::Unset {
        return Err(Error::invalid(
            "changes",
            "give at least one of project-id, task-id, spent-date, duration, started-time, ended-time or notes",
        ));
    }
    let client = Client::for_account(changes.account_id)?;
    let time = match timing {
        Timing::Unset => TimeFields::default(),
        timing => time_fields(timing, company::timesheet(&client)?)?,
    };
    let body = UpdateBody {
        project_id,
        task_id,
        spent_date,
        time,
        notes: changes.notes,
    };
    client.send(&Request::patch(path, &body)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::company::Clock;
    use crate::http::{Body, Method, Server};
    use crate::paging::DatedQuery;

    const DURATIONS: Timesheet = Timesheet {
        timestamps: false,
        clock: Clock::TwelveHour,
    };
    const TIMESTAMPS: Timesheet = Timesheet {
        timestamps: true,
        clock: Clock::TwentyFourHour,
    };

    fn fields(
        duration: Option<&str>,
        start: Option<&str>,
        end: Option<&str>,
        sheet: Timesheet,
    ) -> Result<TimeFields, Error> {
        time_fields(timing(duration, start, end)?, sheet)
    }

    #[test]
    fn duration_accounts_get_hours() {
        let f = fields(Some("1h30m"), None, None, DURATIONS);
        assert_eq!(
            f.ok(),
            Some(TimeFields {
                hours: Some(1.5),
                ..TimeFields::default()
            })
        );
        let f = fields(None, Some("9:00am"), Some("11:15am"), DURATIONS);
        assert_eq!(
            f.ok(),
            Some(TimeFields {
                hours: Some(2.25),
                ..TimeFields::default()
            })
        );
    }

    #[test]
    fn timestamp_accounts_get_times_in_their_clock() {
        let f = fields(None, Some("9:00am"), Some("5:30pm"), TIMESTAMPS);
        let expected = TimeFields {
            started_time: Some("09:00".into()),
            ended_time: Some("17:30".into()),
            hours: None,
        };
        assert_eq!(f.ok(), Some(expected));
        let f = fields(Some("90m"), Some("08:00"), None, TIMESTAMPS);
        assert_eq!(f.ok().and_then(|f| f.ended_time), Some("09:30".into()));
    }

    #[test]
    fn a_timer_is_neither_hours_nor_times() {
        assert_eq!(
            fields(None, None, None, DURATIONS).ok(),
            Some(TimeFields::default())
        );
        assert_eq!(
            fields(None, None, None, TIMESTAMPS).ok(),
            Some(TimeFields::default())
        );
    }

    #[test]
    fn what_the_mode_cannot_hold_is_refused_by_field() {
        let field = |r: Result<TimeFields, Error>| match r {
            Err(Error::InvalidInput(e)) => e.field,
            other => format!("{other:?}"),
        };
        assert_eq!(field(fields(Some("2"), None, None, TIMESTAMPS)), "duration");
        assert_eq!(
            field(fields(None, Some("9am"), None, DURATIONS)),
            "started-time"
        );
        assert_eq!(
            field(fields(Some("1"), None, Some("5pm"), DURATIONS)),
            "duration"
        );
        assert_eq!(
            field(fields(None, Some("5pm"), Some("9am"), TIMESTAMPS)),
            "ended-time"
        );
        assert_eq!(
            field(fields(Some("3"), Some("10:00pm"), None, TIMESTAMPS)),
            "duration"
        );
    }

    #[test]
    fn bodies_carry_only_given_fields() -> Result<(), serde_json::Error> {
        let body = UpdateBody {
            project_id: None,
            task_id: None,
            spent_date: None,
            time: TimeFields::default(),
            notes: Some(String::new()),
        };
        assert_eq!(serde_json::to_string(&body)?, r#"{"notes":""}"#);
        let body = CreateBody {
            project_id: 1,
            task_id: 2,
            spent_date: Some("2026-03-18".into()),
            user_id: None,
            time: TimeFields {
                hours: Some(1.5),
                ..TimeFields::default()
            },
            notes: None,
        };
        assert_eq!(
            serde_json::to_string(&body)?,
            r#"{"project_id":1,"task_id":2,"spent_date":"2026-03-18","hours":1.5}"#
        );
        Ok(())
    }

    #[test]
    fn create_posts_the_entry_in_the_accounts_form() -> Result<(), String> {
        let entry = NewTimeEntry {
            project_id: 14307913,
            task_id: 8083365,
            spent_date: Some("2026-03-18".into()),
            user_id: None,
            duration: Some("1:30".into()),
            started_time: None,
            ended_time: None,
            notes: Some("Review".into()),
            account_id: None,
        };
        let (body, timing) = create_body(entry).map_err(|e| format!("{e:?}"))?;
        let time = time_fields(timing, DURATIONS).map_err(|e| format!("{e:?}"))?;
        let request = create_request(&CreateBody { time, ..body }).map_err(|e| format!("{e:?}"))?;
        assert_eq!(
            (
                request.method,
                request.server,
                request.path.as_str(),
                request.query.as_str()
            ),
            (Method::Post, Server::HarvestApi, ENDPOINT, "")
        );
        let Some(Body::Json(bytes)) = &request.body else {
            return Err("no JSON body".into());
        };
        assert_eq!(
            String::from_utf8_lossy(bytes),
            r#"{"project_id":14307913,"task_id":8083365,"spent_date":"2026-03-18","hours":1.5,"notes":"Review"}"#
        );
        Ok(())
    }

    #[test]
    fn list_sends_its_filters_under_harvests_names() -> Result<(), String> {
        let query = TimeEntryQuery {
            period: None,
            user_id: Some(1),
            client_id: None,
            project_id: Some(3),
            task_id: None,
            is_billed: Some(false),
            is_running: None,
            from: Some("2026-03-16".into()),
            to: Some("2026-03-20".into()),
            updated_since: None,
            limit: None,
            continuation: None,
            account_id: None,
        };
        let filters = query
            .given()
            .and_then(|dates| list_filters(&query, &dates))
            .map_err(|e| format!("{e:?}"))?;
        assert_eq!(
            filters.as_str(),
            "user_id=1&project_id=3&is_billed=false&from=2026-03-16&to=2026-03-20"
        );
        Ok(())
    }
}
