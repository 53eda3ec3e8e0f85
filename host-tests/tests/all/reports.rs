//! Report tools end to end: the time reports (by project, team, client and task) and the
//! uninvoiced "invoice report", with expected rows computed independently from the fake's
//! time entries, including ranges longer than Harvest's 365-day limit.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use harvest_fake::{self as fake, AccountData, RecordedRequest, TimeEntry, ids};

use crate::support::{Session, pairs, query, wit};
use crate::values::{new_invoice, report_query};

/// Hours and money in hundredths, so sums compare exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Totals {
    total: i64,
    billable: i64,
    amount: i64,
}

/// A row's subject id and currency.
type Key = (u64, String);
type Rows = BTreeMap<Key, Totals>;

fn cents(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn with_account<R>(session: &Session, f: impl FnOnce(&AccountData, DateTime<Utc>) -> R) -> R {
    let state = session.fake.state();
    let now = state.clock.now();
    f(state.account(fake::ACCOUNT_ID).expect("main account"), now)
}

/// Time report rows computed from the fake's entries: hours per subject and currency of the
/// entries spent in `from..=to` (running timers as of `now`), billable hours, and the billable
/// amount (fixed-fee projects only with `include_fixed_fee`).
fn expected_time_rows(
    session: &Session,
    (from, to): (NaiveDate, NaiveDate),
    include_fixed_fee: bool,
    subject: fn(&TimeEntry) -> u64,
) -> Rows {
    with_account(session, |account, now| {
        let mut sums: BTreeMap<Key, (f64, f64, f64)> = BTreeMap::new();
        for entry in account
            .time_entries
            .iter()
            .filter(|e| e.spent_date >= from && e.spent_date <= to)
        {
            let e = entry.live(now);
            let slot = sums
                .entry((subject(&e), e.client.currency.clone()))
                .or_default();
            slot.0 += e.hours;
            if e.billable {
                slot.1 += e.hours;
                let fixed_fee = account
                    .project(e.project.id)
                    .is_some_and(|p| p.is_fixed_fee);
                if include_fixed_fee || !fixed_fee {
                    slot.2 += e.hours * e.billable_rate.unwrap_or(0.0);
                }
            }
        }
        sums.into_iter()
            .map(|(key, (total, billable, amount))| {
                let totals = Totals {
                    total: cents(total),
                    billable: cents(billable),
                    amount: cents(amount),
                };
                (key, totals)
            })
            .collect()
    })
}

fn by_project(e: &TimeEntry) -> u64 {
    e.project.id
}
fn by_user(e: &TimeEntry) -> u64 {
    e.user.id
}
fn by_client(e: &TimeEntry) -> u64 {
    e.client.id
}
fn by_task(e: &TimeEntry) -> u64 {
    e.task.id
}

/// The rows of a report answer, keyed like [`expected_time_rows`]; a subject and currency
/// appearing twice fails the test.
fn got_rows<'a>(rows: impl Iterator<Item = (u64, Option<&'a str>, f64, f64, Option<f64>)>) -> Rows {
    let mut out = Rows::new();
    for (id, currency, total, billable, amount) in rows {
        let currency = currency.expect("an admin sees currencies").to_string();
        let totals = Totals {
            total: cents(total),
            billable: cents(billable),
            amount: cents(amount.expect("an admin sees amounts")),
        };
        let previous = out.insert((id, currency.clone()), totals);
        assert!(previous.is_none(), "{id} {currency} appears twice");
    }
    out
}

fn project_rows(report: &wit::ProjectTimeReport) -> Rows {
    got_rows(report.rows.iter().map(|r| {
        (
            r.project_id,
            r.currency.as_deref(),
            r.total_hours,
            r.billable_hours,
            r.billable_amount,
        )
    }))
}

fn team_rows(report: &wit::TeamTimeReport) -> Rows {
    got_rows(report.rows.iter().map(|r| {
        (
            r.user_id,
            r.currency.as_deref(),
            r.total_hours,
            r.billable_hours,
            r.billable_amount,
        )
    }))
}

