//! What the component does when Harvest or the network misbehaves: it waits out rate limits,
//! retries only what is safe to repeat, says when a write's outcome is unknown, and ends every
//! call within its deadline with an error naming what ran out.

use harvest_fake::{self as fake, Fault, ids};

use crate::support::{Session, wit};
use crate::values::{new_payment, project_query};

fn with_env(mut session: Session, key: &str, value: &str) -> Session {
    session.env.push((key.to_string(), value.to_string()));
    session
}

fn payment(amount: f64) -> wit::NewInvoicePayment {
    wit::NewInvoicePayment {
        paid_date: Some("2026-03-18".into()),
        ..new_payment(ids::INVOICE_OPEN, amount)
    }
}

fn payments_on_open_invoice(session: &Session) -> usize {
    let state = session.fake.state();
    state
        .account(fake::ACCOUNT_ID)
        .expect("account")
        .payments
        .iter()
        .filter(|p| p.invoice_id == ids::INVOICE_OPEN)
        .count()
}

fn paths(session: &Session) -> Vec<String> {
    session
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn a_rate_limit_within_the_wait_budget_is_waited_out() {
    let session = Session::new();
    session.fake.inject(Fault::RateLimited {
        retry_after: Some(1),
    });
    let project = session
        .call(|h, s| h.call_get_project(s, ids::MOBILE_APP, None))
        .expect("answered after the wait");
    assert_eq!(project.id, ids::MOBILE_APP);
    assert_eq!(session.requests().len(), 2);
}

#[test]
fn a_rate_limit_past_the_wait_budget_returns_the_seconds_to_wait() {
    let session = with_env(Session::new(), "HARVEST_RATE_LIMIT_WAIT_SECONDS", "0");
    session.fake.inject(Fault::RateLimited {
        retry_after: Some(7),
    });
    let result = session.call(|h, s| h.call_get_project(s, ids::MOBILE_APP, None));
    let Err(wit::Error::RateLimited(limit)) = result else {
        panic!("expected rate limited, got {result:?}")
    };
    assert_eq!(limit.retry_after_seconds, 7);
    assert!(
        limit.message.contains("100 requests per 15 seconds"),
        "{}",
        limit.message
    );
    assert_eq!(session.requests().len(), 1);
}

#[test]
fn a_rate_limit_without_retry_after_falls_back_to_harvests_window() {
    let session = with_env(Session::new(), "HARVEST_RATE_LIMIT_WAIT_SECONDS", "0");
    session
        .fake
        .inject(Fault::RateLimited { retry_after: None });
    let result = session.call(|h, s| h.call_get_project(s, ids::MOBILE_APP, None));
    assert!(
        matches!(&result, Err(wit::Error::RateLimited(l)) if l.retry_after_seconds == 15),
        "{result:?}"
    );
}

#[test]
fn a_rate_limited_post_is_sent_again_because_harvest_did_not_process_it() {
    let session = Session::new();
    let before = payments_on_open_invoice(&session);
    session.fake.inject(Fault::RateLimited {
        retry_after: Some(1),
    });
    session
        .call(|h, s| h.call_create_invoice_payment(s, &payment(10.0)))
        .expect("recorded");
    let posts = paths(&session)
        .iter()
        .filter(|p| p.starts_with("POST"))
        .count();
    assert_eq!(
        (posts, payments_on_open_invoice(&session)),
        (2, before + 1),
        "sent twice, recorded once"
    );
}

#[test]
fn a_gateway_error_on_a_read_is_retried() {
    let session = Session::new();
    session.fake.inject(Fault::Status {
        status: 503,
        content_type: "text/html".into(),
        body: "<html>Maintenance</html>".into(),
    });
    let project = session
        .call(|h, s| h.call_get_project(s, ids::MOBILE_APP, None))
        .expect("answered on retry");
    assert_eq!(project.id, ids::MOBILE_APP);
    assert_eq!(session.requests().len(), 2);
}

#[test]
fn retries_are_bounded_and_end_in_harvests_error() {
    let session = Session::new();
    for _ in 0..3 {
        session.fake.inject(Fault::Status {
            status: 502,
            content_type: "text/html".into(),
            body: "<html>Bad Gateway</html>".into(),
        });
    }
    let result = session.call(|h, s| h.call_get_project(s, ids::MOBILE_APP, None));
    assert!(
        matches!(&result, Err(wit::Error::Upstream(e)) if e.status == 502),
        "{result:?}"
    );
    assert_eq!(session.requests().len(), 3, "one try and two retries");
}

#[test]
fn a_gateway_error_on_a_post_is_not_repeated() {
    let session = Session::new();
    let before = payments_on_open_invoice(&session);
    session.fake.inject(Fault::Status {
        status: 504,
        content_type: "text/html".into(),
        body: String::new(),
    });
    let result = session.call(|h, s| h.call_create_invoice_payment(s, &payment(10.0)));
    assert!(
        matches!(&result, Err(wit::Error::Upstream(e)) if e.status == 504 && e.message.contains("empty body")),
        "{result:?}"
    );
    assert_eq!(
        (session.requests().len(), payments_on_open_invoice(&session)),
        (1, before)
    );
}

#[test]
fn a_connection_reset_mid_answer_is_retried_for_a_read() {
    let session = Session::new();
    session.fake.inject(Fault::ResetMidBody);
    let page = session
        .call(|h, s| h.call_list_projects(s, &project_query(None)))
        .expect("answered on retry");
    assert!(!page.items.is_empty());
    assert_eq!(session.requests().len(), 2);
}

#[test]
fn a_truncated_answer_is_never_taken_as_a_short_list() {
    let session = Session::new();
    for _ in 0..3 {
        session.fake.inject(Fault::TruncatedBody);
    }
    let result = session.call(|h, s| h.call_list_projects(s, &project_query(None)));
    let Err(wit::Error::Transport(failure)) = result else {
        panic!("expected a transport error, got {result:?}")
    };
    assert!(!failure.write_may_have_applied);
    assert_eq!(session.requests().len(), 3);
}

#[test]
fn a_timer_stop_cut_off_mid_answer_is_not_repeated_and_says_it_may_have_applied() {
    let session = Session::new();
    let running = {
        let state = session.fake.state();
        state
            .account(fake::ACCOUNT_ID)
            .expect("account")
            .time_entries
            .iter()
            .find(|e| e.is_running)
            .expect("running")
            .id
    };
    session.fake.inject(Fault::ResetMidBody);
    let result = session.call(|h, s| h.call_stop_timer(s, running, None));
    let Err(wit::Error::Transport(failure)) = result else {
        panic!("expected a transport error, got {result:?}")
    };
    assert!(failure.write_may_have_applied, "{}", failure.message);
    assert!(
        failure.message.contains("check before"),
        "{}",
        failure.message
    );
    assert_eq!(session.requests().len(), 1);
}

/// The transport failure of `result`, failing the test on anything else.
fn transport<T: std::fmt::Debug>(result: Result<T, wit::Error>) -> wit::TransportFailure {
    match result {
        Err(wit::Error::Transport(failure)) => failure,
        other => panic!("expected a transport error, got {other:?}"),
    }
}

fn assert_mentions(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "{part:?} missing from: {message}");
    }
}

