//! Harvest ID's OAuth 2.0 authorization-code flow (docs/harvest-notes.md#oauth), for the host's
//! "Connect" step: the authorize URL, the code exchange, the refresh and the scope.
//!
//! The code, the refresh token and the client secret are held as [`Secret`]s from the moment
//! they arrive and never appear in an error's text.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::bindings::exports::harvest::tools::oauth::{ClientCredentials, ScopedAccount, TokenSet};
use crate::bindings::wit::Error;
use crate::config::{self, CLIENT_ID, Config, OAuthClient, Origin, Secret};
use crate::http::error::{TokenGrant, token_error};
use crate::http::{Client, Query, Request};
use crate::json::json_record;

const TOKEN_PATH: &str = "/api/v2/oauth2/token";

/// What is traded for tokens.
enum Grant {
    Code {
        code: Secret,
        redirect_uri: Option<String>,
    },
    Refresh(Secret),
}

impl Grant {
    fn secret(&self) -> &Secret {
        match self {
            Grant::Code { code, .. } => code,
            Grant::Refresh(token) => token,
        }
    }

    fn kind(&self) -> TokenGrant {
        match self {
            Grant::Code { .. } => TokenGrant::Code,
            Grant::Refresh(_) => TokenGrant::Refresh,
        }
    }
}

json_record! {
    /// The token endpoint's answer (docs/harvest-notes.md#oauth).
    struct TokenAnswer {
        access_token: String,
        refresh_token: String,
        token_type: String,
        expires_in: u64,
        scope: Option<String>,
    }
}

pub fn authorization_url(
    state: String,
    redirect_uri: Option<String>,
    client_id: Option<String>,
) -> Result<String, Error> {
    let lookup = |key: &str| std::env::var(key).ok();
    non_empty("state", &state)?;
    check_redirect(redirect_uri.as_deref())?;
    let client_id = match client_id {
        Some(id) => non_empty("client-id", &id).map(|()| id)?,
        None => config::client_setting(lookup, CLIENT_ID)?,
    };
    let config = Config::for_harvest_id_from(lookup)?;
    Ok(authorize_url(
        &config.identity,
        &client_id,
        &state,
        redirect_uri.as_deref(),
    ))
}

pub fn exchange_code(
    code: String,
    redirect_uri: Option<String>,
    credentials: Option<ClientCredentials>,
) -> Result<TokenSet, Error> {
    let code = Secret::new(code);
    non_empty("code", code.expose())?;
    check_redirect(redirect_uri.as_deref())?;
    let grant = Grant::Code { code, redirect_uri };
    request_tokens(&grant, credentials)
}

pub fn refresh(
    refresh_token: String,
    credentials: Option<ClientCredentials>,
) -> Result<TokenSet, Error> {
    let token = Secret::new(refresh_token);
    non_empty("refresh-token", token.expose())?;
    request_tokens(&Grant::Refresh(token), credentials)
}

/// Accounts named by a scope such as `harvest:123+forecast:456` (docs/harvest-notes.md#oauth); unknown
/// items are skipped.
pub fn parse_scope(scope: &str) -> Vec<ScopedAccount> {
    let account = |product: &str, id: Option<u64>| ScopedAccount {
        product: product.to_string(),
        id,
        all: id.is_none(),
    };
    scope
        .split([' ', '+'])
        .flat_map(|item| match item.split_once(':') {
            None if item == "all" => vec![account("harvest", None), account("forecast", None)],
            Some((product @ ("harvest" | "forecast"), "all")) => vec![account(product, None)],
            Some((product @ ("harvest" | "forecast"), id)) => match id.parse::<u64>() {
                Ok(id) => vec![account(product, Some(id))],
                Err(_) => Vec::new(),
            },
            _ => Vec::new(),
        })
        .collect()
}

fn non_empty(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    Ok(())
}

fn check_redirect(redirect_uri: Option<&str>) -> Result<(), Error> {
    match redirect_uri {
        Some(uri) if !(uri.starts_with("http://") || uri.starts_with("https://")) => {
            Err(Error::invalid(
                "redirect-uri",
                "must be an http or https URL starting with the OAuth application's registered \
                 Redirect URL, e.g. http://127.0.0.1:8123/callback",
            ))
        }
        _ => Ok(()),
    }
}

fn client(credentials: Option<ClientCredentials>) -> Result<OAuthClient, Error> {
    let Some(credentials) = credentials else {
        return OAuthClient::from_lookup(|key| std::env::var(key).ok());
    };
    let secret = Secret::new(credentials.client_secret);
    non_empty("credentials.client-id", &credentials.client_id)?;
    non_empty("credentials.client-secret", secret.expose())?;
    Ok(OAuthClient {
        id: credentials.client_id,
        secret,
    })
}

/// `{HARVEST_ID_URL}/oauth2/authorize?client_id=…&response_type=code&state=…[&redirect_uri=…]`.
fn authorize_url(id: &Origin, client_id: &str, state: &str, redirect_uri: Option<&str>) -> String {
    let query = Query::new()
        .set("client_id", client_id)
        .set("response_type", "code")
        .set("state", state)
        .opt("redirect_uri", redirect_uri);
    format!("{id}/oauth2/authorize?{}", query.as_str())
}

