//! The demo's five answers, checked against the fake Harvest's own data.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use harvest_fake::{self as fake, Expense, InvoiceState, TimeEntry, ids};
use harvest_host::demo::{self, Answers};

use crate::support::{ANCHOR, HOST, Session, wit};
use crate::values::{line, new_invoice, new_payment};

/// The first day of the week the account's seeded company settings give.
fn week_start(session: &Session, account_id: u64) -> Weekday {
    let state = session.fake.state();
    let company = &state.account(account_id).expect("account").company;
    demo::parse_weekday(&company.week_start_day).expect("a weekday")
}

/// Hours as Harvest shows them; a running timer may gain a minute while the test runs.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.02
}

fn assert_hours(got: &BTreeMap<u64, f64>, expected: &BTreeMap<u64, f64>, what: &str) {
    let keys = |map: &BTreeMap<u64, f64>| map.keys().copied().collect::<Vec<_>>();
    assert_eq!(keys(got), keys(expected), "{what}");
    for (key, hours) in expected {
        assert!(
            close(got[key], *hours),
            "{what} {key}: {} vs {hours}",
            got[key]
        );
    }
}

fn sum_by(entries: &[&TimeEntry], key: impl Fn(&TimeEntry) -> u64) -> BTreeMap<u64, f64> {
    let mut sums = BTreeMap::new();
    for entry in entries {
        *sums.entry(key(entry)).or_default() += entry.hours;
    }
    sums
}

