//! Clients (§10.8): cursor-paginated list, newest first, and one client.

use std::cmp::Reverse;

use axum::Json;
use axum::extract::{Path, State};
use serde_json::Value;

use super::auth::Caller;
use super::error::ApiError;
use super::model::Client;
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
    let mut clients: Vec<&Client> = caller
        .account(&st)?
        .clients
        .iter()
        .filter(|c| {
            is_active.is_none_or(|a| c.is_active == a) && since.is_none_or(|s| c.updated_at >= s)
        })
        .collect();
    clients.sort_by_key(|c| Reverse(c.id));
    ListSpec::new(&app.origin, "/v2/clients", "clients")
        .cursor_based(&clients, |c| c.id, &params)
        .map(Json)
}

pub async fn get(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Json<Client>, ApiError> {
    let id = path_id(&id)?;
    caller.require_manager()?;
    let st = app.lock();
    caller
        .account(&st)?
        .client(id)
        .cloned()
        .map(Json)
        .ok_or(ApiError::NotFound)
}
