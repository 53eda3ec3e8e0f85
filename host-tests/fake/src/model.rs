//! The fake's data, in Harvest's JSON shape (the object sections of docs/harvest-notes.md). Every
//! struct serialises exactly as the API answers, so tests can compute expected values straight from
//! `FakeHarvest::state()`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::clock::{Clock, round2};
use super::expenses::Expense;
use super::rounding::{TimeRounding, rounded};

/// `{id, name}` as embedded in many objects.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IdName {
    pub id: u64,
    pub name: String,
}

/// A project's or time entry's client: `{id, name, currency}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClientRef {
    pub id: u64,
    pub name: String,
    pub currency: String,
}

/// `{id, name, code}` as embedded in task assignments, line items and time entries.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProjectRef {
    pub id: u64,
    pub name: String,
    pub code: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InvoiceRef {
    pub id: u64,
    pub number: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IdOnly {
    pub id: u64,
}

/// docs/harvest-notes.md#company (plus the other documented company fields).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Company {
    pub base_uri: String,
    pub full_domain: String,
    pub name: String,
    pub is_active: bool,
    pub week_start_day: String,
    pub wants_timestamp_timers: bool,
    pub time_format: String,
    pub date_format: String,
    pub plan_type: String,
    pub clock: String,
    pub currency_code_display: String,
    pub currency_symbol_display: String,
    pub decimal_symbol: String,
    pub thousands_separator: String,
    pub color_scheme: String,
    pub weekly_capacity: u32,
    pub expense_feature: bool,
    pub invoice_feature: bool,
    pub estimate_feature: bool,
    pub approval_feature: bool,
    pub team_feature: bool,
    /// Time Rounding (not part of the company's JSON); `None`: off.
    #[serde(skip)]
    pub time_rounding: Option<TimeRounding>,
}

/// docs/harvest-notes.md#projects-tasks-clients-users.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct User {
    pub id: u64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub telephone: String,
    pub timezone: String,
    pub has_access_to_all_future_projects: bool,
    pub is_contractor: bool,
    pub is_active: bool,
    pub weekly_capacity: u32,
    pub default_hourly_rate: Option<f64>,
    pub cost_rate: Option<f64>,
    pub roles: Vec<String>,
    pub access_roles: Vec<String>,
    pub avatar_url: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// docs/harvest-notes.md#projects-tasks-clients-users.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Client {
    pub id: u64,
    pub name: String,
    pub is_active: bool,
    pub address: Option<String>,
    pub statement_key: String,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// docs/harvest-notes.md#projects-tasks-clients-users.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Task {
    pub id: u64,
    pub name: String,
    pub billable_by_default: bool,
    pub default_hourly_rate: Option<f64>,
    pub is_default: bool,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// docs/harvest-notes.md#projects-tasks-clients-users.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Project {
    pub id: u64,
    pub client: ClientRef,
    pub name: String,
    pub code: Option<String>,
    pub is_active: bool,
    pub is_billable: bool,
    pub is_fixed_fee: bool,
    /// `Project`, `Tasks`, `People` or `none`.
    pub bill_by: String,
    pub hourly_rate: Option<f64>,
    pub budget: Option<f64>,
    pub budget_by: String,
    pub budget_is_monthly: bool,
    pub notify_when_over_budget: bool,
    pub over_budget_notification_percentage: f64,
    pub over_budget_notification_date: Option<NaiveDate>,
    pub show_budget_to_all: bool,
    pub cost_budget: Option<f64>,
    pub cost_budget_include_expenses: bool,
    pub fee: Option<f64>,
    pub notes: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Project {
    pub fn reference(&self) -> ProjectRef {
        ProjectRef {
            id: self.id,
            name: self.name.clone(),
            code: self.code.clone(),
        }
    }
}

/// docs/harvest-notes.md#projects-tasks-clients-users.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaskAssignment {
    pub id: u64,
    pub project: ProjectRef,
    pub task: IdName,
    pub is_active: bool,
    pub billable: bool,
    pub hourly_rate: Option<f64>,
    pub budget: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A user's membership of a project (the full object; time entries embed a shorter copy,
