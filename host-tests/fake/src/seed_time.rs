//! Seeded activity: about three months of weekday time up to the anchor date, approvals, and
//! invoices in every state with their payments. Built through the same code the API uses (entry
//! placement, invoice import, payment settlement), so seeded and API-made data agree.

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};

use super::clock::{at, format_time, round2};
use super::ids::{self, AccountSpec, mix};
use super::invoice_lines::LineItemInput;
use super::invoices::{ImportInput, InvoiceInput, RangeImport, create_invoice};
use super::model::{AccountData, InvoicePayment, InvoiceState, PaymentGateway, Sequences};
use super::payments::settle;
use super::seed_catalogue::catalogue;

/// Days of history before the anchor date.
pub const HISTORY_DAYS: u64 = 90;

const HOURS: [f64; 7] = [0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0];

#[rustfmt::skip]
fn notes_for(task_id: u64) -> &'static [&'static str] {
    match task_id {
        ids::DESIGN => &["Homepage wireframes", "Style guide updates", "Mockups for client review"],
        ids::DEVELOPMENT => &["API integration", "Bug fixes", "Code review", "Checkout flow implementation"],
        ids::PROJECT_MANAGEMENT => &["Sprint planning", "Status report", "Client call", "Backlog grooming"],
        ids::MEETINGS => &["Team stand-up", "Weekly sync", "Retrospective"],
        _ => &["User interviews", "Competitor analysis", "Technical spike"],
    }
}

/// Who tracks what: (user, the (project, task) pairs they work on).
#[rustfmt::skip]
const SCHEDULES: [(u64, &[(u64, u64)]); 6] = {
    use ids::*;
    [
        (ADA, &[(WEBSITE_REDESIGN, DEVELOPMENT), (WEBSITE_REDESIGN, PROJECT_MANAGEMENT), (ERP_INTEGRATION, DEVELOPMENT), (INTERNAL_OPERATIONS, MEETINGS)]),
        (GRACE, &[(MOBILE_APP, PROJECT_MANAGEMENT), (ANNUAL_REPORT, PROJECT_MANAGEMENT), (WEBSITE_REDESIGN, PROJECT_MANAGEMENT), (INTERNAL_OPERATIONS, MEETINGS)]),
        (ALAN, &[(WEBSITE_REDESIGN, DESIGN), (MOBILE_APP, DEVELOPMENT), (MOBILE_APP, RESEARCH), (WEBSITE_REDESIGN, MEETINGS)]),
        (KATHERINE, &[(ERP_INTEGRATION, DEVELOPMENT), (ERP_INTEGRATION, PROJECT_MANAGEMENT), (ANNUAL_REPORT, DESIGN), (INTERNAL_OPERATIONS, RESEARCH)]),
        (EDSGER, &[(MOBILE_APP, DEVELOPMENT), (MOBILE_APP, DESIGN)]),
        (CHARLES, &[(LEGACY_PORTAL, DEVELOPMENT), (LEGACY_PORTAL, PROJECT_MANAGEMENT)]),
    ]
};

fn plus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(date)
}

