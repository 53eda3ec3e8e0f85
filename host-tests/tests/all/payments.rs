//! Invoice payment tools end to end: listing an invoice's payments and recording new ones,
//! checked against the fake's payments and the invoice's due amount and state.

use harvest_fake::{self as fake, AccountData, Invoice, InvoicePayment, InvoiceState, ids};
use serde_json::json;

use crate::support::{Session, pairs, query, wit};
use crate::values::{new_payment, payment_query};

fn with_account<R>(session: &Session, f: impl FnOnce(&AccountData) -> R) -> R {
    let state = session.fake.state();
    f(state.account(fake::ACCOUNT_ID).expect("main account"))
}

fn fake_invoice(session: &Session, id: u64) -> Invoice {
    with_account(session, |a| a.invoice(id).cloned()).expect("seeded invoice")
}

/// The fake's payments of one invoice, newest first.
fn fake_payments(session: &Session, invoice_id: u64) -> Vec<InvoicePayment> {
    let mut payments: Vec<InvoicePayment> = with_account(session, |a| {
        a.payments
            .iter()
            .filter(|p| p.invoice_id == invoice_id)
            .cloned()
            .collect()
    });
    payments.sort_by_key(|p| std::cmp::Reverse(p.id));
    payments
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// (id, amount, paid date, notes, recorded by) of a payment.
type PaymentSummary = (u64, f64, Option<String>, Option<String>, Option<String>);

fn wit_summary(p: &wit::InvoicePayment) -> PaymentSummary {
    (
        p.id,
        p.amount,
        p.paid_date.clone(),
        p.notes.clone(),
        p.recorded_by.clone(),
    )
}

fn fake_summary(p: &InvoicePayment) -> PaymentSummary {
    (
        p.id,
        p.amount,
        Some(p.paid_date.to_string()),
        p.notes.clone(),
        Some(p.recorded_by.clone()),
    )
}

fn assert_invalid<T: std::fmt::Debug>(result: Result<T, wit::Error>, field: &str) -> String {
    let Err(wit::Error::InvalidInput(e)) = result else {
        panic!("expected invalid input on {field}, got {result:?}")
    };
    assert_eq!(e.field, field, "{}", e.rule);
    e.rule
}

fn assert_rejected<T: std::fmt::Debug>(result: Result<T, wit::Error>) -> String {
    let Err(wit::Error::Rejected(message)) = result else {
        panic!("expected rejected, got {result:?}")
    };
    message
}

fn pay(session: &Session, payment: &wit::NewInvoicePayment) -> wit::InvoicePayment {
    session
        .call(|h, s| h.call_create_invoice_payment(s, payment))
        .expect("payment")
}

// ---------------------------------------------------------------- list-invoice-payments

#[test]
fn list_invoice_payments_returns_the_fakes_payments_of_the_invoice() {
    let session = Session::new();
    let expected = fake_payments(&session, ids::INVOICE_OVERDUE);
    assert!(!expected.is_empty(), "the overdue invoice is partly paid");
    let page = session
        .call(|h, s| h.call_list_invoice_payments(s, &payment_query(ids::INVOICE_OVERDUE)))
        .expect("payments");
    let got: Vec<PaymentSummary> = page.items.iter().map(wit_summary).collect();
    let want: Vec<PaymentSummary> = expected.iter().map(fake_summary).collect();
    assert_eq!(got, want);
    assert_eq!(page.total, Some(expected.len() as u64));
    assert!(!page.has_more && page.continuation.is_none());
    assert!(
        page.items
            .iter()
            .all(|p| p.payment_gateway.as_ref().is_none_or(|g| g.id.is_none())),
        "manual payments have no gateway"
    );

    let request = session.only_request();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        (
            "GET",
            format!("/v2/invoices/{}/payments", ids::INVOICE_OVERDUE).as_str()
        )
    );
    assert_eq!(query(&request), pairs(&[("per_page", "500")]));
}

#[test]
fn list_invoice_payments_sends_updated_since_and_the_limit() {
    let session = Session::new();
    let since = "2020-01-01T00:00:00Z";
    let expected: Vec<u64> = fake_payments(&session, ids::INVOICE_PAID)
        .iter()
        .map(|p| p.id)
        .collect();
    assert!(!expected.is_empty());
    let q = wit::InvoicePaymentQuery {
        updated_since: Some(since.into()),
        limit: Some(10),
        ..payment_query(ids::INVOICE_PAID)
    };
    let page = session
        .call(|h, s| h.call_list_invoice_payments(s, &q))
        .expect("payments");
    assert_eq!(
        page.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        expected
    );
    assert_eq!(
        query(&session.only_request()),
        pairs(&[("updated_since", since), ("per_page", "10")])
    );
}

#[test]
fn list_invoice_payments_of_an_unknown_invoice_is_not_found() {
    let session = Session::new();
    let result = session.call(|h, s| h.call_list_invoice_payments(s, &payment_query(8_888_888)));
    let Err(wit::Error::NotFound(message)) = result else {
        panic!("expected not found, got {result:?}")
    };
    assert!(
        message.contains("Not Found") && message.contains("/v2/invoices/8888888/payments"),
        "{message}"
    );
}

#[test]
fn list_invoice_payments_refuses_a_zero_invoice_id_before_any_request() {
    let session = Session::new();
    assert_invalid(
        session.call(|h, s| h.call_list_invoice_payments(s, &payment_query(0))),
        "invoice-id",
    );
    assert!(session.requests().is_empty());
}

// ---------------------------------------------------------------- create-invoice-payment

