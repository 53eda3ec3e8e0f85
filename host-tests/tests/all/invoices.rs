//! Invoice tools end to end: listing, reading, creating (free-form and from tracked time) and
//! updating (fields, lines and state events) against the fake's live invoices.

use chrono::{Days, NaiveDate};
use harvest_fake::{self as fake, AccountData, Invoice, InvoiceState, RecordedRequest, ids};
use serde_json::json;

use crate::support::{ANCHOR, Session, call_at, method_paths, pairs, query, utc, wit};
use crate::values::{invoice_changes, invoice_query, line, line_change, new_invoice, time_import};

/// Runs `f` on the main account's live data; the lock is released before returning.
fn with_account<R>(session: &Session, f: impl FnOnce(&AccountData) -> R) -> R {
    let state = session.fake.state();
    f(state.account(fake::ACCOUNT_ID).expect("main account"))
}

fn fake_invoice(session: &Session, id: u64) -> Invoice {
    with_account(session, |a| a.invoice(id).cloned()).expect("seeded invoice")
}

fn state_name(state: InvoiceState) -> &'static str {
    match state {
        InvoiceState::Draft => "draft",
        InvoiceState::Open => "open",
        InvoiceState::Paid => "paid",
        InvoiceState::Closed => "closed",
    }
}

/// A line's comparable fields: (id, project id, kind, description, quantity, unit price,
/// amount, taxed, taxed2).
type LineSummary = (u64, Option<u64>, String, String, f64, f64, f64, bool, bool);

fn wit_lines(invoice: &wit::Invoice) -> Vec<LineSummary> {
    invoice
        .line_items
        .iter()
        .map(|l| {
            (
                l.id,
                l.project.as_ref().map(|p| p.id),
                l.kind.clone(),
                l.description.clone().unwrap_or_default(),
                l.quantity,
                l.unit_price,
                l.amount,
                l.taxed,
                l.taxed2,
            )
        })
        .collect()
}

fn fake_lines(invoice: &Invoice) -> Vec<LineSummary> {
    invoice
        .line_items
        .iter()
        .map(|l| {
            (
                l.id,
                l.project.as_ref().map(|p| p.id),
                l.kind.clone(),
                l.description.clone(),
                l.quantity,
                l.unit_price,
                l.amount,
                l.taxed,
                l.taxed2,
            )
        })
        .collect()
}

/// Asserts the tool's invoice equals the fake's record: header, money, state and every line.
fn assert_same_invoice(got: &wit::Invoice, expected: &Invoice) {
    assert_eq!(
        (
            got.id,
            got.client.id,
            got.number.as_str(),
            got.currency.as_str()
        ),
        (
            expected.id,
            expected.client.id,
            expected.number.as_str(),
            expected.currency.as_str()
        )
    );
    assert_eq!(
        (got.amount, got.due_amount, got.state.as_str()),
        (
            expected.amount,
            expected.due_amount,
            state_name(expected.state)
        )
    );
    assert_eq!(
        (got.issue_date.as_str(), got.due_date.as_deref()),
        (
            expected.issue_date.to_string().as_str(),
            Some(expected.due_date.to_string().as_str())
        )
    );
    assert_eq!(
        (got.subject.as_deref(), got.payment_term.as_deref()),
        (
            expected.subject.as_deref(),
            Some(expected.payment_term.as_str())
        )
    );
    assert_eq!(wit_lines(got), fake_lines(expected));
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

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

/// The requests since the last `clear` but the `GET /v2/users/me` every invoice tool sends after
/// Harvest's answer, to tell the user's today (tested in "overdue and totals" below).
fn invoice_requests(session: &Session) -> Vec<RecordedRequest> {
    let mut requests = session.requests();
    requests.retain(|r| r.path != "/v2/users/me");
    requests
}

fn only_invoice_request(session: &Session) -> RecordedRequest {
    let mut requests = invoice_requests(session);
    assert_eq!(requests.len(), 1, "expected one request, got {requests:#?}");
    requests.remove(0)
}

fn ids_of(page: &wit::InvoicePage) -> Vec<u64> {
    page.items.iter().map(|i| i.id).collect()
}

/// Invoices of the fake matching `keep`, newest issue date first (Harvest's order).
fn matching(session: &Session, keep: impl Fn(&Invoice) -> bool) -> Vec<u64> {
    let mut invoices: Vec<(NaiveDate, u64)> = with_account(session, |a| {
        a.invoices
            .iter()
            .filter(|i| keep(i))
            .map(|i| (i.issue_date, i.id))
            .collect()
    });
    invoices.sort_by(|a, b| b.cmp(a));
    invoices.into_iter().map(|(_, id)| id).collect()
}

// ---------------------------------------------------------------- list-invoices

#[test]
fn list_invoices_sends_client_date_and_update_filters_and_returns_the_matching_invoices() {
    let session = Session::new();
    let from = ANCHOR - Days::new(60);
    let since = "2020-01-01T00:00:00Z";
    let expected = matching(&session, |i| {
        i.client.id == ids::GLOBEX && i.issue_date >= from && i.issue_date <= ANCHOR
    });
    assert!(expected.len() >= 2, "the seed has several such invoices");
    let q = wit::InvoiceQuery {
        client_id: Some(ids::GLOBEX),
        from: Some(from.to_string()),
        to: Some(ANCHOR.to_string()),
        updated_since: Some(since.into()),
        ..invoice_query()
    };
    let page = session
        .call(|h, s| h.call_list_invoices(s, &q))
        .expect("invoices");
    assert_eq!(ids_of(&page), expected, "newest issue date first");
    assert_eq!(page.total, Some(expected.len() as u64));
    assert!(!page.has_more && page.continuation.is_none());
    assert!(page.items.iter().all(|i| !i.line_items.is_empty()));

    let request = only_invoice_request(&session);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/v2/invoices")
    );
    assert_eq!(
        query(&request),
        pairs(&[
            ("client_id", &ids::GLOBEX.to_string()),
            ("from", &from.to_string()),
            ("to", &ANCHOR.to_string()),
            ("updated_since", since),
            ("per_page", "500"),
        ])
    );
}