fn client_rows(report: &wit::ClientTimeReport) -> Rows {
    got_rows(report.rows.iter().map(|r| {
        (
            r.client_id,
            r.currency.as_deref(),
            r.total_hours,
            r.billable_hours,
            r.billable_amount,
        )
    }))
}

fn task_rows(report: &wit::TaskTimeReport) -> Rows {
    got_rows(report.rows.iter().map(|r| {
        (
            r.task_id,
            r.currency.as_deref(),
            r.total_hours,
            r.billable_hours,
            r.billable_amount,
        )
    }))
}

/// (method, path, sorted query pairs) of a request.
type RequestSummary = (String, String, Vec<(String, String)>);

/// Asserts the requests are one GET of `path` per expected chunk, with exactly these queries.
fn assert_chunk_requests(
    requests: &[RecordedRequest],
    path: &str,
    chunks: &[(&str, &str)],
    extra: &[(&str, &str)],
) {
    let got: Vec<RequestSummary> = requests
        .iter()
        .map(|r| (r.method.clone(), r.path.clone(), query(r)))
        .collect();
    let want: Vec<RequestSummary> = chunks
        .iter()
        .map(|(from, to)| {
            let mut items = vec![("from", *from), ("to", *to), ("per_page", "2000")];
            items.extend_from_slice(extra);
            ("GET".to_string(), path.to_string(), pairs(&items))
        })
        .collect();
    assert_eq!(got, want);
}

/// Every request's range is at most 365 days (both ends counted) and together they cover
/// `from..=to` once, in order.
fn assert_legal_cover(requests: &[RecordedRequest], from: NaiveDate, to: NaiveDate) {
    let mut next = Some(from);
    for request in requests {
        let start = day(&request.query_param("from").expect("from"));
        let end = day(&request.query_param("to").expect("to"));
        assert_eq!(Some(start), next, "chunks are consecutive");
        assert!(
            start <= end && (end - start).num_days() < 365,
            "{start}..{end} is longer than 365 days"
        );
        next = end.succ_opt();
    }
    assert_eq!(next, to.succ_opt(), "the chunks end on `to`");
}

fn assert_invalid<T: std::fmt::Debug>(result: Result<T, wit::Error>, field: &str) {
    let Err(wit::Error::InvalidInput(e)) = result else {
        panic!("expected invalid input on {field}, got {result:?}")
    };
    assert_eq!(e.field, field, "{}", e.rule);
}

/// The first two weeks of March: the anchor's month up to the day before the anchor, so no
/// running timer is involved.
const MARCH: (&str, &str) = ("2026-03-01", "2026-03-17");

fn march() -> (NaiveDate, NaiveDate) {
    (day(MARCH.0), day(MARCH.1))
}

// ---------------------------------------------------------------- time reports

#[test]
fn time_report_by_project_sends_the_range_and_sums_the_tracked_time_per_project() {
    let session = Session::new();
    let expected = expected_time_rows(&session, march(), false, by_project);
    assert!(
        expected.len() >= 4,
        "several projects have time: {expected:?}"
    );
    let report = session
        .call(|h, s| h.call_time_report_by_project(s, &report_query(MARCH.0, MARCH.1)))
        .expect("report");
    assert_eq!((report.from.as_str(), report.to.as_str()), MARCH);
    assert_eq!(project_rows(&report), expected);
    let names = with_account(&session, |a, _| {
        report.rows.iter().all(|r| {
            a.project(r.project_id)
                .is_some_and(|p| p.name == r.project_name && p.client.id == r.client_id)
        })
    });
    assert!(names, "rows name their project and client");
    assert_chunk_requests(
        &session.requests(),
        "/v2/reports/time/projects",
        &[MARCH],
        &[],
    );
}

