//! Time entries (docs/harvest-notes.md#time-entries): list, get, create, update, delete. Timers are
//! in `timers.rs`.
//!
//! Tracking modes: a duration account takes `hours` (omitted = a running timer); a timestamp
//! account takes `started_time`/`ended_time` (ended omitted = running). Sending the other mode's
//! fields is a 422: Harvest leaves this undocumented (docs/harvest-notes.md#open-questions) and the
//! fake is strict on purpose.

use std::cmp::Reverse;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::app::App;
use super::auth::{Caller, Role};
use super::clock::{format_time, parse_date, parse_time};
use super::entry::span_hours;
use super::error::{ApiError, Problems};
use super::index::EntryQuery;
use super::model::{AccountData, ExternalReference, TimeEntry};
use super::pagination::ListSpec;
use super::params::{Params, Payload, path_id};

const HOURS_IN_TIMESTAMP_ACCOUNT: &str = "Hours can't be set: this account tracks time with start and end times (send started_time and ended_time)";
const TIMES_IN_DURATION_ACCOUNT: &str =
    "Started time and ended time can't be set: this account tracks time by duration (send hours)";

#[derive(Debug, Default, Deserialize)]
pub struct EntryInput {
    user_id: Option<u64>,
    project_id: Option<u64>,
    task_id: Option<u64>,
    spent_date: Option<String>,
    hours: Option<f64>,
    started_time: Option<String>,
    ended_time: Option<String>,
    notes: Option<String>,
    external_reference: Option<ReferenceInput>,
}

#[derive(Debug, Deserialize)]
pub struct ReferenceInput {
    id: Option<String>,
    group_id: Option<String>,
    account_id: Option<String>,
    permalink: Option<String>,
}

impl From<ReferenceInput> for ExternalReference {
    fn from(r: ReferenceInput) -> Self {
        ExternalReference {
            id: r.id,
            group_id: r.group_id,
            account_id: r.account_id,
            permalink: r.permalink,
            service: None,
            service_icon_url: None,
        }
    }
}

/// `GET /v2/time_entries`: page-based, sorted by `spent_date` newest first (the docs fix the sort
/// key but not its direction; Harvest answers newest first in practice), then by id.
pub async fn list(
    caller: Caller,
    State(app): State<App>,
    params: Params,
) -> Result<Response, ApiError> {
    let user_id = match params.get("user_id") {
        Some("me") => Some(caller.user_id),
        _ => params.id("user_id")?,
    };
    let (client_id, project_id, task_id) = (
        params.id("client_id")?,
        params.id("project_id")?,
        params.id("task_id")?,
    );
    let (is_billed, is_running) = (params.bool("is_billed")?, params.bool("is_running")?);
    let (from, to, since) = (
        params.date("from")?,
        params.date("to")?,
        params.datetime("updated_since")?,
    );
    let reference = params.get("external_reference_id");
    let approval = params.get("approval_status");
    let st = app.lock();
    let now = st.clock.now();
    let account = caller.account(&st)?;
    let query = EntryQuery {
        account_id: account.account_id,
        viewer: Some(caller.user_id).filter(|_| caller.role != Role::Administrator),
        user_id,
        client_id,
        project_id,
        task_id,
        is_billed,
        is_running,
        approval: approval.map(str::to_owned),
        from,
        to,
        since,
        reference: reference.map(str::to_owned),
    };
    // Every page of a listing shares one filtered, sorted list of positions (see `index.rs`).
    let positions = st.entry_index.positions(&query, || {
        let entries = &account.time_entries;
        let mut positions: Vec<u32> = (0..entries.len() as u32)
            .filter(|&i| {
                let e = &entries[i as usize];
                caller.may_see_entry(account, e)
                    && user_id.is_none_or(|id| e.user.id == id)
                    && client_id.is_none_or(|id| e.client.id == id)
                    && project_id.is_none_or(|id| e.project.id == id)
                    && task_id.is_none_or(|id| e.task.id == id)
                    && is_billed.is_none_or(|b| e.is_billed == b)
                    && is_running.is_none_or(|r| e.is_running == r)
                    && approval.is_none_or(|a| e.approval_status == a)
                    && from.is_none_or(|d| e.spent_date >= d)
                    && to.is_none_or(|d| e.spent_date <= d)
                    && since.is_none_or(|s| e.updated_at >= s)
                    && reference.is_none_or(|r| {
                        e.external_reference.as_ref().and_then(|x| x.id.as_deref()) == Some(r)
                    })
            })
            .collect();
        positions.sort_by_key(|&i| {
            let e = &entries[i as usize];
            Reverse((e.spent_date, e.id))
        });
        positions
    });
    let spec = ListSpec::new(&app.origin, "/v2/time_entries", "time_entries");
    let window = spec.page_range(positions.len(), &params)?;
    // The page's entries as JSON (kept by the index while nothing changes), then the envelope
    // around them after the lock: the same text as serialising the whole page as one value.
    let page: Vec<Arc<str>> = positions
        .get(window)
        .unwrap_or(&[])
        .iter()
        .filter_map(|&i| {
            let entry = account.time_entries.get(i as usize)?;
            Some(st.entry_index.rendered(account.account_id, i, entry, now))
        })
        .collect();
    drop(st);
    let empty: &[TimeEntry] = &[];
    let envelope = spec
        .page_window(positions.len(), empty, &params)?
        .to_string();
    let placeholder = format!("\"{}\":[]", spec.key);
    let mut entries = String::with_capacity(page.iter().map(|e| e.len() + 1).sum::<usize>() + 32);
    entries.push_str(&format!("\"{}\":[", spec.key));
    for (n, entry) in page.iter().enumerate() {
        if n > 0 {
            entries.push(',');
        }
        entries.push_str(entry);
    }
    entries.push(']');
    let body = envelope.replacen(&placeholder, &entries, 1);
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Finds an entry the caller may see: 404 if missing, 403 if the caller's role may not see it
/// (docs/harvest-notes.md#permissions).
pub fn visible<'a>(
    account: &'a AccountData,
    caller: &Caller,
    id: u64,
) -> Result<&'a TimeEntry, ApiError> {
    let entry = account.time_entry(id).ok_or(ApiError::NotFound)?;
    if caller.may_see_entry(account, entry) {
        Ok(entry)
    } else {
        Err(ApiError::Forbidden)
    }
}