#[test]
fn list_invoices_filters_by_project_and_state() {
    let session = Session::new();
    let expected = matching(&session, |i| {
        i.state == InvoiceState::Paid
            && i.line_items.iter().any(|l| {
                l.project
                    .as_ref()
                    .is_some_and(|p| p.id == ids::WEBSITE_REDESIGN)
            })
    });
    assert!(
        !expected.is_empty(),
        "a paid Website Redesign invoice is seeded"
    );
    let q = wit::InvoiceQuery {
        project_id: Some(ids::WEBSITE_REDESIGN),
        state: Some(wit::InvoiceState::Paid),
        limit: Some(50),
        ..invoice_query()
    };
    let page = session
        .call(|h, s| h.call_list_invoices(s, &q))
        .expect("invoices");
    assert_eq!(ids_of(&page), expected);
    assert!(page.items.iter().all(|i| i.state == "paid"));
    assert_eq!(
        query(&only_invoice_request(&session)),
        pairs(&[
            ("project_id", &ids::WEBSITE_REDESIGN.to_string()),
            ("state", "paid"),
            ("per_page", "50"),
        ])
    );
}

#[test]
fn list_invoices_hands_back_continuations_until_every_invoice_is_seen_once() {
    let session = Session::new();
    let expected = matching(&session, |_| true);
    assert!(expected.len() > 4, "the seed has several invoices");
    let mut seen = Vec::new();
    let mut continuation = None;
    let mut calls = 0;
    loop {
        let q = wit::InvoiceQuery {
            limit: Some(2),
            continuation: continuation.take(),
            ..invoice_query()
        };
        let page = session
            .call(|h, s| h.call_list_invoices(s, &q))
            .expect("page");
        calls += 1;
        assert!(page.items.len() <= 2);
        assert_eq!(page.total, Some(expected.len() as u64));
        assert_eq!(page.has_more, page.continuation.is_some());
        seen.extend(ids_of(&page));
        match page.continuation {
            Some(next) => continuation = Some(next),
            None => break,
        }
        assert!(calls <= expected.len(), "the continuations never end");
    }
    assert_eq!(seen, expected, "every invoice exactly once, in order");
    let requests = invoice_requests(&session);
    assert_eq!(
        query(&requests[0]),
        pairs(&[("per_page", "2")]),
        "the first page asks for the limit"
    );
    assert!(
        requests[1..]
            .iter()
            .all(|r| r.path == "/v2/invoices" && r.query_param("page").is_some()),
        "later pages follow Harvest's page links: {requests:#?}"
    );
}

#[test]
fn list_invoices_continuations_resume_inside_a_page_when_the_limit_shrinks() {
    let session = Session::new();
    let expected = matching(&session, |_| true);
    let mut seen = Vec::new();
    let mut continuation = None;
    // A first page of 4, then one at a time: later calls start inside Harvest's pages of 4.
    for limit in std::iter::once(4).chain(std::iter::repeat_n(1, expected.len())) {
        let q = wit::InvoiceQuery {
            limit: Some(limit),
            continuation: continuation.take(),
            ..invoice_query()
        };
        let page = session
            .call(|h, s| h.call_list_invoices(s, &q))
            .expect("page");
        assert!(page.items.len() <= limit as usize);
        seen.extend(ids_of(&page));
        continuation = page.continuation;
        if continuation.is_none() {
            break;
        }
    }
    assert!(continuation.is_none(), "the list ends");
    assert_eq!(seen, expected, "every invoice exactly once, in order");
}

