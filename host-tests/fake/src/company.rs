//! `GET /v2/company` (docs/harvest-notes.md#company).

use axum::Json;
use axum::extract::State;

use super::app::App;
use super::auth::Caller;
use super::error::ApiError;
use super::model::Company;

pub async fn get(caller: Caller, State(app): State<App>) -> Result<Json<Company>, ApiError> {
    let st = app.lock();
    Ok(Json(caller.account(&st)?.company.clone()))
}
