//! `summarize-time` and `team-time-status`. Each test lays out the time entries (and, for the
//! team status, the capacities) it needs in the fake's state, and works out every expected figure
//! here from that layout: hours, Time Rounding to the quarter hour, weeks from Sunday, money per
//! currency, capacity prorated to the working days up to a pinned "today".

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime};
use harvest_fake::{self as fake, ids};
use harvest_host::host::{CallOptions, Exports, State};
use wasmtime::Store;

use crate::support::{ANCHOR, HOST, Session, method_paths};

use crate::support::wit;
use wit::Grouping;

/// More than one page of Harvest's largest (2,000), so every summary reads several pages.
const ENTRIES: usize = 2_345;

/// A Wednesday, noon in New York: the seeded users' zone.
fn wednesday_noon() -> Duration {
    let at = NaiveDateTime::parse_from_str("2026-03-18 16:00", "%Y-%m-%d %H:%M").expect("instant");
    Duration::from_secs(u64::try_from(at.and_utc().timestamp()).expect("after 1970"))
}

fn call_at<R>(
    session: &Session,
    f: impl FnOnce(&Exports, &mut Store<State>) -> wasmtime::Result<R>,
) -> R {
    let options = CallOptions {
        wall_clock: Some(wednesday_noon()),
        ..CallOptions::default()
    };
    HOST.call_with(&options, &session.env, f)
        .unwrap_or_else(|e| panic!("{e:#}"))
        .0
}

/// One laid-out entry, as the test knows it.
#[derive(Clone)]
struct Laid {
    user: (u64, String),
    project: (u64, String),
    client: (u64, String, String),
    task: (u64, String),
    day: NaiveDate,
    minutes: u32,
    billable: bool,
    billable_rate: f64,
    cost_rate: f64,
}

impl Laid {
    fn hours(&self) -> f64 {
        (f64::from(self.minutes) / 60.0 * 100.0).round() / 100.0
    }

    /// The global account's Time Rounding: up to the next quarter hour.
    fn rounded(&self) -> f64 {
        f64::from(self.minutes.div_ceil(15) * 15) / 60.0
    }

    /// The key of this entry for one grouping, as the tool names it.
    fn key(&self, by: Grouping) -> (Option<u64>, String) {
        match by {
            Grouping::User => (Some(self.user.0), self.user.1.clone()),
            Grouping::Project => (Some(self.project.0), self.project.1.clone()),
            Grouping::Client => (Some(self.client.0), self.client.1.clone()),
            Grouping::Task => (Some(self.task.0), self.task.1.clone()),
            Grouping::Date => (None, self.day.to_string()),
            Grouping::Week => {
                let back = u64::from(self.day.weekday().num_days_from_sunday());
                (None, (self.day - Days::new(back)).to_string())
            }
            Grouping::Month => (
                None,
                format!("{:04}-{:02}", self.day.year(), self.day.month()),
            ),
        }
    }
}

/// The global account (weeks from Sunday, 15-minute rounding up, USD and EUR clients), its time
/// entries replaced by `ENTRIES` laid out over its users, projects and tasks, nine weeks up to
/// the anchor.
fn laid_out() -> (Session, Vec<Laid>) {
    let session = Session::new().configured(fake::GLOBAL_TOKEN, None);
    let laid = {
        let mut state = session.fake.state();
        let account = state.account_mut(fake::GLOBAL_ACCOUNT_ID).expect("account");
        let users: Vec<(u64, String)> = account.users.iter().map(|u| (u.id, u.name())).collect();
        let projects: Vec<&fake::Project> = account.projects.iter().collect();
        let tasks: Vec<(u64, String)> = account
            .tasks
            .iter()
            .map(|t| (t.id, t.name.clone()))
            .collect();
        let laid: Vec<Laid> = (0..ENTRIES)
            .map(|i| {
                let project = projects[i * 7 % projects.len()];
                Laid {
                    user: users[i % users.len()].clone(),
                    project: (project.id, project.name.clone()),
                    client: (
                        project.client.id,
                        project.client.name.clone(),
                        project.client.currency.clone(),
                    ),
                    task: tasks[i * 5 % tasks.len()].clone(),
                    day: ANCHOR - Days::new((i * 13 % 63) as u64),
                    minutes: 5 + (i * 37 % 240) as u32,
                    billable: i % 4 != 0,
                    billable_rate: 100.0 + 25.0 * (i % 3) as f64,
                    cost_rate: 40.0 + 10.0 * (i % 2) as f64,
                }
            })
            .collect();
        let template = account.time_entries[0].clone();
        account.time_entries = laid
            .iter()
            .enumerate()
            .map(|(i, l)| fake::TimeEntry {
                id: 9_000_000_000 + i as u64,
                spent_date: l.day,
                hours: l.hours(),
                hours_without_timer: l.hours(),
                rounded_hours: l.rounded(),
                is_running: false,
                timer_started_at: None,
                is_billed: false,
                invoice: None,
                billable: l.billable,
                billable_rate: l.billable.then_some(l.billable_rate),
                cost_rate: Some(l.cost_rate),
                user: fake::IdName {
                    id: l.user.0,
                    name: l.user.1.clone(),
                },
                client: fake::ClientRef {
                    id: l.client.0,
                    name: l.client.1.clone(),
                    currency: l.client.2.clone(),
                },
                project: fake::ProjectRef {
                    id: l.project.0,
                    name: l.project.1.clone(),
                    code: None,
                },
                task: fake::IdName {
                    id: l.task.0,
                    name: l.task.1.clone(),
                },
                ..template.clone()
            })
            .collect();
        laid
    };
    (session, laid)
}