#[test]
fn list_invoices_refuses_malformed_dates_before_any_request() {
    let session = Session::new();
    let cases = [
        (
            wit::InvoiceQuery {
                from: Some("2026-3-1".into()),
                ..invoice_query()
            },
            "from",
            Some("YYYY-MM-DD"),
        ),
        (
            wit::InvoiceQuery {
                to: Some("2026-02-30".into()),
                ..invoice_query()
            },
            "to",
            None,
        ),
    ];
    for (q, field, explained) in cases {
        let rule = assert_invalid(session.call(|h, s| h.call_list_invoices(s, &q)), field);
        if let Some(text) = explained {
            assert!(rule.contains(text), "{rule}");
        }
    }
    assert!(session.requests().is_empty());
}

#[test]
fn list_invoices_refuses_from_after_to_before_any_request() {
    let session = Session::new();
    let q = wit::InvoiceQuery {
        from: Some("2026-03-18".into()),
        to: Some("2026-03-01".into()),
        ..invoice_query()
    };
    let rule = assert_invalid(session.call(|h, s| h.call_list_invoices(s, &q)), "to");
    assert!(rule.contains("2026-03-18"), "{rule}");
    assert!(session.requests().is_empty());
}

// ---------------------------------------------------------------- get-invoice

#[test]
fn get_invoice_returns_the_fakes_lines_and_amounts() {
    let session = Session::new();
    let expected = fake_invoice(&session, ids::INVOICE_OVERDUE);
    assert!(
        expected.due_amount < expected.amount && !expected.line_items.is_empty(),
        "the overdue invoice is partly paid"
    );
    let invoice = session
        .call(|h, s| h.call_get_invoice(s, ids::INVOICE_OVERDUE, None))
        .expect("invoice");
    assert_same_invoice(&invoice, &expected);
    assert_eq!(
        (invoice.period_start, invoice.period_end),
        (
            expected.period_start.map(|d| d.to_string()),
            expected.period_end.map(|d| d.to_string())
        )
    );
    let request = only_invoice_request(&session);
    assert_eq!(
        (
            request.method.as_str(),
            request.path.as_str(),
            request.query.as_deref()
        ),
        (
            "GET",
            format!("/v2/invoices/{}", ids::INVOICE_OVERDUE).as_str(),
            None
        )
    );
}

#[test]
fn get_invoice_of_an_unknown_id_is_not_found_with_harvests_message() {
    let session = Session::new();
    let result = session.call(|h, s| h.call_get_invoice(s, 9_999_999, None));
    let Err(wit::Error::NotFound(message)) = result else {
        panic!("expected not found, got {result:?}")
    };
    assert!(
        message.contains("Not Found") && message.contains("/v2/invoices/9999999"),
        "{message}"
    );
    assert_eq!(only_invoice_request(&session).path, "/v2/invoices/9999999");
}

// ---------------------------------------------------------------- create-invoice

#[test]
fn create_invoice_posts_free_form_lines_and_returns_the_amounts_harvest_computed() {
    let session = Session::new();
    let invoice = wit::NewInvoice {
        subject: Some("March extras".into()),
        issue_date: Some("2026-03-18".into()),
        payment_term: Some(wit::PaymentTerm::Net30),
        tax: Some(10.0),
        line_items: vec![
            wit::NewLineItem {
                project_id: Some(ids::WEBSITE_REDESIGN),
                description: Some("Design review".into()),
                quantity: Some(2.5),
                taxed: Some(true),
                ..line("Service", 100.0)
            },
            line("Product", 50.0),
        ],
        ..new_invoice(ids::GLOBEX)
    };
    let created = session
        .call(|h, s| h.call_create_invoice(s, &invoice))
        .expect("created");

    let request = only_invoice_request(&session);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/v2/invoices")
    );
    assert_eq!(
        request.json(),
        json!({
            "client_id": ids::GLOBEX, "subject": "March extras", "issue_date": "2026-03-18",
            "payment_term": "net 30", "tax": 10.0,
            "line_items": [
                {"project_id": ids::WEBSITE_REDESIGN, "kind": "Service", "description": "Design review",
                 "quantity": 2.5, "unit_price": 100.0, "taxed": true},
                {"kind": "Product", "unit_price": 50.0}
            ]
        })
    );
    let stored = fake_invoice(&session, created.id);
    assert_same_invoice(&created, &stored);
    assert_eq!(created.state, "draft");
    assert_eq!(created.tax_amount, Some(stored.tax_amount));
    let quantities: Vec<f64> = created.line_items.iter().map(|l| l.quantity).collect();
    assert_eq!(quantities, [2.5, 1.0], "the quantity defaults to 1");
}

