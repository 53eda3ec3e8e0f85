//! Harvest ID's OAuth2 authorization-code flow (docs/harvest-notes.md#oauth).
//!
//! Choices where Harvest is silent (docs/harvest-notes.md#open-questions): codes work once and only
//! for the client they were issued to; a `redirect_uri` sent to the token endpoint must equal the
//! one used to authorize; every refresh returns a NEW refresh token and revokes the one used (so a
//! client that does not store the rotated token fails loudly). Error bodies use Doorkeeper's
//! wording, which Harvest ID's 401 text matches.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde::Deserialize;
use serde_json::{Value, json};

use super::app::App;
use super::auth::identity_for;
use super::error::ApiError;
use super::model::{AuthCode, FakeState, RefreshGrant, TokenGrant};
use super::params::{Params, Payload};

const INVALID_GRANT: &str = "The provided authorization grant is invalid, expired, revoked, does not \
    match the redirection URI used in the authorization request, or was issued to another client.";
const INVALID_CLIENT: &str = "Client authentication failed due to unknown client, no client \
    authentication included, or unsupported authentication method.";
const INVALID_REQUEST: &str = "The request is missing a required parameter, includes an unsupported \
    parameter value, or is otherwise malformed.";
const UNSUPPORTED_GRANT: &str =
    "The authorization grant type is not supported by the authorization server.";

fn oauth_error(status: StatusCode, error: &'static str, description: &'static str) -> ApiError {
    ApiError::OAuth {
        status,
        error,
        description,
    }
}

fn error_page(message: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html><body><h1>An error has occurred</h1><p>{message}</p></body></html>\n"
    );
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

/// Splits `scheme://host:port/rest` into `(scheme, host, rest)`, dropping the port.
fn split_url(url: &str) -> Option<(&str, &str, &str)> {
    let (scheme, after) = url.split_once("://")?;
    let cut = after.find(['/', '?']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(cut);
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host);
    Some((scheme, host, rest))
}

/// docs/harvest-notes.md#oauth: `redirect_uri` must START WITH the registered Redirect URL. Ports
/// are ignored so a loopback client may listen on any port.
pub fn redirect_allowed(registered: &str, given: &str) -> bool {
    match (split_url(registered), split_url(given)) {
        (Some((s1, h1, p1)), Some((s2, h2, p2))) => {
            s1.eq_ignore_ascii_case(s2) && h1.eq_ignore_ascii_case(h2) && p2.starts_with(p1)
        }
        _ => false,
    }
}

fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{}", query.finish())
}

/// `GET /oauth2/authorize`: the user (the owner of `FakeState::authorizing_token`) consents at
/// once; the answer is a 302 to the redirect URI with `code`, `scope` and `state`
/// (docs/harvest-notes.md#oauth).
pub async fn authorize(State(app): State<App>, params: Params) -> Response {
    let mut st = app.lock();
    let Some(client) = params
        .get("client_id")
        .and_then(|id| st.oauth_clients.iter().find(|c| c.client_id == id))
    else {
        return error_page("Client authentication failed: unknown client_id.");
    };
    let client_id = client.client_id.clone();
    let redirect = params
        .get("redirect_uri")
        .unwrap_or(&client.redirect_url)
        .to_owned();
    if !redirect_allowed(&client.redirect_url, &redirect) {
        return error_page("The redirect uri included is not valid.");
    }
    let state = params.get("state").unwrap_or("").to_owned();
    let with_state = |mut pairs: Vec<(&'static str, String)>| {
        if !state.is_empty() {
            pairs.push(("state", state.clone()));
        }
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        found(&with_query(&redirect, &pairs))
    };
    if params.get("response_type") != Some("code") {
        return with_state(vec![("error", "unsupported_response_type".into())]);
    }
    let Ok(identity) = identity_for(&st, &st.authorizing_token) else {
        return with_state(vec![("error", "access_denied".into())]);
    };
    let scope: Vec<String> = identity
        .harvest_users
        .iter()
        .map(|(account, _)| format!("harvest:{account}"))
        .chain(
            identity
                .forecast_accounts
                .iter()
                .map(|id| format!("forecast:{id}")),
        )
        .collect();
    let identity_id = identity.id;
    let code = format!("fake-code-{}", next_serial(&mut st));
    st.auth_codes.insert(
        code.clone(),
        AuthCode {
            client_id,
            identity_id,
            redirect_uri: redirect.clone(),
            used: false,
        },
    );
    with_state(vec![("code", code), ("scope", scope.join(" "))])
}

