//! Harvest time tracking and invoicing tools, exported as a WASI 0.2 component.
//!
//! Each WIT export hands off to the module that owns its Harvest resource, which validates the
//! arguments, describes the request and sends it with [`http::Client`]; configuration and
//! secrets live in [`config`], the generated bindings in [`bindings`].
//!
//! Without features this is the tools-only component (world `harvest`); the `host-interfaces`
//! feature adds the `oauth` and `catalogue` exports (world `harvest-host`).

mod accounts;
mod bindings;
#[cfg(feature = "host-interfaces")]
mod catalogue;
mod clients;
mod company;
mod duplicate_guard;
// OAuth's parts of the configuration (client credentials) and of the transport (form bodies to
// Harvest ID, token error bodies) serve only the `oauth` export; the `host-interfaces` build,
// which lint and the unit tests use, still finds anything dead in them.
#[cfg_attr(not(feature = "host-interfaces"), allow(dead_code))]
mod config;
mod error;
mod expenses;
mod filters;
#[cfg_attr(not(feature = "host-interfaces"), allow(dead_code))]
mod http;
mod invoices;
mod json;
mod lookup;
#[cfg(feature = "host-interfaces")]
mod oauth;
#[cfg(test)]
mod openapi_examples;
mod paging;
mod payments;
mod period;
mod permissions;
mod preview;
mod projects;
mod reports;
// The catalogue's schemas check the catalogue's calls and, in both worlds, the arguments
// `preview-write` takes; only the catalogue shapes results.
#[cfg_attr(not(feature = "host-interfaces"), allow(dead_code))]
mod schema;
mod summaries;
mod tasks;
mod team_status;
mod time_entries;
mod timezone;
mod users;
mod validate;

#[cfg(feature = "host-interfaces")]
use bindings::exports::harvest::tools::catalogue::Tool;
#[cfg(feature = "host-interfaces")]
use bindings::exports::harvest::tools::oauth::{ClientCredentials, ScopedAccount, TokenSet};
use bindings::wit::*;

struct Component;

bindings::export!(Component with_types_in bindings);