#[test]
fn a_slow_answer_times_out_instead_of_hanging() {
    let session = with_env(Session::new(), "HARVEST_FIRST_BYTE_TIMEOUT_MS", "200");
    for _ in 0..3 {
        session.fake.inject(Fault::Delay { millis: 1500 });
    }
    let failure = transport(session.call(|h, s| h.call_get_project(s, ids::MOBILE_APP, None)));
    assert_mentions(&failure.message, &["first-byte timeout", "within 0.2 s"]);
}

/// A timeout is retried once (config.rs, TIMEOUT_RETRIES): with the defaults a silent Harvest
/// holds a call for two first-byte timeouts. Shortened here; the bench times the defaults.
#[test]
fn a_silent_upstream_on_a_read_ends_in_a_typed_error_after_one_retry() {
    let session = with_env(Session::new(), "HARVEST_FIRST_BYTE_TIMEOUT_MS", "300");
    for _ in 0..3 {
        session.fake.inject(Fault::Silent);
    }
    let failure = transport(session.call(|h, s| h.call_get_project(s, ids::MOBILE_APP, None)));
    assert!(!failure.write_may_have_applied);
    assert_mentions(
        &failure.message,
        &[
            "GET ",
            "/v2/projects/",
            "Harvest sent no answer within 0.3 s",
            "first-byte timeout, HARVEST_FIRST_BYTE_TIMEOUT_MS",
            "2 attempts",
            "try again in a minute",
        ],
    );
    assert_eq!(
        paths(&session).len(),
        2,
        "one try and one retry after a timeout"
    );
}

#[test]
fn an_answer_that_stalls_mid_body_ends_in_a_between_bytes_timeout_after_one_retry() {
    let session = with_env(Session::new(), "HARVEST_BETWEEN_BYTES_TIMEOUT_MS", "300");
    for _ in 0..3 {
        session.fake.inject(Fault::StallBody { after_bytes: 64 });
    }
    let failure = transport(session.call(|h, s| h.call_list_projects(s, &project_query(None))));
    assert!(!failure.write_may_have_applied);
    assert_mentions(
        &failure.message,
        &[
            "stalled",
            "between-bytes timeout, HARVEST_BETWEEN_BYTES_TIMEOUT_MS",
            "2 attempts",
        ],
    );
    assert_eq!(paths(&session).len(), 2);
}