/// One seeded account: catalogue, time, approvals, invoices and payments.
pub fn account(anchor: NaiveDate, spec: &AccountSpec) -> AccountData {
    let mut account = catalogue(anchor, spec);
    let start = anchor
        .checked_sub_days(Days::new(HISTORY_DAYS))
        .unwrap_or(anchor);
    let month_start = anchor.with_day(1).unwrap_or(anchor);
    for d in 0..=HISTORY_DAYS {
        let date = plus(start, d);
        let weekday = !matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        for (u, (user, plan)) in SCHEDULES.iter().enumerate() {
            let works = match *user {
                ids::EDSGER => date < month_start,
                ids::CHARLES => d < 30,
                _ => true,
            };
            if date == anchor && *user == ids::ADA {
                anchor_day_for_ada(&mut account, spec, anchor);
            } else if weekday && works {
                let h = mix(d * 31 + u as u64);
                let count = 2 + usize::from(h.is_multiple_of(3));
                let mut clock = NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN);
                for k in 0..count {
                    let h = mix(h ^ (k as u64 + 1));
                    let Some((project, task)) = plan.get((h >> 8) as usize % plan.len()) else {
                        continue;
                    };
                    let hours = HOURS[(h >> 16) as usize % HOURS.len()];
                    let pool = notes_for(*task);
                    let note = pool[(h >> 24) as usize % pool.len()];
                    let end = clock + chrono::Duration::minutes((hours * 60.0) as i64);
                    add_entry(
                        &mut account,
                        spec,
                        (*user, *project, *task),
                        date,
                        hours,
                        note,
                        Some((clock, end)),
                    );
                    clock = end + chrono::Duration::minutes(15);
                }
            }
        }
    }
    // Timesheets of the first two weeks are approved, which locks them.
    let approved_until = plus(start, 13);
    for entry in account
        .time_entries
        .iter_mut()
        .filter(|e| e.spent_date <= approved_until)
    {
        entry.is_closed = true;
        entry.approval_status = "approved".into();
        entry.refresh_lock();
    }
    invoices(&mut account, spec, anchor, start);
    account
}

/// A stopped entry; in timestamp accounts it carries its start and end times.
fn add_entry(
    account: &mut AccountData,
    spec: &AccountSpec,
    (user, project, task): (u64, u64, u64),
    date: NaiveDate,
    hours: f64,
    note: &str,
    times: Option<(NaiveTime, NaiveTime)>,
) -> Option<u64> {
    let o = spec.offset;
    let created = at(date, 17, 0);
    let placement = account
        .placement(user + o, project + o, task + o, false, created)
        .ok()?;
    let mut entry = account.new_entry(date, placement, created);
    entry.notes = Some(note.into());
    entry.set_hours(hours);
    if let (Some((start, end)), Some(clock)) = (times, account.timestamp_clock()) {
        entry.started_time = Some(format_time(start, &clock));
        entry.ended_time = Some(format_time(end, &clock));
    }
    let id = entry.id;
    account.time_entries.push(entry);
    Some(id)
}

/// Ada's anchor day: a short stand-up, then a timer running since 08:30 UTC.
fn anchor_day_for_ada(account: &mut AccountData, spec: &AccountSpec, anchor: NaiveDate) {
    let eight = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN);
    let half_past = NaiveTime::from_hms_opt(8, 30, 0).unwrap_or(NaiveTime::MIN);
    let standup = (ids::ADA, ids::INTERNAL_OPERATIONS, ids::MEETINGS);
    add_entry(
        account,
        spec,
        standup,
        anchor,
        0.5,
        "Team stand-up",
        Some((eight, half_past)),
    );
    let o = spec.offset;
    let started = at(anchor, 8, 30);
    let Ok(placement) = account.placement(
        ids::ADA + o,
        ids::WEBSITE_REDESIGN + o,
        ids::DEVELOPMENT + o,
        false,
        started,
    ) else {
        return;
    };
    let mut entry = account.new_entry(anchor, placement, started);
    entry.notes = Some("Checkout flow implementation".into());
    entry.start(started, started);
    if let Some(clock) = account.timestamp_clock() {
        entry.started_time = Some(format_time(half_past, &clock));
    }
    account.time_entries.push(entry);
}

fn import(
    projects: &[u64],
    summary: &str,
    range: Option<(NaiveDate, NaiveDate)>,
) -> Option<ImportInput> {
    Some(ImportInput {
        project_ids: Some(projects.to_vec()),
        time: Some(RangeImport {
            summary_type: Some(summary.into()),
            from: range.map(|r| r.0.to_string()),
            to: range.map(|r| r.1.to_string()),
        }),
        expenses: None,
    })
}

