//! The `preview-write` tool: what a write tool would send, after its checks and its reads, with
//! nothing written. Each write tool does its work in a `plan_*` function that returns the
//! account's client and the request(s) to send; the tool sends them, the preview shows them, so
//! both take one path.
//!
//! The arguments are the write tool's, as the catalogue takes them: checked against the same
//! input schema (generated into both worlds by `build.rs`) and decoded the same way.

use crate::bindings::wit::{DuplicateEntry, Error, PlannedRequest, WritePreview};
use crate::http::{Client, Request};
use crate::json::Json;
use crate::schema::{self, Arguments};
use crate::time_entries::{self, TimerAction};
use crate::{invoices, payments};

include!(concat!(env!("OUT_DIR"), "/write_tools.rs"));

/// Where the preview names an argument of the write tool.
const ARGUMENTS: &str = "arguments";

pub fn preview_write(tool: String, arguments: String) -> Result<WritePreview, Error> {
    let tool = tool.trim().replace('-', "_");
    let schema = input_schema(&tool)?;
    let arguments = Arguments::checked(&arguments, &schema, ARGUMENTS, ARGUMENTS)?;
    let plan = plan(&tool, &arguments).map_err(within_arguments)?;
    let account_id = plan
        .client
        .account_id()
        .ok_or_else(|| Error::internal("no Harvest account was chosen"))?;
    let sends: Vec<String> = plan
        .writes
        .iter()
        .map(|w| format!("{} {}", w.method, w.path))
        .collect();
    let summary = match &plan.duplicate {
        Some(duplicate) => format!(
            "Would be refused as a duplicate of time entry {} and send nothing; with \
             allow_duplicate: true it would {} in account {account_id}: {}",
            duplicate.existing_id,
            lowercase_first(&plan.summary),
            sends.join(", then ")
        ),
        None => format!(
            "{} in account {account_id}: {}",
            plan.summary,
            sends.join(", then ")
        ),
    };
    Ok(WritePreview {
        tool,
        account_id,
        writes: plan.writes,
        summary,
        duplicate: plan.duplicate,
    })
}

/// A write tool's call, planned: the client it would use and the writes it would send.
struct Plan {
    client: Client,
    writes: Vec<PlannedRequest>,
    /// What the call does, e.g. "Stop the timer of time entry 636709355".
    summary: String,
    duplicate: Option<DuplicateEntry>,
}

impl Plan {
    fn new(client: Client, writes: Vec<PlannedRequest>, summary: String) -> Plan {
        Plan {
            client,
            writes,
            summary,
            duplicate: None,
        }
    }
}

/// The request as the preview shows it: no headers, so no credentials.
fn planned<T>(request: &Request<T>) -> PlannedRequest {
    PlannedRequest {
        method: request.method.as_str().to_string(),
        path: request.path_and_query(),
        body: request.body_text(),
    }
}

fn plan(tool: &str, arguments: &Arguments) -> Result<Plan, Error> {
    let id = |key: &str| arguments.take::<u64>(key);
    let account = || arguments.take::<Option<u64>>("account_id");
    match tool {
        "create_time_entry" => {
            let entry: crate::bindings::wit::NewTimeEntry = arguments.spread()?;
            let summary = format!(
                "Create a time entry on project {}, task {}",
                entry.project_id, entry.task_id
            );
            let plan = time_entries::plan_create(entry)?;
            Ok(Plan {
                duplicate: plan.duplicate,
                ..Plan::new(plan.client, vec![planned(&plan.request)], summary)
            })
        }
        "update_time_entry" => {
            let entry_id = id("time_entry_id")?;
            let (client, request) = time_entries::plan_update(entry_id, arguments.spread()?)?;
            let summary = format!("Change time entry {entry_id}");
            Ok(Plan::new(client, vec![planned(&request)], summary))
        }
        "delete_time_entry" => {
            let entry_id = id("time_entry_id")?;
            let (client, request) = time_entries::plan_delete(entry_id, account()?)?;
            let summary = format!("Delete time entry {entry_id} (this cannot be undone)");
            Ok(Plan::new(client, vec![planned(&request)], summary))
        }
        "stop_timer" | "restart_timer" => {
            let entry_id = id("time_entry_id")?;
            let (action, verb) = match tool {
                "stop_timer" => (TimerAction::Stop, "Stop"),
                _ => (TimerAction::Restart, "Restart"),
            };
            let (client, request) = time_entries::plan_timer(entry_id, action, account()?)?;
            let summary = format!("{verb} the timer of time entry {entry_id}");
            Ok(Plan::new(client, vec![planned(&request)], summary))
        }
        "create_invoice" => {
            let invoice: crate::bindings::wit::NewInvoice = arguments.spread()?;
            let summary = format!("Create a draft invoice for client {}", invoice.client_id);
            let (client, request) = invoices::plan_create(invoice)?;
            Ok(Plan::new(client, vec![planned(&request)], summary))
        }
        "update_invoice" => {
            let invoice_id = id("invoice_id")?;
            let (client, plan) = invoices::plan_update(invoice_id, arguments.spread()?)?;
            let mut writes: Vec<PlannedRequest> = plan.patch.iter().map(planned).collect();
            writes.extend(plan.event.iter().map(planned));
            let summary = match (&plan.patch, &plan.event) {
                (Some(_), Some(_)) => {
                    format!("Change invoice {invoice_id}, then its state, then read it back")
                }
                (None, Some(_)) => {
                    format!("Change the state of invoice {invoice_id}, then read it back")
                }
                _ => format!("Change invoice {invoice_id}"),
            };
            Ok(Plan::new(client, writes, summary))
        }
        "create_invoice_payment" => {
            let payment: crate::bindings::wit::NewInvoicePayment = arguments.spread()?;
            let summary = format!(
                "Record a payment of {} against invoice {}",
                payment.amount, payment.invoice_id
            );
            let (client, request) = payments::plan_create(payment)?;
            Ok(Plan::new(client, vec![planned(&request)], summary))
        }
        _ => Err(Error::internal(format!(
            "{tool} is a write tool that preview-write does not know"
        ))),
    }
}

/// The write tool's input schema; a read tool or an unknown name is refused, naming `tool`.
fn input_schema(tool: &str) -> Result<Json<'static>, Error> {
    let writes: Vec<&str> = WRITE_TOOLS.iter().map(|(name, _)| *name).collect();
    if let Some((_, text)) = WRITE_TOOLS.iter().find(|(name, _)| *name == tool) {
        return crate::json::parse(text.as_bytes())
            .map_err(|e| Error::internal(format!("the schema of {tool} is not JSON: {e}")));
    }
    let rule = if READ_TOOLS.contains(&tool) {
        format!(
            "{tool:?} is a read tool, which changes nothing: call it directly. The write tools \
             are {}",
            writes.join(", ")
        )
    } else {
        let hint = match schema::nearest(tool, &writes) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("the write tools are {}", writes.join(", ")),
        };
        format!("no write tool is named {tool:?}; {hint}")
    };
    Err(Error::invalid("tool", rule))
}

/// The write tool's checks name its own fields (`spent-date`); here they are fields of
/// `arguments`, spelled as the arguments spell them (`arguments.spent_date`).
fn within_arguments(error: Error) -> Error {
    match error {
        Error::InvalidInput(mut invalid) if !invalid.field.starts_with(ARGUMENTS) => {
            invalid.field = format!("{ARGUMENTS}.{}", invalid.field.replace('-', "_"));
            Error::InvalidInput(invalid)
        }
        other => other,
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_lowercase().chain(chars).collect()
    })
}
