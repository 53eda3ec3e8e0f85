//! Users (docs/harvest-notes.md#projects-tasks-clients-users): the current user and one user (the
//! cursor-paginated list is `lists.rs`'s).

use axum::Json;
use axum::extract::{Path, State};

use super::app::App;
use super::auth::Caller;
use super::error::ApiError;
use super::model::User;
use super::params::path_id;

pub async fn me(caller: Caller, State(app): State<App>) -> Result<Json<User>, ApiError> {
    let st = app.lock();
    let user = caller
        .account(&st)?
        .user(caller.user_id)
        .ok_or(ApiError::NotFound)?;
    Ok(Json(user.clone()))
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
