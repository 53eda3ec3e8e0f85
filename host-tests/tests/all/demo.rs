//! The demo's five answers, checked against the fake Harvest's own data.

use std::collections::BTreeMap;

use harvest_fake::{self as fake, InvoiceState, TimeEntry, ids};
use harvest_host::demo::{self, Answers};

use crate::support::{ANCHOR, HOST, Session};

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
    let unbilled: Vec<TimeEntry> = {
        let state = session.fake.state();
        let account = state.account(fake::ACCOUNT_ID).expect("account");
        account
            .time_entries
            .iter()
            .filter(|e| e.billable && !e.is_billed && !e.is_running)
            .cloned()
            .collect()
    };

    let mut transcript = Vec::new();
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
    let mine: Vec<&TimeEntry> = live
        .iter()
        .filter(|e| e.user.id == ids::ADA && e.spent_date >= week.from && e.spent_date <= ANCHOR)
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
    let amount: f64 = imported
        .iter()
        .map(|e| e.hours * e.billable_rate.unwrap_or(0.0))
        .sum();
    assert!(close(invoice.hours, hours), "{} vs {hours}", invoice.hours);
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
        let payments = account
            .payments
            .iter()
            .filter(|p| p.invoice_id == expected.id);
        assert_eq!(got.payments, payments.count());
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
        .filter(|e| e.spent_date >= team.from && e.spent_date <= ANCHOR)
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

fn monday_of(day: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    day - chrono::Duration::days(day.weekday().num_days_from_monday().into())
}