/// docs/harvest-notes.md#time-entries).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UserAssignment {
    pub id: u64,
    pub project: ProjectRef,
    pub user: IdName,
    pub is_active: bool,
    pub is_project_manager: bool,
    pub use_default_rates: bool,
    pub hourly_rate: Option<f64>,
    pub budget: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// docs/harvest-notes.md#time-entries: the user assignment as embedded in a time entry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EmbeddedUserAssignment {
    pub id: u64,
    pub is_project_manager: bool,
    pub is_active: bool,
    pub use_default_rates: bool,
    pub budget: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub hourly_rate: Option<f64>,
}

/// docs/harvest-notes.md#time-entries: the task assignment as embedded in a time entry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EmbeddedTaskAssignment {
    pub id: u64,
    pub billable: bool,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub hourly_rate: Option<f64>,
    pub budget: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExternalReference {
    pub id: Option<String>,
    pub group_id: Option<String>,
    pub account_id: Option<String>,
    pub permalink: Option<String>,
    pub service: Option<String>,
    pub service_icon_url: Option<String>,
}

/// docs/harvest-notes.md#time-entries. `hours` of a running entry is stored as of
/// `timer_started_at`; the API answers with [`TimeEntry::live`], which adds the elapsed time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimeEntry {
    pub id: u64,
    pub spent_date: NaiveDate,
    pub hours: f64,
    pub hours_without_timer: f64,
    pub rounded_hours: f64,
    pub notes: Option<String>,
    pub is_locked: bool,
    pub locked_reason: Option<String>,
    pub approval_status: String,
    pub is_closed: bool,
    pub is_billed: bool,
    pub timer_started_at: Option<DateTime<Utc>>,
    /// In the account's clock format; set in timestamp accounts only.
    pub started_time: Option<String>,
    pub ended_time: Option<String>,
    pub is_running: bool,
    pub billable: bool,
    pub budgeted: bool,
    pub billable_rate: Option<f64>,
    pub cost_rate: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub user: IdName,
    pub client: ClientRef,
    pub project: ProjectRef,
    pub task: IdName,
    pub user_assignment: EmbeddedUserAssignment,
    pub task_assignment: EmbeddedTaskAssignment,
    pub invoice: Option<InvoiceRef>,
    pub external_reference: Option<ExternalReference>,
    /// The account's Time Rounding, copied when the entry is made (not part of Harvest's JSON).
    #[serde(skip)]
    pub rounding: Option<TimeRounding>,
}

impl TimeEntry {
    /// The entry as the API shows it at `now`: a running timer's hours include the elapsed time.
    pub fn live(&self, now: DateTime<Utc>) -> TimeEntry {
        let mut entry = self.clone();
        if let (true, Some(started)) = (self.is_running, self.timer_started_at) {
            let elapsed = (now - started).num_seconds().max(0) as f64 / 3600.0;
            entry.hours = round2(self.hours_without_timer + elapsed);
            entry.rounded_hours = rounded(entry.hours, self.rounding);
        }
        entry
    }

    /// Recomputes `is_locked`/`locked_reason` from billing and approval.
    pub fn refresh_lock(&mut self) {
        self.locked_reason = match (self.is_billed, self.is_closed) {
            (true, true) => {
                Some("Item Invoiced and Approved and Locked for this Time Period".into())
            }
            (true, false) => Some("Item Invoiced and Locked for this Time Period".into()),
            (false, true) => Some("Item Approved and Locked for this Time Period".into()),
            (false, false) => None,
        };
        self.is_locked = self.locked_reason.is_some();
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InvoiceState {
    Draft,
    Open,
    Paid,
    Closed,
}

impl InvoiceState {
    pub fn parse(s: &str) -> Option<InvoiceState> {
        match s {
            "draft" => Some(InvoiceState::Draft),
            "open" => Some(InvoiceState::Open),
            "paid" => Some(InvoiceState::Paid),
            "closed" => Some(InvoiceState::Closed),
            _ => None,
        }
    }
}

/// docs/harvest-notes.md#invoices.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineItem {
    pub id: u64,
    pub project: Option<ProjectRef>,
    pub kind: String,
    pub description: String,
    pub quantity: f64,
    pub unit_price: f64,
    pub amount: f64,
    pub taxed: bool,
    pub taxed2: bool,
    /// Time entries imported into this line (not part of Harvest's JSON).
    #[serde(skip)]
    pub time_entry_ids: Vec<u64>,
    /// Expenses imported into this line (not part of Harvest's JSON).
    #[serde(skip)]
    pub expense_ids: Vec<u64>,
}

/// docs/harvest-notes.md#invoices.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Invoice {
    pub id: u64,
    pub client_key: String,
    pub number: String,
    pub purchase_order: Option<String>,
    pub amount: f64,
    pub due_amount: f64,
    pub tax: Option<f64>,
    pub tax_amount: f64,
    pub tax2: Option<f64>,
    pub tax2_amount: f64,
    pub discount: Option<f64>,
    pub discount_amount: f64,
    pub subject: Option<String>,
    pub notes: Option<String>,
    pub currency: String,
    pub state: InvoiceState,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub payment_term: String,
    pub payment_options: Vec<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub paid_date: Option<NaiveDate>,
    pub closed_at: Option<DateTime<Utc>>,
    pub recurring_invoice_id: Option<u64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub client: IdName,
    pub estimate: Option<IdOnly>,
    pub retainer: Option<IdOnly>,
    pub creator: IdName,
    pub line_items: Vec<LineItem>,
}