#[test]
fn a_partial_payment_is_posted_and_lowers_the_due_amount() {
    let session = Session::new();
    let before = fake_invoice(&session, ids::INVOICE_OPEN);
    assert_eq!(
        (before.state, before.due_amount),
        (InvoiceState::Open, before.amount),
        "the open invoice is unpaid"
    );
    let amount = round2(before.due_amount / 3.0);
    let payment = wit::NewInvoicePayment {
        paid_date: Some("2026-03-17".into()),
        notes: Some("Wire transfer".into()),
        send_thank_you: Some(false),
        ..new_payment(ids::INVOICE_OPEN, amount)
    };
    let created = pay(&session, &payment);

    let request = session.only_request();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        (
            "POST",
            format!("/v2/invoices/{}/payments", ids::INVOICE_OPEN).as_str()
        )
    );
    assert_eq!(
        request.json(),
        json!({"amount": amount, "paid_date": "2026-03-17", "notes": "Wire transfer", "send_thank_you": false})
    );
    let stored = fake_payments(&session, ids::INVOICE_OPEN);
    assert_eq!(stored.len(), 1);
    assert_eq!(wit_summary(&created), fake_summary(&stored[0]));
    assert_eq!(created.paid_date.as_deref(), Some("2026-03-17"));

    let after = fake_invoice(&session, ids::INVOICE_OPEN);
    assert_eq!(after.due_amount, round2(before.due_amount - amount));
    assert_eq!(after.state, InvoiceState::Open, "still open");
    let invoice = session
        .call(|h, s| h.call_get_invoice(s, ids::INVOICE_OPEN, None))
        .expect("invoice");
    assert_eq!(
        (invoice.due_amount, invoice.state.as_str()),
        (after.due_amount, "open")
    );
}

#[test]
fn paying_the_rest_of_an_invoice_marks_it_paid() {
    let session = Session::new();
    let before = fake_invoice(&session, ids::INVOICE_OVERDUE);
    assert!(
        before.state == InvoiceState::Open && before.due_amount < before.amount,
        "the overdue invoice is open and partly paid"
    );
    let payment = wit::NewInvoicePayment {
        paid_at: Some("2026-03-18T09:30:00Z".into()),
        ..new_payment(ids::INVOICE_OVERDUE, before.due_amount)
    };
    let created = pay(&session, &payment);
    assert_eq!(
        session.only_request().json(),
        json!({"amount": before.due_amount, "paid_at": "2026-03-18T09:30:00Z"})
    );
    assert_eq!(
        (created.amount, created.paid_date.as_deref()),
        (before.due_amount, Some("2026-03-18"))
    );

    let invoice = session
        .call(|h, s| h.call_get_invoice(s, ids::INVOICE_OVERDUE, None))
        .expect("invoice");
    let after = fake_invoice(&session, ids::INVOICE_OVERDUE);
    assert_eq!(after.state, InvoiceState::Paid);
    assert_eq!(
        (
            invoice.state.as_str(),
            invoice.due_amount,
            invoice.paid_date.as_deref()
        ),
        ("paid", 0.0, Some("2026-03-18"))
    );
    assert_eq!(
        invoice.paid_date,
        after.paid_date.map(|d| d.to_string()),
        "as the fake recorded it"
    );
}

#[test]
fn a_payment_with_both_paid_date_and_paid_at_is_refused_before_any_request() {
    let session = Session::new();
    let payment = wit::NewInvoicePayment {
        paid_date: Some("2026-03-18".into()),
        paid_at: Some("2026-03-18T09:30:00Z".into()),
        ..new_payment(ids::INVOICE_OPEN, 10.0)
    };
    let rule = assert_invalid(
        session.call(|h, s| h.call_create_invoice_payment(s, &payment)),
        "paid-date",
    );
    assert!(rule.contains("paid-at"), "{rule}");
    assert!(session.requests().is_empty());
    assert!(fake_payments(&session, ids::INVOICE_OPEN).is_empty());
}

#[test]
fn a_payment_of_zero_or_less_is_refused_before_any_request() {
    let session = Session::new();
    for amount in [0.0, -25.0, f64::NAN] {
        let payment = new_payment(ids::INVOICE_OPEN, amount);
        let rule = assert_invalid(
            session.call(|h, s| h.call_create_invoice_payment(s, &payment)),
            "amount",
        );
        assert!(rule.contains("above 0"), "{amount}: {rule}");
    }
    assert!(session.requests().is_empty());
}

/// The fake refuses payments on drafts (its own rule: Harvest documents none); what the test
/// checks is that a 422 comes back as `rejected` with the server's message, unchanged.
#[test]
fn a_refused_payment_comes_back_as_rejected_with_the_servers_message() {
    let session = Session::new();
    let payment = new_payment(ids::INVOICE_DRAFT, 10.0);
    let message = assert_rejected(session.call(|h, s| h.call_create_invoice_payment(s, &payment)));
    assert_eq!(message, "Payments can only be recorded on open invoices");
    assert_eq!(session.only_request().method, "POST");
    assert!(fake_payments(&session, ids::INVOICE_DRAFT).is_empty());
}

/// Harvest documents no ceiling on a payment, so the component sets none: an amount above the
/// amount due is sent as given, and the invoice ends paid with nothing due.
#[test]
fn a_payment_above_the_due_amount_is_sent_as_given_and_pays_the_invoice() {
    let session = Session::new();
    let before = fake_invoice(&session, ids::INVOICE_OVERDUE);
    let amount = round2(before.due_amount + 100.0);
    let payment = new_payment(ids::INVOICE_OVERDUE, amount);
    let recorded = session
        .call(|h, s| h.call_create_invoice_payment(s, &payment))
        .expect("recorded");
    assert_eq!(recorded.amount, amount);
    let after = fake_invoice(&session, ids::INVOICE_OVERDUE);
    assert_eq!((after.state, after.due_amount), (InvoiceState::Paid, 0.0));
}
