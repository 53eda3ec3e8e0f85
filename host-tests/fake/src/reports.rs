//! Reports (docs/harvest-notes.md#reports), computed from the live time entries: time reports with
//! one row per subject and currency (docs/harvest-notes.md#reports), and the uninvoiced report with
//! one row per billable project. Rows are sorted by subject name, then currency. All report
//! endpoints are page-based.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use super::app::App;
use super::auth::{Caller, Role};
use super::clock::round2;
use super::error::{ApiError, Problems};
use super::pagination::ListSpec;
use super::params::Params;

/// A time report row; only the subject's fields are present (docs/harvest-notes.md#reports).
#[derive(Clone, Debug, Default, Serialize)]
pub struct TimeRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_contractor: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weekly_capacity: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    pub total_hours: f64,
    pub billable_hours: f64,
    pub currency: String,
    pub billable_amount: f64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct UninvoicedRow {
    pub client_id: u64,
    pub client_name: String,
    pub project_id: u64,
    pub project_name: String,
    pub currency: String,
    pub total_hours: f64,
    pub uninvoiced_hours: f64,
    pub uninvoiced_expenses: f64,
    pub uninvoiced_amount: f64,
    /// The expenses' part of `uninvoiced_amount` while rows are built (not part of the JSON).
    #[serde(skip)]
    pub expense_amount: f64,
}

/// `from` and `to` are required (YYYYMMDD or YYYY-MM-DD) and may span at most 365 days
/// (docs/harvest-notes.md#reports).
fn date_range(params: &Params) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let (from, to) = (params.date("from")?, params.date("to")?);
    let mut problems = Problems::default();
    if from.is_none() {
        problems.add("From can't be blank");
    }
    if to.is_none() {
        problems.add("To can't be blank");
    }
    problems.check()?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(ApiError::invalid(&["From can't be blank"]));
    };
    if to < from {
        return Err(ApiError::invalid(&["To must be on or after From"]));
    }
    if (to - from).num_days() > 365 {
        return Err(ApiError::invalid(&[
            "The date range can't be longer than 1 year (365 days)",
        ]));
    }
    Ok((from, to))
}

/// `GET /v2/reports/time/{clients|projects|tasks|team}`, over the time entries the caller may
/// see (docs/harvest-notes.md#permissions: members their own, managers their own, their
/// teammates' and their managed projects'). Rows are built from the entries in the range, so a
/// person (or project, task, client) without time there has no row: the docs do not say whether
/// Harvest lists them with zero hours, and this is the fake's choice. Fixed-fee projects add billable hours but no billable
/// amount unless `include_fixed_fee=true`.
pub async fn time(
    caller: Caller,
    State(app): State<App>,
    Path(kind): Path<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    if !["clients", "projects", "tasks", "team"].contains(&kind.as_str()) {
        return Err(ApiError::RouteNotFound);
    }
    let (from, to) = date_range(&params)?;
    let include_fixed_fee = params.bool("include_fixed_fee")?.unwrap_or(false);
    let st = app.lock();
    let now = st.clock.now();
    let account = caller.account(&st)?;
    let mut rows: BTreeMap<(String, u64, String), TimeRow> = BTreeMap::new();
    let in_range = |d: NaiveDate| d >= from && d <= to;
    for entry in account
        .time_entries
        .iter()
        .filter(|e| caller.may_see_entry(account, e) && in_range(e.spent_date))
    {
        let e = entry.live(now);
        let mut row = TimeRow {
            currency: e.client.currency.clone(),
            ..TimeRow::default()
        };
        let (name, id) = match kind.as_str() {
            "clients" => {
                (row.client_id, row.client_name) = (Some(e.client.id), Some(e.client.name.clone()));
                (e.client.name.clone(), e.client.id)
            }
            "projects" => {
                (row.client_id, row.client_name) = (Some(e.client.id), Some(e.client.name.clone()));
                (row.project_id, row.project_name) =
                    (Some(e.project.id), Some(e.project.name.clone()));
                (e.project.name.clone(), e.project.id)
            }
            "tasks" => {
                (row.task_id, row.task_name) = (Some(e.task.id), Some(e.task.name.clone()));
                (e.task.name.clone(), e.task.id)
            }
            _ => {
                let user = account.user(e.user.id);
                (row.user_id, row.user_name) = (Some(e.user.id), Some(e.user.name.clone()));
                row.is_contractor = user.map(|u| u.is_contractor);
                row.weekly_capacity = user.map(|u| u.weekly_capacity);
                row.avatar_url = user.map(|u| u.avatar_url.clone());
                (e.user.name.clone(), e.user.id)
            }
        };
        let slot = rows
            .entry((name, id, e.client.currency.clone()))
            .or_insert(row);
        // Hours and amounts come from rounded hours (docs/harvest-notes.md#time-rounding).
        slot.total_hours += e.rounded_hours;
        if e.billable {
            slot.billable_hours += e.rounded_hours;
            let fixed_fee = account
                .project(e.project.id)
                .is_some_and(|p| p.is_fixed_fee);
            if include_fixed_fee || !fixed_fee {
                slot.billable_amount += e.rounded_hours * e.billable_rate.unwrap_or(0.0);
            }
        }
    }
    let results: Vec<TimeRow> = rows
        .into_values()
        .map(|mut r| {
            (r.total_hours, r.billable_hours) = (round2(r.total_hours), round2(r.billable_hours));
            r.billable_amount = round2(r.billable_amount);
            r
        })
        .collect();
    let path = format!("/v2/reports/time/{kind}");
    ListSpec::new(&app.origin, &path, "results")
        .page_based(&results, &params)
        .map(Json)
}