impl Invoice {
    /// Recomputes line amounts, discount, taxes, total and amount due
    /// (docs/harvest-notes.md#invoices: taxes apply to the taxed lines after the discount).
    pub fn recompute(&mut self, paid: f64) {
        for item in &mut self.line_items {
            item.amount = round2(item.quantity * item.unit_price);
        }
        let subtotal: f64 = self.line_items.iter().map(|i| i.amount).sum();
        let keep = 1.0 - self.discount.unwrap_or(0.0) / 100.0;
        let taxed: f64 = self
            .line_items
            .iter()
            .filter(|i| i.taxed)
            .map(|i| i.amount)
            .sum();
        let taxed2: f64 = self
            .line_items
            .iter()
            .filter(|i| i.taxed2)
            .map(|i| i.amount)
            .sum();
        self.discount_amount = round2(subtotal * (1.0 - keep));
        self.tax_amount = round2(taxed * keep * self.tax.unwrap_or(0.0) / 100.0);
        self.tax2_amount = round2(taxed2 * keep * self.tax2.unwrap_or(0.0) / 100.0);
        self.amount = round2(subtotal - self.discount_amount + self.tax_amount + self.tax2_amount);
        self.due_amount = round2((self.amount - paid).max(0.0));
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PaymentGateway {
    pub id: Option<u64>,
    pub name: Option<String>,
}

/// docs/harvest-notes.md#payments.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InvoicePayment {
    pub id: u64,
    pub amount: f64,
    pub paid_at: DateTime<Utc>,
    pub paid_date: NaiveDate,
    pub recorded_by: String,
    pub recorded_by_email: String,
    pub notes: Option<String>,
    pub transaction_id: Option<String>,
    pub payment_gateway: PaymentGateway,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub invoice_id: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Recipient {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// docs/harvest-notes.md#invoices.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InvoiceMessage {
    pub id: u64,
    pub sent_by: String,
    pub sent_by_email: String,
    pub sent_from: String,
    pub sent_from_email: String,
    pub recipients: Vec<Recipient>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub include_link_to_client_invoice: bool,
    pub attach_pdf: bool,
    pub send_me_a_copy: bool,
    pub thank_you: bool,
    pub event_type: Option<String>,
    pub reminder: bool,
    pub send_reminder_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub invoice_id: u64,
}

/// Counters for ids and invoice numbers handed out by the API (never reused).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sequences {
    pub time_entry: u64,
    pub user_assignment: u64,
    pub invoice: u64,
    pub line_item: u64,
    pub payment: u64,
    pub message: u64,
    pub invoice_number: u64,
    pub expense: u64,
}

impl Sequences {
    pub fn next(counter: &mut u64) -> u64 {
        *counter += 1;
        *counter
    }
}

/// Everything one Harvest account holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccountData {
    pub account_id: u64,
    pub company: Company,
    pub users: Vec<User>,
    pub clients: Vec<Client>,
    pub tasks: Vec<Task>,
    pub projects: Vec<Project>,
    pub task_assignments: Vec<TaskAssignment>,
    pub user_assignments: Vec<UserAssignment>,
    pub time_entries: Vec<TimeEntry>,
    pub expenses: Vec<Expense>,
    pub invoices: Vec<Invoice>,
    pub payments: Vec<InvoicePayment>,
    pub messages: Vec<InvoiceMessage>,
    #[serde(skip)]
    pub seq: Sequences,
}

