//! Stop and restart (docs/harvest-notes.md#time-entries). A restart in a timestamp account creates
//! a NEW entry (new id, started now, 0 hours, today's date), as in Harvest's example; a duration
//! account keeps the id.

use axum::Json;
use axum::extract::{Path, State};

use super::app::App;
use super::auth::Caller;
use super::clock::format_time;
use super::error::ApiError;
use super::model::{Sequences, TimeEntry};
use super::params::path_id;
use super::time_entries::visible;

/// `PATCH /v2/time_entries/{id}/stop`: only a running entry (else 422).
pub async fn stop(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Json<TimeEntry>, ApiError> {
    let id = path_id(&id)?;
    let mut st = app.lock();
    let now = st.clock.now();
    let account = caller.account_mut(&mut st)?;
    if !visible(account, &caller, id)?.is_running {
        return Err(ApiError::invalid(&[
            "This time entry isn't running, so it can't be stopped",
        ]));
    }
    let clock = account.timestamp_clock();
    let entry = account
        .time_entries
        .iter_mut()
        .find(|e| e.id == id)
        .ok_or(ApiError::NotFound)?;
    entry.stop(now, clock.as_deref());
    Ok(Json(entry.clone()))
}

/// `PATCH /v2/time_entries/{id}/restart`: only a stopped entry (else 422). Any other running timer
/// of the same user is stopped first.
pub async fn restart(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Json<TimeEntry>, ApiError> {
    let id = path_id(&id)?;
    let mut st = app.lock();
    let now = st.clock.now();
    let account = caller.account_mut(&mut st)?;
    let current = visible(account, &caller, id)?.clone();
    if current.is_running {
        return Err(ApiError::invalid(&["This time entry is already running"]));
    }
    let clock = account.timestamp_clock();
    if clock.is_none() {
        current.ensure_editable("restarted")?;
    }
    account.stop_timers_of(current.user.id, now);
    match clock {
        Some(clock) => {
            let mut entry = current;
            entry.id = Sequences::next(&mut account.seq.time_entry);
            entry.spent_date = now.date_naive();
            entry.started_time = Some(format_time(now.time(), &clock));
            entry.set_hours(0.0);
            entry.start(now, now);
            entry.created_at = now;
            entry.is_billed = false;
            entry.invoice = None;
            entry.is_closed = false;
            entry.approval_status = "unsubmitted".into();
            entry.refresh_lock();
            account.time_entries.push(entry.clone());
            Ok(Json(entry))
        }
        None => {
            let entry = account
                .time_entries
                .iter_mut()
                .find(|e| e.id == id)
                .ok_or(ApiError::NotFound)?;
            entry.start(now, now);
            Ok(Json(entry.clone()))
        }
    }
}