/// Invoices in issue-date order (so ids and numbers follow it): paid, overdue (partly paid),
/// closed, fixed-fee paid, open not yet due, draft.
fn invoices(account: &mut AccountData, spec: &AccountSpec, anchor: NaiveDate, start: NaiveDate) {
    use ids::*;
    let o = spec.offset;
    let first_month = Some((start, plus(start, 29)));
    let second_month = Some((plus(start, 30), plus(start, 59)));
    let before = |days| anchor.checked_sub_days(Days::new(days)).unwrap_or(anchor);
    let milestone = LineItemInput {
        project_id: Some(ANNUAL_REPORT + o),
        kind: Some("Service".into()),
        description: Some("Annual Report: 50% milestone".into()),
        unit_price: Some(6000.0),
        taxed: Some(true),
        ..LineItemInput::default()
    };
    let plan = [
        (
            GLOBEX,
            plus(start, 31),
            "net 30",
            import(&[WEBSITE_REDESIGN + o], "task", first_month),
            None,
        ),
        (
            INITECH,
            plus(start, 32),
            "net 15",
            import(&[ERP_INTEGRATION + o], "task", first_month),
            None,
        ),
        (
            SOYLENT,
            plus(start, 35),
            "net 30",
            import(&[LEGACY_PORTAL + o], "detailed", None),
            None,
        ),
        (
            GLOBEX,
            plus(start, 45),
            "upon receipt",
            None,
            Some(vec![milestone]),
        ),
        (
            GLOBEX,
            before(10),
            "net 30",
            import(&[MOBILE_APP + o], "people", second_month),
            None,
        ),
        (
            GLOBEX,
            before(2),
            "net 30",
            import(&[WEBSITE_REDESIGN + o], "project", second_month),
            None,
        ),
    ];
    for (n, (client, issue, term, line_items_import, line_items)) in plan.into_iter().enumerate() {
        let input = InvoiceInput {
            client_id: Some(client + o),
            subject: Some(format!("Services {}", issue.format("%B %Y"))),
            issue_date: Some(issue.to_string()),
            payment_term: Some(term.into()),
            tax: line_items.as_ref().map(|_| 8.5),
            payment_options: Some(vec!["credit_card".into()]),
            line_items,
            line_items_import,
            ..InvoiceInput::default()
        };
        let Ok(invoice) = create_invoice(account, ADA + o, input, at(issue, 10, 0)) else {
            continue;
        };
        let (id, amount) = (invoice.id, invoice.amount);
        let sent = at(issue, 10, 5);
        if n < 5 {
            set(account, id, |i| {
                (i.state, i.sent_at) = (InvoiceState::Open, Some(sent))
            });
        }
        match n {
            0 => pay(account, id, amount, plus(issue, 20)),
            1 => pay(account, id, round2(amount / 2.0), plus(issue, 10)),
            2 => set(account, id, |i| {
                (i.state, i.closed_at) = (InvoiceState::Closed, Some(at(plus(start, 80), 11, 0)))
            }),
            3 => pay(account, id, amount, plus(issue, 3)),
            _ => {}
        }
    }
}

fn set(
    account: &mut AccountData,
    invoice_id: u64,
    change: impl FnOnce(&mut super::model::Invoice),
) {
    if let Some(invoice) = account.invoices.iter_mut().find(|i| i.id == invoice_id) {
        change(invoice);
    }
}

fn pay(account: &mut AccountData, invoice_id: u64, amount: f64, date: NaiveDate) {
    let paid_at = at(date, 15, 0);
    let recorder = account
        .users
        .first()
        .map(|u| (u.name(), u.email.clone()))
        .unwrap_or_default();
    account.payments.push(InvoicePayment {
        id: Sequences::next(&mut account.seq.payment),
        amount,
        paid_at,
        paid_date: date,
        recorded_by: recorder.0,
        recorded_by_email: recorder.1,
        notes: Some("Bank transfer".into()),
        transaction_id: None,
        payment_gateway: PaymentGateway {
            id: None,
            name: None,
        },
        created_at: paid_at,
        updated_at: paid_at,
        invoice_id,
    });
    settle(account, invoice_id, paid_at);
}
