//! Natural periods: every value resolved on the guest's wall clock in the user's zone, with the
//! account's week start, sent to Harvest as `from`/`to` and echoed in the answer.

use harvest_fake as fake;

use crate::support::{Session, call_at, utc, wit};
use crate::values::{entries_query, expense_query, invoice_query, report_query};

/// 03:00 UTC on Monday 7 December 2026 is still Sunday 6 December, 19:00, in California.
const MONDAY_UTC_SUNDAY_IN_CALIFORNIA: &str = "2026-12-07 03:00";
const PACIFIC: &str = "Pacific Time (US & Canada)";

/// Every period on Sunday 2026-12-06 (the local date), as (period, from, to), for an account
/// whose weeks start on `week_start`. Written out by hand from a calendar.
fn expected(week_start: &str) -> Vec<(wit::Period, &'static str, &'static str)> {
    use wit::Period::*;
    let (this_week, last_week) = match week_start {
        "Monday" => (("2026-11-30", "2026-12-06"), ("2026-11-23", "2026-11-29")),
        _ => (("2026-12-06", "2026-12-12"), ("2026-11-29", "2026-12-05")),
    };
    vec![
        (Today, "2026-12-06", "2026-12-06"),
        (Yesterday, "2026-12-05", "2026-12-05"),
        (ThisWeek, this_week.0, this_week.1),
        (LastWeek, last_week.0, last_week.1),
        (ThisMonth, "2026-12-01", "2026-12-31"),
        (LastMonth, "2026-11-01", "2026-11-30"),
        (ThisQuarter, "2026-10-01", "2026-12-31"),
        (LastQuarter, "2026-07-01", "2026-09-30"),
        (ThisYear, "2026-01-01", "2026-12-31"),
        (LastYear, "2025-01-01", "2025-12-31"),
        (Last7Days, "2026-11-30", "2026-12-06"),
        (Last30Days, "2026-11-07", "2026-12-06"),
    ]
}

/// A session as the administrator of `account_id`, every user of which lives in `zone`.
fn in_zone(token: &str, account_id: u64, zone: &str) -> Session {
    let session = Session::new().configured(token, Some(account_id));
    {
        let mut state = session.fake.state();
        let account = state.account_mut(account_id).expect("account");
        for user in &mut account.users {
            user.timezone = zone.into();
        }
    }
    session
}

fn day(text: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn week_start(session: &Session, account_id: u64) -> String {
    let mut state = session.fake.state();
    let account = state.account_mut(account_id).expect("account");
    account.company.week_start_day.clone()
}

/// The `from` and `to` of the last request to `path`.
fn sent_dates(session: &Session, path: &str) -> (String, String) {
    let requests = session.requests();
    let request = requests
        .iter()
        .rev()
        .find(|r| r.path == path)
        .unwrap_or_else(|| panic!("no request to {path}: {requests:#?}"));
    let value = |key: &str| {
        request
            .query_pairs()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("{path} was sent without {key}"))
    };
    (value("from"), value("to"))
}

fn assert_echo(echo: &Option<wit::ResolvedPeriod>, period: wit::Period, from: &str, to: &str) {
    let echo = echo
        .as_ref()
        .unwrap_or_else(|| panic!("{period:?}: no period echoed"));
    assert_eq!(echo.period, period);
    assert_eq!(
        (echo.from.as_str(), echo.to.as_str()),
        (from, to),
        "{period:?}"
    );
    assert_eq!(echo.time_zone, PACIFIC);
}

#[test]
fn every_period_follows_the_users_date_and_the_accounts_week() {
    let accounts = [
        (fake::ADMIN_TOKEN, fake::ACCOUNT_ID, "Monday"),
        (fake::GLOBAL_TOKEN, fake::GLOBAL_ACCOUNT_ID, "Sunday"),
    ];
    for (token, account_id, week) in accounts {
        let session = in_zone(token, account_id, PACIFIC);
        assert_eq!(week_start(&session, account_id), week, "the seed's week");
        for (period, from, to) in expected(week) {
            let q = wit::TimeEntryQuery {
                period: Some(period),
                limit: Some(1),
                ..entries_query()
            };
            let page = call_at(&session, utc(MONDAY_UTC_SUNDAY_IN_CALIFORNIA), |h, s| {
                h.call_list_time_entries(s, &q)
            })
            .unwrap_or_else(|e| panic!("{week} {period:?}: {e:?}"));
            assert_echo(&page.period, period, from, to);
            assert_eq!(
                sent_dates(&session, "/v2/time_entries"),
                (from.to_string(), to.to_string()),
                "{week} {period:?}"
            );
        }
    }
}

