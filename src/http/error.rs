//! The one place that turns a status and a body into an [`Error`]: Harvest's own message, OAuth
//! error bodies, and secrets echoed back by a server redacted from both.

use super::request::Method;
use super::response::Response;
use crate::bindings::wit::Error;
use crate::config::{self, Secret};
use crate::json::json_record;
use crate::permissions;

const DEVELOPERS_PAGE: &str = "https://id.getharvest.com/developers";

/// Maps a non-2xx response to the error an agent can act on, with Harvest's own message.
/// `path` is the request's path without its query; `secrets` are redacted from the message.
pub fn check_status(
    method: Method,
    path: &str,
    response: &Response,
    secrets: &[&Secret],
) -> Result<(), Error> {
    if response.is_success() {
        return Ok(());
    }
    let status = response.status;
    let message = redact(&harvest_message(response), secrets);
    Err(match status {
        401 => Error::Unauthorized(format!(
            "Harvest rejected the access token ({message}). The token is expired, revoked or \
             malformed, or it does not belong to the account id used: refresh the OAuth token or \
             reconnect, and check the account id with list-accounts"
        )),
        403 => Error::forbidden(
            format!(
                "Harvest refused {} {path}: the user's role lacks the permission ({message})",
                method.as_str()
            ),
            permissions::use_instead(path),
        ),
        404 if response.is_html() => Error::NotFound(format!(
            "Harvest has no route {path} (it answered with an HTML page): check the ids used"
        )),
        404 => Error::NotFound(format!(
            "Harvest found nothing at {path} ({message}): the id does not exist in this account or \
             the user cannot see it"
        )),
        422 => Error::Rejected(message),
        429 => {
            let seconds = retry_after_seconds(response.retry_after.as_deref(), path);
            Error::rate_limited(
                seconds,
                format!(
                    "Harvest's rate limit was reached ({}); wait {seconds} s",
                    limit_name(path)
                ),
            )
        }
        _ => Error::upstream(status, format!("{} {path}: {message}", method.as_str())),
    })
}

/// Which token request an OAuth error answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenGrant {
    Code,
    Refresh,
}

/// Harvest ID's OAuth error answer (`{"error": "invalid_grant", "error_description": "..."}`)
/// as a typed error carrying its `error_description`; any other failure maps as
/// [`check_status`] maps it (docs/harvest-notes.md#oauth).
pub fn token_error(
    method: Method,
    path: &str,
    response: &Response,
    grant: TokenGrant,
    secrets: &[&Secret],
) -> Error {
    json_record! {
        struct OAuthErrorBody {
            error: String,
            error_description: Option<String>,
        }
    }
    let Ok(body) = crate::json::decode::<OAuthErrorBody>(&response.body) else {
        return match check_status(method, path, response, secrets) {
            Err(error) => error,
            Ok(()) => Error::upstream(response.status, "Harvest ID refused the token request"),
        };
    };
    let code = redact(&body.error, secrets);
    let description = redact(
        body.error_description
            .as_deref()
            .unwrap_or("no description"),
        secrets,
    );
    match (code.as_str(), grant) {
        ("invalid_grant", TokenGrant::Code) => Error::Unauthorized(format!(
            "Harvest ID refused the authorization code: {description} ({code}) — a code works \
             once, for the client and redirect URI it was issued to: start the connection again"
        )),
        ("invalid_grant", TokenGrant::Refresh) => Error::Unauthorized(format!(
            "Harvest ID refused the refresh token: {description} ({code}) — it is expired, revoked \
             or was already used (use the newest refresh token): reconnect to get new tokens"
        )),
        ("invalid_client", _) => Error::Unauthorized(format!(
            "Harvest ID refused the client credentials: {description} ({code}) — check \
             {} and {} against the OAuth application at {DEVELOPERS_PAGE}",
            config::CLIENT_ID,
            config::CLIENT_SECRET
        )),
        _ => Error::Rejected(format!(
            "Harvest ID refused the token request: {description} ({code})"
        )),
    }
}

/// Which of Harvest's rate limits `path` falls under, for messages.
pub fn limit_name(path: &str) -> &'static str {
    if path.starts_with("/v2/reports") {
        "reports: 100 requests per 15 minutes"
    } else {
        "100 requests per 15 seconds"
    }
}

/// Seconds from `Retry-After`, or Harvest's window when it is missing
/// (docs/harvest-notes.md#rate-limits).
pub fn retry_after_seconds(header: Option<&str>, path: &str) -> u32 {
    header
        .and_then(|value| value.trim().parse::<u32>().ok())
        .unwrap_or(if path.starts_with("/v2/reports") {
            900
        } else {
            15
        })
}

