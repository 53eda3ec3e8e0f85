//! Time entries and timers through the component, in both timesheet modes.

use harvest_fake::{self as fake, ids};

use crate::support::{ANCHOR, Session, entry_ids, method_paths, only_write, pairs, query, wit};
use crate::values::{entries_query, entry_changes, new_entry};

/// The Labs account's copy of a seeded id (the seed offsets every id but time entries by 50,000).
const LABS: u64 = 50_000;

/// A session on the Labs account, which tracks start and end times on a 24-hour clock.
fn timestamp_session() -> Session {
    Session::new().configured(fake::MULTI_TOKEN, Some(fake::TIMESTAMP_ACCOUNT_ID))
}

fn sorted(items: &[wit::TimeEntry]) -> Vec<u64> {
    let mut ids: Vec<u64> = items.iter().map(|e| e.id).collect();
    ids.sort();
    ids
}

fn invalid_field<T: std::fmt::Debug>(result: Result<T, wit::Error>) -> String {
    match result {
        Err(wit::Error::InvalidInput(e)) => e.field,
        other => panic!("expected invalid input, got {other:?}"),
    }
}

fn rejected<T: std::fmt::Debug>(result: Result<T, wit::Error>) -> String {
    match result {
        Err(wit::Error::Rejected(message)) => message,
        other => panic!("expected Harvest's refusal, got {other:?}"),
    }
}

#[test]
fn list_time_entries_filters_by_user_and_dates() {
    let session = Session::new();
    let from = ANCHOR - chrono::Days::new(2);
    let expected = entry_ids(&session, |e| {
        e.user.id == ids::ADA && e.spent_date >= from && e.spent_date <= ANCHOR
    });
    assert!(expected.len() >= 2);
    let mut q = entries_query();
    q.user_id = Some(ids::ADA);
    q.from = Some(from.to_string());
    q.to = Some(ANCHOR.to_string());
    q.is_billed = Some(false);
    let page = session
        .call(|h, s| h.call_list_time_entries(s, &q))
        .expect("entries");
    let unbilled = entry_ids(&session, |e| {
        e.user.id == ids::ADA && e.spent_date >= from && e.spent_date <= ANCHOR && !e.is_billed
    });
    assert_eq!(sorted(&page.items), unbilled);
    assert_eq!(page.total, Some(unbilled.len() as u64));
    let request = session.only_request();
    assert_eq!(request.path, "/v2/time_entries");
    assert_eq!(
        query(&request),
        pairs(&[
            ("from", &from.to_string()),
            ("is_billed", "false"),
            ("per_page", "500"),
            ("to", &ANCHOR.to_string()),
            ("user_id", "4100001")
        ])
    );
}

#[test]
fn list_time_entries_follows_pages_and_continues_without_losing_any() {
    let session = Session::new();
    let all = entry_ids(&session, |_| true);
    assert!(all.len() > 600, "the seed has months of time");
    let mut q = entries_query();
    q.limit = Some(250);
    let mut seen = Vec::new();
    loop {
        let page = session
            .call(|h, s| h.call_list_time_entries(s, &q))
            .expect("entries");
        assert_eq!(page.total, Some(all.len() as u64));
        seen.extend(page.items.iter().map(|e| e.id));
        match page.continuation {
            Some(next) => q.continuation = Some(next),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(seen, all, "every entry exactly once");
    let requests = session.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.query_param("per_page").as_deref() == Some("250"))
    );
    assert!(
        requests
            .iter()
            .any(|r| r.query_param("page").as_deref() == Some("3")),
        "page links were followed"
    );
}

#[test]
fn a_reversed_date_range_is_refused_before_any_request() {
    let session = Session::new();
    let mut q = entries_query();
    q.from = Some("2026-03-18".into());
    q.to = Some("2026-03-01".into());
    assert_eq!(
        invalid_field(session.call(|h, s| h.call_list_time_entries(s, &q))),
        "to"
    );
    q.to = Some("18/03/2026".into());
    assert_eq!(
        invalid_field(session.call(|h, s| h.call_list_time_entries(s, &q))),
        "to"
    );
    assert!(session.requests().is_empty());
}

#[test]
fn get_time_entry_returns_it_with_its_invoice() {
    let session = Session::new();
    let billed = entry_ids(&session, |e| e.is_billed)[0];
    let (invoice, hours) = {
        let state = session.fake.state();
        let entry = state
            .account(fake::ACCOUNT_ID)
            .and_then(|a| a.time_entry(billed))
            .expect("entry");
        (
            entry
                .invoice
                .clone()
                .expect("billed entries name their invoice"),
            entry.hours,
        )
    };
    let entry = session
        .call(|h, s| h.call_get_time_entry(s, billed, None))
        .expect("entry");
    assert_eq!(
        (entry.id, entry.is_billed, entry.hours),
        (billed, true, hours)
    );
    assert_eq!(
        entry.invoice.map(|i| (i.id, i.number)),
        Some((invoice.id, invoice.number))
    );
    assert_eq!(
        session.only_request().path,
        format!("/v2/time_entries/{billed}")
    );
}