fn found(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

fn next_serial(st: &mut FakeState) -> u64 {
    st.issued += 1;
    st.issued
}

#[derive(Deserialize)]
pub struct TokenRequest {
    grant_type: Option<String>,
    code: Option<String>,
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    redirect_uri: Option<String>,
}

/// `POST /api/v2/oauth2/token`, form or JSON body: the code exchange and the refresh
/// (docs/harvest-notes.md#oauth).
pub async fn token(
    State(app): State<App>,
    body: Result<Payload<TokenRequest>, ApiError>,
) -> Result<Json<Value>, ApiError> {
    let invalid_request =
        || oauth_error(StatusCode::BAD_REQUEST, "invalid_request", INVALID_REQUEST);
    let invalid_grant = || oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", INVALID_GRANT);
    let Ok(Payload(req)) = body else {
        return Err(invalid_request());
    };
    let mut st = app.lock();
    let client_id = st
        .oauth_clients
        .iter()
        .find(|c| {
            Some(&c.client_id) == req.client_id.as_ref()
                && Some(&c.client_secret) == req.client_secret.as_ref()
        })
        .map(|c| c.client_id.clone())
        .ok_or_else(|| oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", INVALID_CLIENT))?;
    let identity_id = match req.grant_type.as_deref() {
        Some("authorization_code") => {
            let code = req.code.as_deref().ok_or_else(invalid_request)?;
            let grant = st.auth_codes.get_mut(code).ok_or_else(invalid_grant)?;
            let redirect_ok = req
                .redirect_uri
                .as_ref()
                .is_none_or(|r| *r == grant.redirect_uri);
            if grant.used || grant.client_id != client_id || !redirect_ok {
                return Err(invalid_grant());
            }
            grant.used = true;
            grant.identity_id
        }
        Some("refresh_token") => {
            let refresh = req.refresh_token.as_deref().ok_or_else(invalid_request)?;
            match st.refresh_tokens.get(refresh) {
                Some(grant) if grant.client_id == client_id => {}
                _ => return Err(invalid_grant()),
            }
            st.refresh_tokens
                .remove(refresh)
                .ok_or_else(invalid_grant)?
                .identity_id
        }
        Some(_) => {
            return Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                UNSUPPORTED_GRANT,
            ));
        }
        None => return Err(invalid_request()),
    };
    let serial = next_serial(&mut st);
    let (access_token, refresh_token) = (
        format!("fake-oauth-access-{serial}"),
        format!("fake-oauth-refresh-{serial}"),
    );
    let lifetime = st.access_token_lifetime_secs;
    let expires_at = i64::try_from(lifetime)
        .ok()
        .and_then(Duration::try_seconds)
        .and_then(|d| st.clock.now().checked_add_signed(d));
    st.tokens.insert(
        access_token.clone(),
        TokenGrant {
            identity_id,
            expires_at,
            oauth_client_id: Some(client_id.clone()),
        },
    );
    st.refresh_tokens.insert(
        refresh_token.clone(),
        RefreshGrant {
            client_id,
            identity_id,
        },
    );
    Ok(Json(json!({
        "access_token": access_token,
        "refresh_token": refresh_token,
        "token_type": "bearer",
        "expires_in": lifetime,
    })))
}
