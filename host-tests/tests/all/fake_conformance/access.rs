//! Authentication, roles, errors and the rate limit (docs/harvest-notes.md#headers-and-accounts,
//! docs/harvest-notes.md#rate-limits, docs/harvest-notes.md#errors,
//! docs/harvest-notes.md#permissions).

use harvest_fake::{
    ACCOUNT_ID, ADMIN_TOKEN, FORECAST_ACCOUNT_ID, FakeOptions, INVALID_TOKEN_DESCRIPTION,
    MEMBER_TOKEN, MULTI_TOKEN, TIMESTAMP_ACCOUNT_ID, ids,
};
use serde_json::json;

use super::client::{Caller, walk};
use super::{ANCHOR, start, start_with};

#[test]
fn bad_credentials_get_harvests_401_body() {
    let fake = start();
    let expected =
        json!({ "error": "invalid_token", "error_description": INVALID_TOKEN_DESCRIPTION });
    let callers = [
        Caller::new(&fake, "not-a-token", ACCOUNT_ID),
        Caller {
            account: None,
            ..Caller::admin(&fake)
        },
        Caller::new(&fake, ADMIN_TOKEN, TIMESTAMP_ACCOUNT_ID),
        Caller::new(&fake, ADMIN_TOKEN, FORECAST_ACCOUNT_ID),
        Caller {
            token: None,
            ..Caller::admin(&fake)
        },
    ];
    for caller in callers {
        let reply = caller.get("/v2/users/me");
        assert_eq!((reply.status, reply.json()), (401, expected.clone()));
    }
    let multi = Caller::new(&fake, MULTI_TOKEN, TIMESTAMP_ACCOUNT_ID);
    assert_eq!(
        multi.ok("/v2/company")["wants_timestamp_timers"],
        json!(true)
    );
}

#[test]
fn a_request_without_user_agent_is_400() {
    let fake = start();
    let reply = Caller {
        user_agent: false,
        ..Caller::admin(&fake)
    }
    .get("/v2/users/me");
    assert_eq!(reply.status, 400);
    assert_eq!(
        fake.requests().len(),
        1,
        "the refused request is recorded too"
    );
}

#[test]
fn unknown_routes_are_html_and_missing_records_json() {
    let fake = start();
    let admin = Caller::admin(&fake);
    for target in ["/v2/nothing_here", "/v2/time_entries/null"] {
        let reply = admin.get(target);
        assert_eq!(reply.status, 404);
        assert!(
            reply
                .header("content-type")
                .is_some_and(|c| c.starts_with("text/html")),
            "{target}"
        );
    }
    let reply = admin.get("/v2/time_entries/9999999999");
    assert_eq!(
        (reply.status, reply.json()),
        (404, json!({ "status": 404, "error": "Not Found" }))
    );
}

#[test]
fn per_page_above_2000_is_422() {
    let fake = start();
    let admin = Caller::admin(&fake);
    for target in [
        "/v2/time_entries?per_page=2001",
        "/v2/clients?per_page=2001",
        "/v2/invoices?per_page=0",
    ] {
        let reply = admin.get(target);
        assert_eq!(reply.status, 422, "{target}");
        assert!(reply.json()["message"].is_string());
    }
    assert_eq!(admin.ok("/v2/time_entries?per_page=2000")["per_page"], 2000);
    assert_eq!(
        admin.ok("/v2/invoices")["per_page"],
        100,
        "docs/harvest-notes.md#pagination: invoices default to 100"
    );
}

#[test]
fn requests_past_the_budget_are_throttled() {
    let fake = start_with(FakeOptions {
        anchor: ANCHOR,
        request_budget: Some(2),
        ..FakeOptions::default()
    });
    let admin = Caller::admin(&fake);
    assert_eq!(admin.get("/v2/users/me").status, 200);
    assert_eq!(admin.get("/v2/company").status, 200);
    for _ in 0..2 {
        let reply = admin.get("/v2/users/me");
        assert_eq!(reply.status, 429);
        assert_eq!(reply.header("retry-after"), Some("15"));
        assert!(
            reply
                .header("content-type")
                .is_some_and(|c| c.starts_with("text/html"))
        );
        assert_eq!(reply.body, "");
    }
}

#[test]
fn members_are_refused_admin_endpoints_and_see_only_their_time() {
    let fake = start();
    let member = Caller::new(&fake, MEMBER_TOKEN, ACCOUNT_ID);
    let task_assignments = format!("/v2/projects/{}/task_assignments", ids::MOBILE_APP);
    for target in [
        "/v2/projects",
        "/v2/users",
        "/v2/tasks",
        "/v2/clients",
        "/v2/invoices",
        task_assignments.as_str(),
    ] {
        assert_eq!(member.get(target).status, 403, "{target}");
    }
    let pages = walk(&member, "/v2/time_entries?per_page=500");
    let users: Vec<u64> = pages
        .iter()
        .flat_map(|p| p["time_entries"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["user"]["id"].as_u64())
        .collect();
    assert!(!users.is_empty() && users.iter().all(|u| *u == ids::ALAN));
    assert_eq!(member.ok("/v2/users/me")["id"], ids::ALAN);
}