#[test]
fn create_invoice_importing_tracked_time_bills_exactly_the_periods_uninvoiced_entries() {
    let session = Session::new();
    let (from, to) = (day("2026-03-01"), day("2026-03-17"));
    // The entries Harvest should import: the project's billable, unbilled, stopped time.
    let (picked, billed_before): (Vec<(u64, f64, f64)>, usize) = with_account(&session, |a| {
        let picked = a
            .time_entries
            .iter()
            .filter(|e| e.project.id == ids::ERP_INTEGRATION && e.billable)
            .filter(|e| !e.is_billed && !e.is_running)
            .filter(|e| e.spent_date >= from && e.spent_date <= to)
            .map(|e| (e.id, e.hours, e.billable_rate.unwrap_or(0.0)))
            .collect();
        (
            picked,
            a.time_entries.iter().filter(|e| e.is_billed).count(),
        )
    });
    assert!(picked.len() > 2, "the seed has ERP time this month");
    let hours: f64 = picked.iter().map(|(_, h, _)| h).sum();
    let money: f64 = picked.iter().map(|(_, h, rate)| h * rate).sum();

    let invoice = wit::NewInvoice {
        subject: Some("ERP, March".into()),
        import: Some(time_import(
            vec![ids::ERP_INTEGRATION],
            "2026-03-01",
            "2026-03-17",
        )),
        ..new_invoice(ids::INITECH)
    };
    let created = session
        .call(|h, s| h.call_create_invoice(s, &invoice))
        .expect("created");

    let request = only_invoice_request(&session);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/v2/invoices")
    );
    assert_eq!(
        request.json(),
        json!({
            "client_id": ids::INITECH, "subject": "ERP, March",
            "line_items_import": {
                "project_ids": [ids::ERP_INTEGRATION],
                "time": {"summary_type": "task", "from": "2026-03-01", "to": "2026-03-17"}
            }
        })
    );
    assert!(
        (created.amount - money).abs() < 0.005,
        "{} vs {money}",
        created.amount
    );
    let quantity: f64 = created.line_items.iter().map(|l| l.quantity).sum();
    assert!((quantity - hours).abs() < 0.005, "{quantity} vs {hours}");
    assert!(
        created.line_items.iter().all(|l| l.kind == "Service"
            && l.project.as_ref().map(|p| p.id) == Some(ids::ERP_INTEGRATION))
    );
    assert_eq!(
        (
            created.period_start.as_deref(),
            created.period_end.as_deref()
        ),
        (Some("2026-03-01"), Some("2026-03-17"))
    );
    assert_eq!(created.currency, "EUR", "the client's currency");
    assert_same_invoice(&created, &fake_invoice(&session, created.id));

    let (now_billed, billed_after) = with_account(&session, |a| {
        let now_billed = picked
            .iter()
            .filter_map(|(id, _, _)| a.time_entry(*id))
            .filter(|e| e.is_billed && e.invoice.as_ref().map(|i| i.id) == Some(created.id))
            .count();
        (
            now_billed,
            a.time_entries.iter().filter(|e| e.is_billed).count(),
        )
    });
    assert_eq!(now_billed, picked.len(), "every imported entry is billed");
    assert_eq!(
        billed_after,
        billed_before + picked.len(),
        "and no other entry"
    );
}

#[test]
fn create_invoice_with_lines_and_an_import_is_refused_before_any_request() {
    let session = Session::new();
    let invoice = wit::NewInvoice {
        line_items: vec![line("Service", 100.0)],
        import: Some(time_import(
            vec![ids::ERP_INTEGRATION],
            "2026-03-01",
            "2026-03-17",
        )),
        ..new_invoice(ids::INITECH)
    };
    let rule = assert_invalid(
        session.call(|h, s| h.call_create_invoice(s, &invoice)),
        "import",
    );
    assert!(rule.contains("not both"), "{rule}");
    assert!(session.requests().is_empty());
}