#[test]
fn the_demo_answers_the_five_requests_with_the_fakes_numbers() {
    let session = Session::new();
    // What the invoice may import, read before the demo bills it.
    let (unbilled, unbilled_expenses): (Vec<TimeEntry>, Vec<Expense>) = {
        let state = session.fake.state();
        let account = state.account(fake::ACCOUNT_ID).expect("account");
        let time = account
            .time_entries
            .iter()
            .filter(|e| e.billable && !e.is_billed && !e.is_running)
            .cloned()
            .collect();
        let expenses = account
            .expenses
            .iter()
            .filter(|e| e.billable && !e.is_billed)
            .cloned()
            .collect();
        (time, expenses)
    };

    let mut transcript = Vec::new();
    assert_eq!(week_start(&session, fake::ACCOUNT_ID), Weekday::Mon);
    let answers: Answers =
        demo::run(&HOST, &session.env, ANCHOR, &mut transcript).unwrap_or_else(|e| panic!("{e:#}"));
    let transcript = String::from_utf8_lossy(&transcript);
    for number in 1..=5 {
        assert!(
            transcript.contains(&format!("\n{number}. \"")),
            "{transcript}"
        );
    }
    assert!(transcript.contains("→ create_invoice"), "{transcript}");
    // The fewest calls: assignments and the entry; one summary; the uninvoiced report, the
    // preview and the invoice; one list of invoices; a summary and the team's status.
    assert_eq!(transcript.matches("  → ").count(), 9, "{transcript}");
    assert!(transcript.contains("9 tool calls in all."), "{transcript}");

    let state = session.fake.state();
    let account = state.account(fake::ACCOUNT_ID).expect("account");
    let now = state.clock.now();
    let live: Vec<TimeEntry> = account.time_entries.iter().map(|e| e.live(now)).collect();

    // 1. The entry exists as logged.
    let logged = account
        .time_entries
        .iter()
        .find(|e| e.id == answers.logged.entry_id)
        .expect("the logged entry is in Harvest");
    assert_eq!(logged.spent_date, ANCHOR);
    assert_eq!(logged.hours, 1.5);
    assert_eq!(answers.logged.hours, 1.5);
    assert_eq!(logged.project.id, answers.logged.project_id);
    assert_eq!(logged.task.id, answers.logged.task_id);
    assert_eq!(logged.user.id, ids::ADA);

    // 2. This week's hours per project, the new entry included.
    let week = &answers.week;
    assert_eq!(week.user_id, ids::ADA);
    assert_eq!(week.from, monday_of(ANCHOR));
    assert_eq!(week.to, week.from + chrono::Duration::days(6));
    let mine: Vec<&TimeEntry> = live
        .iter()
        .filter(|e| e.user.id == ids::ADA && e.spent_date >= week.from && e.spent_date <= week.to)
        .collect();
    assert_hours(&week.per_project, &sum_by(&mine, |e| e.project.id), "week");
    assert!(close(week.total, mine.iter().map(|e| e.hours).sum()));

    // 3. The invoice imported every unbilled billable hour of last month's biggest client.
    let invoice = &answers.invoice;
    let imported: Vec<&TimeEntry> = unbilled
        .iter()
        .filter(|e| {
            e.client.id == invoice.client_id
                && invoice.project_ids.contains(&e.project.id)
                && e.spent_date >= invoice.from
                && e.spent_date <= invoice.to
        })
        .collect();
    assert!(!imported.is_empty());
    let hours: f64 = imported.iter().map(|e| e.hours).sum();
    let expenses: f64 = unbilled_expenses
        .iter()
        .filter(|e| {
            invoice.project_ids.contains(&e.project.id)
                && e.spent_date >= invoice.from
                && e.spent_date <= invoice.to
        })
        .map(|e| e.total_cost)
        .sum();
    let amount: f64 = imported
        .iter()
        .map(|e| e.hours * e.billable_rate.unwrap_or(0.0))
        .sum::<f64>()
        + expenses;
    assert!(close(invoice.hours, hours), "{} vs {hours}", invoice.hours);
    assert!(expenses > 0.0, "last month has expenses to import");
    assert!(
        (invoice.expenses - expenses).abs() < 0.005,
        "{} vs {expenses}",
        invoice.expenses
    );
    assert!(
        (invoice.amount - amount).abs() < 0.05,
        "{} vs {amount}",
        invoice.amount
    );
    let stored = account
        .invoices
        .iter()
        .find(|i| i.id == invoice.invoice_id)
        .expect("the invoice is in Harvest");
    assert_eq!(stored.state, InvoiceState::Draft);
    for entry in &imported {
        let now = account.time_entries.iter().find(|e| e.id == entry.id);
        assert!(
            now.is_some_and(|e| e.is_billed),
            "entry {} is billed",
            entry.id
        );
    }

    // 4. Every open invoice, with its due amount, payments and overdue flag.
    let mut open: Vec<_> = account
        .invoices
        .iter()
        .filter(|i| i.state == InvoiceState::Open)
        .collect();
    open.sort_by_key(|i| i.id);
    let mut listed: Vec<_> = answers.open_invoices.iter().collect();
    listed.sort_by_key(|i| i.id);
    assert_eq!(listed.len(), open.len());
    for (got, expected) in listed.iter().zip(&open) {
        assert_eq!(got.id, expected.id);
        assert_eq!(got.amount, expected.amount);
        assert_eq!(got.due_amount, expected.due_amount);
        assert_eq!(got.due_date, expected.due_date);
        assert_eq!(got.overdue, expected.due_date < ANCHOR);
        let paid: f64 = account
            .payments
            .iter()
            .filter(|p| p.invoice_id == expected.id)
            .map(|p| p.amount)
            .sum();
        assert!((got.paid - paid).abs() < 0.005, "{} vs {paid}", got.paid);
    }
    assert!(
        listed
            .iter()
            .any(|i| i.id == ids::INVOICE_OVERDUE && i.overdue)
    );
    assert!(
        listed
            .iter()
            .any(|i| i.id == ids::INVOICE_OPEN && !i.overdue)
    );

    // 5. This month's hours per person and per project, and who logged none.
    let team = &answers.team;
    let month: Vec<&TimeEntry> = live
        .iter()
        .filter(|e| e.spent_date >= team.from && e.spent_date <= team.to)
        .collect();
    assert_hours(&team.per_person, &sum_by(&month, |e| e.user.id), "person");
    assert_hours(
        &team.per_project,
        &sum_by(&month, |e| e.project.id),
        "project",
    );
    let idle: Vec<u64> = account
        .users
        .iter()
        .filter(|u| u.is_active && !month.iter().any(|e| e.user.id == u.id))
        .map(|u| u.id)
        .collect();
    assert_eq!(team.idle, idle);
    assert_eq!(team.idle, vec![ids::EDSGER]);
}

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - chrono::Duration::days(day.weekday().num_days_from_monday().into())
}