impl bindings::Guest for Component {
    fn list_accounts() -> Result<AccountList, Error> {
        accounts::list_accounts()
    }
    fn get_current_user(account_id: Option<u64>) -> Result<User, Error> {
        users::get_current_user(account_id)
    }
    fn get_company(account_id: Option<u64>) -> Result<Company, Error> {
        company::get_company(account_id)
    }
    fn list_my_project_assignments(
        query: ProjectAssignmentQuery,
    ) -> Result<ProjectAssignmentPage, Error> {
        projects::list_my_assignments(query)
    }
    fn list_users(query: UserQuery) -> Result<UserPage, Error> {
        users::list_users(query)
    }
    fn list_time_entries(query: TimeEntryQuery) -> Result<TimeEntryPage, Error> {
        time_entries::list(query)
    }
    fn get_time_entry(time_entry_id: u64, account_id: Option<u64>) -> Result<TimeEntry, Error> {
        time_entries::get(time_entry_id, account_id)
    }
    fn create_time_entry(entry: NewTimeEntry) -> Result<TimeEntry, Error> {
        time_entries::create(entry)
    }
    fn update_time_entry(
        time_entry_id: u64,
        changes: TimeEntryChanges,
    ) -> Result<TimeEntry, Error> {
        time_entries::update(time_entry_id, changes)
    }
    fn delete_time_entry(time_entry_id: u64, account_id: Option<u64>) -> Result<u64, Error> {
        time_entries::delete(time_entry_id, account_id)
    }
    fn stop_timer(time_entry_id: u64, account_id: Option<u64>) -> Result<TimeEntry, Error> {
        time_entries::stop_timer(time_entry_id, account_id)
    }
    fn restart_timer(time_entry_id: u64, account_id: Option<u64>) -> Result<TimeEntry, Error> {
        time_entries::restart_timer(time_entry_id, account_id)
    }
    fn list_projects(query: ProjectQuery) -> Result<ProjectPage, Error> {
        projects::list(query)
    }
    fn get_project(project_id: u64, account_id: Option<u64>) -> Result<Project, Error> {
        projects::get(project_id, account_id)
    }
    fn list_tasks(query: TaskQuery) -> Result<TaskPage, Error> {
        tasks::list(query)
    }
    fn list_project_task_assignments(
        query: TaskAssignmentQuery,
    ) -> Result<TaskAssignmentPage, Error> {
        tasks::list_assignments(query)
    }
    fn list_clients(query: ClientQuery) -> Result<ClientPage, Error> {
        clients::list(query)
    }
    fn get_client(client_id: u64, account_id: Option<u64>) -> Result<Client, Error> {
        clients::get(client_id, account_id)
    }
    fn list_invoices(query: InvoiceQuery) -> Result<InvoicePage, Error> {
        invoices::list(query)
    }
    fn get_invoice(invoice_id: u64, account_id: Option<u64>) -> Result<Invoice, Error> {
        invoices::get(invoice_id, account_id)
    }
    fn create_invoice(invoice: NewInvoice) -> Result<Invoice, Error> {
        invoices::create(invoice)
    }
    fn update_invoice(invoice_id: u64, changes: InvoiceChanges) -> Result<Invoice, Error> {
        invoices::update(invoice_id, changes)
    }
    fn list_invoice_payments(query: InvoicePaymentQuery) -> Result<InvoicePaymentPage, Error> {
        payments::list(query)
    }
    fn create_invoice_payment(payment: NewInvoicePayment) -> Result<InvoicePayment, Error> {
        payments::create(payment)
    }
    fn time_report_by_project(query: ReportQuery) -> Result<ProjectTimeReport, Error> {
        reports::by_project(query)
    }
    fn time_report_by_team(query: ReportQuery) -> Result<TeamTimeReport, Error> {
        reports::by_team(query)
    }
    fn time_report_by_client(query: ReportQuery) -> Result<ClientTimeReport, Error> {
        reports::by_client(query)
    }
    fn time_report_by_task(query: ReportQuery) -> Result<TaskTimeReport, Error> {
        reports::by_task(query)
    }
    fn invoice_report(query: ReportQuery) -> Result<UninvoicedReport, Error> {
        reports::uninvoiced(query)
    }
    fn list_expenses(query: ExpenseQuery) -> Result<ExpensePage, Error> {
        expenses::list(query)
    }
    fn find_by_name(query: FindQuery) -> Result<NameMatches, Error> {
        lookup::find(query)
    }
    fn preview_write(tool: String, arguments: String) -> Result<WritePreview, Error> {
        preview::preview_write(tool, arguments)
    }
    fn summarize_time(query: TimeTotalsQuery) -> Result<TimeTotals, Error> {
        summaries::summarize(query)
    }
    fn team_time_status(query: TeamStatusQuery) -> Result<TeamTimeStatus, Error> {
        team_status::status(query)
    }
}

#[cfg(feature = "host-interfaces")]
impl bindings::exports::harvest::tools::oauth::Guest for Component {
    fn authorization_url(
        state: String,
        redirect_uri: Option<String>,
        client_id: Option<String>,
    ) -> Result<String, Error> {
        oauth::authorization_url(state, redirect_uri, client_id)
    }
    fn exchange_code(
        code: String,
        redirect_uri: Option<String>,
        credentials: Option<ClientCredentials>,
    ) -> Result<TokenSet, Error> {
        oauth::exchange_code(code, redirect_uri, credentials)
    }
    fn refresh(
        refresh_token: String,
        credentials: Option<ClientCredentials>,
    ) -> Result<TokenSet, Error> {
        oauth::refresh(refresh_token, credentials)
    }
    fn parse_scope(scope: String) -> Vec<ScopedAccount> {
        oauth::parse_scope(&scope)
    }
}

#[cfg(feature = "host-interfaces")]
impl bindings::exports::harvest::tools::catalogue::Guest for Component {
    fn tools() -> Vec<Tool> {
        catalogue::tools()
    }
    fn call(name: String, arguments: String) -> Result<String, Error> {
        catalogue::call(name, arguments)
    }
}
