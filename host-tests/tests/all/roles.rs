//! Roles and the member's path: a Member finds their projects and tasks and logs time in both
//! timesheet modes, on their own date; `get-company`; what a Manager sees.

use harvest_fake::{self as fake, ids};
use serde_json::json;

use crate::support::{ANCHOR, HOST, Session, call_at, method_paths, pairs, query, utc, wit};
use crate::values::{
    entries_query, new_entry, project_query, report_query, task_assignment_query, task_query,
    user_query,
};

/// The Labs account's copy of a seeded id (the seed offsets every id but time entries by 50,000).
const LABS: u64 = 50_000;

fn assignments_query(limit: Option<u32>) -> wit::ProjectAssignmentQuery {
    wit::ProjectAssignmentQuery {
        limit,
        continuation: None,
        account_id: None,
    }
}

/// Katherine, a Member of both accounts, in Tokyo (UTC+9), with the Labs account set by the test
/// to a 12-hour clock.
fn katherine(account_id: u64) -> Session {
    let session = Session::new().configured(fake::MEMBER_TOKEN_TWO_ACCOUNTS, Some(account_id));
    if let Some(labs) = session.fake.state().account_mut(fake::TIMESTAMP_ACCOUNT_ID) {
        labs.company.clock = "12h".into();
    }
    session
}

/// Keeps only the given (project, is project manager) user assignments of `user_id` in
/// `account_id`, so that a test lays out whose projects are whose.
fn assign_only(session: &Session, account_id: u64, user_id: u64, projects: &[(u64, bool)]) {
    let mut state = session.fake.state();
    let account = state.account_mut(account_id).expect("account");
    account.user_assignments.retain(|ua| ua.user.id != user_id);
    for (index, (project_id, manages)) in projects.iter().enumerate() {
        let project = account.project(*project_id).expect("project").reference();
        let user = account.user(user_id).expect("user");
        account.user_assignments.push(fake::UserAssignment {
            id: 9_900_000 + account_id % 10 * 100 + index as u64,
            project,
            user: fake::IdName {
                id: user_id,
                name: user.name(),
            },
            is_active: true,
            is_project_manager: *manages,
            use_default_rates: true,
            hourly_rate: None,
            budget: None,
            created_at: user.created_at,
            updated_at: user.created_at,
        });
    }
}

/// At 20:30 UTC on 18 March it is already 05:30 on 19 March in Tokyo.
const EVENING_UTC: &str = "2026-03-18 20:30";

#[test]
fn a_member_finds_a_project_and_task_then_logs_time_in_a_duration_account() {
    let session = katherine(fake::ACCOUNT_ID);
    assign_only(
        &session,
        fake::ACCOUNT_ID,
        ids::KATHERINE,
        &[(ids::ERP_INTEGRATION, false)],
    );
    session.clear();
    let page = call_at(&session, utc(EVENING_UTC), |h, s| {
        h.call_list_my_project_assignments(s, &assignments_query(None))
    })
    .expect("assignments");
    let [assignment] = page.items.as_slice() else {
        panic!("one project: {page:?}")
    };
    assert_eq!(assignment.project.id, ids::ERP_INTEGRATION);
    assert_eq!(assignment.client.id, ids::INITECH);
    // The seed gives ERP Integration Development, Project Management and Meetings.
    let tasks: Vec<(u64, &str, bool)> = assignment
        .task_assignments
        .iter()
        .map(|t| (t.task.id, t.task.name.as_str(), t.billable))
        .collect();
    let mut sorted = tasks.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            (ids::DEVELOPMENT, "Development", true),
            (ids::PROJECT_MANAGEMENT, "Project Management", true),
            (ids::MEETINGS, "Meetings", false),
        ]
    );
    let request = session.only_request();
    assert_eq!(request.path, "/v2/users/me/project_assignments");
    assert_eq!(query(&request), pairs(&[("per_page", "500")]));

    session.clear();
    let mut entry = new_entry(ids::ERP_INTEGRATION, ids::DEVELOPMENT);
    entry.spent_date = None;
    entry.duration = Some("1h30m".into());
    let created = call_at(&session, utc(EVENING_UTC), |h, s| {
        h.call_create_time_entry(s, &entry)
    })
    .expect("logged");
    assert_eq!(created.spent_date, "2026-03-19", "Tokyo's date, not UTC's");
    let requests = session.requests();
    assert_eq!(
        method_paths(&requests),
        [
            ("GET", "/v2/company"),
            ("GET", "/v2/users/me"),
            ("POST", "/v2/time_entries")
        ]
    );
    assert_eq!(
        requests[2].json(),
        json!({"project_id": ids::ERP_INTEGRATION, "task_id": ids::DEVELOPMENT,
               "spent_date": "2026-03-19", "hours": 1.5})
    );
}

