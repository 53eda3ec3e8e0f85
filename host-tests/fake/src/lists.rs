//! The cursor-paginated lists (docs/harvest-notes.md#pagination), served by one handler each
//! kind: account-wide lists managers read (users, clients, tasks, projects) and an invoice's own
//! records (messages, payments). All are newest first, by descending id, and take
//! `updated_since`; the account-wide ones take `is_active` too.

use std::cmp::Reverse;

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::app::App;
use super::auth::{Caller, Role};
use super::error::ApiError;
use super::model::{AccountData, Client, InvoiceMessage, InvoicePayment, Project, Task, User};
use super::pagination::ListSpec;
use super::params::{Params, path_id};
use super::seed_roles;

/// A record of a cursor-paginated list.
pub trait Listed: Serialize + Sized + 'static {
    /// The key of the list's array in the envelope.
    const KEY: &'static str;
    fn id(&self) -> u64;
    fn updated_at(&self) -> DateTime<Utc>;
    /// The account's records of this kind.
    fn all(account: &AccountData) -> &[Self];
}

/// A list's own filter over its records.
pub type Filter<T> = Box<dyn Fn(&T) -> bool + Send>;

/// An account-wide list: `GET /v2/{PATH}`, managers only, filtered by `is_active`.
pub trait AccountList: Listed {
    const PATH: &'static str;
    fn is_active(&self) -> bool;
    /// The list's filters besides `is_active` and `updated_since`, read after `is_active`.
    fn own_filter(_params: &Params) -> Result<Filter<Self>, ApiError> {
        Ok(Box::new(|_| true))
    }
    /// Whether the caller may read the list at all, and which records it shows them
    /// (docs/harvest-notes.md#permissions); by default any administrator or manager sees all.
    fn permitted(caller: &Caller, _account: &AccountData) -> Result<Filter<Self>, ApiError> {
        caller.require_manager()?;
        Ok(Box::new(|_| true))
    }
}

/// An invoice's records: `GET /v2/invoices/{id}/{SEGMENT}`, managers only.
pub trait InvoiceList: Listed {
    const SEGMENT: &'static str;
    fn invoice_id(&self) -> u64;
}

/// `GET /v2/users`, `/v2/clients`, `/v2/tasks`, `/v2/projects`.
pub async fn account_list<T: AccountList>(
    caller: Caller,
    State(app): State<App>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    caller.require_manager()?;
    let is_active = params.bool("is_active")?;
    let own = T::own_filter(&params)?;
    cursor_list(&app, &caller, &params, T::PATH, |account| {
        let permitted = T::permitted(&caller, account)?;
        Ok(T::all(account)
            .iter()
            .filter(|r| is_active.is_none_or(|a| r.is_active() == a) && own(r) && permitted(r))
            .collect())
    })
}

/// `GET /v2/invoices/{id}/messages` and `/v2/invoices/{id}/payments`: 404 for an unknown invoice.
pub async fn invoice_list<T: InvoiceList>(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id)?;
    caller.require_manager()?;
    let path = format!("/v2/invoices/{id}/{}", T::SEGMENT);
    cursor_list(&app, &caller, &params, &path, |account| {
        account.invoice(id).ok_or(ApiError::NotFound)?;
        Ok(T::all(account)
            .iter()
            .filter(|r| r.invoice_id() == id)
            .collect())
    })
}

/// The caller's account's records that `select` picks and `updated_since` keeps, newest first,
/// in a cursor-based envelope at `path`.
fn cursor_list<T: Listed>(
    app: &App,
    caller: &Caller,
    params: &Params,
    path: &str,
    select: impl FnOnce(&AccountData) -> Result<Vec<&T>, ApiError>,
) -> Result<Json<Value>, ApiError> {
    let since = params.datetime("updated_since")?;
    let st = app.lock();
    let mut records = select(caller.account(&st)?)?;
    records.retain(|r| since.is_none_or(|s| r.updated_at() >= s));
    records.sort_by_key(|r| Reverse(r.id()));
    ListSpec::new(&app.origin, path, T::KEY)
        .cursor_based(&records, |r| r.id(), params)
        .map(Json)
}