#[test]
fn time_report_by_client_with_fixed_fees_sends_the_flag_and_prices_fixed_fee_time() {
    let session = Session::new();
    let without = expected_time_rows(&session, march(), false, by_client);
    let with = expected_time_rows(&session, march(), true, by_client);
    assert_ne!(
        with, without,
        "the fixed-fee Annual Report has time in March"
    );
    let q = wit::ReportQuery {
        include_fixed_fee: Some(true),
        ..report_query(MARCH.0, MARCH.1)
    };
    let report = session
        .call(|h, s| h.call_time_report_by_client(s, &q))
        .expect("report");
    assert_eq!(client_rows(&report), with);
    let globex = report
        .rows
        .iter()
        .find(|r| r.client_id == ids::GLOBEX)
        .expect("Globex row");
    assert_eq!(globex.client_name, "Globex Corporation");
    assert_chunk_requests(
        &session.requests(),
        "/v2/reports/time/clients",
        &[MARCH],
        &[("include_fixed_fee", "true")],
    );
}

#[test]
fn time_report_by_task_keeps_one_row_per_task_and_currency() {
    let session = Session::new();
    let expected = expected_time_rows(&session, march(), false, by_task);
    let currencies_of_development = expected
        .keys()
        .filter(|(task, _)| *task == ids::DEVELOPMENT)
        .count();
    assert_eq!(
        currencies_of_development, 2,
        "Development is tracked for USD and EUR clients: {expected:?}"
    );
    let report = session
        .call(|h, s| h.call_time_report_by_task(s, &report_query(MARCH.0, MARCH.1)))
        .expect("report");
    assert_eq!(task_rows(&report), expected);
    assert_chunk_requests(&session.requests(), "/v2/reports/time/tasks", &[MARCH], &[]);
}

#[test]
fn time_report_by_team_has_no_row_for_someone_without_time_this_month() {
    let session = Session::new();
    let month = (day("2026-03-01"), day("2026-03-31"));
    let edsger_before = with_account(&session, |a, _| {
        a.time_entries
            .iter()
            .filter(|e| e.user.id == ids::EDSGER)
            .map(|e| e.spent_date)
            .max()
    });
    assert!(
        edsger_before.is_some_and(|d| d < month.0),
        "Edsger tracked time before March only"
    );
    // Ada's timer runs on the anchor day: her row lies between the sums before and after.
    let low = expected_time_rows(&session, month, false, by_user);
    let report = session
        .call(|h, s| h.call_time_report_by_team(s, &report_query("2026-03-01", "2026-03-31")))
        .expect("report");
    let high = expected_time_rows(&session, month, false, by_user);
    let got = team_rows(&report);
    assert!(got.keys().all(|(user, _)| *user != ids::EDSGER), "{got:?}");
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        high.keys().collect::<Vec<_>>()
    );
    for (key, totals) in &got {
        let (lo, hi) = (low[key], high[key]);
        let between = |l: i64, x: i64, h: i64| l <= x && x <= h;
        assert!(
            between(lo.total, totals.total, hi.total)
                && between(lo.billable, totals.billable, hi.billable)
                && between(lo.amount, totals.amount, hi.amount),
            "{key:?}: {totals:?} not within {:?}..{:?}",
            low[key],
            high[key]
        );
    }
    let users = with_account(&session, |a, _| a.users.clone());
    for row in &report.rows {
        let user = users.iter().find(|u| u.id == row.user_id).expect("user");
        assert_eq!(
            (
                row.user_name.as_str(),
                row.weekly_capacity,
                row.is_contractor
            ),
            (
                user.name().as_str(),
                Some(user.weekly_capacity),
                Some(user.is_contractor)
            )
        );
    }
    assert_chunk_requests(
        &session.requests(),
        "/v2/reports/time/team",
        &[("2026-03-01", "2026-03-31")],
        &[],
    );
}

#[test]
fn time_report_by_team_lists_someone_who_tracked_time_in_the_range() {
    let session = Session::new();
    let february = (day("2026-02-01"), day("2026-02-28"));
    let expected = expected_time_rows(&session, february, false, by_user);
    assert!(expected.keys().any(|(user, _)| *user == ids::EDSGER));
    let report = session
        .call(|h, s| h.call_time_report_by_team(s, &report_query("2026-02-01", "2026-02-28")))
        .expect("report");
    assert_eq!(team_rows(&report), expected);
    let edsger = report
        .rows
        .iter()
        .find(|r| r.user_id == ids::EDSGER)
        .expect("Edsger's row");
    assert_eq!(edsger.is_contractor, Some(true));
}