#[test]
fn create_time_entry_sends_hours_to_a_duration_account() {
    let session = Session::new();
    let mut entry = new_entry(ids::WEBSITE_REDESIGN, ids::DESIGN);
    entry.duration = Some("1h30m".into());
    entry.notes = Some("Homepage wireframes".into());
    let created = session
        .call(|h, s| h.call_create_time_entry(s, &entry))
        .expect("created");
    assert_eq!(
        (
            created.hours,
            created.is_running,
            created.project.id,
            created.task.id
        ),
        (1.5, false, ids::WEBSITE_REDESIGN, ids::DESIGN)
    );
    assert_eq!(created.notes.as_deref(), Some("Homepage wireframes"));
    let requests = session.requests();
    let paths = method_paths(&requests);
    assert_eq!(
        paths,
        [
            ("GET", "/v2/company"),
            ("GET", "/v2/users/me"),
            ("GET", "/v2/time_entries"),
            ("POST", "/v2/time_entries")
        ],
        "the settings, then the duplicate check for the token's user, then the entry"
    );
    assert_eq!(requests[3].header("content-type"), Some("application/json"));
    assert_eq!(
        requests[3].json(),
        serde_json::json!({"project_id": ids::WEBSITE_REDESIGN, "task_id": ids::DESIGN, "spent_date": "2026-03-18", "hours": 1.5, "notes": "Homepage wireframes"})
    );
    assert!(
        session
            .fake
            .state()
            .account(fake::ACCOUNT_ID)
            .and_then(|a| a.time_entry(created.id))
            .is_some_and(|e| e.hours == 1.5)
    );
}

#[test]
fn start_and_end_times_become_hours_in_a_duration_account() {
    let session = Session::new();
    let mut entry = new_entry(ids::WEBSITE_REDESIGN, ids::DEVELOPMENT);
    entry.started_time = Some("9:00am".into());
    entry.ended_time = Some("11:45am".into());
    let created = session
        .call(|h, s| h.call_create_time_entry(s, &entry))
        .expect("created");
    assert_eq!(created.hours, 2.75);
    assert_eq!(
        only_write(&session).json()["hours"],
        serde_json::json!(2.75)
    );
}

#[test]
fn creating_without_time_starts_a_timer_and_stops_the_running_one() {
    let session = Session::new();
    let running_before = entry_ids(&session, |e| e.user.id == ids::ADA && e.is_running);
    assert_eq!(
        running_before.len(),
        1,
        "Ada has a running timer in the seed"
    );
    let created = session
        .call(|h, s| h.call_create_time_entry(s, &new_entry(ids::MOBILE_APP, ids::DEVELOPMENT)))
        .expect("timer");
    assert!(created.is_running);
    assert_eq!(
        only_write(&session).json(),
        serde_json::json!({"project_id": ids::MOBILE_APP, "task_id": ids::DEVELOPMENT, "spent_date": "2026-03-18"})
    );
    assert_eq!(
        entry_ids(&session, |e| e.user.id == ids::ADA && e.is_running),
        vec![created.id]
    );
}

#[test]
fn a_timestamp_account_gets_times_in_its_24_hour_clock() {
    let session = timestamp_session();
    let mut entry = new_entry(ids::WEBSITE_REDESIGN + LABS, ids::DESIGN + LABS);
    entry.started_time = Some("9am".into());
    entry.ended_time = Some("5:30pm".into());
    let created = session
        .call(|h, s| h.call_create_time_entry(s, &entry))
        .expect("created");
    assert_eq!(
        (
            created.started_time.as_deref(),
            created.ended_time.as_deref()
        ),
        (Some("09:00"), Some("17:30"))
    );
    assert_eq!(created.hours, 8.5);
    let post = only_write(&session);
    let body = post.json();
    assert_eq!(
        (
            body["started_time"].as_str(),
            body["ended_time"].as_str(),
            body.get("hours")
        ),
        (Some("09:00"), Some("17:30"), None)
    );
    assert_eq!(post.header("harvest-account-id"), Some("1000002"));
}

#[test]
fn a_bare_duration_cannot_fit_a_timestamp_account_and_nothing_is_written() {
    let session = timestamp_session();
    let mut entry = new_entry(ids::WEBSITE_REDESIGN + LABS, ids::DESIGN + LABS);
    entry.duration = Some("2".into());
    let result = session.call(|h, s| h.call_create_time_entry(s, &entry));
    let Err(wit::Error::InvalidInput(e)) = result else {
        panic!("expected invalid input, got {result:?}")
    };
    assert_eq!(e.field, "duration");
    assert!(e.rule.contains("start and end times"), "{}", e.rule);
    assert_eq!(
        session.only_request().path,
        "/v2/company",
        "only the settings were read"
    );
}