#[test]
fn a_timed_out_post_may_have_applied_and_is_sent_exactly_once() {
    let session = with_env(Session::new(), "HARVEST_FIRST_BYTE_TIMEOUT_MS", "300");
    let before = payments_on_open_invoice(&session);
    for _ in 0..2 {
        session.fake.inject(Fault::Silent);
    }
    let failure = transport(session.call(|h, s| h.call_create_invoice_payment(s, &payment(10.0))));
    assert!(failure.write_may_have_applied, "{}", failure.message);
    assert_mentions(
        &failure.message,
        &[
            "POST ",
            "first-byte timeout",
            "1 attempt",
            "check before repeating it",
        ],
    );
    assert_eq!(
        paths(&session),
        [format!("POST /v2/invoices/{}/payments", ids::INVOICE_OPEN)]
    );
    assert_eq!(
        payments_on_open_invoice(&session),
        before,
        "the silent fake recorded nothing"
    );
}

#[test]
fn the_call_deadline_clips_the_first_byte_timeout_and_ends_a_silent_call() {
    // The first-byte timeout stays at its default (15 s); the deadline of 1 s ends the call.
    let session = with_env(Session::new(), "HARVEST_CALL_DEADLINE_SECONDS", "1");
    for _ in 0..3 {
        session.fake.inject(Fault::Silent);
    }
    let failure = transport(session.call(|h, s| h.call_get_project(s, ids::MOBILE_APP, None)));
    assert!(!failure.write_may_have_applied);
    assert_mentions(
        &failure.message,
        &[
            "the call deadline of 1 s (HARVEST_CALL_DEADLINE_SECONDS) ran out after",
            "while waiting for the answer",
            "raise HARVEST_CALL_DEADLINE_SECONDS",
        ],
    );
    assert_eq!(paths(&session).len(), 1, "no retry past the deadline");
}

#[test]
fn the_call_deadline_cuts_off_a_multi_page_list_with_an_error_not_a_partial_list() {
    let session = with_env(Session::new(), "HARVEST_CALL_DEADLINE_SECONDS", "1");
    // 6 pages of up to 2000, read 4 at a time after the first: at least three rounds of
    // 700 ms, far past the 1 s deadline.
    session
        .fake
        .seed_time_entries(10_500)
        .expect("entries seeded");
    session
        .fake
        .set_latency(std::time::Duration::from_millis(700));
    let query = wit::TimeEntryQuery::unfiltered(Some(100_000));
    let failure = transport(session.call(|h, s| h.call_list_time_entries(s, &query)));
    assert!(!failure.write_may_have_applied);
    assert_mentions(
        &failure.message,
        &[
            "/v2/time_entries",
            "the call deadline of 1 s (HARVEST_CALL_DEADLINE_SECONDS)",
            "nothing partial is returned",
            "narrow the query",
        ],
    );
}

#[test]
fn a_rate_limit_wait_longer_than_the_remaining_deadline_is_not_waited() {
    // Within the rate-limit wait budget (30 s), past the call deadline (5 s).
    let session = with_env(Session::new(), "HARVEST_CALL_DEADLINE_SECONDS", "5");
    session.fake.inject(Fault::RateLimited {
        retry_after: Some(20),
    });
    let result = session.call(|h, s| h.call_get_project(s, ids::MOBILE_APP, None));
    let Err(wit::Error::RateLimited(limit)) = result else {
        panic!("expected rate limited, got {result:?}")
    };
    assert_eq!(limit.retry_after_seconds, 20);
    assert_mentions(
        &limit.message,
        &[
            "100 requests per 15 seconds",
            "waiting 20 s would pass the call deadline of 5 s (HARVEST_CALL_DEADLINE_SECONDS)",
            "not started",
        ],
    );
    assert_eq!(paths(&session).len(), 1, "no second attempt");
}

#[test]
fn a_bad_policy_setting_is_a_config_error_naming_the_key() {
    for (key, value) in [
        ("HARVEST_CONNECT_TIMEOUT_MS", "soon"),
        ("HARVEST_CALL_DEADLINE_SECONDS", "0"),
        ("HARVEST_CALL_DEADLINE_SECONDS", "two minutes"),
    ] {
        let session = with_env(Session::new(), key, value);
        let result = session.call(|h, s| h.call_get_project(s, ids::MOBILE_APP, None));
        assert!(
            matches!(&result, Err(wit::Error::Config(m)) if m.contains(key) && m.contains("whole number")),
            "{key}={value}: {result:?}"
        );
        assert!(session.requests().is_empty(), "{key}={value}: nothing sent");
    }
}

