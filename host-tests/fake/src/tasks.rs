//! Tasks (§10.6): the account-wide catalogue, cursor-paginated, newest first.

use std::cmp::Reverse;

use axum::Json;
use axum::extract::{Path, State};
use serde_json::Value;

use super::auth::Caller;
use super::error::ApiError;
use super::model::Task;
use super::pagination::ListSpec;
use super::params::{Params, path_id};
use super::server::App;

pub async fn list(
    caller: Caller,
    State(app): State<App>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    caller.require_manager()?;
    let is_active = params.bool("is_active")?;
    let since = params.datetime("updated_since")?;
    let st = app.lock();
    let mut tasks: Vec<&Task> = caller
        .account(&st)?
        .tasks
        .iter()
        .filter(|t| {
            is_active.is_none_or(|a| t.is_active == a) && since.is_none_or(|s| t.updated_at >= s)
        })
        .collect();
    tasks.sort_by_key(|t| Reverse(t.id));
    ListSpec::new(&app.origin, "/v2/tasks", "tasks")
        .cursor_based(&tasks, |t| t.id, &params)
        .map(Json)
}

pub async fn get(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Json<Task>, ApiError> {
    let id = path_id(&id)?;
    caller.require_manager()?;
    let st = app.lock();
    caller
        .account(&st)?
        .task(id)
        .cloned()
        .map(Json)
        .ok_or(ApiError::NotFound)
}