#[test]
fn a_task_not_assigned_to_the_project_gets_harvests_message() {
    let session = Session::new();
    let (project, task) = {
        let state = session.fake.state();
        let account = state.account(fake::ACCOUNT_ID).expect("account");
        let project = account
            .projects
            .iter()
            .find(|p| p.is_active)
            .expect("project");
        let task = account
            .tasks
            .iter()
            .find(|t| t.is_active && account.task_assignment(project.id, t.id).is_none())
            .expect("unassigned task");
        (project.id, task.id)
    };
    let mut entry = new_entry(project, task);
    entry.duration = Some("1".into());
    let message = rejected(session.call(|h, s| h.call_create_time_entry(s, &entry)));
    assert!(message.to_lowercase().contains("task"), "{message}");
}

#[test]
fn bad_arguments_are_refused_before_any_request() {
    let session = Session::new();
    type Breakage = fn(&mut wit::NewTimeEntry);
    let cases: [(Breakage, &str); 5] = [
        (|e| e.spent_date = Some("2026-13-01".into()), "spent-date"),
        (|e| e.project_id = 0, "project-id"),
        (|e| e.duration = Some("25h".into()), "duration"),
        (|e| e.started_time = Some("25:00".into()), "started-time"),
        (|e| e.ended_time = Some("5pm".into()), "ended-time"),
    ];
    for (change, field) in cases {
        let mut entry = new_entry(ids::WEBSITE_REDESIGN, ids::DESIGN);
        change(&mut entry);
        assert_eq!(
            invalid_field(session.call(|h, s| h.call_create_time_entry(s, &entry))),
            field
        );
    }
    assert!(session.requests().is_empty());
}

#[test]
fn update_sends_only_the_fields_given() {
    let session = Session::new();
    let id = entry_ids(&session, |e| !e.is_locked && !e.is_billed && !e.is_running)[0];
    let mut changes = entry_changes();
    changes.notes = Some("Reviewed with the client".into());
    let updated = session
        .call(|h, s| h.call_update_time_entry(s, id, &changes))
        .expect("updated");
    assert_eq!(updated.notes.as_deref(), Some("Reviewed with the client"));
    let request = session.only_request();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("PATCH", format!("/v2/time_entries/{id}").as_str())
    );
    assert_eq!(
        request.json(),
        serde_json::json!({"notes": "Reviewed with the client"})
    );
}

#[test]
fn update_of_a_duration_reads_the_mode_and_sends_hours() {
    let session = Session::new();
    let id = entry_ids(&session, |e| !e.is_locked && !e.is_billed && !e.is_running)[0];
    let mut changes = entry_changes();
    changes.duration = Some("2:15".into());
    let updated = session
        .call(|h, s| h.call_update_time_entry(s, id, &changes))
        .expect("updated");
    assert_eq!(updated.hours, 2.25);
    let requests = session.requests();
    assert_eq!(requests[0].path, "/v2/company");
    assert_eq!(requests[1].json(), serde_json::json!({"hours": 2.25}));
}

#[test]
fn a_locked_entry_cannot_be_changed_and_harvest_says_why() {
    let session = Session::new();
    let id = entry_ids(&session, |e| e.is_locked && !e.is_billed)[0];
    let mut changes = entry_changes();
    changes.notes = Some("late edit".into());
    let message = rejected(session.call(|h, s| h.call_update_time_entry(s, id, &changes)));
    assert!(message.contains("locked"), "{message}");
}

#[test]
fn an_update_without_changes_is_refused() {
    let session = Session::new();
    assert_eq!(
        invalid_field(session.call(|h, s| h.call_update_time_entry(
            s,
            3_000_000_001,
            &entry_changes()
        ))),
        "changes"
    );
    assert!(session.requests().is_empty());
}

#[test]
fn delete_removes_an_open_entry_and_returns_its_id() {
    let session = Session::new();
    let id = entry_ids(&session, |e| !e.is_locked && !e.is_billed && !e.is_running)[0];
    let deleted = session
        .call(|h, s| h.call_delete_time_entry(s, id, None))
        .expect("deleted");
    assert_eq!(deleted, id);
    let request = session.only_request();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("DELETE", format!("/v2/time_entries/{id}").as_str())
    );
    assert!(entry_ids(&session, |e| e.id == id).is_empty());
}