/// Harvest documents no error for an import that finds nothing; the component sends it as
/// asked and returns what Harvest made (the fake: a draft without lines).
#[test]
fn create_invoice_importing_a_period_without_time_returns_the_draft_as_made() {
    let session = Session::new();
    let invoices_before = with_account(&session, |a| a.invoices.len());
    let invoice = wit::NewInvoice {
        import: Some(time_import(
            vec![ids::ERP_INTEGRATION],
            "2026-04-01",
            "2026-04-30",
        )),
        ..new_invoice(ids::INITECH)
    };
    let made = session
        .call(|h, s| h.call_create_invoice(s, &invoice))
        .expect("created");
    assert!(made.line_items.is_empty());
    assert_eq!((made.amount, made.state.as_str()), (0.0, "draft"));
    assert_eq!(only_invoice_request(&session).method, "POST");
    assert_eq!(
        with_account(&session, |a| a.invoices.len()),
        invoices_before + 1
    );
}

#[test]
fn create_invoice_for_an_unknown_client_is_rejected_with_harvests_message() {
    let session = Session::new();
    let invoice = wit::NewInvoice {
        line_items: vec![line("Service", 100.0)],
        ..new_invoice(424_242)
    };
    let message = assert_rejected(session.call(|h, s| h.call_create_invoice(s, &invoice)));
    assert_eq!(message, "Client is not valid");
    assert_eq!(
        only_invoice_request(&session).json()["client_id"],
        json!(424_242)
    );
}

// ---------------------------------------------------------------- update-invoice

#[test]
fn update_invoice_patches_only_the_given_fields() {
    let session = Session::new();
    let before = fake_invoice(&session, ids::INVOICE_DRAFT);
    let changes = wit::InvoiceChanges {
        subject: Some("Website, second month".into()),
        notes: Some("Thank you".into()),
        discount: Some(5.0),
        ..invoice_changes()
    };
    let updated = session
        .call(|h, s| h.call_update_invoice(s, ids::INVOICE_DRAFT, &changes))
        .expect("updated");

    let request = only_invoice_request(&session);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        (
            "PATCH",
            format!("/v2/invoices/{}", ids::INVOICE_DRAFT).as_str()
        )
    );
    assert_eq!(
        request.json(),
        json!({"subject": "Website, second month", "notes": "Thank you", "discount": 5.0})
    );
    let after = fake_invoice(&session, ids::INVOICE_DRAFT);
    assert_same_invoice(&updated, &after);
    assert_eq!(
        (updated.notes.as_deref(), updated.discount),
        (Some("Thank you"), Some(5.0))
    );
    assert!(
        after.amount < before.amount,
        "the discount lowers the total"
    );
    assert_eq!(
        (
            after.number.as_str(),
            after.issue_date,
            after.line_items.len()
        ),
        (
            before.number.as_str(),
            before.issue_date,
            before.line_items.len()
        ),
        "nothing else changed"
    );
}

#[test]
fn update_invoice_adds_changes_and_removes_lines_in_one_patch() {
    let session = Session::new();
    let before = fake_invoice(&session, ids::INVOICE_DRAFT);
    let [kept, removed, ..] = before.line_items.as_slice() else {
        panic!("the draft has several imported lines: {before:#?}")
    };
    let (kept, removed) = (kept.clone(), removed.clone());
    assert!(!removed.time_entry_ids.is_empty());
    let changes = wit::InvoiceChanges {
        add_line_items: vec![wit::NewLineItem {
            description: Some("Hosting".into()),
            quantity: Some(2.0),
            ..line("Product", 40.0)
        }],
        change_line_items: vec![wit::LineItemChange {
            description: Some("Adjusted".into()),
            unit_price: Some(99.0),
            ..line_change(kept.id)
        }],
        remove_line_item_ids: vec![removed.id],
        ..invoice_changes()
    };
    let updated = session
        .call(|h, s| h.call_update_invoice(s, ids::INVOICE_DRAFT, &changes))
        .expect("updated");

    let request = only_invoice_request(&session);
    assert_eq!(request.method, "PATCH");
    assert_eq!(
        request.json(),
        json!({"line_items": [
            {"kind": "Product", "description": "Hosting", "quantity": 2.0, "unit_price": 40.0},
            {"id": kept.id, "description": "Adjusted", "unit_price": 99.0},
            {"id": removed.id, "_destroy": true}
        ]})
    );
    let after = fake_invoice(&session, ids::INVOICE_DRAFT);
    assert_same_invoice(&updated, &after);
    let line_ids: Vec<u64> = updated.line_items.iter().map(|l| l.id).collect();
    assert!(!line_ids.contains(&removed.id), "{line_ids:?}");
    assert_eq!(line_ids.len(), before.line_items.len());
    let changed = updated
        .line_items
        .iter()
        .find(|l| l.id == kept.id)
        .expect("kept line");
    assert_eq!(
        (
            changed.description.as_deref(),
            changed.quantity,
            changed.unit_price
        ),
        (Some("Adjusted"), kept.quantity, 99.0)
    );
    let added = updated.line_items.last().expect("added line");
    assert_eq!(
        (added.kind.as_str(), added.quantity, added.amount),
        ("Product", 2.0, 80.0)
    );
    // The removed line's time is no longer billed; the kept line's still is.
    let (released, still_billed) = with_account(&session, |a| {
        let billed = |ids: &[u64]| {
            ids.iter()
                .filter_map(|id| a.time_entry(*id))
                .filter(|e| e.is_billed)
                .count()
        };
        (
            billed(&removed.time_entry_ids),
            billed(&kept.time_entry_ids),
        )
    });
    assert_eq!((released, still_billed), (0, kept.time_entry_ids.len()));
}