/// `GET /v2/reports/uninvoiced`: billable projects with time or expenses in the range. `include_fixed_fee`
/// (default true) reports a fixed-fee project's fee minus what its invoice lines already billed,
/// once the range reaches the project's start (or creation) date.
pub async fn uninvoiced(
    caller: Caller,
    State(app): State<App>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    caller.require_manager()?;
    let (from, to) = date_range(&params)?;
    let include_fixed_fee = params.bool("include_fixed_fee")?.unwrap_or(true);
    let st = app.lock();
    let now = st.clock.now();
    let account = caller.account(&st)?;
    // docs/harvest-notes.md#permissions: managers (with invoice permission, which the fake does
    // not check) see only the projects they manage.
    let managed = caller.managed_projects(account);
    let shown =
        |project_id: u64| caller.role == Role::Administrator || managed.contains(&project_id);
    let mut rows: BTreeMap<(String, String, u64), UninvoicedRow> = BTreeMap::new();
    for entry in account
        .time_entries
        .iter()
        .filter(|e| e.spent_date >= from && e.spent_date <= to)
    {
        let Some(project) = account
            .project(entry.project.id)
            .filter(|p| p.is_billable && shown(p.id))
        else {
            continue;
        };
        let e = entry.live(now);
        let key = (e.client.name.clone(), project.name.clone(), project.id);
        let row = rows.entry(key).or_insert_with(|| UninvoicedRow {
            client_id: e.client.id,
            client_name: e.client.name.clone(),
            project_id: project.id,
            project_name: project.name.clone(),
            currency: e.client.currency.clone(),
            ..UninvoicedRow::default()
        });
        // Rounded hours, as the report's hours are (docs/harvest-notes.md#time-rounding).
        row.total_hours += e.rounded_hours;
        if e.billable && !e.is_billed {
            row.uninvoiced_hours += e.rounded_hours;
            if !project.is_fixed_fee {
                row.uninvoiced_amount += e.rounded_hours * e.billable_rate.unwrap_or(0.0);
            }
        }
    }
    // Billable expenses not yet invoiced add to `uninvoiced_expenses` and to the amount
    // (docs/harvest-notes.md#reports); a project with only expenses in the range gets a row.
    for expense in account
        .expenses
        .iter()
        .filter(|e| e.spent_date >= from && e.spent_date <= to)
        .filter(|e| e.billable && !e.is_billed)
    {
        let Some(project) = account
            .project(expense.project.id)
            .filter(|p| p.is_billable)
        else {
            continue;
        };
        let key = (
            expense.client.name.clone(),
            project.name.clone(),
            project.id,
        );
        let row = rows.entry(key).or_insert_with(|| UninvoicedRow {
            client_id: expense.client.id,
            client_name: expense.client.name.clone(),
            project_id: project.id,
            project_name: project.name.clone(),
            currency: expense.client.currency.clone(),
            ..UninvoicedRow::default()
        });
        row.uninvoiced_expenses += expense.total_cost;
        row.expense_amount += expense.total_cost;
    }
    let results: Vec<UninvoicedRow> = rows
        .into_values()
        .map(|mut r| {
            if let Some(p) = account
                .project(r.project_id)
                .filter(|p| p.is_fixed_fee && include_fixed_fee)
            {
                let starts = p.starts_on.unwrap_or(p.created_at.date_naive());
                let billed: f64 = account
                    .invoices
                    .iter()
                    .flat_map(|i| &i.line_items)
                    .filter(|l| l.project.as_ref().is_some_and(|x| x.id == p.id))
                    .filter(|l| l.expense_ids.is_empty())
                    .map(|l| l.amount)
                    .sum();
                let fee_left = (p.fee.unwrap_or(0.0) - billed).max(0.0);
                r.uninvoiced_amount = if to >= starts { fee_left } else { 0.0 };
            }
            r.uninvoiced_amount += r.expense_amount;
            (r.total_hours, r.uninvoiced_hours) =
                (round2(r.total_hours), round2(r.uninvoiced_hours));
            r.uninvoiced_expenses = round2(r.uninvoiced_expenses);
            r.uninvoiced_amount = round2(r.uninvoiced_amount);
            r
        })
        .collect();
    ListSpec::new(&app.origin, "/v2/reports/uninvoiced", "results")
        .page_based(&results, &params)
        .map(Json)
}
