//! Seeded data, fault injection and the request log.

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use harvest_fake::{ACCOUNT_ID, ADMIN_TOKEN, Fault, InvoiceState, ids};
use serde_json::json;

use super::client::{Caller, parse_reply, raw_exchange, request_text};
use super::{ANCHOR, USER_AGENT, start};

#[test]
fn seeded_data_follows_the_anchor() {
    let (a, b) = (start(), start());
    let (sa, sb) = (a.state(), b.state());
    let main = sa.account(ACCOUNT_ID).expect("main");
    assert_eq!(
        serde_json::to_value(main).ok(),
        serde_json::to_value(sb.account(ACCOUNT_ID).expect("main")).ok()
    );
    let running: Vec<_> = main.time_entries.iter().filter(|e| e.is_running).collect();
    assert_eq!(running.len(), 1);
    assert_eq!(
        (running[0].user.id, running[0].spent_date),
        (ids::ADA, ANCHOR)
    );
    let month = |d: NaiveDate| d.format("%Y-%m").to_string();
    assert!(
        main.time_entries
            .iter()
            .all(|e| e.user.id != ids::EDSGER || month(e.spent_date) != month(ANCHOR))
    );
    assert!(main.time_entries.iter().any(|e| e.user.id == ids::EDSGER));
    assert!(
        main.time_entries
            .iter()
            .all(|e| e.spent_date <= ANCHOR && e.id > 3_000_000_000)
    );
    let state = |id| main.invoice(id).map(|i| i.state);
    assert_eq!(state(ids::INVOICE_PAID), Some(InvoiceState::Paid));
    assert_eq!(state(ids::INVOICE_CLOSED), Some(InvoiceState::Closed));
    assert_eq!(state(ids::INVOICE_DRAFT), Some(InvoiceState::Draft));
    let overdue = main.invoice(ids::INVOICE_OVERDUE).expect("overdue");
    assert!(
        overdue.state == InvoiceState::Open
            && overdue.due_date < ANCHOR
            && overdue.due_amount < overdue.amount
    );
    let open = main.invoice(ids::INVOICE_OPEN).expect("open");
    assert!(open.state == InvoiceState::Open && open.due_date > ANCHOR);
    assert!(
        main.time_entries
            .iter()
            .any(|e| e.is_locked && !e.is_billed)
    );
}

#[test]
fn faults_are_served_first_in_first_out() {
    let fake = start();
    let admin = Caller::admin(&fake);
    fake.inject(Fault::Status {
        status: 503,
        content_type: "text/plain".into(),
        body: "down".into(),
    });
    fake.inject(Fault::RateLimited {
        retry_after: Some(3),
    });
    fake.inject(Fault::Delay { millis: 300 });
    let reply = admin.get("/v2/users/me");
    assert_eq!((reply.status, reply.body.as_str()), (503, "down"));
    let reply = admin.get("/v2/users/me");
    assert_eq!(
        (reply.status, reply.header("retry-after")),
        (429, Some("3"))
    );
    let started = Instant::now();
    assert_eq!(admin.get("/v2/users/me").status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    let headers = [
        ("User-Agent", USER_AGENT.to_owned()),
        ("Authorization", format!("Bearer {ADMIN_TOKEN}")),
        ("Harvest-Account-Id", ACCOUNT_ID.to_string()),
    ];
    let request = request_text(&fake.url(), "GET", "/v2/users/me", &headers, None);
    fake.inject(Fault::TruncatedBody);
    let (raw, _) = raw_exchange(&fake.url(), &request);
    let reply = parse_reply(&raw);
    let declared: usize = reply
        .header("content-length")
        .and_then(|l| l.parse().ok())
        .expect("a length");
    assert!(
        reply.status == 200 && reply.body.len() < declared,
        "truncated: {} < {declared}",
        reply.body.len()
    );

    fake.inject(Fault::ResetMidBody);
    let (raw, error) = raw_exchange(&fake.url(), &request);
    assert_eq!(
        error,
        Some(ErrorKind::ConnectionReset),
        "got {} bytes",
        raw.len()
    );
    assert_eq!(admin.get("/v2/users/me").status, 200, "faults are used up");
}

#[test]
fn every_request_is_recorded() {
    let fake = start();
    let admin = Caller::admin(&fake);
    let body = json!({ "project_id": ids::WEBSITE_REDESIGN, "task_id": ids::DESIGN, "spent_date": "2025-11-12", "hours": 1 });
    admin.send("POST", "/v2/time_entries?via=test%20suite", Some(&body));
    admin.get("/v2/nothing");
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    let post = &requests[0];
    assert_eq!(
        (post.method.as_str(), post.path.as_str()),
        ("POST", "/v2/time_entries")
    );
    assert_eq!(post.header("harvest-account-id"), Some("1000001"));
    assert_eq!(post.query_param("via").as_deref(), Some("test suite"));
    assert_eq!(post.json()["hours"], 1);
    fake.clear_requests();
    assert!(fake.requests().is_empty());
}
