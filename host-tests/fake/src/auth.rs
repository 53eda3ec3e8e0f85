//! Who is calling: bearer tokens, the account header, roles
//! (docs/harvest-notes.md#headers-and-accounts, docs/harvest-notes.md#oauth,
//! docs/harvest-notes.md#permissions), and Harvest ID's account list
//! (docs/harvest-notes.md#accounts).

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use serde_json::{Value, json};

use super::app::App;
use super::error::ApiError;
use super::model::{AccountData, FakeState, Identity, TimeEntry};
use super::params::Params;
use super::seed_roles;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Administrator,
    Manager,
    Member,
}

/// An authenticated `/v2` caller: a user of one account.
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    pub account_id: u64,
    pub user_id: u64,
    pub role: Role,
    /// A manager's `client_and_task_manager` permission (docs/harvest-notes.md#permissions).
    pub edits_clients_and_tasks: bool,
}

impl Caller {
    /// docs/harvest-notes.md#permissions: Members get 403 on projects, tasks, clients, users,
    /// invoices, task assignments and the uninvoiced report. Where the lists, task assignments
    /// and reports check a manager's own permission, they say so; elsewhere (one record by id,
    /// invoices and their payments and messages) the fake's choice is to let every manager
    /// through.
    pub fn require_manager(&self) -> Result<(), ApiError> {
        if self.role == Role::Member {
            Err(ApiError::Forbidden)
        } else {
            Ok(())
        }
    }

    /// Administrators, and managers allowed to create and edit clients and tasks
    /// (docs/harvest-notes.md#permissions).
    pub fn require_client_and_task_editor(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Administrator => Ok(()),
            Role::Manager if self.edits_clients_and_tasks => Ok(()),
            _ => Err(ApiError::Forbidden),
        }
    }

    /// Whether the caller is a manager of the project (its user assignment says so).
    pub fn manages(&self, account: &AccountData, project_id: u64) -> bool {
        account.user_assignments.iter().any(|ua| {
            ua.user.id == self.user_id && ua.project.id == project_id && ua.is_project_manager
        })
    }

    /// The projects the caller manages.
    pub fn managed_projects(&self, account: &AccountData) -> Vec<u64> {
        account
            .user_assignments
            .iter()
            .filter(|ua| ua.user.id == self.user_id && ua.is_project_manager)
            .map(|ua| ua.project.id)
            .collect()
    }

    /// Whether `user_id` is the caller or, for a manager, one of their assigned teammates.
    pub fn is_self_or_teammate(&self, user_id: u64) -> bool {
        user_id == self.user_id
            || (self.role == Role::Manager && seed_roles::is_teammate(self.user_id, user_id))
    }

    /// docs/harvest-notes.md#permissions: whose time the caller may log or change.
    /// Administrators anyone's, managers their own and their teammates' (the fake's choice: no
    /// check of the `time_and_expenses_manager` permission), members only their own.
    pub fn may_act_for(&self, user_id: u64) -> bool {
        self.role == Role::Administrator || self.is_self_or_teammate(user_id)
    }

    /// docs/harvest-notes.md#permissions: administrators see all time; managers their own,
    /// their assigned teammates' and the time on projects they manage; members their own. The
    /// time reports follow the same rule.
    pub fn may_see_entry(&self, account: &AccountData, entry: &TimeEntry) -> bool {
        self.may_see_work_of(account, entry.user.id, entry.project.id)
    }

    /// Whether a time entry or an expense by `user_id` on `project_id` is visible: the same
    /// rule for both (docs/harvest-notes.md#permissions).
    pub fn may_see_work_of(&self, account: &AccountData, user_id: u64, project_id: u64) -> bool {
        match self.role {
            Role::Administrator => true,
            Role::Manager => self.is_self_or_teammate(user_id) || self.manages(account, project_id),
            Role::Member => user_id == self.user_id,
        }
    }

    pub fn account<'s>(&self, st: &'s FakeState) -> Result<&'s AccountData, ApiError> {
        st.account(self.account_id).ok_or(ApiError::Unauthorized)
    }

    pub fn account_mut<'s>(&self, st: &'s mut FakeState) -> Result<&'s mut AccountData, ApiError> {
        st.account_mut(self.account_id)
            .ok_or(ApiError::Unauthorized)
    }
}

/// `Authorization: Bearer <token>` (scheme matched case-insensitively).
fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// The identity behind a token, if the token exists and has not expired.
pub fn identity_for<'s>(st: &'s FakeState, token: &str) -> Result<&'s Identity, ApiError> {
    let grant = st.tokens.get(token).ok_or(ApiError::Unauthorized)?;
    if grant.expires_at.is_some_and(|at| at <= st.clock.now()) {
        return Err(ApiError::Unauthorized);
    }
    st.identity(grant.identity_id).ok_or(ApiError::Unauthorized)
}

impl FromRequestParts<App> for Caller {
    type Rejection = ApiError;

    /// docs/harvest-notes.md#headers-and-accounts, docs/harvest-notes.md#errors: the token must be
    /// valid for the account named in `Harvest-Account-Id` (or the `access_token`/`account_id`
    /// query parameters); anything else is the same 401.
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let params = Params::parse(parts.uri.query().unwrap_or(""));
        let token = bearer(&parts.headers)
            .or_else(|| params.get("access_token").map(str::to_owned))
            .ok_or(ApiError::Unauthorized)?;
        let account_id = parts
            .headers
            .get("harvest-account-id")
            .and_then(|v| v.to_str().ok())
            .or_else(|| params.get("account_id"))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .ok_or(ApiError::Unauthorized)?;
        let st = app.lock();
        let identity = identity_for(&st, &token)?;
        let user_id = identity
            .harvest_users
            .iter()
            .find(|(account, _)| *account == account_id)
            .map(|(_, user)| *user)
            .ok_or(ApiError::Unauthorized)?;
        let user = st
            .account(account_id)
            .and_then(|a| a.user(user_id))
            .filter(|u| u.is_active)
            .ok_or(ApiError::Unauthorized)?;
        let edits_clients_and_tasks = user
            .access_roles
            .iter()
            .any(|r| r == "client_and_task_manager");
        let role = if user.access_roles.iter().any(|r| r == "administrator") {
            Role::Administrator
        } else if user.access_roles.iter().any(|r| r == "manager") {
            Role::Manager
        } else {
            Role::Member
        };
        Ok(Caller {
            account_id,
            user_id,
            role,
            edits_clients_and_tasks,
        })
    }
}

/// `GET /api/v2/accounts` (docs/harvest-notes.md#accounts): bearer token only, no account header;
/// not paginated.
pub async fn accounts(State(app): State<App>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let token = bearer(&headers).ok_or(ApiError::Unauthorized)?;
    let st = app.lock();
    let identity = identity_for(&st, &token)?;
    let harvest = identity.harvest_users.iter().filter_map(|(account_id, _)| {
        let account = st.account(*account_id)?;
        Some(json!({ "id": account_id, "name": account.company.name, "product": "harvest" }))
    });
    let forecast = identity.forecast_accounts.iter().filter_map(|id| {
        let account = st.forecast_accounts.iter().find(|f| f.id == *id)?;
        Some(json!({ "id": account.id, "name": account.name, "product": "forecast" }))
    });
    Ok(Json(json!({
        "user": {
            "id": identity.id,
            "first_name": identity.first_name,
            "last_name": identity.last_name,
            "email": identity.email,
        },
        "accounts": harvest.chain(forecast).collect::<Vec<_>>(),
    })))
}