#[test]
fn a_member_logs_start_and_end_times_in_a_timestamp_account_on_a_12_hour_clock() {
    let session = katherine(fake::TIMESTAMP_ACCOUNT_ID);
    let project = ids::WEBSITE_REDESIGN + LABS;
    assign_only(
        &session,
        fake::TIMESTAMP_ACCOUNT_ID,
        ids::KATHERINE + LABS,
        &[(project, false)],
    );
    let page = call_at(&session, utc(EVENING_UTC), |h, s| {
        h.call_list_my_project_assignments(s, &assignments_query(None))
    })
    .expect("assignments");
    let design = page
        .items
        .iter()
        .flat_map(|a| &a.task_assignments)
        .find(|t| t.task.name == "Design")
        .expect("Design is assigned to Website Redesign");
    assert_eq!(design.task.id, ids::DESIGN + LABS);

    session.clear();
    let mut entry = new_entry(project, design.task.id);
    entry.spent_date = None;
    entry.started_time = Some("09:00".into());
    entry.ended_time = Some("17:30".into());
    let created = call_at(&session, utc(EVENING_UTC), |h, s| {
        h.call_create_time_entry(s, &entry)
    })
    .expect("logged");
    assert_eq!(
        (created.started_time.as_deref(), created.hours),
        (Some("9:00am"), 8.5)
    );
    let requests = session.requests();
    assert_eq!(requests[2].header("harvest-account-id"), Some("1000002"));
    assert_eq!(
        requests[2].json(),
        json!({"project_id": project, "task_id": ids::DESIGN + LABS, "spent_date": "2026-03-19",
               "started_time": "9:00am", "ended_time": "5:30pm"})
    );

    // A timer starts at the member's own time of day, on their own date.
    session.clear();
    let timer = new_entry(project, ids::DESIGN + LABS);
    let timer = wit::NewTimeEntry {
        spent_date: None,
        ..timer
    };
    let running = call_at(&session, utc(EVENING_UTC), |h, s| {
        h.call_create_time_entry(s, &timer)
    })
    .expect("timer");
    assert!(running.is_running);
    assert_eq!(
        session.requests()[2].json(),
        json!({"project_id": project, "task_id": ids::DESIGN + LABS, "spent_date": "2026-03-19",
               "started_time": "5:30am"})
    );
}

#[test]
fn a_member_asking_for_projects_is_told_to_use_their_project_assignments() {
    let session = katherine(fake::ACCOUNT_ID);
    let result = session.call(|h, s| h.call_list_projects(s, &project_query(None)));
    let Err(wit::Error::Forbidden(forbidden)) = &result else {
        panic!("expected forbidden, got {result:?}")
    };
    assert_eq!(
        forbidden.use_instead.as_deref(),
        Some("list-my-project-assignments")
    );
    assert!(forbidden.message.contains("/v2/projects"), "{forbidden:?}");
    assert!(
        forbidden.message.contains("Forbidden"),
        "Harvest's own message is kept: {forbidden:?}"
    );
    // Through the catalogue the tool is named as the catalogue names it.
    let (result, _) = HOST
        .call_tool(&session.env, "list_projects", "{}")
        .expect("no trap");
    let Err(wit::Error::Forbidden(forbidden)) = result else {
        panic!("expected forbidden, got {result:?}")
    };
    assert_eq!(
        forbidden.use_instead.as_deref(),
        Some("list_my_project_assignments")
    );
    assert_eq!(
        harvest_host::host::error_text(&wit::Error::Forbidden(forbidden.clone())),
        format!(
            "forbidden: {}; use `list_my_project_assignments` instead",
            forbidden.message
        )
    );
}

#[test]
fn the_default_date_is_the_users_own_where_it_is_still_yesterday_in_utc_terms() {
    // Alan is in Hawaii (UTC-10): at 05:00 UTC on 19 March it is 19:00 on 18 March there.
    let session = Session::new().configured(fake::MEMBER_TOKEN, Some(fake::ACCOUNT_ID));
    let mut entry = new_entry(ids::WEBSITE_REDESIGN, ids::DESIGN);
    entry.spent_date = None;
    entry.duration = Some("2".into());
    session.clear();
    let created = call_at(&session, utc("2026-03-19 05:00"), |h, s| {
        h.call_create_time_entry(s, &entry)
    })
    .expect("logged");
    assert_eq!(created.spent_date, "2026-03-18");
    assert_eq!(
        session.requests()[2].json(),
        json!({"project_id": ids::WEBSITE_REDESIGN, "task_id": ids::DESIGN,
               "spent_date": "2026-03-18", "hours": 2.0})
    );
    // A given date is sent as given, without reading the user.
    session.clear();
    entry.spent_date = Some("2026-03-16".into());
    call_at(&session, utc("2026-03-19 05:00"), |h, s| {
        h.call_create_time_entry(s, &entry)
    })
    .expect("logged");
    assert_eq!(
        method_paths(&session.requests()),
        [("GET", "/v2/company"), ("POST", "/v2/time_entries")]
    );
}