fn query(group_by: Vec<Grouping>) -> wit::TimeTotalsQuery {
    let from = (ANCHOR - Days::new(70)).to_string();
    wit::TimeTotalsQuery::between(&from, &ANCHOR.to_string(), group_by)
}

/// `summarize-time` of this week by project, on a Wednesday.
fn this_week_by_project(session: &Session) -> wit::TimeTotals {
    let q = wit::TimeTotalsQuery {
        period: Some(wit::Period::ThisWeek),
        from: None,
        to: None,
        ..query(vec![Grouping::Project])
    };
    call_at(session, |h, s| h.call_summarize_time(s, &q)).expect("summary")
}

/// What a group adds up to: entries, hours, rounded, billable hours, and per currency the
/// billable amount and cost.
#[derive(Debug, Default)]
struct Expected {
    entries: u64,
    hours: f64,
    rounded: f64,
    billable: f64,
    money: BTreeMap<String, (f64, f64)>,
}

impl Expected {
    fn add(&mut self, l: &Laid) {
        self.entries += 1;
        self.hours += l.hours();
        self.rounded += l.rounded();
        let money = self.money.entry(l.client.2.clone()).or_default();
        if l.billable {
            self.billable += l.rounded();
            money.0 += l.rounded() * l.billable_rate;
        }
        money.1 += l.rounded() * l.cost_rate;
    }
}

type GroupKeys = Vec<(Option<u64>, String)>;

fn expected(laid: &[&Laid], group_by: &[Grouping]) -> (BTreeMap<GroupKeys, Expected>, Expected) {
    let mut groups: BTreeMap<GroupKeys, Expected> = BTreeMap::new();
    let mut total = Expected::default();
    for l in laid {
        let keys = group_by.iter().map(|by| l.key(*by)).collect();
        groups.entry(keys).or_default().add(l);
        total.add(l);
    }
    (groups, total)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.006
}

fn assert_amounts(got: &[wit::CurrencyAmounts], expected: &Expected, what: &str) {
    assert_eq!(
        got.len(),
        expected.money.len(),
        "{what}: currencies {got:?}"
    );
    for amounts in got {
        let currency = amounts.currency.clone().expect("currency");
        let (amount, cost) = expected.money[&currency];
        assert!(
            close(amounts.billable_amount, amount) && close(amounts.cost, cost),
            "{what} {currency}: {amounts:?}, expected {amount} and {cost}"
        );
    }
}

