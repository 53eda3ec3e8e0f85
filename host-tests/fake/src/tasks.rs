//! Tasks (docs/harvest-notes.md#projects-tasks-clients-users): one task of the account-wide
//! catalogue (the cursor-paginated list is `lists.rs`'s).

use axum::Json;
use axum::extract::{Path, State};

use super::app::App;
use super::auth::Caller;
use super::error::ApiError;
use super::model::Task;
use super::params::path_id;

pub async fn get(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Json<Task>, ApiError> {
    let id = path_id(&id)?;
    caller.require_client_and_task_editor()?;
    let st = app.lock();
    caller
        .account(&st)?
        .task(id)
        .cloned()
        .map(Json)
        .ok_or(ApiError::NotFound)
}