/// Harvest's message from an error body: `message`, `error_description` or `error`, or a
/// description of a body that has none.
fn harvest_message(response: &Response) -> String {
    json_record! {
        struct ErrorBody {
            message: Option<String>,
            error_description: Option<String>,
            error: Option<String>,
        }
    }
    if response.body.trim_ascii().is_empty() {
        return format!("HTTP {} with an empty body", response.status);
    }
    if response.is_html() {
        return format!("HTTP {} with an HTML page instead of JSON", response.status);
    }
    match crate::json::decode::<ErrorBody>(&response.body) {
        Ok(ErrorBody {
            message: Some(m), ..
        })
        | Ok(ErrorBody {
            error_description: Some(m),
            ..
        }) => m,
        Ok(ErrorBody { error: Some(m), .. }) => m,
        _ => {
            let text = String::from_utf8_lossy(&response.body);
            let short: String = text.chars().take(300).collect();
            format!("HTTP {}: {short}", response.status)
        }
    }
}

/// `text` with every secret of at least four characters replaced by `[redacted]`.
fn redact(text: &str, secrets: &[&Secret]) -> String {
    secrets
        .iter()
        .filter(|s| s.expose().len() >= 4)
        .fold(text.to_string(), |t, s| t.replace(s.expose(), "[redacted]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, content_type: &str, body: &str) -> Response {
        Response {
            status,
            content_type: Some(content_type.into()),
            retry_after: None,
            body: body.as_bytes().to_vec(),
        }
    }

    fn error_for(status: u16, content_type: &str, body: &str) -> Error {
        let secret = Secret::new("tok-SECRET".into());
        match check_status(
            Method::Get,
            "/v2/projects/1",
            &response(status, content_type, body),
            &[&secret],
        ) {
            Err(error) => error,
            Ok(()) => Error::Config("no error".into()),
        }
    }

    #[test]
    fn unprocessable_passes_harvests_message() {
        let e = error_for(
            422,
            "application/json",
            r#"{"message":"Spent date can't be blank"}"#,
        );
        assert!(matches!(e, Error::Rejected(m) if m == "Spent date can't be blank"));
    }

    #[test]
    fn html_404_is_not_decoded_as_json() {
        let e = error_for(404, "text/html", "<html><body>Not here</body></html>");
        assert!(matches!(e, Error::NotFound(m) if m.contains("HTML")));
    }

    #[test]
    fn rate_limit_falls_back_when_retry_after_is_missing() {
        assert_eq!(retry_after_seconds(None, "/v2/projects"), 15);
        assert_eq!(retry_after_seconds(None, "/v2/reports/time/team?x"), 900);
        assert_eq!(retry_after_seconds(Some(" 7 "), "/v2/projects"), 7);
    }

    #[test]
    fn echoed_secrets_are_redacted() {
        let e = error_for(
            500,
            "application/json",
            r#"{"message":"bad token tok-SECRET"}"#,
        );
        assert!(!format!("{e:?}").contains("tok-SECRET"), "{e:?}");
    }

    #[test]
    fn empty_error_body_is_described() {
        let e = error_for(502, "text/plain", "");
        assert!(
            matches!(e, Error::Upstream(u) if u.status == 502 && u.message.contains("empty body"))
        );
    }

    fn refused(status: u16, body: &str, grant: TokenGrant, secrets: &[&Secret]) -> Error {
        let response = response(status, "application/json", body);
        token_error(
            Method::Post,
            "/api/v2/oauth2/token",
            &response,
            grant,
            secrets,
        )
    }

    #[test]
    fn invalid_grant_is_unauthorized_with_harvests_description() {
        let (code, secret) = (
            Secret::new("code-XYZ".into()),
            Secret::new("s3cret&x".into()),
        );
        let body = r#"{"error":"invalid_grant","error_description":"bad code-XYZ s3cret&x"}"#;
        let Error::Unauthorized(text) = refused(400, body, TokenGrant::Code, &[&code, &secret])
        else {
            panic!("expected unauthorized")
        };
        assert!(
            text.contains("invalid_grant") && text.contains("bad"),
            "{text}"
        );
        assert!(
            !text.contains("code-XYZ") && !text.contains("s3cret"),
            "{text}"
        );
    }

    #[test]
    fn other_oauth_errors_are_rejected_and_plain_failures_use_the_status_mapping() {
        let grant = TokenGrant::Refresh;
        let body = r#"{"error":"invalid_request","error_description":"missing"}"#;
        assert!(
            matches!(refused(400, body, grant, &[]), Error::Rejected(t) if t.contains("invalid_request"))
        );
        let body = r#"{"error":"invalid_client","error_description":"unknown"}"#;
        assert!(
            matches!(refused(401, body, grant, &[]), Error::Unauthorized(t) if t.contains(config::CLIENT_SECRET))
        );
        assert!(matches!(refused(503, "", grant, &[]), Error::Upstream(u) if u.status == 503));
    }
}
