//! What the component does when Harvest or the network misbehaves: it waits out rate limits,
//! retries only what is safe to repeat, and says when a write's outcome is unknown.

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

#[test]
fn a_slow_answer_times_out_instead_of_hanging() {
    let session = with_env(Session::new(), "HARVEST_FIRST_BYTE_TIMEOUT_MS", "200");
    for _ in 0..3 {
        session.fake.inject(Fault::Delay { millis: 1500 });
    }
    let result = session.call(|h, s| h.call_get_project(s, ids::MOBILE_APP, None));
    let Err(wit::Error::Transport(failure)) = result else {
        panic!("expected a transport error, got {result:?}")
    };
    assert!(
        failure.message.contains("in time") || failure.message.contains("Timeout"),
        "{}",
        failure.message
    );
}

#[test]
fn a_bad_policy_setting_is_a_config_error_naming_the_key() {
    let session = with_env(Session::new(), "HARVEST_CONNECT_TIMEOUT_MS", "soon");
    let result = session.call(|h, s| h.call_get_project(s, ids::MOBILE_APP, None));
    assert!(
        matches!(&result, Err(wit::Error::Config(m)) if m.contains("HARVEST_CONNECT_TIMEOUT_MS")),
        "{result:?}"
    );
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
    Fault::Status {
        status: 200,
        content_type: "application/json".into(),
        body: body.to_string(),
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
    session.fake.inject(Fault::Status {
        status: 200,
        content_type: "application/json".into(),
        body,
    });
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
    session.fake.inject(Fault::Status {
        status: 200,
        content_type: "application/json".into(),
        body: r#"{"id": "seven", "name": 7}"#.into(),
    });
    let result = session.call(|h, s| h.call_get_project(s, ids::MOBILE_APP, None));
    assert!(
        matches!(&result, Err(wit::Error::Upstream(e)) if e.message.contains("could not be read")),
        "{result:?}"
    );
}
