//! `create-time-entry`'s duplicate guard: the same entry created twice within ten minutes is
//! refused with the first one's id, and the guard's read failing creates nothing. The guest's
//! wall clock is pinned to the fake's, so "ten minutes" is exact.

use std::time::Duration;

use harvest_fake::{self as fake, Fault, ids};
use harvest_host::host::CallOptions;

use crate::support::{HOST, Session, pairs, query, wit, writes};
use crate::values::new_entry;

/// The fake's now, `offset_secs` later, as the guest's wall clock reads it.
fn fake_now(session: &Session, offset_secs: i64) -> Duration {
    let now = session.fake.state().clock.now().timestamp() + offset_secs;
    Duration::from_secs(u64::try_from(now).expect("after 1970"))
}

/// Calls `create-time-entry` with the guest's wall clock stopped at `at`.
fn create_at(
    session: &Session,
    at: Duration,
    entry: &wit::NewTimeEntry,
) -> Result<wit::TimeEntry, wit::Error> {
    let options = CallOptions {
        wall_clock: Some(at),
        ..CallOptions::default()
    };
    HOST.call_with(&options, &session.env, |h, s| {
        h.call_create_time_entry(s, entry)
    })
    .unwrap_or_else(|e| panic!("{e:#}"))
    .0
}

fn create_now(session: &Session, entry: &wit::NewTimeEntry) -> Result<wit::TimeEntry, wit::Error> {
    create_at(session, fake_now(session, 0), entry)
}

/// A stopped entry of 1.5 hours with notes, for the admin (the token's user) in the main account.
fn logged() -> wit::NewTimeEntry {
    wit::NewTimeEntry {
        duration: Some("1h30m".into()),
        notes: Some("Navigation prototype".into()),
        ..new_entry(ids::WEBSITE_REDESIGN, ids::DESIGN)
    }
}

/// Entries in the main account of `user_id` on the entry's project, task and date.
fn matching(session: &Session, user_id: u64, entry: &wit::NewTimeEntry) -> Vec<u64> {
    let state = session.fake.state();
    let date = entry.spent_date.clone().expect("a date");
    state
        .account(fake::ACCOUNT_ID)
        .expect("account")
        .time_entries
        .iter()
        .filter(|e| {
            e.user.id == user_id
                && e.project.id == entry.project_id
                && e.task.id == entry.task_id
                && e.spent_date.to_string() == date
        })
        .map(|e| e.id)
        .collect()
}

fn duplicate<T: std::fmt::Debug>(result: Result<T, wit::Error>) -> wit::DuplicateEntry {
    match result {
        Err(wit::Error::Duplicate(duplicate)) => duplicate,
        other => panic!("expected a duplicate, got {other:?}"),
    }
}

#[test]
fn a_second_identical_create_is_refused_naming_the_first_and_the_fake_holds_one() {
    let session = Session::new();
    let entry = logged();
    let before = matching(&session, ids::ADA, &entry);
    let first = create_now(&session, &entry).expect("the first is created");
    session.clear();
    let refused = duplicate(create_now(&session, &entry));
    assert_eq!(refused.existing_id, first.id);
    for part in [
        "allow-duplicate: true",
        "get-time-entry",
        "nothing was created",
        &first.id.to_string(),
    ] {
        assert!(
            refused.message.contains(part),
            "{part}: {}",
            refused.message
        );
    }
    let mut expected = before.clone();
    expected.push(first.id);
    assert_eq!(matching(&session, ids::ADA, &entry), expected, "one entry");
    let requests = session.requests();
    assert!(writes(&requests).is_empty(), "no POST: {requests:#?}");
    let check = requests
        .iter()
        .find(|r| r.path == "/v2/time_entries")
        .expect("the guard's read");
    assert_eq!(
        query(check),
        pairs(&[
            ("from", "2026-03-18"),
            ("per_page", "2000"),
            ("project_id", &ids::WEBSITE_REDESIGN.to_string()),
            ("task_id", &ids::DESIGN.to_string()),
            ("to", "2026-03-18"),
            ("user_id", &ids::ADA.to_string()),
        ])
    );
}

#[test]
fn allow_duplicate_true_creates_the_second() {
    let session = Session::new();
    let entry = logged();
    let first = create_now(&session, &entry).expect("first");
    session.clear();
    let again = wit::NewTimeEntry {
        allow_duplicate: Some(true),
        ..entry.clone()
    };
    let second = create_now(&session, &again).expect("allowed");
    assert_ne!(second.id, first.id);
    let ids_now = matching(&session, ids::ADA, &entry);
    assert!(ids_now.contains(&first.id) && ids_now.contains(&second.id));
    assert!(
        session
            .requests()
            .iter()
            .all(|r| r.path != "/v2/users/me"
                && (r.method == "POST" || r.path != "/v2/time_entries")),
        "no duplicate check is read: {:#?}",
        session.requests()
    );
}

#[test]
fn different_notes_or_hours_are_created_and_trimmed_notes_are_the_same() {
    let session = Session::new();
    let entry = logged();
    let first = create_now(&session, &entry).expect("first");
    let other_notes = wit::NewTimeEntry {
        notes: Some("Navigation copy".into()),
        ..entry.clone()
    };
    let other_hours = wit::NewTimeEntry {
        duration: Some("1h45m".into()),
        ..entry.clone()
    };
    let notes_entry = create_now(&session, &other_notes).expect("other notes are created");
    let hours_entry = create_now(&session, &other_hours).expect("other hours are created");
    assert_eq!(hours_entry.hours, 1.75);
    let spaced = wit::NewTimeEntry {
        notes: Some("  Navigation prototype ".into()),
        ..entry.clone()
    };
    assert_eq!(
        duplicate(create_now(&session, &spaced)).existing_id,
        first.id
    );
    let bare = wit::NewTimeEntry {
        notes: None,
        duration: Some("3h".into()),
        ..entry.clone()
    };
    let without = create_now(&session, &bare).expect("no notes");
    let empty = wit::NewTimeEntry {
        notes: Some(String::new()),
        ..bare
    };
    assert_eq!(
        duplicate(create_now(&session, &empty)).existing_id,
        without.id,
        "no notes and empty notes are the same"
    );
    assert!(notes_entry.id != first.id && hours_entry.id != first.id);
}