/// Every group and total of `summary` is what the layout gives, and the groups come in the
/// documented order.
fn assert_summary(summary: &wit::TimeTotals, laid: &[&Laid], group_by: &[Grouping]) {
    let (groups, total) = expected(laid, group_by);
    assert_eq!(summary.groups.len(), groups.len(), "{group_by:?}");
    for group in &summary.groups {
        let keys: GroupKeys = group.keys.iter().map(|k| (k.id, k.name.clone())).collect();
        assert_eq!(
            group.keys.iter().map(|k| k.by).collect::<Vec<_>>(),
            group_by
        );
        let want = groups
            .get(&keys)
            .unwrap_or_else(|| panic!("{group_by:?}: unexpected group {keys:?}"));
        assert_eq!(group.entries, want.entries, "{keys:?}");
        assert!(close(group.hours, want.hours), "{keys:?} hours");
        assert!(close(group.rounded_hours, want.rounded), "{keys:?}");
        assert!(close(group.billable_hours, want.billable), "{keys:?}");
        assert_amounts(&group.amounts, want, &format!("{keys:?}"));
    }
    assert_eq!(summary.entries, total.entries);
    assert!(close(summary.hours, total.hours));
    assert!(close(summary.rounded_hours, total.rounded));
    assert!(close(summary.billable_hours, total.billable));
    assert_amounts(&summary.totals, &total, "totals");

    // Order: dates ascending; records by rounded hours, largest first (at the first level, the
    // key's rounded hours over all its groups).
    let same = |a: &wit::GroupKey, b: &wit::GroupKey| (a.id, &a.name) == (b.id, &b.name);
    let first_level = |key: &wit::GroupKey| -> f64 {
        summary
            .groups
            .iter()
            .filter(|g| same(&g.keys[0], key))
            .map(|g| g.rounded_hours)
            .sum()
    };
    for pair in summary.groups.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let (ka, kb) = (&a.keys[0], &b.keys[0]);
        if same(ka, kb) {
            let (sa, sb) = (&a.keys[1], &b.keys[1]);
            if sa.id.is_some() {
                assert!(a.rounded_hours >= b.rounded_hours, "{sa:?} before {sb:?}");
            } else {
                assert!(sa.name < sb.name, "{sa:?} before {sb:?}");
            }
        } else if ka.id.is_some() {
            assert!(first_level(ka) >= first_level(kb), "{ka:?} before {kb:?}");
        } else {
            assert!(ka.name < kb.name, "{ka:?} before {kb:?}");
        }
    }
}

#[test]
fn summarize_time_adds_up_every_page_for_each_grouping() {
    let (session, laid) = laid_out();
    let all: Vec<&Laid> = laid.iter().collect();
    let currencies: std::collections::BTreeSet<&str> =
        laid.iter().map(|l| l.client.2.as_str()).collect();
    assert_eq!(currencies.len(), 2, "the layout bills in two currencies");
    for group_by in [
        vec![Grouping::User],
        vec![Grouping::Project],
        vec![Grouping::Client],
        vec![Grouping::Task],
        vec![Grouping::Date],
        vec![Grouping::Week],
        vec![Grouping::Month],
        vec![Grouping::User, Grouping::Project],
        vec![Grouping::Week, Grouping::Client],
    ] {
        session.clear();
        let q = query(group_by.clone());
        let summary = session
            .call(|h, s| h.call_summarize_time(s, &q))
            .expect("summary");
        assert_eq!(summary.entries, ENTRIES as u64);
        assert_summary(&summary, &all, &group_by);
        let pages = session
            .requests()
            .iter()
            .filter(|r| r.path == "/v2/time_entries")
            .count();
        assert_eq!(
            pages,
            ENTRIES.div_ceil(2000),
            "{group_by:?}: every page read"
        );
        assert_eq!(
            (summary.from.as_str(), summary.to.as_str()),
            (
                q.from.as_deref().unwrap_or(""),
                q.to.as_deref().unwrap_or("")
            )
        );
        assert!(summary.period.is_none());
    }
}

#[test]
fn summarize_time_weeks_start_on_the_accounts_day_and_hours_are_rounded() {
    let (session, laid) = laid_out();
    let all: Vec<&Laid> = laid.iter().collect();
    let summary = session
        .call(|h, s| h.call_summarize_time(s, &query(vec![Grouping::Week])))
        .expect("summary");
    for group in &summary.groups {
        let first = NaiveDate::parse_from_str(&group.keys[0].name, "%Y-%m-%d").expect("date");
        assert_eq!(first.weekday(), chrono::Weekday::Sun, "{first}");
    }
    // Rounded hours exceed tracked ones: the account rounds each entry up to 15 minutes.
    let tracked: f64 = all.iter().map(|l| l.hours()).sum();
    let rounded: f64 = all.iter().map(|l| l.rounded()).sum();
    assert!(rounded > tracked + 10.0);
    assert!(close(summary.rounded_hours, rounded) && close(summary.hours, tracked));
}

#[test]
fn summarize_time_resolves_a_period_and_echoes_it() {
    let (session, laid) = laid_out();
    // Wednesday 18 March 2026 in a Sunday-week account: Sunday 15 to Saturday 21.
    let (from, to) = (ANCHOR - Days::new(3), ANCHOR + Days::new(3));
    let in_week: Vec<&Laid> = laid
        .iter()
        .filter(|l| l.day >= from && l.day <= to)
        .collect();
    assert!(!in_week.is_empty());
    let summary = this_week_by_project(&session);
    assert_eq!(
        (summary.from.clone(), summary.to.clone()),
        (from.to_string(), to.to_string())
    );
    let resolved = summary.period.clone().expect("resolved period");
    assert_eq!(resolved.period, wit::Period::ThisWeek);
    assert_eq!(
        (resolved.from, resolved.to),
        (from.to_string(), to.to_string())
    );
    assert_summary(&summary, &in_week, &[Grouping::Project]);
}