#[test]
fn list_my_project_assignments_pages_completely() {
    let session = katherine(fake::ACCOUNT_ID);
    let projects = [
        ids::WEBSITE_REDESIGN,
        ids::MOBILE_APP,
        ids::ERP_INTEGRATION,
        ids::ANNUAL_REPORT,
        ids::INTERNAL_OPERATIONS,
    ];
    let laid_out: Vec<(u64, bool)> = projects.iter().map(|p| (*p, false)).collect();
    assign_only(&session, fake::ACCOUNT_ID, ids::KATHERINE, &laid_out);
    session.clear();
    let first = session
        .call(|h, s| h.call_list_my_project_assignments(s, &assignments_query(Some(3))))
        .expect("first");
    assert_eq!(
        (first.items.len(), first.total, first.has_more),
        (3, Some(5), true)
    );
    let rest = session
        .call(|h, s| {
            h.call_list_my_project_assignments(
                s,
                &wit::ProjectAssignmentQuery {
                    continuation: first.continuation.clone(),
                    ..assignments_query(Some(3))
                },
            )
        })
        .expect("rest");
    assert_eq!((rest.items.len(), rest.has_more), (2, false));
    let mut seen: Vec<u64> = first
        .items
        .iter()
        .chain(&rest.items)
        .map(|a| a.project.id)
        .collect();
    seen.sort();
    let mut expected = projects.to_vec();
    expected.sort();
    assert_eq!(seen, expected);
    let requests = session.requests();
    assert_eq!(query(&requests[0]), pairs(&[("per_page", "3")]));
    assert_eq!(
        requests[1].query_param("page").as_deref(),
        Some("2"),
        "the second page by number: {:?}",
        requests[1]
    );
}

#[test]
fn get_company_gives_the_accounts_settings_to_every_role() {
    let session = katherine(fake::ACCOUNT_ID);
    {
        let mut state = session.fake.state();
        let company = &mut state
            .account_mut(fake::ACCOUNT_ID)
            .expect("account")
            .company;
        company.name = "Acme Studio".into();
        company.week_start_day = "Sunday".into();
        company.wants_timestamp_timers = true;
        company.clock = "24h".into();
        company.time_format = "hours_minutes".into();
        company.date_format = "%d.%m.%Y".into();
        company.currency_code_display = "iso_code_after".into();
        company.currency_symbol_display = "symbol_none".into();
        company.weekly_capacity = 126_000;
        (company.invoice_feature, company.expense_feature) = (true, false);
        (company.estimate_feature, company.approval_feature) = (false, true);
        company.team_feature = false;
    }
    session.clear();
    let company = session
        .call(|h, s| h.call_get_company(s, None))
        .expect("company");
    // The host's bindings give records no `PartialEq`: compare them as they print.
    assert_eq!(
        format!("{company:?}"),
        format!(
            "{:?}",
            wit::Company {
                name: "Acme Studio".into(),
                week_start_day: Some("Sunday".into()),
                timesheet_mode: wit::TimesheetMode::StartAndEndTimes,
                clock: Some("24h".into()),
                time_format: Some("hours_minutes".into()),
                date_format: Some("%d.%m.%Y".into()),
                currency_code_display: Some("iso_code_after".into()),
                currency_symbol_display: Some("symbol_none".into()),
                weekly_capacity: Some(126_000),
                weekly_capacity_hours: Some(35.0),
                features: vec![wit::Feature::Invoices, wit::Feature::Approvals],
            }
        )
    );
    let request = session.only_request();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/v2/company")
    );
    assert_eq!(request.query, None);
    assert_eq!(request.header("harvest-account-id"), Some("1000001"));

    let (json, _) = HOST
        .call_tool(&session.env, "get_company", "{}")
        .expect("no trap");
    let json: serde_json::Value = serde_json::from_str(&json.expect("company")).expect("json");
    assert_eq!(json["timesheet_mode"], "start_and_end_times");
    assert_eq!(json["features"], json!(["invoices", "approvals"]));
    assert_eq!(json["weekly_capacity_hours"], json!(35.0));
}

// ---------------------------------------------------------------- a manager's view

/// Grace manages Website Redesign only (laid out here), and has Alan as her teammate (the
/// fake's seeded teams).
fn grace() -> Session {
    let session = Session::new().configured(fake::MULTI_TOKEN, Some(fake::ACCOUNT_ID));
    assign_only(
        &session,
        fake::ACCOUNT_ID,
        ids::GRACE,
        &[
            (ids::WEBSITE_REDESIGN, true),
            (ids::INTERNAL_OPERATIONS, false),
        ],
    );
    session
}

