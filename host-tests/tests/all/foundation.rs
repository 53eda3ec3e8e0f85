//! The first tools end to end, and the transport's handling of Harvest's answers.

use harvest_fake::{self as fake, Fault};

use crate::support::{Session, pairs, query, wit};

fn admin_user_id(session: &Session) -> u64 {
    let state = session.fake.state();
    let grant = &state.tokens[fake::ADMIN_TOKEN];
    let identity = state.identity(grant.identity_id).expect("admin identity");
    identity
        .harvest_users
        .iter()
        .find(|(account, _)| *account == fake::ACCOUNT_ID)
        .expect("admin user")
        .1
}

#[test]
fn list_accounts_marks_forecast_accounts_unusable() {
    let session = Session::new();
    let list = session
        .call(|h, s| h.call_list_accounts(s))
        .expect("accounts");
    let usable: Vec<u64> = list
        .accounts
        .iter()
        .filter(|a| a.usable)
        .map(|a| a.id)
        .collect();
    assert_eq!(usable, vec![fake::ACCOUNT_ID]);
    let forecast = list
        .accounts
        .iter()
        .find(|a| a.id == fake::FORECAST_ACCOUNT_ID)
        .expect("forecast listed");
    assert_eq!(
        (forecast.product.as_str(), forecast.usable),
        ("forecast", false)
    );

    let request = session.only_request();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/api/v2/accounts")
    );
    assert_eq!(
        request.header("authorization"),
        Some("Bearer fake-admin-token")
    );
    assert_eq!(
        request.header("harvest-account-id"),
        None,
        "Harvest ID takes no account header"
    );
    assert!(
        request
            .header("user-agent")
            .is_some_and(|ua| ua.contains('(') && ua.contains("http"))
    );
}

#[test]
fn get_current_user_sends_harvest_headers_and_returns_the_user() {
    let session = Session::new();
    let user = session
        .call(|h, s| h.call_get_current_user(s, None))
        .expect("user");
    let admin = admin_user_id(&session);
    let expected = session
        .fake
        .state()
        .account(fake::ACCOUNT_ID)
        .and_then(|a| a.user(admin).cloned())
        .expect("seeded");
    assert_eq!(
        (user.id, user.email.as_str(), user.is_active),
        (expected.id, expected.email.as_str(), true)
    );
    assert_eq!(user.access_roles, Some(expected.access_roles.clone()));
    assert_eq!(user.weekly_capacity, Some(expected.weekly_capacity));

    let request = session.only_request();
    assert_eq!(
        (
            request.method.as_str(),
            request.path.as_str(),
            request.query.as_deref()
        ),
        ("GET", "/v2/users/me", None)
    );
    assert_eq!(
        request.header("authorization"),
        Some("Bearer fake-admin-token")
    );
    assert_eq!(request.header("harvest-account-id"), Some("1000001"));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert!(
        request
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("harvest-component/"))
    );
}

#[test]
fn list_projects_returns_every_project_with_the_total() {
    let session = Session::new();
    let page = session
        .call(|h, s| h.call_list_projects(s, &project_query(None)))
        .expect("projects");
    let mut expected: Vec<u64> = session
        .fake
        .state()
        .account(fake::ACCOUNT_ID)
        .expect("account")
        .projects
        .iter()
        .map(|p| p.id)
        .collect();
    let mut got: Vec<u64> = page.items.iter().map(|p| p.id).collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    assert_eq!(page.total, Some(expected.len() as u64));
    assert!(!page.has_more && page.continuation.is_none());
    let request = session.only_request();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/v2/projects")
    );
    assert_eq!(query(&request), pairs(&[("per_page", "500")]));
}