#[test]
fn a_time_report_longer_than_a_year_is_split_into_legal_chunks_and_merged() {
    let session = Session::new();
    let (from, to) = (day("2025-01-01"), day("2026-03-17"));
    let chunks = [("2025-01-01", "2025-12-31"), ("2026-01-01", "2026-03-17")];
    let first = expected_time_rows(
        &session,
        (day(chunks[0].0), day(chunks[0].1)),
        false,
        by_project,
    );
    let second = expected_time_rows(
        &session,
        (day(chunks[1].0), day(chunks[1].1)),
        false,
        by_project,
    );
    assert!(
        first.keys().any(|k| second.contains_key(k)),
        "some projects have time in both chunks, so rows must be merged"
    );
    let whole = expected_time_rows(&session, (from, to), false, by_project);
    // The sum of the chunks, computed here, is the one-range total.
    let mut summed = first.clone();
    for (key, t) in &second {
        let slot = summed.entry(key.clone()).or_default();
        slot.total += t.total;
        slot.billable += t.billable;
        slot.amount += t.amount;
    }
    assert_eq!(summed, whole);

    let report = session
        .call(|h, s| h.call_time_report_by_project(s, &report_query("2025-01-01", "2026-03-17")))
        .expect("report");
    assert_eq!(
        (report.from.as_str(), report.to.as_str()),
        ("2025-01-01", "2026-03-17")
    );
    assert_eq!(project_rows(&report), whole);
    let requests = session.requests();
    assert_legal_cover(&requests, from, to);
    assert_chunk_requests(&requests, "/v2/reports/time/projects", &chunks, &[]);
}

#[test]
fn a_time_report_of_several_years_uses_only_legal_chunks() {
    let session = Session::new();
    let (from, to) = (day("2023-06-15"), day("2026-03-17"));
    let expected = expected_time_rows(&session, (from, to), false, by_task);
    let report = session
        .call(|h, s| h.call_time_report_by_task(s, &report_query("2023-06-15", "2026-03-17")))
        .expect("report");
    assert_eq!(task_rows(&report), expected);
    let requests = session.requests();
    assert_eq!(requests.len(), 3, "{requests:#?}");
    assert_legal_cover(&requests, from, to);
}

#[test]
fn reports_refuse_from_after_to_before_any_request() {
    let session = Session::new();
    let q = report_query("2026-03-18", "2026-03-01");
    assert_invalid(
        session.call(|h, s| h.call_time_report_by_project(s, &q)),
        "to",
    );
    assert_invalid(session.call(|h, s| h.call_time_report_by_team(s, &q)), "to");
    assert_invalid(
        session.call(|h, s| h.call_time_report_by_client(s, &q)),
        "to",
    );
    assert_invalid(session.call(|h, s| h.call_time_report_by_task(s, &q)), "to");
    assert_invalid(session.call(|h, s| h.call_invoice_report(s, &q)), "to");
    assert!(session.requests().is_empty());
}

#[test]
fn reports_refuse_malformed_dates_before_any_request() {
    let session = Session::new();
    let bad_from = report_query("2026-3-1", "2026-03-17");
    assert_invalid(
        session.call(|h, s| h.call_time_report_by_project(s, &bad_from)),
        "from",
    );
    let bad_to = report_query("2026-03-01", "2026-02-30");
    assert_invalid(session.call(|h, s| h.call_invoice_report(s, &bad_to)), "to");
    assert!(session.requests().is_empty());
}

// ---------------------------------------------------------------- invoice report

/// One uninvoiced row: (total hours, uninvoiced hours, uninvoiced expenses, uninvoiced amount)
/// in hundredths, keyed by project and currency.
type Uninvoiced = BTreeMap<Key, (i64, i64, i64, i64)>;

