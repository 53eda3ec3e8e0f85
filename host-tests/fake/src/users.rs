//! Users (§10.2, §10.3): the current user and the cursor-paginated list, newest first.

use std::cmp::Reverse;

use axum::Json;
use axum::extract::{Path, State};
use serde_json::Value;

use super::auth::Caller;
use super::error::ApiError;
use super::model::User;
use super::pagination::ListSpec;
use super::params::{Params, path_id};
use super::server::App;

pub async fn me(caller: Caller, State(app): State<App>) -> Result<Json<User>, ApiError> {
    let st = app.lock();
    let user = caller
        .account(&st)?
        .user(caller.user_id)
        .ok_or(ApiError::NotFound)?;
    Ok(Json(user.clone()))
}

pub async fn list(
    caller: Caller,
    State(app): State<App>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    caller.require_manager()?;
    let is_active = params.bool("is_active")?;
    let since = params.datetime("updated_since")?;
    let st = app.lock();
    let mut users: Vec<&User> = caller
        .account(&st)?
        .users
        .iter()
        .filter(|u| {
            is_active.is_none_or(|a| u.is_active == a) && since.is_none_or(|s| u.updated_at >= s)
        })
        .collect();
    users.sort_by_key(|u| Reverse(u.id));
    ListSpec::new(&app.origin, "/v2/users", "users")
        .cursor_based(&users, |u| u.id, &params)
        .map(Json)
}

pub async fn get(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Json<User>, ApiError> {
    let id = path_id(&id)?;
    if id != caller.user_id {
        caller.require_manager()?;
    }
    let st = app.lock();
    caller
        .account(&st)?
        .user(id)
        .cloned()
        .map(Json)
        .ok_or(ApiError::NotFound)
}