#[test]
fn update_invoice_with_only_an_event_posts_the_message_then_reads_the_invoice() {
    let session = Session::new();
    assert_eq!(
        fake_invoice(&session, ids::INVOICE_DRAFT).state,
        InvoiceState::Draft
    );
    let changes = wit::InvoiceChanges {
        event: Some(wit::InvoiceEvent::MarkAsSent),
        ..invoice_changes()
    };
    let updated = session
        .call(|h, s| h.call_update_invoice(s, ids::INVOICE_DRAFT, &changes))
        .expect("sent");

    let requests = invoice_requests(&session);
    let path = format!("/v2/invoices/{}", ids::INVOICE_DRAFT);
    let calls = method_paths(&requests);
    assert_eq!(
        calls,
        [
            ("POST", format!("{path}/messages").as_str()),
            ("GET", path.as_str())
        ]
    );
    assert_eq!(requests[0].json(), json!({"event_type": "send"}));
    let after = fake_invoice(&session, ids::INVOICE_DRAFT);
    assert_same_invoice(&updated, &after);
    assert_eq!(updated.state, "open");
    assert_eq!(
        updated.sent_at.is_some(),
        after.sent_at.is_some(),
        "sent_at as Harvest set it"
    );
    let events: Vec<Option<String>> = with_account(&session, |a| {
        a.messages
            .iter()
            .filter(|m| m.invoice_id == ids::INVOICE_DRAFT)
            .map(|m| m.event_type.clone())
            .collect()
    });
    assert_eq!(events, [Some("send".to_string())], "one message, no email");
}

#[test]
fn update_invoice_with_fields_and_an_event_sends_patch_then_message_then_get() {
    let session = Session::new();
    let changes = wit::InvoiceChanges {
        purchase_order: Some("PO-77".into()),
        event: Some(wit::InvoiceEvent::Close),
        ..invoice_changes()
    };
    let updated = session
        .call(|h, s| h.call_update_invoice(s, ids::INVOICE_OPEN, &changes))
        .expect("closed");

    let requests = invoice_requests(&session);
    let path = format!("/v2/invoices/{}", ids::INVOICE_OPEN);
    let calls = method_paths(&requests);
    assert_eq!(
        calls,
        [
            ("PATCH", path.as_str()),
            ("POST", format!("{path}/messages").as_str()),
            ("GET", path.as_str())
        ]
    );
    assert_eq!(requests[0].json(), json!({"purchase_order": "PO-77"}));
    assert_eq!(requests[1].json(), json!({"event_type": "close"}));
    let after = fake_invoice(&session, ids::INVOICE_OPEN);
    assert_same_invoice(&updated, &after);
    assert_eq!(
        (updated.state.as_str(), updated.purchase_order.as_deref()),
        ("closed", Some("PO-77"))
    );
    assert!(updated.closed_at.is_some() && after.closed_at.is_some());
}

#[test]
fn update_invoice_events_move_the_invoice_between_states() {
    let session = Session::new();
    let cases = [
        (
            ids::INVOICE_DRAFT,
            wit::InvoiceEvent::MarkAsSent,
            "send",
            "open",
        ),
        (
            ids::INVOICE_OPEN,
            wit::InvoiceEvent::Close,
            "close",
            "closed",
        ),
        (
            ids::INVOICE_CLOSED,
            wit::InvoiceEvent::Reopen,
            "re-open",
            "open",
        ),
        (
            ids::INVOICE_OVERDUE,
            wit::InvoiceEvent::MarkAsDraft,
            "draft",
            "draft",
        ),
    ];
    for (invoice_id, event, event_type, state) in cases {
        session.clear();
        let changes = wit::InvoiceChanges {
            event: Some(event),
            ..invoice_changes()
        };
        let updated = session
            .call(|h, s| h.call_update_invoice(s, invoice_id, &changes))
            .unwrap_or_else(|e| panic!("{event_type} on {invoice_id}: {e:?}"));
        let requests = invoice_requests(&session);
        assert_eq!(requests.len(), 2, "{requests:#?}");
        assert_eq!(requests[0].json(), json!({ "event_type": event_type }));
        assert_eq!(updated.state, state, "{event_type}");
        assert_eq!(
            state_name(fake_invoice(&session, invoice_id).state),
            state,
            "{event_type}"
        );
    }
}