/// The uninvoiced report computed from the fake's data: billable projects with time in the
/// range; hours of every entry, billable unbilled hours at their rates, and for a fixed-fee
/// project (with `include_fixed_fee`) what its fee has left after the invoice lines billing it.
fn expected_uninvoiced(
    session: &Session,
    (from, to): (NaiveDate, NaiveDate),
    include_fixed_fee: bool,
) -> Uninvoiced {
    with_account(session, |account, now| {
        let mut sums: BTreeMap<Key, (f64, f64, f64)> = BTreeMap::new();
        for entry in account
            .time_entries
            .iter()
            .filter(|e| e.spent_date >= from && e.spent_date <= to)
        {
            let Some(project) = account.project(entry.project.id).filter(|p| p.is_billable) else {
                continue;
            };
            let e = entry.live(now);
            let slot = sums
                .entry((project.id, e.client.currency.clone()))
                .or_default();
            slot.0 += e.hours;
            if e.billable && !e.is_billed {
                slot.1 += e.hours;
                if !project.is_fixed_fee {
                    slot.2 += e.hours * e.billable_rate.unwrap_or(0.0);
                }
            }
        }
        // Billable expenses not yet invoiced (seeded in the main account) count too.
        let mut expenses: BTreeMap<Key, f64> = BTreeMap::new();
        for expense in account
            .expenses
            .iter()
            .filter(|e| e.spent_date >= from && e.spent_date <= to)
            .filter(|e| e.billable && !e.is_billed)
        {
            if account
                .project(expense.project.id)
                .is_some_and(|p| p.is_billable)
            {
                let key = (expense.project.id, expense.client.currency.clone());
                *expenses.entry(key.clone()).or_default() += expense.total_cost;
                sums.entry(key).or_default();
            }
        }
        sums.into_iter()
            .map(|((project_id, currency), (total, hours, mut amount))| {
                let project = account.project(project_id).expect("project");
                let starts = project.starts_on.unwrap_or(project.created_at.date_naive());
                if project.is_fixed_fee && include_fixed_fee {
                    let billed: f64 = account
                        .invoices
                        .iter()
                        .flat_map(|i| &i.line_items)
                        .filter(|l| l.project.as_ref().is_some_and(|p| p.id == project_id))
                        .filter(|l| l.expense_ids.is_empty())
                        .map(|l| l.amount)
                        .sum();
                    let left = (project.fee.unwrap_or(0.0) - billed).max(0.0);
                    amount = if to >= starts { left } else { 0.0 };
                }
                let key = (project_id, currency);
                let spent = expenses.get(&key).copied().unwrap_or(0.0);
                (
                    key,
                    (
                        cents(total),
                        cents(hours),
                        cents(spent),
                        cents(amount + spent),
                    ),
                )
            })
            .collect()
    })
}

fn uninvoiced_rows(report: &wit::UninvoicedReport) -> Uninvoiced {
    let mut out = Uninvoiced::new();
    for r in &report.rows {
        let value = (
            cents(r.total_hours),
            cents(r.uninvoiced_hours),
            cents(r.uninvoiced_expenses),
            cents(r.uninvoiced_amount),
        );
        let previous = out.insert((r.project_id, r.currency.clone()), value);
        assert!(previous.is_none(), "{} appears twice", r.project_id);
    }
    out
}

#[test]
fn invoice_report_gives_what_is_left_to_invoice_per_billable_project() {
    let session = Session::new();
    let range = ("2026-02-01", "2026-03-17");
    let expected = expected_uninvoiced(&session, (day(range.0), day(range.1)), true);
    assert!(
        expected.contains_key(&(ids::ANNUAL_REPORT, "USD".to_string())),
        "the fixed-fee project has time in the range: {expected:?}"
    );
    assert!(
        expected
            .keys()
            .all(|(project, _)| *project != ids::INTERNAL_OPERATIONS),
        "non-billable projects are not listed"
    );
    let report = session
        .call(|h, s| h.call_invoice_report(s, &report_query(range.0, range.1)))
        .expect("report");
    assert_eq!(uninvoiced_rows(&report), expected);
    let names_match = with_account(&session, |a, _| {
        report.rows.iter().all(|r| {
            a.project(r.project_id).is_some_and(|p| {
                p.name == r.project_name
                    && p.client.id == r.client_id
                    && p.client.name == r.client_name
            })
        })
    });
    assert!(names_match, "rows name their project and client");
    assert_chunk_requests(&session.requests(), "/v2/reports/uninvoiced", &[range], &[]);
}