/// The token request's form body (docs/harvest-notes.md#oauth: the code exchange and the refresh).
fn token_form(grant: &Grant, client: &OAuthClient) -> Query {
    match grant {
        Grant::Code { code, redirect_uri } => Query::new()
            .set("grant_type", "authorization_code")
            .set("code", code.expose())
            .set("client_id", &client.id)
            .set("client_secret", client.secret.expose())
            .opt("redirect_uri", redirect_uri.as_deref()),
        Grant::Refresh(token) => Query::new()
            .set("grant_type", "refresh_token")
            .set("refresh_token", token.expose())
            .set("client_id", &client.id)
            .set("client_secret", client.secret.expose()),
    }
}

fn token_request(grant: &Grant, client: &OAuthClient) -> Request<TokenAnswer> {
    Request::form_to_harvest_id(TOKEN_PATH, token_form(grant, client))
}

fn request_tokens(
    grant: &Grant,
    credentials: Option<ClientCredentials>,
) -> Result<TokenSet, Error> {
    let client = client(credentials)?;
    let harvest_id = Client::harvest_id(Config::for_harvest_id()?);
    let request = token_request(grant, &client);
    // A POST is never retried: a code works once.
    let response = harvest_id.exchange(&request)?;
    if !response.is_success() {
        let secrets = [grant.secret(), &client.secret];
        let (method, path) = (request.method, request.path.as_str());
        return Err(token_error(method, path, &response, grant.kind(), &secrets));
    }
    let answer: TokenAnswer = crate::json::decode(&response.body).map_err(|_| {
        Error::unreadable(
            response.status,
            "Harvest ID's token answer could not be read: it lacks access_token, refresh_token, \
             token_type or expires_in, or one has the wrong type",
        )
    })?;
    token_set(answer, response.status, SystemTime::now())
}

fn token_set(answer: TokenAnswer, status: u16, now: SystemTime) -> Result<TokenSet, Error> {
    let accounts = answer.scope.as_deref().map(parse_scope).unwrap_or_default();
    let expires_at = expires_at(now, answer.expires_in).ok_or_else(|| {
        let expires_in = answer.expires_in;
        Error::unreadable(
            status,
            format!("Harvest ID's expires_in ({expires_in} s) is out of range"),
        )
    })?;
    Ok(TokenSet {
        expires_at,
        access_token: answer.access_token,
        refresh_token: answer.refresh_token,
        token_type: answer.token_type,
        expires_in: answer.expires_in,
        scope: answer.scope,
        accounts,
    })
}

/// `now + expires_in` as ISO 8601 UTC, e.g. `2026-03-01T14:59:22Z`; none when out of range.
fn expires_at(now: SystemTime, expires_in: u64) -> Option<String> {
    let at = now
        .checked_add(Duration::from_secs(expires_in))
        .and_then(|at| at.duration_since(UNIX_EPOCH).ok())
        .and_then(|since| i64::try_from(since.as_secs()).ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))?;
    Some(at.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Body, Method, Server};

    fn origin() -> Origin {
        let Ok(origin) = Origin::parse("K", "https://id.getharvest.com") else {
            panic!("valid origin")
        };
        origin
    }

    fn app() -> OAuthClient {
        OAuthClient {
            id: "client 1".into(),
            secret: Secret::new("s3cret&x".into()),
        }
    }

    #[test]
    fn authorize_url_encodes_every_parameter() {
        let url = authorize_url(
            &origin(),
            "id/1",
            "a b&c=d",
            Some("http://127.0.0.1:8123/callback"),
        );
        assert_eq!(
            url,
            "https://id.getharvest.com/oauth2/authorize?client_id=id%2F1&response_type=code\
             &state=a%20b%26c%3Dd&redirect_uri=http%3A%2F%2F127.0.0.1%3A8123%2Fcallback"
        );
        assert!(!authorize_url(&origin(), "i", "s", None).contains("redirect_uri"));
    }

    #[test]
    fn code_form_carries_the_grant_and_the_client() {
        let grant = Grant::Code {
            code: Secret::new("c+1".into()),
            redirect_uri: Some("http://127.0.0.1/cb".into()),
        };
        assert_eq!(
            token_form(&grant, &app()).as_str(),
            "grant_type=authorization_code&code=c%2B1&client_id=client%201\
             &client_secret=s3cret%26x&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb"
        );
    }

    #[test]
    fn refresh_request_is_a_bearerless_form_post_to_harvest_id() {
        let request = token_request(&Grant::Refresh(Secret::new("r1".into())), &app());
        assert_eq!(
            (
                request.method,
                request.server,
                request.path.as_str(),
                request.bearer
            ),
            (Method::Post, Server::HarvestId, TOKEN_PATH, false)
        );
        assert_eq!(
            request.body,
            Some(Body::Form(
                "grant_type=refresh_token&refresh_token=r1&client_id=client%201\
                 &client_secret=s3cret%26x"
                    .into()
            ))
        );
    }

    #[test]
    fn scope_items_become_accounts() {
        let accounts = parse_scope("harvest:123+forecast:456 harvest:all bogus harvest:x all");
        let got: Vec<(&str, Option<u64>, bool)> = accounts
            .iter()
            .map(|a| (a.product.as_str(), a.id, a.all))
            .collect();
        assert_eq!(
            got,
            vec![
                ("harvest", Some(123), false),
                ("forecast", Some(456), false),
                ("harvest", None, true),
                ("harvest", None, true),
                ("forecast", None, true),
            ]
        );
        assert!(parse_scope("").is_empty());
    }

    #[test]
    fn expiry_is_now_plus_lifetime_in_utc() {
        let now = UNIX_EPOCH + Duration::from_secs(1_772_377_162);
        assert_eq!(
            expires_at(now, 1_209_600).as_deref(),
            Some("2026-03-15T14:59:22Z")
        );
    }
}
