//! Every response example of Harvest's OpenAPI description (`host-tests/vendor/`) for the
//! resources the tools return, decoded through the component's own types: the WIT records
//! (with their generated decoders), the list envelope and the company settings. An example the
//! component could not read would be a tool that fails on a real Harvest answer.

use std::path::Path;

use serde_json::Value;

use crate::bindings::wit;
use crate::company::Settings;
use crate::invoices::WireInvoice;
use crate::json::FromJson;
use crate::paging::Listed;

/// Decodes a JSON value as `T`, naming what failed.
type Decoder = fn(&Value) -> Result<(), String>;

/// `value` read as a `T` by the decoder Harvest's answers go through.
fn decode<T: FromJson>(value: &Value) -> Result<T, String> {
    crate::json::decode(value.to_string().as_bytes())
}

fn one<T: FromJson>(value: &Value) -> Result<(), String> {
    decode::<T>(value).map(drop)
}

fn list<T: FromJson>(value: &Value) -> Result<(), String> {
    let page: Listed<T> = decode(value)?;
    if page.items.is_empty() {
        return Err("the example's list is empty".into());
    }
    Ok(())
}

/// (method, OpenAPI path, how the component reads its answer). Every operation listed must have
/// an example, and every example of these paths is decoded.
const OPERATIONS: &[(&str, &str, Decoder)] = &[
    ("get", "/time_entries", list::<wit::TimeEntry>),
    ("post", "/time_entries", one::<wit::TimeEntry>),
    ("get", "/time_entries/{timeEntryId}", one::<wit::TimeEntry>),
    (
        "patch",
        "/time_entries/{timeEntryId}",
        one::<wit::TimeEntry>,
    ),
    (
        "patch",
        "/time_entries/{timeEntryId}/stop",
        one::<wit::TimeEntry>,
    ),
    (
        "patch",
        "/time_entries/{timeEntryId}/restart",
        one::<wit::TimeEntry>,
    ),
    ("get", "/invoices", list::<WireInvoice>),
    ("post", "/invoices", one::<WireInvoice>),
    ("get", "/invoices/{invoiceId}", one::<WireInvoice>),
    ("patch", "/invoices/{invoiceId}", one::<WireInvoice>),
    (
        "get",
        "/invoices/{invoiceId}/payments",
        list::<wit::InvoicePayment>,
    ),
    (
        "post",
        "/invoices/{invoiceId}/payments",
        one::<wit::InvoicePayment>,
    ),
    ("get", "/reports/time/clients", list::<wit::ClientTimeRow>),
    ("get", "/reports/time/projects", list::<wit::ProjectTimeRow>),
    ("get", "/reports/time/tasks", list::<wit::TaskTimeRow>),
    ("get", "/reports/time/team", list::<wit::TeamTimeRow>),
    ("get", "/reports/uninvoiced", list::<wit::UninvoicedRow>),
    ("get", "/company", one::<Settings>),
    ("get", "/users", list::<wit::User>),
    ("get", "/users/me", one::<wit::User>),
    (
        "get",
        "/users/me/project_assignments",
        list::<wit::ProjectAssignment>,
    ),
    ("get", "/users/{userId}", one::<wit::User>),
    ("get", "/projects", list::<wit::Project>),
    ("get", "/projects/{projectId}", one::<wit::Project>),
    (
        "get",
        "/projects/{projectId}/task_assignments",
        list::<wit::TaskAssignment>,
    ),
    ("get", "/tasks", list::<wit::Task>),
    ("get", "/clients", list::<wit::Client>),
    ("get", "/clients/{clientId}", one::<wit::Client>),
    ("get", "/expenses", list::<wit::Expense>),
    ("post", "/expenses", one::<wit::Expense>),
    ("get", "/expenses/{expenseId}", one::<wit::Expense>),
    ("patch", "/expenses/{expenseId}", one::<wit::Expense>),
];

/// The vendored OpenAPI file, as JSON.
fn openapi() -> Result<Value, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("host-tests/vendor/harvest-openapi.yaml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_norway::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The JSON examples of an operation's 2xx answers (`example`, or each of `examples`).
fn examples(operation: &Value) -> Vec<Value> {
    let mut found = Vec::new();
    let Some(responses) = operation["responses"].as_object() else {
        return found;
    };
    for (status, response) in responses {
        if !status.starts_with('2') {
            continue;
        }
        let json = &response["content"]["application/json"];
        if let Some(example) = json.get("example") {
            found.push(example.clone());
        }
        if let Some(named) = json.get("examples").and_then(Value::as_object) {
            found.extend(named.values().filter_map(|e| e.get("value").cloned()));
        }
    }
    found
}

#[test]
fn every_response_example_decodes_through_the_components_types() -> Result<(), String> {
    let doc = openapi()?;
    let mut failures = Vec::new();
    let mut decoded = 0;
    for (method, path, decode) in OPERATIONS {
        let operation = &doc["paths"][*path][*method];
        let examples = examples(operation);
        if examples.is_empty() {
            failures.push(format!("{method} {path}: no example in the file"));
        }
        for example in &examples {
            match decode(example) {
                Ok(()) => decoded += 1,
                Err(e) => failures.push(format!("{} {path}: {e}", method.to_uppercase())),
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(decoded >= OPERATIONS.len());
    Ok(())
}

/// The stop and restart examples are what timers return: a stopped entry with its hours, and
/// a running one (a new entry in the example's timestamp account).
#[test]
fn the_timer_examples_read_as_stopped_and_running_entries() -> Result<(), String> {
    let doc = openapi()?;
    let entry = |path: &str| -> Result<wit::TimeEntry, String> {
        let example = examples(&doc["paths"][path]["patch"])
            .pop()
            .ok_or_else(|| format!("{path}: no example"))?;
        decode(&example).map_err(|e| format!("{path}: {e}"))
    };
    let stopped = entry("/time_entries/{timeEntryId}/stop")?;
    assert!(!stopped.is_running && stopped.timer_started_at.is_none());
    assert!(stopped.ended_time.is_some());
    let restarted = entry("/time_entries/{timeEntryId}/restart")?;
    assert!(restarted.is_running && restarted.ended_time.is_none());
    assert_ne!(restarted.id, stopped.id);
    Ok(())
}

/// The uninvoiced report's example carries expenses next to hours, and expenses their costs.
#[test]
fn report_and_expense_examples_keep_their_figures() -> Result<(), String> {
    let doc = openapi()?;
    let first = |path: &str| -> Result<Value, String> {
        examples(&doc["paths"][path]["get"])
            .pop()
            .ok_or_else(|| format!("{path}: no example"))
    };
    let report: Listed<wit::UninvoicedRow> = decode(&first("/reports/uninvoiced")?)?;
    assert!(report.items.iter().all(|r| !r.currency.is_empty()));
    let expenses: Listed<wit::Expense> = decode(&first("/expenses")?)?;
    let lunch = expenses.items.first().ok_or("no expense")?;
    assert_eq!((lunch.total_cost, lunch.units), (33.35, Some(1.0)));
    assert_eq!(
        lunch.invoice.as_ref().map(|i| i.number.as_str()),
        Some("1001")
    );
    assert!(
        lunch
            .receipt
            .as_ref()
            .is_some_and(|r| r.file_size == Some(39410))
    );
    Ok(())
}
