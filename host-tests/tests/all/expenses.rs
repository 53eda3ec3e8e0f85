//! `list-expenses`, and expenses in the uninvoiced report and in invoice imports. Expected
//! figures come from the expenses each test lays out, never from the fake's own arithmetic.

use chrono::{Days, NaiveDate};
use harvest_fake::{self as fake, AccountData, Expense, ids};
use serde_json::json;

use crate::support::{ANCHOR, Session, method_paths, pairs, query, wit};
use crate::values::{expense_query, new_invoice, report_query};

/// A day after the seeded history, free of time and expenses.
fn later(days: u64) -> NaiveDate {
    ANCHOR.checked_add_days(Days::new(days)).expect("date")
}

fn with_account<R>(session: &Session, f: impl FnOnce(&mut AccountData) -> R) -> R {
    let mut state = session.fake.state();
    f(state.account_mut(fake::ACCOUNT_ID).expect("main account"))
}

/// One expense the test lays out: (day, cost, billable, already invoiced).
type Laid = (NaiveDate, f64, bool, bool);

/// Puts `laid` on `project` as expenses (copies of a seeded one on that project, with the
/// test's dates, costs and flags; one category per expense so that a `category` import keeps
/// them apart), returning their ids.
fn lay_out(session: &Session, project: u64, laid: &[Laid]) -> Vec<u64> {
    with_account(session, |account| {
        let template = account
            .expenses
            .iter()
            .find(|e| e.project.id == project)
            .cloned()
            .expect("a seeded expense on the project");
        let mut ids = Vec::new();
        for (n, (day, cost, billable, invoiced)) in laid.iter().enumerate() {
            let id = 9_000_000 + n as u64;
            let mut expense: Expense = template.clone();
            expense.id = id;
            expense.spent_date = *day;
            expense.total_cost = *cost;
            expense.units = 1.0;
            expense.billable = *billable;
            expense.expense_category.id = 7_000 + n as u64;
            expense.expense_category.name = format!("Category {n}");
            expense.expense_category.unit_price = None;
            expense.expense_category.unit_name = None;
            if *invoiced {
                expense.is_billed = true;
                expense.invoice = Some(fake::InvoiceRef {
                    id: ids::INVOICE_PAID,
                    number: "1001".into(),
                });
                expense.refresh_lock();
            }
            account.expenses.push(expense);
            ids.push(id);
        }
        ids
    })
}

fn list(session: &Session, query: &wit::ExpenseQuery) -> wit::ExpensePage {
    session
        .call(|h, s| h.call_list_expenses(s, query))
        .expect("listed")
}

#[test]
fn list_expenses_sends_its_filters_under_harvests_names_and_reads_every_field() {
    let session = Session::new();
    let expected: Vec<Expense> = with_account(&session, |a| {
        let mut mine: Vec<Expense> = a
            .expenses
            .iter()
            .filter(|e| e.project.id == ids::ERP_INTEGRATION && !e.is_billed)
            .cloned()
            .collect();
        mine.sort_by_key(|e| std::cmp::Reverse((e.spent_date, e.id)));
        mine
    });
    assert!(expected.len() >= 2, "the seed has Initech expenses");
    let q = wit::ExpenseQuery {
        client_id: Some(ids::INITECH),
        project_id: Some(ids::ERP_INTEGRATION),
        is_billed: Some(false),
        from: Some("2025-01-01".into()),
        to: Some(ANCHOR.to_string()),
        updated_since: Some("2025-01-01T00:00:00Z".into()),
        ..expense_query()
    };
    let page = list(&session, &q);
    let request = session.only_request();
    assert_eq!(request.path, "/v2/expenses");
    assert_eq!(
        query(&request),
        pairs(&[
            ("client_id", &ids::INITECH.to_string()),
            ("project_id", &ids::ERP_INTEGRATION.to_string()),
            ("is_billed", "false"),
            ("from", "2025-01-01"),
            ("to", &ANCHOR.to_string()),
            ("updated_since", "2025-01-01T00:00:00Z"),
            ("per_page", "500"),
        ])
    );
    assert_eq!(
        (page.total, page.has_more),
        (Some(expected.len() as u64), false)
    );
    let got: Vec<u64> = page.items.iter().map(|e| e.id).collect();
    let want: Vec<u64> = expected.iter().map(|e| e.id).collect();
    assert_eq!(got, want, "newest first");
    for (item, fake) in page.items.iter().zip(&expected) {
        assert_eq!(item.spent_date, fake.spent_date.to_string());
        assert_eq!(item.total_cost, fake.total_cost);
        assert_eq!(item.units, Some(fake.units));
        assert_eq!(item.client.currency.as_deref(), Some("EUR"));
        assert_eq!(item.project.code, fake.project.code);
        assert_eq!(item.expense_category.name, fake.expense_category.name);
        assert_eq!(
            item.expense_category.unit_price,
            fake.expense_category.unit_price
        );
        assert_eq!(item.user.id, fake.user.id);
        assert_eq!(
            item.user_assignment.as_ref().map(|a| a.id),
            Some(fake.user_assignment.id)
        );
        assert_eq!(
            item.receipt.as_ref().and_then(|r| r.file_name.clone()),
            fake.receipt.as_ref().map(|r| r.file_name.clone())
        );
        assert_eq!(
            (item.billable, item.is_billed, item.is_locked),
            (fake.billable, false, false)
        );
        assert!(item.invoice.is_none());
    }
    // The mileage expense carries its units and unit price as Harvest shows them.
    let mileage = page
        .items
        .iter()
        .find(|e| e.expense_category.unit_name.as_deref() == Some("mile"))
        .expect("a mileage expense");
    assert_eq!(mileage.units, Some(120.0));
    assert_eq!(mileage.expense_category.unit_price, Some(0.70));
}