#[test]
fn update_invoice_with_an_event_the_state_forbids_is_rejected_with_harvests_message() {
    let session = Session::new();
    let changes = wit::InvoiceChanges {
        event: Some(wit::InvoiceEvent::Close),
        ..invoice_changes()
    };
    let message = assert_rejected(
        session.call(|h, s| h.call_update_invoice(s, ids::INVOICE_DRAFT, &changes)),
    );
    assert_eq!(
        message,
        "Event type close isn't allowed for an invoice that is draft"
    );
    let request = only_invoice_request(&session);
    assert_eq!(
        (request.method.as_str(), request.json()),
        ("POST", json!({"event_type": "close"})),
        "nothing is read back after a refusal"
    );
    assert_eq!(
        fake_invoice(&session, ids::INVOICE_DRAFT).state,
        InvoiceState::Draft
    );
}

#[test]
fn update_invoice_when_the_event_is_refused_after_a_saved_patch_says_the_patch_was_saved() {
    let session = Session::new();
    let changes = wit::InvoiceChanges {
        subject: Some("Renamed".into()),
        event: Some(wit::InvoiceEvent::Reopen),
        ..invoice_changes()
    };
    let message = assert_rejected(
        session.call(|h, s| h.call_update_invoice(s, ids::INVOICE_DRAFT, &changes)),
    );
    assert!(
        message.starts_with("the invoice changes were saved")
            && message.ends_with("Event type re-open isn't allowed for an invoice that is draft"),
        "{message}"
    );
    let methods: Vec<String> = invoice_requests(&session)
        .into_iter()
        .map(|r| r.method)
        .collect();
    assert_eq!(methods, ["PATCH", "POST"]);
    let after = fake_invoice(&session, ids::INVOICE_DRAFT);
    assert_eq!(
        (after.subject.as_deref(), after.state),
        (Some("Renamed"), InvoiceState::Draft)
    );
}

#[test]
fn update_invoice_without_changes_is_refused_before_any_request() {
    let session = Session::new();
    let before = fake_invoice(&session, ids::INVOICE_DRAFT);
    let rule = assert_invalid(
        session.call(|h, s| h.call_update_invoice(s, ids::INVOICE_DRAFT, &invoice_changes())),
        "changes",
    );
    assert!(rule.contains("event"), "{rule}");
    assert!(session.requests().is_empty());
    assert_eq!(fake_invoice(&session, ids::INVOICE_DRAFT), before);
}

// ---------------------------------------------------------------- overdue and totals

/// Replaces the main account's invoices with copies of a seeded one, each with the given
/// (id, state, currency, amount, due amount, due date).
fn lay_out_invoices(session: &Session, rows: &[(u64, InvoiceState, &str, f64, f64, &str)]) {
    let template = fake_invoice(session, ids::INVOICE_OPEN);
    let invoices = rows
        .iter()
        .map(
            |(id, state, currency, amount, due_amount, due_date)| Invoice {
                id: *id,
                number: format!("OD-{id}"),
                state: *state,
                currency: (*currency).into(),
                amount: *amount,
                due_amount: *due_amount,
                due_date: day(due_date),
                ..template.clone()
            },
        )
        .collect();
    let mut state = session.fake.state();
    state
        .account_mut(fake::ACCOUNT_ID)
        .expect("main account")
        .invoices = invoices;
}

/// (id, is-overdue, days-overdue) of each invoice, by id.
fn overdue_flags(page: &wit::InvoicePage) -> Vec<(u64, bool, Option<u32>)> {
    let mut flags: Vec<_> = page
        .items
        .iter()
        .map(|i| (i.id, i.is_overdue, i.days_overdue))
        .collect();
    flags.sort();
    flags
}

/// 15:00 UTC on 18 March 2026 is 11:00 the same day in New York, the seeded admin's zone.
const AFTERNOON_UTC: &str = "2026-03-18 15:00";

