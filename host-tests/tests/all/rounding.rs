//! Time Rounding (docs/harvest-notes.md#time-rounding): in an account that rounds time up to 15
//! minutes, the `rounded-hours` of listed entries add up to Harvest's report figures and invoice
//! quantities. The entries are laid out by each test through `create-time-entry`, and every
//! expected figure is computed here from their durations.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use harvest_fake::{self as fake, ids};

use crate::support::{ANCHOR, Session, wit};
use crate::values::{entries_query, new_entry, new_invoice, report_query, time_import};

const G: u64 = ids::GLOBAL_OFFSET;

fn later(days: u64) -> NaiveDate {
    ANCHOR.checked_add_days(Days::new(days)).expect("date")
}

/// The global account: weeks from Sunday, time rounded up to the next 15 minutes.
fn global() -> Session {
    Session::new().configured(fake::GLOBAL_TOKEN, None)
}

/// Minutes rounded up to the next quarter hour, in hours: the account's rule, worked out here.
fn quarter_up(minutes: u32) -> f64 {
    f64::from(minutes.div_ceil(15) * 15) / 60.0
}

struct Laid {
    project: u64,
    task: u64,
    day: NaiveDate,
    minutes: u32,
    billable: bool,
}

/// Billable time on a USD project and a EUR one, and non-billable time, none of it on a
/// quarter hour.
fn layout() -> Vec<Laid> {
    let laid = |project, task, day, minutes, billable| Laid {
        project: project + G,
        task: task + G,
        day: later(day),
        minutes,
        billable,
    };
    vec![
        laid(ids::WEBSITE_REDESIGN, ids::DEVELOPMENT, 7, 67, true),
        laid(ids::WEBSITE_REDESIGN, ids::DEVELOPMENT, 7, 20, true),
        laid(ids::WEBSITE_REDESIGN, ids::DESIGN, 8, 1, true),
        laid(ids::WEBSITE_REDESIGN, ids::DEVELOPMENT, 9, 120, true),
        laid(ids::ERP_INTEGRATION, ids::DEVELOPMENT, 8, 50, true),
        laid(ids::ERP_INTEGRATION, ids::DEVELOPMENT, 9, 91, true),
        laid(ids::INTERNAL_OPERATIONS, ids::MEETINGS, 9, 10, false),
    ]
}