#[test]
fn list_expenses_pages_with_a_continuation_and_loses_nothing() {
    let session = Session::new();
    let all = with_account(&session, |a| a.expenses.len());
    let first = list(
        &session,
        &wit::ExpenseQuery {
            limit: Some(3),
            ..expense_query()
        },
    );
    assert_eq!((first.items.len(), first.has_more), (3, true));
    assert_eq!(first.total, Some(all as u64));
    let rest = list(
        &session,
        &wit::ExpenseQuery {
            continuation: first.continuation.clone(),
            ..expense_query()
        },
    );
    assert!(!rest.has_more);
    let mut ids: Vec<u64> = first
        .items
        .iter()
        .chain(&rest.items)
        .map(|e| e.id)
        .collect();
    assert_eq!(ids.len(), all);
    ids.dedup();
    assert_eq!(ids.len(), all);
}

#[test]
fn list_expenses_refuses_a_reversed_range_before_any_request() {
    let session = Session::new();
    let q = wit::ExpenseQuery {
        from: Some("2026-03-31".into()),
        to: Some("2026-03-01".into()),
        ..expense_query()
    };
    let result = session.call(|h, s| h.call_list_expenses(s, &q));
    assert!(
        matches!(&result, Err(wit::Error::InvalidInput(i)) if i.field == "to"),
        "{result:?}"
    );
    assert!(session.requests().is_empty());
}

/// Billable expenses not yet invoiced, and only those, make up `uninvoiced-expenses` and add to
/// `uninvoiced-amount`; a project with expenses and no time in the period still gets its row.
#[test]
fn invoice_report_counts_the_uninvoiced_billable_expenses() {
    let session = Session::new();
    let (from, to) = (later(10), later(20));
    lay_out(
        &session,
        ids::ERP_INTEGRATION,
        &[
            (later(11), 100.0, true, false),
            (later(12), 25.5, true, false),
            (later(13), 40.0, false, false),
            (later(14), 10.0, true, true),
            (later(30), 99.0, true, false),
        ],
    );
    let report = session
        .call(|h, s| h.call_invoice_report(s, &report_query(&from.to_string(), &to.to_string())))
        .expect("report");
    let [row] = report.rows.as_slice() else {
        panic!("one project has expenses in the period: {:?}", report.rows)
    };
    assert_eq!(
        (row.project_id, row.currency.as_str()),
        (ids::ERP_INTEGRATION, "EUR")
    );
    assert_eq!((row.total_hours, row.uninvoiced_hours), (0.0, 0.0));
    assert_eq!(row.uninvoiced_expenses, 100.0 + 25.5);
    assert_eq!(row.uninvoiced_amount, 100.0 + 25.5);
}

/// An `expenses` import turns the uninvoiced billable expenses of the period into lines, sends
/// Harvest's `attach_receipt`, and marks the expenses billed on the new invoice.
#[test]
fn create_invoice_imports_expenses_and_marks_them_billed() {
    let session = Session::new();
    let (from, to) = (later(10), later(20));
    let laid = lay_out(
        &session,
        ids::ERP_INTEGRATION,
        &[
            (later(11), 100.0, true, false),
            (later(12), 25.5, true, false),
            (later(13), 40.0, false, false),
        ],
    );
    let invoice = wit::NewInvoice {
        import: Some(wit::LineItemsImport {
            project_ids: vec![ids::ERP_INTEGRATION],
            time: None,
            expenses: Some(wit::ExpenseImport {
                summary: wit::ExpenseSummary::Category,
                from: Some(from.to_string()),
                to: Some(to.to_string()),
                attach_receipt: Some(true),
            }),
        }),
        ..new_invoice(ids::INITECH)
    };
    let made = session
        .call(|h, s| h.call_create_invoice(s, &invoice))
        .expect("created");
    let requests = session.requests();
    // The create, then the read of the user's today that tells whether the invoice is overdue.
    assert_eq!(
        method_paths(&requests),
        [("POST", "/v2/invoices"), ("GET", "/v2/users/me")]
    );
    let body = requests[0].json();
    assert_eq!(
        body["line_items_import"],
        json!({"project_ids": [ids::ERP_INTEGRATION], "expenses": {
            "summary_type": "category", "from": from.to_string(), "to": to.to_string(),
            "attach_receipt": true}})
    );
    let mut amounts: Vec<f64> = made.line_items.iter().map(|l| l.amount).collect();
    amounts.sort_by(f64::total_cmp);
    assert_eq!(
        amounts,
        vec![25.5, 100.0],
        "one line per category, billable only"
    );
    assert_eq!((made.amount, made.currency.as_str()), (125.5, "EUR"));
    assert!(made.line_items.iter().all(|l| l.kind == "Product"));

    let billed = list(
        &session,
        &wit::ExpenseQuery {
            is_billed: Some(true),
            from: Some(from.to_string()),
            to: Some(to.to_string()),
            ..expense_query()
        },
    );
    let billed_ids: Vec<u64> = billed.items.iter().map(|e| e.id).collect();
    assert_eq!(billed_ids, vec![laid[1], laid[0]]);
    for expense in &billed.items {
        assert_eq!(expense.invoice.as_ref().map(|i| i.id), Some(made.id));
        assert!(expense.is_locked);
    }
    let report = session
        .call(|h, s| h.call_invoice_report(s, &report_query(&from.to_string(), &to.to_string())))
        .expect("report");
    assert!(
        report.rows.is_empty(),
        "nothing left to invoice: {:?}",
        report.rows
    );
}