/// `Listed` for a record with `id` and `updated_at` fields, kept in `AccountData::$field`.
macro_rules! listed {
    ($record:ty, $field:ident, $key:literal) => {
        impl Listed for $record {
            const KEY: &'static str = $key;
            fn id(&self) -> u64 {
                self.id
            }
            fn updated_at(&self) -> DateTime<Utc> {
                self.updated_at
            }
            fn all(account: &AccountData) -> &[Self] {
                &account.$field
            }
        }
    };
}

listed!(User, users, "users");
listed!(Client, clients, "clients");
listed!(Task, tasks, "tasks");
listed!(Project, projects, "projects");
listed!(InvoiceMessage, messages, "invoice_messages");
listed!(InvoicePayment, payments, "invoice_payments");

/// Users (docs/harvest-notes.md#projects-tasks-clients-users): administrators, and managers with
/// assigned teammates (docs/harvest-notes.md#permissions). Which users such a manager is shown,
/// themselves and their teammates, is the fake's choice.
impl AccountList for User {
    const PATH: &'static str = "/v2/users";
    fn is_active(&self) -> bool {
        self.is_active
    }
    fn permitted(caller: &Caller, _account: &AccountData) -> Result<Filter<Self>, ApiError> {
        match caller.role {
            Role::Administrator => Ok(Box::new(|_| true)),
            Role::Manager if seed_roles::has_teammates(caller.user_id) => {
                let caller = *caller;
                Ok(Box::new(move |u: &User| caller.is_self_or_teammate(u.id)))
            }
            _ => Err(ApiError::Forbidden),
        }
    }
}

/// Clients and tasks: administrators, and managers allowed to create and edit them
/// (docs/harvest-notes.md#permissions).
macro_rules! client_and_task_list {
    ($record:ty, $path:literal) => {
        impl AccountList for $record {
            const PATH: &'static str = $path;
            fn is_active(&self) -> bool {
                self.is_active
            }
            fn permitted(
                caller: &Caller,
                _account: &AccountData,
            ) -> Result<Filter<Self>, ApiError> {
                caller.require_client_and_task_editor()?;
                Ok(Box::new(|_| true))
            }
        }
    };
}

client_and_task_list!(Client, "/v2/clients");
client_and_task_list!(Task, "/v2/tasks");

/// Projects also filter by `client_id`. Administrators, and managers with managed projects
/// (docs/harvest-notes.md#permissions); that such a manager is shown only the projects they
/// manage is the fake's choice.
impl AccountList for Project {
    const PATH: &'static str = "/v2/projects";
    fn is_active(&self) -> bool {
        self.is_active
    }
    fn permitted(caller: &Caller, account: &AccountData) -> Result<Filter<Self>, ApiError> {
        match caller.role {
            Role::Administrator => Ok(Box::new(|_| true)),
            Role::Manager => {
                let managed = caller.managed_projects(account);
                if managed.is_empty() {
                    return Err(ApiError::Forbidden);
                }
                Ok(Box::new(move |p: &Project| managed.contains(&p.id)))
            }
            Role::Member => Err(ApiError::Forbidden),
        }
    }
    fn own_filter(params: &Params) -> Result<Filter<Self>, ApiError> {
        let client_id = params.id("client_id")?;
        Ok(Box::new(move |p| {
            client_id.is_none_or(|c| p.client.id == c)
        }))
    }
}

impl InvoiceList for InvoiceMessage {
    const SEGMENT: &'static str = "messages";
    fn invoice_id(&self) -> u64 {
        self.invoice_id
    }
}

impl InvoiceList for InvoicePayment {
    const SEGMENT: &'static str = "payments";
    fn invoice_id(&self) -> u64 {
        self.invoice_id
    }
}