pub async fn get(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Json<TimeEntry>, ApiError> {
    let id = path_id(&id)?;
    let st = app.lock();
    Ok(Json(
        visible(caller.account(&st)?, &caller, id)?.live(st.clock.now()),
    ))
}

fn parse_clock_field(
    value: Option<&str>,
    label: &str,
    problems: &mut Problems,
) -> Option<chrono::NaiveTime> {
    let time = value.and_then(parse_time);
    if value.is_some() && time.is_none() {
        problems.add(format!("{label} is not a valid time"));
    }
    time
}

/// `POST /v2/time_entries` → 201.
pub async fn create(
    caller: Caller,
    State(app): State<App>,
    Payload(input): Payload<EntryInput>,
) -> Result<(StatusCode, Json<TimeEntry>), ApiError> {
    let mut st = app.lock();
    let now = st.clock.now();
    let account = caller.account_mut(&mut st)?;
    let clock = account.timestamp_clock();
    let mut problems = Problems::default();
    if input.project_id.is_none() {
        problems.add("Project can't be blank");
    }
    if input.task_id.is_none() {
        problems.add("Task can't be blank");
    }
    let spent_date = match input.spent_date.as_deref() {
        None => {
            problems.add("Spent date can't be blank");
            None
        }
        Some(raw) => parse_date(raw).or_else(|| {
            problems.add("Spent date is not a valid date");
            None
        }),
    };
    let started = parse_clock_field(input.started_time.as_deref(), "Started time", &mut problems);
    let ended = parse_clock_field(input.ended_time.as_deref(), "Ended time", &mut problems);
    match (&clock, input.hours) {
        (Some(_), Some(_)) => problems.add(HOURS_IN_TIMESTAMP_ACCOUNT),
        (None, _) if input.started_time.is_some() || input.ended_time.is_some() => {
            problems.add(TIMES_IN_DURATION_ACCOUNT)
        }
        (None, Some(h)) if !(0.0..=24.0).contains(&h) => {
            problems.add("Hours must be between 0 and 24")
        }
        _ => {}
    }
    problems.check()?;
    let (Some(project_id), Some(task_id), Some(spent_date)) =
        (input.project_id, input.task_id, spent_date)
    else {
        return Err(ApiError::invalid(&["Project can't be blank"]));
    };
    let user_id = input.user_id.unwrap_or(caller.user_id);
    if !caller.may_act_for(user_id) {
        return Err(ApiError::Forbidden);
    }
    let placement = account.placement(user_id, project_id, task_id, true, now)?;
    let mut entry = account.new_entry(spent_date, placement, now);
    entry.notes = input.notes.filter(|n| !n.is_empty());
    entry.external_reference = input.external_reference.map(Into::into);
    let running = match &clock {
        None => match input.hours {
            Some(hours) => {
                entry.set_hours(hours);
                false
            }
            None => {
                entry.start(now, now);
                true
            }
        },
        Some(clock) => {
            let start = started.unwrap_or_else(|| now.time());
            entry.started_time = Some(format_time(start, clock));
            match ended {
                Some(end) => {
                    let hours = span_hours(start, end).ok_or_else(|| {
                        ApiError::invalid(&["Ended time must be after started time"])
                    })?;
                    entry.ended_time = Some(format_time(end, clock));
                    entry.set_hours(hours);
                    false
                }
                None => {
                    entry.start(at_time(spent_date, start, now), now);
                    true
                }
            }
        }
    };
    if running {
        account.stop_timers_of(user_id, now);
    }
    account.time_entries.push(entry.clone());
    Ok((StatusCode::CREATED, Json(entry.live(now))))
}

/// When a timestamp timer started: the start time on the entry's date (never in the future).
fn at_time(date: NaiveDate, time: chrono::NaiveTime, now: DateTime<Utc>) -> DateTime<Utc> {
    date.and_time(time).and_utc().min(now)
}

/// `PATCH /v2/time_entries/{id}`: only the fields sent change.
pub async fn update(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
    Payload(input): Payload<EntryInput>,
) -> Result<Json<TimeEntry>, ApiError> {
    let id = path_id(&id)?;
    let mut st = app.lock();
    let now = st.clock.now();
    let account = caller.account_mut(&mut st)?;
    let clock = account.timestamp_clock();
    let current = visible(account, &caller, id)?.clone();
    current.ensure_editable("edited")?;
    let mut problems = Problems::default();
    match &clock {
        Some(_) if input.hours.is_some() => problems.add(HOURS_IN_TIMESTAMP_ACCOUNT),
        None if input.started_time.is_some() || input.ended_time.is_some() => {
            problems.add(TIMES_IN_DURATION_ACCOUNT)
        }
        _ => {}
    }
    let spent_date = input.spent_date.as_deref().map(parse_date);
    if let Some(None) = spent_date {
        problems.add("Spent date is not a valid date");
    }
    let started = parse_clock_field(input.started_time.as_deref(), "Started time", &mut problems);
    let ended = parse_clock_field(input.ended_time.as_deref(), "Ended time", &mut problems);
    problems.check()?;
    let mut entry = current.clone();
    if input.project_id.is_some() || input.task_id.is_some() {
        let project_id = input.project_id.unwrap_or(current.project.id);
        let task_id = input.task_id.unwrap_or(current.task.id);
        account
            .placement(current.user.id, project_id, task_id, true, now)?
            .apply(&mut entry);
    }
    if let Some(Some(date)) = spent_date {
        entry.spent_date = date;
    }
    if let Some(hours) = input.hours {
        if !(0.0..=24.0).contains(&hours) {
            return Err(ApiError::invalid(&["Hours must be between 0 and 24"]));
        }
        entry.set_hours(hours);
        if entry.is_running {
            entry.start(now, now);
        }
    }
    if let (Some(clock), true) = (&clock, started.is_some() || ended.is_some()) {
        let start = started
            .or_else(|| entry.started_time.as_deref().and_then(parse_time))
            .unwrap_or(now.time());
        entry.started_time = Some(format_time(start, clock));
        match (
            entry.is_running,
            ended.or_else(|| entry.ended_time.as_deref().and_then(parse_time)),
        ) {
            (true, None) => entry.start(at_time(entry.spent_date, start, now), now),
            (_, Some(end)) => {
                let hours = span_hours(start, end)
                    .ok_or_else(|| ApiError::invalid(&["Ended time must be after started time"]))?;
                entry.is_running = false;
                entry.timer_started_at = None;
                entry.ended_time = Some(format_time(end, clock));
                entry.set_hours(hours);
            }
            (false, None) => {}
        }
    }
    if let Some(notes) = input.notes {
        entry.notes = Some(notes).filter(|n| !n.is_empty());
    }
    if let Some(reference) = input.external_reference {
        entry.external_reference = Some(reference.into());
    }
    entry.updated_at = now;
    let live = entry.live(now);
    if let Some(slot) = account.time_entries.iter_mut().find(|e| e.id == id) {
        *slot = entry;
    }
    Ok(Json(live))
}

/// `DELETE /v2/time_entries/{id}` → 200 (docs/harvest-notes.md#time-entries): refused (422) when
/// the entry is closed (approved) and the caller is not an administrator, or when its project or
/// task is archived; administrators may delete closed entries. Refusing invoiced entries, for
/// everyone, is the fake's choice: the docs say nothing of them, and deleting one would leave its
/// invoice line billing time that no longer exists.
pub async fn remove(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = path_id(&id)?;
    let mut st = app.lock();
    let account = caller.account_mut(&mut st)?;
    let entry = visible(account, &caller, id)?;
    if entry.is_billed || (entry.is_closed && caller.role != Role::Administrator) {
        entry.ensure_editable("deleted")?;
    }
    let project_archived = account
        .project(entry.project.id)
        .is_some_and(|p| !p.is_active);
    let task_archived = account.task(entry.task.id).is_some_and(|t| !t.is_active);
    if project_archived || task_archived {
        return Err(ApiError::invalid(&[
            "This time entry can't be deleted: its project or task is archived",
        ]));
    }
    account.time_entries.retain(|e| e.id != id);
    Ok(StatusCode::OK)
}
