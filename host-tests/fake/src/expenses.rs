//! Expenses (docs/harvest-notes.md#expenses): the expense object, `GET /v2/expenses`, and
//! importing expenses into an invoice (docs/harvest-notes.md#invoices `line_items_import`).

use std::cmp::Reverse;
use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;

use super::app::App;
use super::auth::Caller;
use super::clock::round2;
use super::error::ApiError;
use super::model::{
    AccountData, ClientRef, EmbeddedUserAssignment, IdName, InvoiceRef, LineItem, ProjectRef,
    Sequences,
};
use super::pagination::ListSpec;
use super::params::Params;

/// An expense's category as embedded in the expense. Unit-priced categories (mileage) carry
/// `unit_price` and `unit_name`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExpenseCategoryRef {
    pub id: u64,
    pub name: String,
    pub unit_price: Option<f64>,
    pub unit_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Receipt {
    pub url: String,
    pub file_name: String,
    pub file_size: u64,
    pub content_type: String,
}

/// docs/harvest-notes.md#expenses: the fields of the OpenAPI Expense schema.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expense {
    pub id: u64,
    pub notes: Option<String>,
    /// In the client's currency; `units * unit_price` for unit-priced categories.
    pub total_cost: f64,
    /// Whole units (the schema types it as an integer); 1 for categories without a unit price.
    pub units: f64,
    pub is_closed: bool,
    pub is_locked: bool,
    pub is_billed: bool,
    pub locked_reason: Option<String>,
    pub spent_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub billable: bool,
    pub receipt: Option<Receipt>,
    pub user: IdName,
    pub user_assignment: EmbeddedUserAssignment,
    pub project: ProjectRef,
    pub expense_category: ExpenseCategoryRef,
    pub client: ClientRef,
    pub invoice: Option<InvoiceRef>,
}

impl Expense {
    /// `is_locked`/`locked_reason` from billing and approval; the invoiced wording is the
    /// OpenAPI example's.
    pub fn refresh_lock(&mut self) {
        self.locked_reason = match (self.is_billed, self.is_closed) {
            (true, _) => Some("Expense is invoiced.".into()),
            (false, true) => Some("Expense is approved.".into()),
            (false, false) => None,
        };
        self.is_locked = self.locked_reason.is_some();
    }
}

/// What a new expense is: who spent what on which project, in which category.
pub struct ExpenseInput<'a> {
    pub user_id: u64,
    pub project_id: u64,
    pub category: ExpenseCategoryRef,
    pub spent_date: NaiveDate,
    /// Units for a unit-priced category; the cost otherwise.
    pub units_or_cost: f64,
    pub billable: bool,
    pub notes: &'a str,
    pub receipt: bool,
    pub now: DateTime<Utc>,
}

/// How imported expenses are summarised into lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpenseSummary {
    Project,
    Category,
    People,
    Detailed,
}

impl ExpenseSummary {
    pub fn parse(s: &str) -> Option<ExpenseSummary> {
        match s {
            "project" => Some(ExpenseSummary::Project),
            "category" => Some(ExpenseSummary::Category),
            "people" => Some(ExpenseSummary::People),
            "detailed" => Some(ExpenseSummary::Detailed),
            _ => None,
        }
    }
}

impl AccountData {
    /// Adds an expense as Harvest would record it; `None` if the user or project is unknown.
    pub fn add_expense(&mut self, input: ExpenseInput) -> Option<u64> {
        let user = self.user(input.user_id)?.clone();
        let project = self.project(input.project_id)?.clone();
        let ua = self
            .user_assignments
            .iter()
            .find(|a| a.user.id == user.id && a.project.id == project.id)?
            .clone();
        let (units, total_cost) = match input.category.unit_price {
            Some(price) => (input.units_or_cost, round2(input.units_or_cost * price)),
            None => (1.0, round2(input.units_or_cost)),
        };
        let id = Sequences::next(&mut self.seq.expense);
        let receipt = input.receipt.then(|| Receipt {
            url: format!(
                "{}/expenses/{id}/receipt",
                self.company.base_uri.trim_end_matches('/')
            ),
            file_name: format!("receipt-{id}.pdf"),
            file_size: 20_000 + id % 10_000,
            content_type: "application/pdf".into(),
        });
        self.expenses.push(Expense {
            id,
            notes: Some(input.notes.into()),
            total_cost,
            units,
            is_closed: false,
            is_locked: false,
            is_billed: false,
            locked_reason: None,
            spent_date: input.spent_date,
            created_at: input.now,
            updated_at: input.now,
            billable: input.billable && project.is_billable,
            receipt,
            user: IdName {
                id: user.id,
                name: user.name(),
            },
            user_assignment: EmbeddedUserAssignment {
                id: ua.id,
                is_project_manager: ua.is_project_manager,
                is_active: ua.is_active,
                use_default_rates: ua.use_default_rates,
                budget: ua.budget,
                created_at: ua.created_at,
                updated_at: ua.updated_at,
                hourly_rate: ua.hourly_rate,
            },
            project: project.reference(),
            expense_category: input.category,
            client: project.client.clone(),
            invoice: None,
        });
        Some(id)
    }