#[test]
fn invoices_open_past_their_due_date_are_overdue_and_those_due_today_are_not() {
    let session = Session::new();
    use InvoiceState::{Closed, Draft, Open, Paid};
    lay_out_invoices(
        &session,
        &[
            (1, Open, "USD", 100.0, 100.0, "2026-03-17"),
            (2, Open, "USD", 100.0, 100.0, "2026-03-18"),
            (3, Open, "USD", 100.0, 40.0, "2026-03-08"),
            (4, Draft, "USD", 100.0, 100.0, "2026-03-01"),
            (5, Paid, "USD", 100.0, 0.0, "2026-03-01"),
            (6, Closed, "USD", 100.0, 100.0, "2026-03-01"),
            (7, Open, "USD", 100.0, 100.0, "2026-03-19"),
        ],
    );
    session.clear();
    let page = call_at(&session, utc(AFTERNOON_UTC), |h, s| {
        h.call_list_invoices(s, &invoice_query())
    })
    .expect("invoices");
    assert_eq!(
        overdue_flags(&page),
        [
            (1, true, Some(1)),
            (2, false, None),
            (3, true, Some(10)),
            (4, false, None),
            (5, false, None),
            (6, false, None),
            (7, false, None),
        ]
    );
    let paid: Vec<(u64, f64)> = page.items.iter().map(|i| (i.id, i.paid_amount)).collect();
    assert!(paid.contains(&(3, 60.0)) && paid.contains(&(5, 100.0)) && paid.contains(&(1, 0.0)));
    assert_eq!(
        method_paths(&session.requests()),
        [("GET", "/v2/invoices"), ("GET", "/v2/users/me")],
        "today is read once for the whole list"
    );

    let one = call_at(&session, utc(AFTERNOON_UTC), |h, s| {
        h.call_get_invoice(s, 1, None)
    })
    .expect("invoice");
    assert_eq!((one.is_overdue, one.days_overdue), (true, Some(1)));
}

#[test]
fn whether_an_invoice_is_overdue_follows_the_users_date_not_utcs() {
    let session = Session::new();
    // 02:00 UTC on 18 March 2026 is 19:00 on 17 March in Los Angeles (UTC-7 since 8 March).
    let at = utc("2026-03-18 02:00");
    session
        .fake
        .state()
        .account_mut(fake::ACCOUNT_ID)
        .and_then(|a| a.users.iter_mut().find(|u| u.id == ids::ADA))
        .expect("Ada")
        .timezone = "Pacific Time (US & Canada)".into();
    use InvoiceState::Open;
    lay_out_invoices(
        &session,
        &[
            (1, Open, "USD", 100.0, 100.0, "2026-03-17"),
            (2, Open, "USD", 100.0, 100.0, "2026-03-16"),
        ],
    );
    let page = call_at(&session, at, |h, s| {
        h.call_list_invoices(s, &invoice_query())
    })
    .expect("invoices");
    assert_eq!(
        overdue_flags(&page),
        [(1, false, None), (2, true, Some(1))],
        "due on the user's today (UTC's yesterday) is not overdue"
    );
}

#[test]
fn list_invoices_totals_amount_due_and_overdue_per_currency() {
    let session = Session::new();
    use InvoiceState::{Draft, Open, Paid};
    lay_out_invoices(
        &session,
        &[
            (1, Open, "USD", 1000.0, 400.0, "2026-03-01"),
            (2, Open, "USD", 250.5, 250.5, "2026-04-01"),
            (3, Paid, "USD", 300.25, 0.0, "2026-02-01"),
            (4, Open, "EUR", 800.0, 800.0, "2026-03-10"),
            (5, Draft, "EUR", 120.0, 120.0, "2026-03-01"),
        ],
    );
    let page = call_at(&session, utc(AFTERNOON_UTC), |h, s| {
        h.call_list_invoices(s, &invoice_query())
    })
    .expect("invoices");
    let totals: Vec<(&str, f64, f64, f64, u32)> = page
        .totals
        .iter()
        .map(|t| (t.currency.as_str(), t.amount, t.due, t.overdue, t.count))
        .collect();
    assert_eq!(
        totals,
        [
            ("EUR", 920.0, 920.0, 800.0, 2),
            ("USD", 1550.75, 650.5, 400.0, 3),
        ]
    );

    // With a limit short of the list, the totals are those of the invoices returned.
    let q = wit::InvoiceQuery {
        limit: Some(2),
        ..invoice_query()
    };
    let first = call_at(&session, utc(AFTERNOON_UTC), |h, s| {
        h.call_list_invoices(s, &q)
    })
    .expect("invoices");
    assert!(first.has_more);
    let counted: u32 = first.totals.iter().map(|t| t.count).sum();
    let amount: f64 = first.items.iter().map(|i| i.amount).sum();
    let summed: f64 = first.totals.iter().map(|t| t.amount).sum();
    assert_eq!((counted, summed), (2, amount));
}
