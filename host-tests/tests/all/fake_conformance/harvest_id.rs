//! Harvest ID: the account list (docs/harvest-notes.md#accounts) and the OAuth2 authorization-code
//! flow (docs/harvest-notes.md#oauth).

use harvest_fake::{
    ACCOUNT_ID, CLIENT_ID, CLIENT_SECRET, FORECAST_ACCOUNT_ID, FakeHarvest, MULTI_TOKEN,
    TIMESTAMP_ACCOUNT_ID, ids,
};
use serde_json::json;

use super::client::{Caller, Reply, parse_reply, raw_exchange, request_text};
use super::{USER_AGENT, start};

#[test]
fn harvest_id_lists_harvest_and_forecast_accounts() {
    let fake = start();
    let reply = Caller {
        account: None,
        ..Caller::new(&fake, MULTI_TOKEN, 0)
    }
    .get("/api/v2/accounts");
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["user"]["first_name"], "Grace");
    let products: Vec<(u64, String)> = body["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| {
            (
                a["id"].as_u64().unwrap_or(0),
                a["product"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        products,
        vec![
            (ACCOUNT_ID, "harvest".into()),
            (TIMESTAMP_ACCOUNT_ID, "harvest".into()),
            (FORECAST_ACCOUNT_ID, "forecast".into())
        ]
    );
}

fn authorize(fake: &FakeHarvest, redirect: &str) -> (String, String) {
    let caller = Caller {
        token: None,
        account: None,
        ..Caller::admin(fake)
    };
    let reply = caller.get(&format!(
        "/oauth2/authorize?client_id={CLIENT_ID}&response_type=code&state=xyz&redirect_uri={redirect}"
    ));
    assert_eq!(reply.status, 302, "{}", reply.body);
    let location = reply.header("location").expect("a redirect").to_owned();
    assert!(
        location.starts_with("http://127.0.0.1:4567/callback?"),
        "{location}"
    );
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(get("state"), "xyz");
    (get("code"), get("scope"))
}

fn token_request(fake: &FakeHarvest, form: &str) -> Reply {
    let headers = [
        ("User-Agent", USER_AGENT.to_owned()),
        ("Content-Type", "application/x-www-form-urlencoded".into()),
    ];
    let text = request_text(
        &fake.url(),
        "POST",
        "/api/v2/oauth2/token",
        &headers,
        Some(form),
    );
    parse_reply(&raw_exchange(&fake.url(), &text).0)
}

#[test]
fn oauth_codes_work_once_and_tokens_expire() {
    let fake = start();
    let (code, scope) = authorize(&fake, "http://127.0.0.1:4567/callback");
    assert_eq!(
        scope,
        format!("harvest:{ACCOUNT_ID} forecast:{FORECAST_ACCOUNT_ID}")
    );
    let exchange = format!(
        "grant_type=authorization_code&code={code}&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
    );
    let first = token_request(&fake, &exchange);
    assert_eq!(first.status, 200, "{}", first.body);
    let tokens = first.json();
    assert_eq!(
        (tokens["token_type"].clone(), tokens["expires_in"].clone()),
        (json!("bearer"), json!(1_209_600))
    );
    let again = token_request(&fake, &exchange);
    assert_eq!(
        (again.status, again.json()["error"].clone()),
        (400, json!("invalid_grant"))
    );

    let access = tokens["access_token"].as_str().expect("access token");
    assert_eq!(
        Caller::new(&fake, access, ACCOUNT_ID).ok("/v2/users/me")["id"],
        ids::ADA
    );
    let wrong_secret = token_request(
        &fake,
        &format!("grant_type=refresh_token&refresh_token=x&client_id={CLIENT_ID}&client_secret=no"),
    );
    assert_eq!(
        (wrong_secret.status, wrong_secret.json()["error"].clone()),
        (401, json!("invalid_client"))
    );

    let refresh = tokens["refresh_token"].as_str().expect("refresh token");
    let body = json!({ "grant_type": "refresh_token", "refresh_token": refresh, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET });
    let refreshed = Caller {
        token: None,
        account: None,
        ..Caller::admin(&fake)
    }
    .send("POST", "/api/v2/oauth2/token", Some(&body));
    assert_eq!(
        refreshed.status, 200,
        "a JSON body works too: {}",
        refreshed.body
    );
    let reused = token_request(
        &fake,
        &format!(
            "grant_type=refresh_token&refresh_token={refresh}&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
        ),
    );
    assert_eq!(
        reused.status, 400,
        "a used refresh token is revoked (rotation)"
    );

    fake.expire_all_tokens();
    assert_eq!(
        Caller::new(&fake, access, ACCOUNT_ID)
            .get("/v2/users/me")
            .status,
        401
    );
    assert_eq!(
        Caller::admin(&fake).get("/v2/users/me").status,
        200,
        "personal tokens never expire"
    );
}

#[test]
fn oauth_refuses_foreign_redirects() {
    let fake = start();
    let caller = Caller {
        token: None,
        account: None,
        ..Caller::admin(&fake)
    };
    let reply = caller.get(&format!("/oauth2/authorize?client_id={CLIENT_ID}&response_type=code&redirect_uri=http://evil.example/callback"));
    assert_eq!(reply.status, 400);
    let reply = caller.get("/oauth2/authorize?client_id=unknown&response_type=code");
    assert_eq!(reply.status, 400);
}
