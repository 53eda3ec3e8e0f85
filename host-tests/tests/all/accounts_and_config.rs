//! Configuration and account choice: the token, the configured or explicit account, the
//! Harvest ID account list, and the Harvest headers every request carries.

use harvest_fake as fake;

use crate::support::{Session, wit};

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