#[test]
fn summarize_time_filters_billable_time_itself_and_the_rest_through_harvest() {
    let (session, laid) = laid_out();
    let user = laid[0].user.0;
    let mine: Vec<&Laid> = laid
        .iter()
        .filter(|l| l.user.0 == user && l.billable)
        .collect();
    let q = wit::TimeTotalsQuery {
        user_id: Some(user),
        billable: Some(true),
        ..query(vec![Grouping::Client])
    };
    session.clear();
    let summary = session
        .call(|h, s| h.call_summarize_time(s, &q))
        .expect("summary");
    assert_summary(&summary, &mine, &[Grouping::Client]);
    assert!(close(summary.billable_hours, summary.rounded_hours));
    for request in session.requests() {
        if request.path == "/v2/time_entries" {
            assert_eq!(request.query_param("user_id"), Some(user.to_string()));
            assert_eq!(
                request.query_param("billable"),
                None,
                "not a Harvest filter"
            );
        }
    }
}

#[test]
fn summarize_time_refuses_a_bad_group_by_before_any_request() {
    let session = Session::new();
    for group_by in [
        vec![],
        vec![Grouping::User, Grouping::User],
        vec![Grouping::User, Grouping::Project, Grouping::Task],
    ] {
        session.clear();
        let q = query(group_by.clone());
        match session.call(|h, s| h.call_summarize_time(s, &q)) {
            Err(wit::Error::InvalidInput(e)) => assert_eq!(e.field, "group-by", "{group_by:?}"),
            other => panic!("{group_by:?}: {other:?}"),
        }
        assert!(session.requests().is_empty());
    }
    let q = wit::TimeTotalsQuery {
        from: None,
        to: None,
        ..query(vec![Grouping::User])
    };
    match session.call(|h, s| h.call_summarize_time(s, &q)) {
        Err(wit::Error::InvalidInput(e)) => assert_eq!(e.field, "from"),
        other => panic!("{other:?}"),
    }
    assert!(session.requests().is_empty());
}

// ---------------------------------------------------------------- team-time-status

const HOUR: u32 = 3600;

/// The main account (Monday weeks, no rounding) with this week's entries replaced by `hours`
/// per user (one entry each, on Monday), and weekly capacities set: Ada 40 h, Grace 30 h, Alan
/// 20 h, Katherine 35 h, Edsger 40 h (Charles is archived).
fn team(session: &Session, hours: &[(u64, f64)]) {
    let mut state = session.fake.state();
    let account = state.account_mut(fake::ACCOUNT_ID).expect("account");
    for (user, capacity) in [
        (ids::ADA, 40),
        (ids::GRACE, 30),
        (ids::ALAN, 20),
        (ids::KATHERINE, 35),
        (ids::EDSGER, 40),
    ] {
        if let Some(u) = account.users.iter_mut().find(|u| u.id == user) {
            u.weekly_capacity = capacity * HOUR;
        }
    }
    let monday = ANCHOR - Days::new(2);
    account
        .time_entries
        .retain(|e| e.spent_date < monday || e.spent_date > monday + Days::new(6));
    let template = account.time_entries[0].clone();
    for (i, (user, h)) in hours.iter().enumerate() {
        let name = account.user(*user).expect("user").name();
        account.time_entries.push(fake::TimeEntry {
            id: 9_100_000_000 + i as u64,
            spent_date: monday,
            hours: *h,
            hours_without_timer: *h,
            rounded_hours: *h,
            is_running: false,
            timer_started_at: None,
            user: fake::IdName { id: *user, name },
            ..template.clone()
        });
    }
}

fn status_query() -> wit::TeamStatusQuery {
    wit::TeamStatusQuery {
        period: None,
        from: None,
        to: None,
        account_id: None,
    }
}