/// Harvest lets administrators delete closed (approved) entries (docs/harvest-notes.md#time-entries).
#[test]
fn an_administrator_deletes_an_approved_entry() {
    let session = Session::new();
    let id = entry_ids(&session, |e| e.is_closed && !e.is_billed)[0];
    let deleted = session
        .call(|h, s| h.call_delete_time_entry(s, id, None))
        .expect("deleted");
    assert_eq!(deleted, id);
    assert!(entry_ids(&session, |e| e.id == id).is_empty());
}

/// Others may not: the refusal comes back as `rejected` and the entry stays.
#[test]
fn a_member_may_not_delete_an_approved_entry() {
    let session = Session::new().configured(fake::MEMBER_TOKEN, Some(fake::ACCOUNT_ID));
    let id = entry_ids(&session, |e| {
        e.user.id == ids::ALAN && e.is_closed && !e.is_billed
    })[0];
    let message = rejected(session.call(|h, s| h.call_delete_time_entry(s, id, None)));
    assert!(message.contains("can't be deleted"), "{message}");
    assert_eq!(entry_ids(&session, |e| e.id == id), vec![id]);
}

/// The fake refuses to delete invoiced entries (its own rule, which keeps its invoices
/// consistent); the component passes the refusal on as `rejected`.
#[test]
fn deleting_a_billed_entry_is_refused_and_it_stays() {
    let session = Session::new();
    let id = entry_ids(&session, |e| e.is_billed)[0];
    let message = rejected(session.call(|h, s| h.call_delete_time_entry(s, id, None)));
    assert!(message.contains("can't be deleted"), "{message}");
    assert_eq!(entry_ids(&session, |e| e.id == id), vec![id]);
}

#[test]
fn stop_timer_stops_the_running_entry() {
    let session = Session::new();
    let id = entry_ids(&session, |e| e.user.id == ids::ADA && e.is_running)[0];
    let stopped = session
        .call(|h, s| h.call_stop_timer(s, id, None))
        .expect("stopped");
    assert!(!stopped.is_running && stopped.timer_started_at.is_none());
    let request = session.only_request();
    assert_eq!(
        (
            request.method.as_str(),
            request.path.as_str(),
            request.body.as_str()
        ),
        ("PATCH", format!("/v2/time_entries/{id}/stop").as_str(), "")
    );
    assert!(entry_ids(&session, |e| e.id == id && !e.is_running) == vec![id]);
    let message = rejected(session.call(|h, s| h.call_stop_timer(s, id, None)));
    assert!(message.contains("isn't running"), "{message}");
}

#[test]
fn restart_keeps_the_id_in_a_duration_account() {
    let session = Session::new();
    let id = entry_ids(&session, |e| {
        e.user.id == ids::ADA && !e.is_locked && !e.is_billed && !e.is_running
    })[0];
    let restarted = session
        .call(|h, s| h.call_restart_timer(s, id, None))
        .expect("restarted");
    assert_eq!((restarted.id, restarted.is_running), (id, true));
    assert_eq!(
        session.only_request().path,
        format!("/v2/time_entries/{id}/restart")
    );
}

#[test]
fn restart_in_a_timestamp_account_returns_the_new_entry() {
    let session = timestamp_session();
    let id = {
        let state = session.fake.state();
        let account = state.account(fake::TIMESTAMP_ACCOUNT_ID).expect("labs");
        // Grace's own: as a manager she may restart hers, her teammates' and her projects'.
        account
            .time_entries
            .iter()
            .find(|e| {
                e.user.id == ids::GRACE + LABS && !e.is_running && !e.is_locked && !e.is_billed
            })
            .expect("stopped entry")
            .id
    };
    let restarted = session
        .call(|h, s| h.call_restart_timer(s, id, None))
        .expect("restarted");
    assert!(restarted.is_running && restarted.ended_time.is_none());
    assert_ne!(
        restarted.id, id,
        "Harvest starts a new entry in timestamp mode"
    );
    let state = session.fake.state();
    assert!(
        state
            .account(fake::TIMESTAMP_ACCOUNT_ID)
            .and_then(|a| a.time_entry(restarted.id))
            .is_some_and(|e| e.is_running)
    );
}

#[test]
fn get_time_entry_for_an_unknown_id_is_not_found() {
    let session = Session::new();
    let result = session.call(|h, s| h.call_get_time_entry(s, 9_999_999_999, None));
    assert!(
        matches!(&result, Err(wit::Error::NotFound(m)) if m.contains("/v2/time_entries/9999999999")),
        "{result:?}"
    );
}

#[test]
fn restarting_a_running_timer_is_refused_with_harvests_message() {
    let session = Session::new();
    let running = entry_ids(&session, |e| e.user.id == ids::ADA && e.is_running)[0];
    let message = rejected(session.call(|h, s| h.call_restart_timer(s, running, None)));
    assert!(message.contains("already running"), "{message}");
}