impl AccountData {
    pub fn user(&self, id: u64) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }
    pub fn client(&self, id: u64) -> Option<&Client> {
        self.clients.iter().find(|c| c.id == id)
    }
    pub fn project(&self, id: u64) -> Option<&Project> {
        self.projects.iter().find(|p| p.id == id)
    }
    pub fn task(&self, id: u64) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }
    pub fn time_entry(&self, id: u64) -> Option<&TimeEntry> {
        self.time_entries.iter().find(|e| e.id == id)
    }
    pub fn invoice(&self, id: u64) -> Option<&Invoice> {
        self.invoices.iter().find(|i| i.id == id)
    }
    pub fn task_assignment(&self, project_id: u64, task_id: u64) -> Option<&TaskAssignment> {
        self.task_assignments
            .iter()
            .find(|a| a.project.id == project_id && a.task.id == task_id)
    }
    /// Sum of the payments recorded on an invoice.
    pub fn paid_total(&self, invoice_id: u64) -> f64 {
        round2(
            self.payments
                .iter()
                .filter(|p| p.invoice_id == invoice_id)
                .map(|p| p.amount)
                .sum(),
        )
    }
}

/// A Harvest ID user (the person behind a token), with the accounts they can reach
/// (docs/harvest-notes.md#accounts).
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    pub id: u64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// `(Harvest account id, user id in that account)`.
    pub harvest_users: Vec<(u64, u64)>,
    pub forecast_accounts: Vec<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForecastAccount {
    pub id: u64,
    pub name: String,
}

/// What a bearer token grants. Personal access tokens never expire; OAuth access tokens do.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenGrant {
    pub identity_id: u64,
    pub expires_at: Option<DateTime<Utc>>,
    pub oauth_client_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: String,
    /// The registered Redirect URL; `redirect_uri` must start with it (ports ignored, see
    /// oauth.rs).
    pub redirect_url: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AuthCode {
    pub client_id: String,
    pub identity_id: u64,
    pub redirect_uri: String,
    pub used: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RefreshGrant {
    pub client_id: String,
    pub identity_id: u64,
}

/// The live state of the fake. Lock it through `FakeHarvest::state()` and drop the guard before
/// sending requests (the server needs the same lock).
#[derive(Debug)]
pub struct FakeState {
    pub accounts: BTreeMap<u64, AccountData>,
    pub identities: Vec<Identity>,
    pub forecast_accounts: Vec<ForecastAccount>,
    pub tokens: BTreeMap<String, TokenGrant>,
    pub oauth_clients: Vec<OAuthClient>,
    pub auth_codes: BTreeMap<String, AuthCode>,
    pub refresh_tokens: BTreeMap<String, RefreshGrant>,
    /// `/oauth2/authorize` logs in as the owner of this token (default `ADMIN_TOKEN`).
    pub authorizing_token: String,
    /// `/v2` requests allowed before every further one is answered 429
    /// (docs/harvest-notes.md#rate-limits).
    pub request_budget: Option<u32>,
    /// `/v2` requests received so far.
    pub api_requests: u32,
    /// `Retry-After` sent once the budget is spent.
    pub retry_after_secs: u32,
    pub access_token_lifetime_secs: u64,
    pub clock: Clock,
    pub(crate) issued: u64,
    /// Time-entry listings by query, reset by any change (see `index.rs`).
    pub(crate) entry_index: super::index::EntryIndex,
}

impl FakeState {
    pub fn account(&self, account_id: u64) -> Option<&AccountData> {
        self.accounts.get(&account_id)
    }
    pub fn account_mut(&mut self, account_id: u64) -> Option<&mut AccountData> {
        self.accounts.get_mut(&account_id)
    }
    pub fn identity(&self, id: u64) -> Option<&Identity> {
        self.identities.iter().find(|i| i.id == id)
    }
}