#[test]
fn invoice_report_without_fixed_fees_sends_the_flag_and_prices_only_hourly_time() {
    let session = Session::new();
    let expected = expected_uninvoiced(&session, march(), false);
    let fixed = expected
        .get(&(ids::ANNUAL_REPORT, "USD".to_string()))
        .expect("Annual Report row");
    assert_eq!(fixed.3, 0, "no amount for fixed-fee time without the fee");
    let q = wit::ReportQuery {
        include_fixed_fee: Some(false),
        ..report_query(MARCH.0, MARCH.1)
    };
    let report = session
        .call(|h, s| h.call_invoice_report(s, &q))
        .expect("report");
    assert_eq!(uninvoiced_rows(&report), expected);
    assert_chunk_requests(
        &session.requests(),
        "/v2/reports/uninvoiced",
        &[MARCH],
        &[("include_fixed_fee", "false")],
    );
}

#[test]
fn invoice_report_drops_time_once_it_is_invoiced() {
    let session = Session::new();
    let q = report_query(MARCH.0, MARCH.1);
    let key = (ids::ERP_INTEGRATION, "EUR".to_string());
    let before = session
        .call(|h, s| h.call_invoice_report(s, &q))
        .expect("report");
    assert!(
        uninvoiced_rows(&before)[&key].1 > 0,
        "ERP has uninvoiced time"
    );
    let invoice = wit::NewInvoice {
        import: Some(wit::LineItemsImport {
            project_ids: vec![ids::ERP_INTEGRATION],
            time: Some(wit::TimeImport {
                summary: wit::TimeSummary::Project,
                from: Some(MARCH.0.into()),
                to: Some(MARCH.1.into()),
            }),
            expenses: None,
        }),
        ..new_invoice(ids::INITECH)
    };
    session
        .call(|h, s| h.call_create_invoice(s, &invoice))
        .expect("invoice");
    let after = session
        .call(|h, s| h.call_invoice_report(s, &q))
        .expect("report");
    let rows = uninvoiced_rows(&after);
    assert_eq!(rows, expected_uninvoiced(&session, march(), true));
    assert_eq!(
        (rows[&key].0, rows[&key].1, rows[&key].3),
        (uninvoiced_rows(&before)[&key].0, 0, rows[&key].2),
        "the hours stay; what is left to invoice is the expenses, which were not imported"
    );
}

#[test]
fn invoice_report_longer_than_a_year_counts_a_fixed_fee_once() {
    let session = Session::new();
    let (from, to) = (day("2025-01-01"), day("2026-03-17"));
    let expected = expected_uninvoiced(&session, (from, to), true);
    let fee_left = expected
        .get(&(ids::ANNUAL_REPORT, "USD".to_string()))
        .expect("Annual Report row")
        .3;
    assert!(fee_left > 0, "part of the fixed fee is left to invoice");
    let in_each_chunk = [(from, day("2025-12-31")), (day("2026-01-01"), to)]
        .into_iter()
        .all(|chunk| {
            expected_uninvoiced(&session, chunk, true)
                .contains_key(&(ids::ANNUAL_REPORT, "USD".to_string()))
        });
    assert!(
        in_each_chunk,
        "the fixed-fee project has a row in both chunks, so a plain sum would count its fee twice"
    );
    let report = session
        .call(|h, s| h.call_invoice_report(s, &report_query("2025-01-01", "2026-03-17")))
        .expect("report");
    assert_eq!(uninvoiced_rows(&report), expected);

    // Both chunks with Harvest's default, then both without fixed fees to find the fees.
    let requests = session.requests();
    let chunks = [("2025-01-01", "2025-12-31"), ("2026-01-01", "2026-03-17")];
    assert_chunk_requests(&requests[..2], "/v2/reports/uninvoiced", &chunks, &[]);
    assert_chunk_requests(
        &requests[2..],
        "/v2/reports/uninvoiced",
        &chunks,
        &[("include_fixed_fee", "false")],
    );
    assert_legal_cover(&requests[..2], from, to);
}