#[test]
fn list_projects_hands_back_a_continuation_until_the_end() {
    let session = Session::new();
    let total = session
        .fake
        .state()
        .account(fake::ACCOUNT_ID)
        .expect("account")
        .projects
        .len();
    assert!(total > 4, "the seed should have several projects");
    let mut seen = Vec::new();
    let mut continuation = None;
    loop {
        let mut q = project_query(Some(2));
        q.continuation = continuation.take();
        let page = session
            .call(|h, s| h.call_list_projects(s, &q))
            .expect("page");
        assert!(page.items.len() <= 2);
        assert_eq!(page.total, Some(total as u64));
        seen.extend(page.items.iter().map(|p| p.id));
        assert_eq!(page.has_more, page.continuation.is_some());
        match page.continuation {
            Some(next) => continuation = Some(next),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        (seen.len(), unique.len()),
        (total, total),
        "every project exactly once"
    );
    let requests = session.requests();
    assert!(
        requests[1..]
            .iter()
            .all(|r| r.query_param("cursor").is_some()),
        "later pages follow Harvest's cursor links"
    );
}

#[test]
fn list_projects_sends_the_filters() {
    let session = Session::new();
    let client_id = session
        .fake
        .state()
        .account(fake::ACCOUNT_ID)
        .expect("account")
        .projects[0]
        .client
        .id;
    let mut q = project_query(Some(10));
    q.activity = Some(wit::ActivityFilter::Active);
    q.client_id = Some(client_id);
    q.updated_since = Some("2020-01-01T00:00:00Z".into());
    let page = session
        .call(|h, s| h.call_list_projects(s, &q))
        .expect("projects");
    assert!(!page.items.is_empty());
    assert!(
        page.items
            .iter()
            .all(|p| p.is_active && p.client.id == client_id)
    );
    assert_eq!(
        query(&session.only_request()),
        pairs(&[
            ("client_id", &client_id.to_string()),
            ("is_active", "true"),
            ("per_page", "10"),
            ("updated_since", "2020-01-01T00:00:00Z")
        ])
    );
}

#[test]
fn get_project_returns_the_project() {
    let session = Session::new();
    let expected = session
        .fake
        .state()
        .account(fake::ACCOUNT_ID)
        .expect("account")
        .projects[1]
        .clone();
    let project = session
        .call(|h, s| h.call_get_project(s, expected.id, None))
        .expect("project");
    assert_eq!(
        (project.id, project.name.as_str(), project.client.id),
        (expected.id, expected.name.as_str(), expected.client.id)
    );
    assert_eq!(
        (project.bill_by.as_str(), project.budget_by.as_str()),
        (expected.bill_by.as_str(), expected.budget_by.as_str())
    );
    assert_eq!(
        project.client.currency.as_deref(),
        Some(expected.client.currency.as_str())
    );
    let request = session.only_request();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", format!("/v2/projects/{}", expected.id).as_str())
    );
}

#[test]
fn an_explicit_account_id_overrides_the_configured_one() {
    let session = Session::new().configured(fake::MULTI_TOKEN, Some(fake::ACCOUNT_ID));
    let user = session
        .call(|h, s| h.call_get_current_user(s, Some(fake::TIMESTAMP_ACCOUNT_ID)))
        .expect("user");
    assert!(user.id > 0);
    assert_eq!(
        session.only_request().header("harvest-account-id"),
        Some("1000002")
    );
}

#[test]
fn a_bad_token_is_unauthorized_and_the_error_names_no_secret() {
    let session = Session::new().configured("tok-WRONG-abc123", Some(fake::ACCOUNT_ID));
    let (result, record) = session.call_recorded(|h, s| h.call_get_project(s, 1, None));
    let Err(wit::Error::Unauthorized(message)) = result else {
        panic!("expected unauthorized, got {result:?}")
    };
    assert!(
        message.contains("expired, revoked"),
        "Harvest's reason is passed on: {message}"
    );
    assert!(
        message.contains("refresh") && message.contains("account"),
        "says what to do: {message}"
    );
    assert!(!message.contains("tok-WRONG-abc123") && !record.stderr.contains("tok-WRONG-abc123"));
}

#[test]
fn the_only_harvest_account_is_used_when_none_is_configured() {
    let session = Session::new().configured(fake::ADMIN_TOKEN, None);
    let user = session
        .call(|h, s| h.call_get_current_user(s, None))
        .expect("user");
    assert_eq!(user.id, admin_user_id(&session));
    let requests = session.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/api/v2/accounts", "/v2/users/me"]);
    assert_eq!(
        requests[1].header("harvest-account-id"),
        Some("1000001"),
        "the Harvest account, never the Forecast one"
    );
}

#[test]
fn several_accounts_and_no_choice_lists_them_and_sends_nothing_to_the_api() {
    let session = Session::new().configured(fake::MULTI_TOKEN, None);
    let result = session.call(|h, s| h.call_get_current_user(s, None));
    let Err(wit::Error::InvalidInput(e)) = result else {
        panic!("expected invalid input, got {result:?}")
    };
    assert_eq!(e.field, "account-id");
    assert!(
        e.rule.contains("1000001 (") && e.rule.contains("1000002 ("),
        "{}",
        e.rule
    );
    assert!(e.rule.contains("HARVEST_ACCOUNT_ID"), "{}", e.rule);
    assert!(
        session
            .requests()
            .iter()
            .all(|r| !r.path.starts_with("/v2/"))
    );
}

#[test]
fn a_missing_token_is_a_config_error_naming_the_key() {
    let mut session = Session::new();
    session.env.retain(|(key, _)| key != "HARVEST_ACCESS_TOKEN");
    let result = session.call(|h, s| h.call_get_project(s, 1, None));
    let Err(wit::Error::Config(message)) = result else {
        panic!("expected config error, got {result:?}")
    };
    assert!(message.contains("HARVEST_ACCESS_TOKEN"), "{message}");
    assert!(session.requests().is_empty());
}