/// Creates the entries through the component; returns them as Harvest answered.
fn create(session: &Session, laid: &[Laid]) -> Vec<wit::TimeEntry> {
    laid.iter()
        .map(|l| {
            let entry = wit::NewTimeEntry {
                spent_date: Some(l.day.to_string()),
                duration: Some(format!("{}h{:02}m", l.minutes / 60, l.minutes % 60)),
                ..new_entry(l.project, l.task)
            };
            session
                .call(|h, s| h.call_create_time_entry(s, &entry))
                .expect("created")
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn summing_rounded_hours_of_listed_entries_gives_harvests_report_figures() {
    let session = global();
    let laid = layout();
    let created = create(&session, &laid);
    let (from, to) = (later(7), later(9));

    // Each entry: tracked hours as given, rounded hours up to the quarter hour.
    for (entry, l) in created.iter().zip(&laid) {
        assert!(close(
            entry.hours,
            (f64::from(l.minutes) / 60.0 * 100.0).round() / 100.0
        ));
        assert_eq!(
            entry.rounded_hours,
            Some(quarter_up(l.minutes)),
            "{} min",
            l.minutes
        );
        assert_eq!(entry.billable, l.billable);
    }

    // What an agent does: list the entries and add up `rounded-hours`, per project.
    let listed = session
        .call(|h, s| {
            h.call_list_time_entries(
                s,
                &wit::TimeEntryQuery {
                    from: Some(from.to_string()),
                    to: Some(to.to_string()),
                    ..entries_query()
                },
            )
        })
        .expect("listed");
    assert_eq!(listed.items.len(), laid.len());
    let mut summed: BTreeMap<u64, (f64, f64, f64)> = BTreeMap::new();
    for entry in &listed.items {
        let rounded = entry.rounded_hours.expect("rounded hours");
        let sums = summed.entry(entry.project.id).or_default();
        sums.0 += rounded;
        if entry.billable {
            sums.1 += rounded;
            sums.2 += rounded * entry.billable_rate.unwrap_or(0.0);
        }
    }
    // The same figures, worked out from the layout alone.
    let mut expected: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
    for l in &laid {
        let sums = expected.entry(l.project).or_default();
        sums.0 += quarter_up(l.minutes);
        if l.billable {
            sums.1 += quarter_up(l.minutes);
        }
    }
    assert_eq!(
        expected[&(ids::WEBSITE_REDESIGN + G)],
        (1.25 + 0.5 + 0.25 + 2.0, 4.0)
    );
    assert_eq!(expected[&(ids::ERP_INTEGRATION + G)], (1.0 + 1.75, 2.75));
    for (project, (total, billable)) in &expected {
        let got = summed[project];
        assert!(
            close(got.0, *total) && close(got.1, *billable),
            "{project}: {got:?}"
        );
    }

    // Harvest's project report shows exactly those figures.
    let report = session
        .call(|h, s| {
            h.call_time_report_by_project(s, &report_query(&from.to_string(), &to.to_string()))
        })
        .expect("report");
    assert_eq!(report.rows.len(), expected.len());
    for row in &report.rows {
        let (total, billable) = expected[&row.project_id];
        assert!(close(row.total_hours, total), "{row:?}");
        assert!(close(row.billable_hours, billable), "{row:?}");
        let amount = summed[&row.project_id].2;
        assert!(
            close(row.billable_amount.unwrap_or(-1.0), amount),
            "{row:?} vs {amount}"
        );
    }
    let usd = report
        .rows
        .iter()
        .find(|r| r.project_id == ids::WEBSITE_REDESIGN + G)
        .expect("USD row");
    assert_eq!(usd.currency.as_deref(), Some("USD"));

    // The uninvoiced report counts the same rounded hours.
    let uninvoiced = session
        .call(|h, s| h.call_invoice_report(s, &report_query(&from.to_string(), &to.to_string())))
        .expect("uninvoiced");
    for row in &uninvoiced.rows {
        let (total, billable) = expected[&row.project_id];
        assert!(close(row.total_hours, total), "{row:?}");
        assert!(close(row.uninvoiced_hours, billable), "{row:?}");
        assert!(
            close(row.uninvoiced_amount, summed[&row.project_id].2),
            "{row:?}"
        );
    }
    assert_eq!(
        uninvoiced.rows.len(),
        2,
        "the non-billable project is not listed"
    );
}

#[test]
fn an_invoice_import_bills_rounded_hours() {
    let session = global();
    let laid = layout();
    let created = create(&session, &laid);
    let (from, to) = (later(7), later(9));
    let project = ids::WEBSITE_REDESIGN + G;
    let invoice = wit::NewInvoice {
        import: Some(wit::LineItemsImport {
            time: Some(wit::TimeImport {
                summary: wit::TimeSummary::Detailed,
                from: Some(from.to_string()),
                to: Some(to.to_string()),
            }),
            ..time_import(vec![project], "", "")
        }),
        ..new_invoice(ids::GLOBEX + G)
    };
    let made = session
        .call(|h, s| h.call_create_invoice(s, &invoice))
        .expect("created");
    let mut quantities: Vec<f64> = made.line_items.iter().map(|l| l.quantity).collect();
    quantities.sort_by(f64::total_cmp);
    let mut expected: Vec<f64> = laid
        .iter()
        .filter(|l| l.project == project)
        .map(|l| quarter_up(l.minutes))
        .collect();
    expected.sort_by(f64::total_cmp);
    assert_eq!(
        quantities, expected,
        "one line per entry, at its rounded hours"
    );
    let amount: f64 = created
        .iter()
        .filter(|e| e.project.id == project)
        .map(|e| e.rounded_hours.unwrap_or(0.0) * e.billable_rate.unwrap_or(0.0))
        .sum();
    assert!(close(made.amount, amount), "{} vs {amount}", made.amount);
    assert_eq!(made.currency, "USD");
}

/// Without Time Rounding, rounded hours are the tracked hours.
#[test]
fn an_account_without_rounding_reports_tracked_hours() {
    let session = Session::new();
    let entry = wit::NewTimeEntry {
        spent_date: Some(later(7).to_string()),
        duration: Some("1h07m".into()),
        ..new_entry(ids::WEBSITE_REDESIGN, ids::DEVELOPMENT)
    };
    let made = session
        .call(|h, s| h.call_create_time_entry(s, &entry))
        .expect("created");
    assert_eq!((made.hours, made.rounded_hours), (1.12, Some(1.12)));
    let day = later(7).to_string();
    let report = session
        .call(|h, s| h.call_time_report_by_project(s, &report_query(&day, &day)))
        .expect("report");
    assert_eq!(report.rows.len(), 1);
    assert_eq!(report.rows[0].total_hours, 1.12);
}
