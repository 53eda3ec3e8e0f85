//! Invoice payments (docs/harvest-notes.md#payments). A payment that brings `due_amount` to 0
//! makes the invoice `paid` (inferred); deleting a payment of a paid invoice re-opens it
//! (inferred).
//!
//! The fake's choice, not Harvest's documented behaviour: payments are accepted on open invoices
//! only, because the docs say nothing of payments on drafts or closed invoices and the fake's
//! open/paid bookkeeping has no reading for them. Harvest documents no ceiling on a payment
//! either, so none is enforced: a payment above the amount due leaves `due_amount` at 0.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::app::App;
use super::auth::Caller;
use super::clock::{parse_date, parse_datetime, round2};
use super::error::{ApiError, Problems};
use super::model::{InvoicePayment, InvoiceState, PaymentGateway, Sequences};
use super::params::{Payload, path_id};

#[derive(Debug, Default, Deserialize)]
pub struct PaymentInput {
    amount: Option<f64>,
    paid_at: Option<String>,
    paid_date: Option<String>,
    notes: Option<String>,
}

/// `POST /v2/invoices/{id}/payments` → 201 with the payment.
pub async fn create(
    caller: Caller,
    State(app): State<App>,
    Path(id): Path<String>,
    Payload(input): Payload<PaymentInput>,
) -> Result<(StatusCode, Json<InvoicePayment>), ApiError> {
    let id = path_id(&id)?;
    caller.require_manager()?;
    let mut st = app.lock();
    let now = st.clock.now();
    let account = caller.account_mut(&mut st)?;
    let invoice = account.invoice(id).ok_or(ApiError::NotFound)?;
    let mut problems = Problems::default();
    match input.amount {
        None => problems.add("Amount can't be blank"),
        Some(a) if a <= 0.0 => problems.add("Amount must be greater than 0"),
        _ => {}
    }
    if input.paid_at.is_some() && input.paid_date.is_some() {
        problems.add("Send either paid_at or paid_date, not both");
    }
    let paid_at = input.paid_at.as_deref().map(parse_datetime);
    if let Some(None) = paid_at {
        problems.add("Paid at is not a valid date-time");
    }
    let paid_date = input.paid_date.as_deref().map(parse_date);
    if let Some(None) = paid_date {
        problems.add("Paid date is not a valid date");
    }
    // The fake's choice (see the module doc), worded as the fake's.
    if invoice.state != InvoiceState::Open {
        problems.add("Payments can only be recorded on open invoices");
    }
    problems.check()?;
    let paid_at = match (paid_at.flatten(), paid_date.flatten()) {
        (Some(at), _) => at,
        (None, Some(date)) => super::clock::at(date, 0, 0),
        (None, None) => now,
    };
    let recorder = account
        .user(caller.user_id)
        .map(|u| (u.name(), u.email.clone()))
        .unwrap_or_default();
    let payment = InvoicePayment {
        id: Sequences::next(&mut account.seq.payment),
        amount: round2(input.amount.unwrap_or(0.0)),
        paid_at,
        paid_date: paid_at.date_naive(),
        recorded_by: recorder.0,
        recorded_by_email: recorder.1,
        notes: input.notes,
        transaction_id: None,
        payment_gateway: PaymentGateway {
            id: None,
            name: None,
        },
        created_at: now,
        updated_at: now,
        invoice_id: id,
    };
    account.payments.push(payment.clone());
    settle(account, id, now);
    Ok((StatusCode::CREATED, Json(payment)))
}

/// Recomputes `due_amount` and moves the invoice between `open` and `paid` to match it.
pub fn settle(
    account: &mut super::model::AccountData,
    invoice_id: u64,
    now: chrono::DateTime<chrono::Utc>,
) {
    let paid = account.paid_total(invoice_id);
    let last = account
        .payments
        .iter()
        .filter(|p| p.invoice_id == invoice_id)
        .max_by_key(|p| (p.paid_at, p.id));
    let last = last.map(|p| (p.paid_at, p.paid_date));
    let Some(invoice) = account.invoices.iter_mut().find(|i| i.id == invoice_id) else {
        return;
    };
    invoice.recompute(paid);
    match (invoice.state, invoice.due_amount <= 0.0, last) {
        (InvoiceState::Open, true, Some((at, date))) => {
            invoice.state = InvoiceState::Paid;
            invoice.paid_at = Some(at);
            invoice.paid_date = Some(date);
        }
        (InvoiceState::Paid, false, _) => {
            invoice.state = InvoiceState::Open;
            invoice.paid_at = None;
            invoice.paid_date = None;
        }
        _ => {}
    }
    invoice.updated_at = now;
}

/// `DELETE /v2/invoices/{id}/payments/{payment_id}` → 200.
pub async fn remove(
    caller: Caller,
    State(app): State<App>,
    Path((id, payment_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (id, payment_id) = (path_id(&id)?, path_id(&payment_id)?);
    caller.require_manager()?;
    let mut st = app.lock();
    let now = st.clock.now();
    let account = caller.account_mut(&mut st)?;
    let before = account.payments.len();
    account
        .payments
        .retain(|p| !(p.id == payment_id && p.invoice_id == id));
    if account.payments.len() == before {
        return Err(ApiError::NotFound);
    }
    settle(account, id, now);
    Ok(StatusCode::OK)
}