#[test]
fn expenses_invoices_and_reports_take_periods_too() {
    let session = in_zone(fake::ADMIN_TOKEN, fake::ACCOUNT_ID, PACIFIC);
    let at = utc(MONDAY_UTC_SUNDAY_IN_CALIFORNIA);
    let (from, to) = ("2026-11-30", "2026-12-06");
    let week = Some(wit::Period::ThisWeek);

    let q = wit::ExpenseQuery {
        period: week,
        ..expense_query()
    };
    let page = call_at(&session, at, |h, s| h.call_list_expenses(s, &q)).expect("expenses");
    assert_echo(&page.period, wit::Period::ThisWeek, from, to);
    assert_eq!(
        sent_dates(&session, "/v2/expenses"),
        (from.into(), to.into())
    );

    let q = wit::InvoiceQuery {
        period: week,
        ..invoice_query()
    };
    session.clear();
    let page = call_at(&session, at, |h, s| h.call_list_invoices(s, &q)).expect("invoices");
    assert_echo(&page.period, wit::Period::ThisWeek, from, to);
    assert_eq!(
        sent_dates(&session, "/v2/invoices"),
        (from.into(), to.into())
    );
    // The period's calendar gives the overdue flags their today: the profile is read once.
    assert_eq!(
        crate::support::method_paths(&session.requests()),
        [
            ("GET", "/v2/users/me"),
            ("GET", "/v2/company"),
            ("GET", "/v2/invoices")
        ]
    );

    let q = wit::ReportQuery {
        period: Some(wit::Period::LastQuarter),
        from: None,
        to: None,
        ..report_query("", "")
    };
    let report = call_at(&session, at, |h, s| h.call_time_report_by_team(s, &q)).expect("report");
    assert_echo(
        &report.period,
        wit::Period::LastQuarter,
        "2026-07-01",
        "2026-09-30",
    );
    assert_eq!(
        (report.from.as_str(), report.to.as_str()),
        ("2026-07-01", "2026-09-30")
    );
    assert_eq!(
        sent_dates(&session, "/v2/reports/time/team"),
        ("2026-07-01".into(), "2026-09-30".into())
    );
    let report = call_at(&session, at, |h, s| h.call_invoice_report(s, &q)).expect("uninvoiced");
    assert_echo(
        &report.period,
        wit::Period::LastQuarter,
        "2026-07-01",
        "2026-09-30",
    );
}

#[test]
fn a_period_lists_exactly_the_entries_of_its_dates() {
    // The seed's entries lie around Wednesday 18 March 2026; the week runs from Monday 16th.
    let session = in_zone(fake::ADMIN_TOKEN, fake::ACCOUNT_ID, PACIFIC);
    let q = wit::TimeEntryQuery {
        period: Some(wit::Period::ThisWeek),
        limit: Some(10_000),
        ..entries_query()
    };
    let page = call_at(&session, utc("2026-03-18 18:00"), |h, s| {
        h.call_list_time_entries(s, &q)
    })
    .expect("entries");
    let mut listed: Vec<u64> = page.items.iter().map(|e| e.id).collect();
    listed.sort();
    let (monday, sunday) = (day("2026-03-16"), day("2026-03-22"));
    let expected =
        crate::support::entry_ids(&session, |e| (monday..=sunday).contains(&e.spent_date));
    assert!(!expected.is_empty(), "the seed has time in that week");
    assert_eq!(listed, expected);
}

#[test]
fn a_period_with_dates_or_a_report_without_either_is_refused_before_any_request() {
    let session = Session::new();
    session.clear();
    let q = wit::TimeEntryQuery {
        period: Some(wit::Period::Today),
        from: Some("2026-03-01".into()),
        ..entries_query()
    };
    let error = session
        .call(|h, s| h.call_list_time_entries(s, &q))
        .expect_err("period and from");
    let wit::Error::InvalidInput(invalid) = error else {
        panic!("invalid input expected: {error:?}");
    };
    assert_eq!(invalid.field, "period");
    let q = wit::ReportQuery {
        from: None,
        to: None,
        ..report_query("", "")
    };
    let error = session
        .call(|h, s| h.call_time_report_by_project(s, &q))
        .expect_err("no dates");
    assert!(
        matches!(&error, wit::Error::InvalidInput(i) if i.field == "from"),
        "{error:?}"
    );
    assert!(session.requests().is_empty(), "{:#?}", session.requests());
}

#[test]
fn weeks_of_explicit_dates_need_the_accounts_week_start_but_not_the_users_zone() {
    let session = in_zone(fake::GLOBAL_TOKEN, fake::GLOBAL_ACCOUNT_ID, PACIFIC);
    session.clear();
    let q = wit::TimeTotalsQuery::between("2026-03-01", "2026-03-31", vec![wit::Grouping::Week]);
    let summary = session
        .call(|h, s| h.call_summarize_time(s, &q))
        .expect("summary");
    assert!(summary.period.is_none());
    let requests = session.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths.first(), Some(&"/v2/company"), "{paths:?}");
    assert!(
        paths.iter().skip(1).all(|p| *p == "/v2/time_entries"),
        "{paths:?}"
    );
    // The account's weeks start on Sunday, and 1 March 2026 is a Sunday.
    let mut weeks: Vec<&str> = summary
        .groups
        .iter()
        .filter_map(|g| g.keys.first().map(|k| k.name.as_str()))
        .collect();
    weeks.sort();
    assert_eq!(weeks.first(), Some(&"2026-03-01"), "{weeks:?}");
}
