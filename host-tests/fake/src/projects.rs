//! Projects: one project, its task assignments and the caller's project assignments
//! (docs/harvest-notes.md#projects-tasks-clients-users); the cursor-paginated list is `lists.rs`'s.

use std::cmp::Reverse;

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::app::App;
use super::auth::{Caller, Role};
use super::error::ApiError;
use super::model::{Project, TaskAssignment};
use super::pagination::ListSpec;
use super::params::{Params, path_id};

pub async fn get(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Json<Project>, ApiError> {
    let id = path_id(&id)?;
    caller.require_manager()?;
    let st = app.lock();
    caller
        .account(&st)?
        .project(id)
        .cloned()
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// `GET /v2/projects/{id}/task_assignments`: page-based, newest first; filters `is_active`,
/// `updated_since`. Administrators and project managers only (docs/harvest-notes.md#permissions;
/// the fake reads "project manager" as a manager of this project).
pub async fn task_assignments(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id)?;
    caller.require_manager()?;
    let is_active = params.bool("is_active")?;
    let since = params.datetime("updated_since")?;
    let st = app.lock();
    let account = caller.account(&st)?;
    account.project(id).ok_or(ApiError::NotFound)?;
    if caller.role != Role::Administrator && !caller.manages(account, id) {
        return Err(ApiError::Forbidden);
    }
    let mut assignments: Vec<&TaskAssignment> = account
        .task_assignments
        .iter()
        .filter(|a| a.project.id == id)
        .filter(|a| {
            is_active.is_none_or(|x| a.is_active == x) && since.is_none_or(|s| a.updated_at >= s)
        })
        .collect();
    assignments.sort_by_key(|a| Reverse(a.id));
    let path = format!("/v2/projects/{id}/task_assignments");
    ListSpec::new(&app.origin, &path, "task_assignments")
        .page_based(&assignments, &params)
        .map(Json)
}

/// `GET /v2/users/me/project_assignments` (docs/harvest-notes.md#projects-tasks-clients-users, any
/// role): the caller's active projects, each with its client and active task assignments.
/// Page-based.
pub async fn my_assignments(
    caller: Caller,
    State(app): State<App>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let st = app.lock();
    let account = caller.account(&st)?;
    let mut mine: Vec<Value> = Vec::new();
    for ua in account
        .user_assignments
        .iter()
        .rev()
        .filter(|ua| ua.user.id == caller.user_id && ua.is_active)
    {
        let Some(project) = account.project(ua.project.id).filter(|p| p.is_active) else {
            continue;
        };
        let tasks: Vec<Value> = account
            .task_assignments
            .iter()
            .filter(|ta| ta.project.id == project.id && ta.is_active)
            .map(|ta| {
                json!({
                    "id": ta.id, "billable": ta.billable, "is_active": ta.is_active,
                    "created_at": ta.created_at, "updated_at": ta.updated_at,
                    "hourly_rate": ta.hourly_rate, "budget": ta.budget, "task": ta.task,
                })
            })
            .collect();
        mine.push(json!({
            "id": ua.id, "is_project_manager": ua.is_project_manager, "is_active": ua.is_active,
            "use_default_rates": ua.use_default_rates, "budget": ua.budget, "hourly_rate": ua.hourly_rate,
            "created_at": ua.created_at, "updated_at": ua.updated_at,
            "project": project.reference(),
            "client": { "id": project.client.id, "name": project.client.name },
            "task_assignments": tasks,
        }));
    }
    ListSpec::new(
        &app.origin,
        "/v2/users/me/project_assignments",
        "project_assignments",
    )
    .page_based(&mine, &params)
    .map(Json)
}