#[test]
fn team_time_status_prorates_capacity_to_the_working_days_so_far_and_sorts_by_shortfall() {
    let session = Session::new();
    // Wednesday: Monday to Wednesday are 3 of 5 working days.
    team(
        &session,
        &[(ids::ADA, 24.0), (ids::GRACE, 10.0), (ids::KATHERINE, 20.0)],
    );
    let status =
        call_at(&session, |h, s| h.call_team_time_status(s, &status_query())).expect("status");
    assert_eq!(status.today, ANCHOR.to_string());
    assert_eq!(
        (status.from.as_str(), status.to.as_str()),
        ("2026-03-16", "2026-03-22")
    );
    assert_eq!(
        status.period.as_ref().map(|p| p.period),
        Some(wit::Period::ThisWeek)
    );
    assert_eq!(status.working_days, 3);
    let rows: Vec<(u64, f64, f64, f64, bool)> = status
        .people
        .iter()
        .map(|p| {
            (
                p.user_id,
                p.hours,
                p.capacity_hours,
                p.shortfall_hours,
                p.logged_nothing,
            )
        })
        .collect();
    // Capacity = weekly hours × 3 / 5; shortfall = capacity − hours, never negative.
    assert_eq!(
        rows,
        vec![
            (ids::EDSGER, 0.0, 24.0, 24.0, true),
            (ids::ALAN, 0.0, 12.0, 12.0, true),
            (ids::GRACE, 10.0, 18.0, 8.0, false),
            (ids::KATHERINE, 20.0, 21.0, 1.0, false),
            (ids::ADA, 24.0, 24.0, 0.0, false),
        ]
    );
    assert_eq!(status.people[0].weekly_capacity_hours, 40.0);
}

#[test]
fn team_time_status_gives_no_capacity_to_days_after_today() {
    let session = Session::new();
    team(&session, &[(ids::ADA, 2.0)]);
    let next_week = wit::TeamStatusQuery {
        from: Some("2026-03-23".into()),
        to: Some("2026-03-29".into()),
        ..status_query()
    };
    let status = call_at(&session, |h, s| h.call_team_time_status(s, &next_week)).expect("status");
    assert_eq!(status.working_days, 0);
    assert!(status.period.is_none());
    assert!(
        status
            .people
            .iter()
            .all(|p| p.capacity_hours == 0.0 && p.shortfall_hours == 0.0)
    );
    // Names order people whose shortfalls tie.
    let names: Vec<&str> = status.people.iter().map(|p| p.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn team_time_status_is_forbidden_to_a_member_before_any_user_list() {
    let session = Session::new().configured(fake::MEMBER_TOKEN, None);
    session.clear();
    match call_at(&session, |h, s| h.call_team_time_status(s, &status_query())) {
        Err(wit::Error::Forbidden(f)) => {
            assert!(
                f.message.contains("administrator or a manager"),
                "{}",
                f.message
            );
            assert_eq!(f.use_instead.as_deref(), Some("summarize-time"));
        }
        other => panic!("{other:?}"),
    }
    let requests = session.requests();
    let paths = method_paths(&requests);
    assert!(
        paths
            .iter()
            .all(|(_, path)| *path != "/v2/users" && *path != "/v2/time_entries"),
        "{paths:?}"
    );
}

#[test]
fn team_time_status_shows_a_manager_the_users_harvest_lists_them() {
    let session = Session::new().configured(fake::MULTI_TOKEN, Some(fake::ACCOUNT_ID));
    // Grace (capacity 18 h so far) logged 5: 13 short; Alan (12 h so far) 12 short.
    team(&session, &[(ids::GRACE, 5.0), (ids::ADA, 30.0)]);
    let status =
        call_at(&session, |h, s| h.call_team_time_status(s, &status_query())).expect("status");
    let people: Vec<(u64, f64)> = status.people.iter().map(|p| (p.user_id, p.hours)).collect();
    assert_eq!(people, vec![(ids::GRACE, 5.0), (ids::ALAN, 0.0)]);
}

#[test]
fn a_members_week_by_project_is_one_summary() {
    let session = Session::new().configured(fake::MEMBER_TOKEN, None);
    // Alan (the member) logs 3.5 and 1.25 hours on one project this week; Ada's 8 are not his.
    team(
        &session,
        &[(ids::ALAN, 3.5), (ids::ALAN, 1.25), (ids::ADA, 8.0)],
    );
    let project = session
        .fake
        .state()
        .account(fake::ACCOUNT_ID)
        .expect("account")
        .time_entries[0]
        .project
        .id;
    let summary = this_week_by_project(&session);
    assert_eq!(
        (summary.from.as_str(), summary.to.as_str()),
        ("2026-03-16", "2026-03-22")
    );
    let groups: Vec<(Option<u64>, u64, f64)> = summary
        .groups
        .iter()
        .map(|g| (g.keys[0].id, g.entries, g.rounded_hours))
        .collect();
    assert_eq!(groups, vec![(Some(project), 2, 4.75)]);
}