/// An open invoice the test lays out: (client, issue date, payment term, lines as
/// (quantity, unit price), payment).
type Laid = (
    u64,
    NaiveDate,
    wit::PaymentTerm,
    &'static [(f64, f64)],
    Option<f64>,
);

fn before(days: u64) -> NaiveDate {
    ANCHOR.checked_sub_days(Days::new(days)).expect("date")
}

/// Against the global account (weeks from Sunday, Time Rounding on), with open invoices the
/// test lays out in two currencies: the week runs from Sunday, and what is outstanding and
/// overdue is totalled per currency, never across them.
#[test]
fn the_demo_totals_money_per_currency_and_starts_weeks_on_the_accounts_day() {
    let session = Session::new().configured(fake::GLOBAL_TOKEN, None);
    let g = ids::GLOBAL_OFFSET;
    // Only the test's open invoices: the seeded ones are written off in the fake's data.
    {
        let mut state = session.fake.state();
        let account = state.account_mut(fake::GLOBAL_ACCOUNT_ID).expect("account");
        for invoice in &mut account.invoices {
            if invoice.state == InvoiceState::Open {
                invoice.state = InvoiceState::Closed;
            }
        }
    }
    let laid: [Laid; 3] = [
        (
            ids::GLOBEX + g,
            before(5),
            wit::PaymentTerm::Net30,
            &[(1.0, 1000.0), (2.0, 125.0)],
            None,
        ),
        (
            ids::INITECH + g,
            before(40),
            wit::PaymentTerm::Net15,
            &[(2.0, 500.0)],
            Some(300.0),
        ),
        (
            ids::GLOBEX + g,
            before(2),
            wit::PaymentTerm::Net15,
            &[(1.0, 400.0)],
            None,
        ),
    ];
    for (client, issued, term, lines, payment) in laid {
        let invoice = wit::NewInvoice {
            issue_date: Some(issued.to_string()),
            payment_term: Some(term),
            line_items: lines
                .iter()
                .map(|(quantity, price)| wit::NewLineItem {
                    quantity: Some(*quantity),
                    ..line("Service", *price)
                })
                .collect(),
            ..new_invoice(client)
        };
        let made = session
            .call(|h, s| h.call_create_invoice(s, &invoice))
            .expect("created");
        let sent = wit::InvoiceChanges {
            event: Some(wit::InvoiceEvent::MarkAsSent),
            ..crate::values::invoice_changes()
        };
        session
            .call(|h, s| h.call_update_invoice(s, made.id, &sent))
            .expect("sent");
        if let Some(amount) = payment {
            session
                .call(|h, s| h.call_create_invoice_payment(s, &new_payment(made.id, amount)))
                .expect("paid");
        }
    }
    // Worked out from the layout: USD 1000 + 2 × 125 and 400, nothing overdue; EUR 2 × 500
    // less 300 paid, issued 40 days ago on net 15, so overdue.
    let outstanding = BTreeMap::from([("EUR".to_string(), 700.0), ("USD".to_string(), 1650.0)]);
    let overdue = BTreeMap::from([("EUR".to_string(), 700.0)]);

    assert_eq!(week_start(&session, fake::GLOBAL_ACCOUNT_ID), Weekday::Sun);
    let mut transcript = Vec::new();
    let answers =
        demo::run(&HOST, &session.env, ANCHOR, &mut transcript).unwrap_or_else(|e| panic!("{e:#}"));
    let transcript = String::from_utf8_lossy(&transcript);

    // ANCHOR is a Wednesday: the week began on the Sunday before it.
    assert_eq!(ANCHOR.weekday(), Weekday::Wed);
    assert_eq!(answers.week.from, before(3));
    assert_eq!(answers.week.from.weekday(), Weekday::Sun);

    assert_eq!(answers.open_invoices.len(), 3);
    assert_eq!(answers.outstanding, outstanding);
    assert_eq!(answers.overdue, overdue);
    assert!(
        transcript.contains(
            "3 open invoice(s): 700.00 EUR and 1,650.00 USD outstanding; overdue: 700.00 EUR."
        ),
        "{transcript}"
    );
    // No line of the transcript names two currencies in one sum: each amount has its own.
    assert!(!transcript.contains("2,350.00"), "{transcript}");
}
