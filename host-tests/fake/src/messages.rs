//! Invoice messages (docs/harvest-notes.md#invoices): the invoice state machine and real sends.
//!
//! ```text
//! draft --send (or a real message)--> open --close--> closed --re-open--> open --draft--> draft
//! ```
//! Any other event for the current state is a 422.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::app::App;
use super::auth::Caller;
use super::error::{ApiError, Problems};
use super::model::{Invoice, InvoiceMessage, InvoiceState, Recipient, Sequences};
use super::params::{Payload, path_id};

#[derive(Debug, Default, Deserialize)]
pub struct MessageInput {
    event_type: Option<String>,
    recipients: Option<Vec<Recipient>>,
    subject: Option<String>,
    body: Option<String>,
    attach_pdf: Option<bool>,
    send_me_a_copy: Option<bool>,
    thank_you: Option<bool>,
    include_link_to_client_invoice: Option<bool>,
}

/// The state an event moves the invoice to, or the 422 message.
fn transition(invoice: &Invoice, event: &str) -> Result<InvoiceState, String> {
    use InvoiceState::*;
    match (event, invoice.state) {
        ("send", Draft) => Ok(Open),
        ("close", Open) => Ok(Closed),
        ("re-open", Closed) => Ok(Open),
        ("draft", Open) => Ok(Draft),
        ("send" | "close" | "re-open" | "draft", state) => {
            let state = serde_json::to_value(state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            Err(format!(
                "Event type {event} isn't allowed for an invoice that is {state}"
            ))
        }
        _ => Err("Event type is not included in the list".into()),
    }
}

/// `POST /v2/invoices/{id}/messages` → 201 with the message.
pub async fn create(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
    Payload(input): Payload<MessageInput>,
) -> Result<(StatusCode, Json<InvoiceMessage>), ApiError> {
    let id = path_id(&id)?;
    caller.require_manager()?;
    let mut st = app.lock();
    let now = st.clock.now();
    let account = caller.account_mut(&mut st)?;
    let invoice = account.invoice(id).ok_or(ApiError::NotFound)?;
    let sender = account
        .user(caller.user_id)
        .map(|u| (u.name(), u.email.clone()))
        .unwrap_or_default();
    let recipients = input.recipients.unwrap_or_default();
    let next_state = match input.event_type.as_deref() {
        Some(event) => transition(invoice, event).map_err(|m| ApiError::invalid(&[m]))?,
        None => {
            // A real message needs someone to send it to (docs/harvest-notes.md#invoices).
            let mut problems = Problems::default();
            if recipients.is_empty() && input.send_me_a_copy != Some(true) {
                problems.add("Recipients can't be blank");
            }
            if recipients
                .iter()
                .any(|r| r.email.as_deref().is_none_or(str::is_empty))
            {
                problems.add("Recipients email can't be blank");
            }
            problems.check()?;
            // Sending a draft opens it, as in the web UI (docs/harvest-notes.md#invoices,
            // inferred).
            if invoice.state == InvoiceState::Draft {
                InvoiceState::Open
            } else {
                invoice.state
            }
        }
    };
    let event_only = input.event_type.is_some();
    let message = InvoiceMessage {
        id: Sequences::next(&mut account.seq.message),
        sent_by: sender.0.clone(),
        sent_by_email: sender.1.clone(),
        sent_from: sender.0,
        sent_from_email: sender.1,
        recipients: if event_only { Vec::new() } else { recipients },
        subject: if event_only { None } else { input.subject },
        body: if event_only { None } else { input.body },
        include_link_to_client_invoice: input.include_link_to_client_invoice.unwrap_or(false),
        attach_pdf: input.attach_pdf.unwrap_or(false),
        send_me_a_copy: input.send_me_a_copy.unwrap_or(false),
        thank_you: input.thank_you.unwrap_or(false),
        event_type: input.event_type,
        reminder: false,
        send_reminder_on: None,
        created_at: now,
        updated_at: now,
        invoice_id: id,
    };
    let invoice = account
        .invoices
        .iter_mut()
        .find(|i| i.id == id)
        .ok_or(ApiError::NotFound)?;
    match (invoice.state, next_state) {
        (InvoiceState::Draft, InvoiceState::Open) => invoice.sent_at = Some(now),
        (InvoiceState::Open, InvoiceState::Closed) => invoice.closed_at = Some(now),
        (InvoiceState::Closed, InvoiceState::Open) => invoice.closed_at = None,
        (InvoiceState::Open, InvoiceState::Draft) => invoice.sent_at = None,
        _ => {}
    }
    if input.include_link_to_client_invoice == Some(false) {
        // Deprecated flag: `false` clears the invoice's payment options
        // (docs/harvest-notes.md#invoices).
        invoice.payment_options.clear();
    }
    invoice.state = next_state;
    invoice.updated_at = now;
    account.messages.push(message.clone());
    Ok((StatusCode::CREATED, Json(message)))
}