    /// Lines for the client's billable, uninvoiced expenses of `project_ids` (within `range`
    /// when given), one per project, category or person, or one per expense (`detailed`).
    ///
    /// The fake's reading of what the docs leave open (inference): a line has kind `Product`
    /// (the item category the docs' example marks `use_as_expense`), quantity 1 and the summed
    /// cost as its unit price, and is not taxed.
    pub fn import_expenses(
        &mut self,
        client_id: u64,
        project_ids: &[u64],
        summary: ExpenseSummary,
        range: Option<(NaiveDate, NaiveDate)>,
    ) -> Vec<LineItem> {
        let mut picked: Vec<&Expense> = self
            .expenses
            .iter()
            .filter(|e| e.client.id == client_id && project_ids.contains(&e.project.id))
            .filter(|e| e.billable && !e.is_billed)
            .filter(|e| range.is_none_or(|(from, to)| e.spent_date >= from && e.spent_date <= to))
            .collect();
        picked.sort_by_key(|e| (e.spent_date, e.id));
        let mut groups: BTreeMap<(String, String), Vec<&Expense>> = BTreeMap::new();
        for (n, e) in picked.iter().enumerate() {
            let label = match summary {
                ExpenseSummary::Project => String::new(),
                ExpenseSummary::Category => e.expense_category.name.clone(),
                ExpenseSummary::People => e.user.name.clone(),
                ExpenseSummary::Detailed => format!("{n:08}"),
            };
            groups
                .entry((e.project.name.clone(), label))
                .or_default()
                .push(e);
        }
        let drafts: Vec<(ProjectRef, String, f64, Vec<u64>)> = groups
            .into_values()
            .filter_map(|expenses| {
                let first = expenses.first()?;
                let description = match summary {
                    ExpenseSummary::Project => format!("{}: expenses", first.project.name),
                    ExpenseSummary::Category => {
                        format!("{}: {}", first.project.name, first.expense_category.name)
                    }
                    ExpenseSummary::People => {
                        format!("{}: {}", first.project.name, first.user.name)
                    }
                    ExpenseSummary::Detailed => format!(
                        "{} - {}: {}",
                        first.spent_date.format("%m/%d/%Y"),
                        first.expense_category.name,
                        first.notes.as_deref().unwrap_or_default()
                    ),
                };
                let cost = round2(expenses.iter().map(|e| e.total_cost).sum());
                let ids = expenses.iter().map(|e| e.id).collect();
                Some((first.project.clone(), description, cost, ids))
            })
            .collect();
        drafts
            .into_iter()
            .map(|(project, description, cost, expense_ids)| LineItem {
                id: Sequences::next(&mut self.seq.line_item),
                project: Some(project),
                kind: "Product".into(),
                description,
                quantity: 1.0,
                unit_price: cost,
                amount: cost,
                taxed: false,
                taxed2: false,
                time_entry_ids: Vec::new(),
                expense_ids,
            })
            .collect()
    }

    /// Marks expenses as invoiced (`is_billed`, `invoice {id, number}`, locked); `None`
    /// undoes it.
    pub fn bill_expenses(&mut self, invoice: Option<&InvoiceRef>, expense_ids: &[u64]) {
        for expense in self
            .expenses
            .iter_mut()
            .filter(|e| expense_ids.contains(&e.id))
        {
            expense.is_billed = invoice.is_some();
            expense.invoice = invoice.cloned();
            expense.refresh_lock();
        }
    }
}

/// `GET /v2/expenses`: page-based, newest `spent_date` first (then by id). Members see their own
/// expenses only (docs/harvest-notes.md#permissions).
pub async fn list(
    caller: Caller,
    State(app): State<App>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let (user_id, client_id, project_id) = (
        params.id("user_id")?,
        params.id("client_id")?,
        params.id("project_id")?,
    );
    let is_billed = params.bool("is_billed")?;
    let (from, to, since) = (
        params.date("from")?,
        params.date("to")?,
        params.datetime("updated_since")?,
    );
    let st = app.lock();
    let account = caller.account(&st)?;
    let mut expenses: Vec<&Expense> = account
        .expenses
        .iter()
        .filter(|e| {
            caller.may_see_work_of(account, e.user.id, e.project.id)
                && user_id.is_none_or(|id| e.user.id == id)
        })
        .filter(|e| {
            client_id.is_none_or(|id| e.client.id == id)
                && project_id.is_none_or(|id| e.project.id == id)
        })
        .filter(|e| is_billed.is_none_or(|b| e.is_billed == b))
        .filter(|e| from.is_none_or(|d| e.spent_date >= d) && to.is_none_or(|d| e.spent_date <= d))
        .filter(|e| since.is_none_or(|s| e.updated_at >= s))
        .collect();
    expenses.sort_by_key(|e| Reverse((e.spent_date, e.id)));
    ListSpec::new(&app.origin, "/v2/expenses", "expenses")
        .page_based(&expenses, &params)
        .map(Json)
}