fn project_page(session: &Session, next: Option<&str>, total: u64, items: usize) -> Fault {
    let projects: Vec<serde_json::Value> = {
        let state = session.fake.state();
        let account = state.account(fake::ACCOUNT_ID).expect("account");
        account
            .projects
            .iter()
            .take(items)
            .map(|p| serde_json::to_value(p).expect("json"))
            .collect()
    };
    let body = serde_json::json!({
        "projects": projects, "per_page": 500, "total_pages": 1, "total_entries": total,
        "next_page": null, "previous_page": null, "page": 1,
        "links": {"first": "x", "next": next.map(|n| format!("{}{n}", session.fake.url())), "previous": null, "last": "y"}
    });
    json_answer(body.to_string())
}

/// A 200 answer with `body` as JSON, in place of what the fake would have served.
fn json_answer(body: impl Into<String>) -> Fault {
    Fault::Status {
        status: 200,
        content_type: "application/json".into(),
        body: body.into(),
    }
}

#[test]
fn a_next_link_that_repeats_is_a_loop_not_an_endless_list() {
    let session = Session::new();
    session.fake.inject(project_page(
        &session,
        Some("/v2/projects?per_page=500"),
        2,
        1,
    ));
    let result = session.call(|h, s| h.call_list_projects(s, &project_query(None)));
    assert!(
        matches!(&result, Err(wit::Error::Upstream(e)) if e.message.contains("repeated")),
        "{result:?}"
    );
    assert_eq!(session.requests().len(), 1);
}

#[test]
fn pages_that_end_short_of_harvests_count_are_an_error_not_a_short_list() {
    let session = Session::new();
    session.fake.inject(project_page(&session, None, 40, 3));
    let result = session.call(|h, s| h.call_list_projects(s, &project_query(None)));
    assert!(
        matches!(&result, Err(wit::Error::Upstream(e)) if e.message.contains("counted 40") && e.message.contains("held 3")),
        "{result:?}"
    );
}

#[test]
fn an_oversized_answer_is_refused_without_reading_it_all() {
    let session = Session::new();
    let body = format!(
        r#"{{"projects": [], "padding": "{}"}}"#,
        "x".repeat(33 * 1024 * 1024)
    );
    session.fake.inject(json_answer(body));
    let (result, record) =
        session.call_recorded(|h, s| h.call_list_projects(s, &project_query(None)));
    assert!(
        matches!(&result, Err(wit::Error::Upstream(e)) if e.message.contains("larger than 32 MiB")),
        "{result:?}"
    );
    assert_eq!(
        session.requests().len(),
        1,
        "not retried: the same request would fail the same way"
    );
    assert!(
        record.peak_memory_bytes < 128 * 1024 * 1024,
        "peak {}",
        record.peak_memory_bytes
    );
}

#[test]
fn a_wrongly_typed_answer_is_an_upstream_error() {
    let session = Session::new();
    session
        .fake
        .inject(json_answer(r#"{"id": "seven", "name": 7}"#));
    let result = session.call(|h, s| h.call_get_project(s, ids::MOBILE_APP, None));
    assert!(
        matches!(&result, Err(wit::Error::Upstream(e)) if e.message.contains("could not be read")
            && e.message.contains("`id`: expected a whole number")),
        "{result:?}"
    );
}

/// A list answer's mismatch is named by its place in the page, and ends the call: no partial
/// list is handed on.
#[test]
fn a_wrongly_typed_list_item_is_named_by_its_path() {
    let session = Session::new();
    session.fake.inject(json_answer(
        r#"{"time_entries": [{"id": 1, "spent_date": 20260301}], "per_page": 2000,
            "total_pages": 1, "total_entries": 1, "page": 1, "links": {"next": null}}"#,
    ));
    let query = wit::TimeEntryQuery::unfiltered(Some(10));
    let result = session.call(|h, s| h.call_list_time_entries(s, &query));
    assert!(
        matches!(&result, Err(wit::Error::Upstream(e)) if e.message.contains(
            "/v2/time_entries: Harvest's answer could not be read (`time_entries[0].spent_date`: \
             expected a string, found a number)"
        )),
        "{result:?}"
    );
}

#[test]
fn an_answer_that_is_not_json_is_located() {
    let session = Session::new();
    session.fake.inject(json_answer(r#"{"id": 1,}"#));
    let result = session.call(|h, s| h.call_get_project(s, ids::MOBILE_APP, None));
    assert!(
        matches!(&result, Err(wit::Error::Upstream(e))
            if e.message.contains("could not be read (not JSON: expected a key at byte 9)")),
        "{result:?}"
    );
}