/// Replaces the main account's time entries with one entry per (user, project, task, hours),
/// on the anchor date, ids from 5,000,000,001.
fn lay_out_entries(session: &Session, entries: &[(u64, u64, u64, f64)]) -> Vec<u64> {
    let mut state = session.fake.state();
    let account = state.account_mut(fake::ACCOUNT_ID).expect("account");
    let template = account
        .time_entries
        .iter()
        .find(|e| !e.is_running && !e.is_billed)
        .expect("a stopped entry")
        .clone();
    let mut laid = Vec::new();
    let mut ids_out = Vec::new();
    for (index, (user_id, project_id, task_id, hours)) in entries.iter().enumerate() {
        let user = account.user(*user_id).expect("user");
        let project = account.project(*project_id).expect("project");
        let task = account.task(*task_id).expect("task");
        let mut entry = template.clone();
        entry.id = 5_000_000_001 + index as u64;
        entry.spent_date = ANCHOR;
        entry.user = fake::IdName {
            id: user.id,
            name: user.name(),
        };
        entry.project = project.reference();
        entry.client = project.client.clone();
        entry.task = fake::IdName {
            id: task.id,
            name: task.name.clone(),
        };
        (entry.hours, entry.hours_without_timer, entry.rounded_hours) = (*hours, *hours, *hours);
        (entry.billable, entry.billable_rate) = (false, None);
        ids_out.push(entry.id);
        laid.push(entry);
    }
    account.time_entries = laid;
    ids_out
}

#[test]
fn a_manager_sees_their_own_their_teammates_and_their_projects_time() {
    let session = grace();
    let ids_laid = lay_out_entries(
        &session,
        &[
            (ids::GRACE, ids::INTERNAL_OPERATIONS, ids::MEETINGS, 1.0),
            (ids::ALAN, ids::ERP_INTEGRATION, ids::DEVELOPMENT, 2.0),
            (ids::KATHERINE, ids::WEBSITE_REDESIGN, ids::DESIGN, 3.0),
            (ids::ADA, ids::ERP_INTEGRATION, ids::DEVELOPMENT, 4.0),
            (ids::KATHERINE, ids::ERP_INTEGRATION, ids::DEVELOPMENT, 5.0),
        ],
    );
    let page = session
        .call(|h, s| h.call_list_time_entries(s, &entries_query()))
        .expect("entries");
    let mut seen: Vec<u64> = page.items.iter().map(|e| e.id).collect();
    seen.sort();
    assert_eq!(seen, ids_laid[..3], "not Ada's, nor Katherine's on ERP");

    let day = ANCHOR.to_string();
    let report = session
        .call(|h, s| h.call_time_report_by_team(s, &report_query(&day, &day)))
        .expect("report");
    let mut rows: Vec<(u64, f64)> = report
        .rows
        .iter()
        .map(|r| (r.user_id, r.total_hours))
        .collect();
    rows.sort_by_key(|(id, _)| *id);
    assert_eq!(
        rows,
        [(ids::GRACE, 1.0), (ids::ALAN, 2.0), (ids::KATHERINE, 3.0)]
    );
}

#[test]
fn a_manager_lists_only_their_projects_and_their_team() {
    let session = grace();
    let projects = session
        .call(|h, s| h.call_list_projects(s, &project_query(None)))
        .expect("projects");
    let ids_seen: Vec<u64> = projects.items.iter().map(|p| p.id).collect();
    assert_eq!(ids_seen, [ids::WEBSITE_REDESIGN]);

    let users = session
        .call(|h, s| h.call_list_users(s, &user_query(None)))
        .expect("users");
    let mut ids_seen: Vec<u64> = users.items.iter().map(|u| u.id).collect();
    ids_seen.sort();
    assert_eq!(ids_seen, [ids::GRACE, ids::ALAN]);

    // Grace may not edit clients and tasks: the account's task list is refused, the task
    // assignments of a project she manages are not.
    let tasks = session.call(|h, s| h.call_list_tasks(s, &task_query(None)));
    assert!(
        matches!(&tasks, Err(wit::Error::Forbidden(f)) if f.use_instead.as_deref() == Some("list-my-project-assignments")),
        "{tasks:?}"
    );
    let managed = session.call(|h, s| {
        h.call_list_project_task_assignments(s, &task_assignment_query(ids::WEBSITE_REDESIGN))
    });
    assert!(managed.is_ok(), "{managed:?}");
    let other = session.call(|h, s| {
        h.call_list_project_task_assignments(s, &task_assignment_query(ids::ERP_INTEGRATION))
    });
    assert!(
        matches!(&other, Err(wit::Error::Forbidden(_))),
        "not her project: {other:?}"
    );
}