#[test]
fn an_entry_created_more_than_ten_minutes_ago_does_not_block() {
    let session = Session::new();
    let entry = logged();
    let first = create_now(&session, &entry).expect("first");
    let nine_minutes_later = fake_now(&session, 9 * 60);
    assert_eq!(
        duplicate(create_at(&session, nine_minutes_later, &entry)).existing_id,
        first.id
    );
    let eleven_minutes_later = fake_now(&session, 11 * 60);
    let second = create_at(&session, eleven_minutes_later, &entry).expect("created again");
    assert_ne!(second.id, first.id);
}

#[test]
fn a_failed_duplicate_check_is_returned_and_nothing_is_posted() {
    let session = Session::new();
    session.fake.inject_on(
        "task_id=",
        Fault::Status {
            status: 500,
            content_type: "application/json".into(),
            body: r#"{"message":"Internal error"}"#.into(),
        },
    );
    let before = matching(&session, ids::ADA, &logged());
    let result = create_now(&session, &logged());
    let Err(wit::Error::Upstream(failure)) = &result else {
        panic!("expected Harvest's failure, got {result:?}")
    };
    assert_eq!(failure.status, 500);
    assert!(
        failure.message.contains("nothing was created") && failure.message.contains("duplicate"),
        "{}",
        failure.message
    );
    assert!(writes(&session.requests()).is_empty(), "no POST");
    assert_eq!(matching(&session, ids::ADA, &logged()), before);
}

#[test]
fn an_administrator_logging_their_own_time_is_not_blocked_by_another_users_entry() {
    let session = Session::new();
    let for_alan = wit::NewTimeEntry {
        user_id: Some(ids::ALAN),
        ..logged()
    };
    let alans = create_now(&session, &for_alan).expect("Ada logs Alan's time");
    assert_eq!(alans.user.id, ids::ALAN);
    session.clear();
    let own = create_now(&session, &logged()).expect("Ada's own identical entry");
    assert_eq!(own.user.id, ids::ADA);
    let check = session
        .requests()
        .into_iter()
        .find(|r| r.method == "GET" && r.path == "/v2/time_entries")
        .expect("the guard's read");
    assert_eq!(
        check.query_param("user_id"),
        Some(ids::ADA.to_string()),
        "the token's user, from /v2/users/me"
    );
    assert_eq!(
        duplicate(create_now(&session, &for_alan)).existing_id,
        alans.id,
        "Alan's entry still guards Alan's time"
    );
}

#[test]
fn a_second_identical_timer_within_ten_minutes_is_refused() {
    let session = Session::new();
    let timer = new_entry(ids::MOBILE_APP, ids::DEVELOPMENT);
    let running = create_now(&session, &timer).expect("timer");
    assert!(running.is_running);
    assert_eq!(
        duplicate(create_now(&session, &timer)).existing_id,
        running.id
    );
    session
        .call(|h, s| h.call_stop_timer(s, running.id, None))
        .expect("stopped");
    let restarted = create_now(&session, &timer).expect("a new timer once the first stopped");
    assert!(restarted.is_running && restarted.id != running.id);
}

#[test]
fn the_same_start_time_in_a_timestamp_account_is_a_duplicate() {
    let session = Session::new().configured(fake::MULTI_TOKEN, Some(fake::TIMESTAMP_ACCOUNT_ID));
    let labs = fake::ids::TIMESTAMP_OFFSET;
    let entry = wit::NewTimeEntry {
        started_time: Some("9am".into()),
        ended_time: Some("11:00".into()),
        ..new_entry(ids::WEBSITE_REDESIGN + labs, ids::DESIGN + labs)
    };
    let first = create_now(&session, &entry).expect("first");
    let later_end = wit::NewTimeEntry {
        ended_time: Some("12:00".into()),
        ..entry.clone()
    };
    assert_eq!(
        duplicate(create_now(&session, &later_end)).existing_id,
        first.id
    );
    let other_start = wit::NewTimeEntry {
        started_time: Some("13:00".into()),
        ended_time: Some("14:00".into()),
        ..entry
    };
    create_now(&session, &other_start).expect("another start is another entry");
}

#[test]
fn a_create_whose_answer_was_lost_can_be_repeated_and_is_refused_as_a_duplicate() {
    let session = Session::new();
    // The settings, the profile and the check are answered; the POST's answer is cut off.
    for _ in 0..3 {
        session.fake.inject(Fault::Delay { millis: 0 });
    }
    session.fake.inject(Fault::TruncatedBody);
    let lost = create_now(&session, &logged());
    let Err(wit::Error::Transport(failure)) = &lost else {
        panic!("expected a lost answer, got {lost:?}")
    };
    assert!(failure.write_may_have_applied);
    assert!(
        failure.message.contains("again with the same arguments"),
        "{}",
        failure.message
    );
    let made = matching(&session, ids::ADA, &logged());
    let repeated = duplicate(create_now(&session, &logged()));
    assert!(made.contains(&repeated.existing_id), "{made:?}");
    assert_eq!(matching(&session, ids::ADA, &logged()), made, "not twice");
}