#[test]
fn an_invalid_id_is_refused_before_any_request() {
    let session = Session::new();
    let result = session.call(|h, s| h.call_get_project(s, 0, None));
    let Err(wit::Error::InvalidInput(e)) = result else {
        panic!("expected invalid input, got {result:?}")
    };
    assert_eq!(e.field, "project-id");
    assert!(session.requests().is_empty());
}

#[test]
fn harvests_404_reaches_the_caller() {
    let session = Session::new();
    let result = session.call(|h, s| h.call_get_project(s, 9_999_999_999, None));
    let Err(wit::Error::NotFound(message)) = result else {
        panic!("expected not found, got {result:?}")
    };
    assert!(
        message.contains("Not Found") && message.contains("/v2/projects/9999999999"),
        "{message}"
    );
}

#[test]
fn harvests_422_message_is_passed_verbatim() {
    let session = Session::new();
    let message = "Per page must be less than or equal to 2000";
    session.fake.inject(Fault::Status {
        status: 422,
        content_type: "application/json; charset=utf-8".into(),
        body: format!(r#"{{"message":"{message}"}}"#),
    });
    let result = session.call(|h, s| h.call_list_projects(s, &project_query(None)));
    assert!(
        matches!(&result, Err(wit::Error::Rejected(m)) if m == message),
        "{result:?}"
    );
}

#[test]
fn an_html_error_page_is_described_not_parsed() {
    let session = Session::new();
    session.fake.inject(Fault::Status {
        status: 500,
        content_type: "text/html".into(),
        body: "<html><body><h1>We're sorry, but something went wrong.</h1></body></html>".into(),
    });
    let result = session.call(|h, s| h.call_get_project(s, 1, None));
    let Err(wit::Error::Upstream(e)) = result else {
        panic!("expected upstream, got {result:?}")
    };
    assert_eq!(e.status, 500);
    assert!(e.message.contains("HTML"), "{}", e.message);
}

#[test]
fn an_unknown_route_answered_with_html_is_not_found() {
    let session = Session::new();
    session.fake.inject(Fault::Status {
        status: 404,
        content_type: "text/html".into(),
        body: "<!DOCTYPE html><html>The page you were looking for doesn't exist</html>".into(),
    });
    let result = session.call(|h, s| h.call_get_project(s, 1, None));
    let Err(wit::Error::NotFound(message)) = result else {
        panic!("expected not found, got {result:?}")
    };
    assert!(message.contains("HTML"), "{message}");
}

#[test]
fn a_next_link_to_another_host_is_refused() {
    let session = Session::new();
    let body = serde_json::json!({
        "projects": [], "per_page": 1, "total_pages": 2, "total_entries": 2, "next_page": 2,
        "previous_page": null, "page": 1,
        "links": {"first": "x", "next": "https://evil.example/v2/projects?page=2", "previous": null, "last": "y"}
    });
    session.fake.inject(Fault::Status {
        status: 200,
        content_type: "application/json".into(),
        body: body.to_string(),
    });
    let (result, record) =
        session.call_recorded(|h, s| h.call_list_projects(s, &project_query(None)));
    let Err(wit::Error::Upstream(e)) = result else {
        panic!("expected upstream, got {result:?}")
    };
    assert!(e.message.contains("outside"), "{}", e.message);
    assert_eq!(
        session.requests().len(),
        1,
        "the foreign link was not followed"
    );
    assert!(
        record.denied.is_empty(),
        "nothing was even attempted: {:?}",
        record.denied
    );
}

pub fn project_query(limit: Option<u32>) -> wit::ProjectQuery {
    wit::ProjectQuery {
        activity: None,
        client_id: None,
        updated_since: None,
        limit,
        continuation: None,
        account_id: None,
    }
}

#[test]
fn list_accounts_with_a_revoked_token_is_unauthorized() {
    let session = Session::new().configured("tok-revoked", None);
    let result = session.call(|h, s| h.call_list_accounts(s));
    assert!(
        matches!(&result, Err(wit::Error::Unauthorized(m)) if m.contains("refresh")),
        "{result:?}"
    );
}

#[test]
fn an_account_the_token_cannot_reach_is_unauthorized() {
    let session = Session::new();
    let result = session.call(|h, s| h.call_get_current_user(s, Some(fake::TIMESTAMP_ACCOUNT_ID)));
    let Err(wit::Error::Unauthorized(message)) = result else {
        panic!("expected unauthorized, got {result:?}")
    };
    assert!(message.contains("account id"), "{message}");
    assert_eq!(
        session.only_request().header("harvest-account-id"),
        Some("1000002")
    );
}
