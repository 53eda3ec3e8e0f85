//! The OAuth interface for the host's "Connect" step, through the real component against the
//! fake Harvest ID, and the reference host's `connect` and `refresh` commands end to end. The
//! browser is played by plain HTTP requests that follow Harvest ID's redirect.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use harvest_fake::{self as fake, RefreshGrant, TokenGrant};
use harvest_host::host::Host;
use harvest_host::wit::{ClientCredentials, TokenSet};

use crate::support::{Session, pairs, wit};

/// Any port: the fake accepts every port of its registered loopback Redirect URL.
const REDIRECT: &str = "http://127.0.0.1:8765/callback";
const WAIT: Duration = Duration::from_secs(120);

/// A fake Harvest, and a host configured with the OAuth application but no access token.
fn session() -> Session {
    let mut session = Session::new();
    session.env = fake::harvest_env(&session.fake.url(), None, None);
    session.env.extend([
        ("HARVEST_CLIENT_ID".into(), fake::CLIENT_ID.into()),
        ("HARVEST_CLIENT_SECRET".into(), fake::CLIENT_SECRET.into()),
    ]);
    session
}

/// A plain HTTP/1.1 GET: status, headers and body.
fn http_get(url: &str) -> (u16, Vec<(String, String)>, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(authority).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    let target = if target.is_empty() { "/" } else { target };
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read the answer");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

/// Follows the authorization URL like a browser: the redirect's `Location`.
fn follow(url: &str) -> String {
    let (status, headers, body) = http_get(url);
    assert_eq!(status, 302, "{body}");
    headers
        .into_iter()
        .find(|(k, _)| k == "location")
        .map(|(_, v)| v)
        .expect("a Location header")
}

fn query_of(location: &str) -> Vec<(String, String)> {
    let query = location.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

fn param(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("no {name} in {pairs:?}"))
}

/// The component's authorization URL, followed to the redirect's query.
fn authorize(session: &Session, state: &str) -> Vec<(String, String)> {
    let url = session
        .call(|h, s| {
            h.harvest_tools_oauth(s)?
                .call_authorization_url(s, state, Some(REDIRECT), None)
        })
        .expect("authorization URL");
    let location = follow(&url);
    assert!(location.starts_with(REDIRECT), "{location}");
    query_of(&location)
}

fn exchange(
    session: &Session,
    code: &str,
    credentials: Option<&ClientCredentials>,
) -> (Result<TokenSet, wit::Error>, String) {
    let (result, record) = session.call_recorded(|h, s| {
        h.harvest_tools_oauth(s)?
            .call_exchange_code(s, code, Some(REDIRECT), credentials)
    });
    (result, record.stderr)
}

fn refresh(session: &Session, token: &str) -> (Result<TokenSet, wit::Error>, String) {
    let (result, record) =
        session.call_recorded(|h, s| h.harvest_tools_oauth(s)?.call_refresh(s, token, None));
    (result, record.stderr)
}

/// Tokens for a fresh code.
fn connect(session: &Session) -> TokenSet {
    let code = param(&authorize(session, "s"), "code");
    exchange(session, &code, None).0.expect("tokens")
}

fn unauthorized(error: wit::Error) -> String {
    match error {
        wit::Error::Unauthorized(text) => text,
        other => panic!("expected unauthorized, got {other:?}"),
    }
}

fn form(body: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    pairs.sort();
    pairs
}

#[test]
fn authorization_url_carries_every_parameter_encoded() {
    let session = session();
    let url = session
        .call(|h, s| {
            h.harvest_tools_oauth(s)?
                .call_authorization_url(s, "a b&c=d/é", Some(REDIRECT), None)
        })
        .expect("URL");
    assert_eq!(
        url,
        format!(
            "{}/oauth2/authorize?client_id=fake-oauth-client-id&response_type=code\
             &state=a%20b%26c%3Dd%2F%C3%A9&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback",
            session.fake.url()
        )
    );
    let redirect = query_of(&follow(&url));
    assert_eq!(param(&redirect, "state"), "a b&c=d/é");

    let other = session
        .call(|h, s| {
            h.harvest_tools_oauth(s)?
                .call_authorization_url(s, "x", None, Some("my-app"))
        })
        .expect("URL");
    assert!(
        other.ends_with("?client_id=my-app&response_type=code&state=x"),
        "{other}"
    );
}

#[test]
fn authorization_url_checks_state_and_client_id_before_anything() {
    let mut session = session();
    let empty = session.call(|h, s| {
        h.harvest_tools_oauth(s)?
            .call_authorization_url(s, " ", None, None)
    });
    assert!(
        matches!(&empty, Err(wit::Error::InvalidInput(i)) if i.field == "state"),
        "{empty:?}"
    );
    session.env.retain(|(k, _)| k != "HARVEST_CLIENT_ID");
    let missing = session.call(|h, s| {
        h.harvest_tools_oauth(s)?
            .call_authorization_url(s, "x", None, None)
    });
    assert!(
        matches!(&missing, Err(wit::Error::Config(t)) if t.contains("HARVEST_CLIENT_ID")),
        "{missing:?}"
    );
    assert!(session.requests().is_empty());
}

#[test]
fn a_code_exchange_posts_a_bearerless_form_and_returns_the_tokens() {
    let session = session();
    let code = param(&authorize(&session, "s1"), "code");
    session.clear();
    let before = chrono::Utc::now();
    let tokens = exchange(&session, &code, None).0.expect("tokens");

    let request = session.only_request();
    assert_eq!(
        (
            request.method.as_str(),
            request.path.as_str(),
            request.query.as_deref()
        ),
        ("POST", "/api/v2/oauth2/token", None)
    );
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(request.header("authorization"), None);
    assert!(
        request
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("harvest-component/"))
    );
    assert_eq!(
        form(&request.body),
        pairs(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", fake::CLIENT_ID),
            ("client_secret", fake::CLIENT_SECRET),
            ("redirect_uri", REDIRECT),
        ])
    );

    assert!(
        session
            .fake
            .state()
            .tokens
            .contains_key(&tokens.access_token)
    );
    assert!(
        session
            .fake
            .state()
            .refresh_tokens
            .contains_key(&tokens.refresh_token)
    );
    assert_eq!(
        (tokens.token_type.as_str(), tokens.expires_in),
        ("bearer", 1_209_600)
    );
    let expires = chrono::DateTime::parse_from_rfc3339(&tokens.expires_at).expect("ISO 8601");
    let lifetime = (expires.to_utc() - before).num_seconds();
    assert!((1_209_590..=1_209_660).contains(&lifetime), "{lifetime}");
    assert!(tokens.expires_at.ends_with('Z'));
    assert_eq!((tokens.scope, tokens.accounts.len()), (None, 0));
}

#[test]
fn a_refresh_trades_the_refresh_token_for_new_tokens() {
    let session = session();
    let first = connect(&session);
    session.clear();
    let second = refresh(&session, &first.refresh_token)
        .0
        .expect("refreshed");

    let request = session.only_request();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/api/v2/oauth2/token")
    );
    assert_eq!(request.header("authorization"), None);
    assert_eq!(
        form(&request.body),
        pairs(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &first.refresh_token),
            ("client_id", fake::CLIENT_ID),
            ("client_secret", fake::CLIENT_SECRET),
        ])
    );
    assert_ne!(second.access_token, first.access_token);
    assert!(
        session
            .fake
            .state()
            .tokens
            .contains_key(&second.access_token)
    );

    let again = refresh(&session, &first.refresh_token)
        .0
        .expect_err("rotated");
    let text = unauthorized(again);
    assert!(
        text.contains("invalid_grant") && text.contains("reconnect"),
        "{text}"
    );
    assert!(!text.contains(&first.refresh_token), "{text}");
}

#[test]
fn a_reused_code_is_refused_as_invalid_grant() {
    let session = session();
    let code = param(&authorize(&session, "s"), "code");
    exchange(&session, &code, None).0.expect("first use");
    let text = unauthorized(exchange(&session, &code, None).0.expect_err("second use"));
    assert!(
        text.starts_with("Harvest ID refused the authorization code"),
        "{text}"
    );
    assert!(text.contains("(invalid_grant)"), "{text}");
    assert!(
        text.contains("authorization grant is invalid"),
        "Harvest's description: {text}"
    );
    assert!(
        !text.contains(&code) && !text.contains(fake::CLIENT_SECRET),
        "{text}"
    );
}

#[test]
fn a_wrong_client_secret_is_refused_as_invalid_client() {
    let session = session();
    let code = param(&authorize(&session, "s"), "code");
    let wrong = ClientCredentials {
        client_id: fake::CLIENT_ID.into(),
        client_secret: "not-the-secret".into(),
    };
    let text = unauthorized(
        exchange(&session, &code, Some(&wrong))
            .0
            .expect_err("refused"),
    );
    assert!(
        text.contains("(invalid_client)") && text.contains("HARVEST_CLIENT_SECRET"),
        "{text}"
    );
    assert!(
        !text.contains("not-the-secret") && !text.contains(&code),
        "{text}"
    );
    let request = session.requests().pop().expect("the token request");
    assert!(form(&request.body).contains(&("client_secret".into(), "not-the-secret".into())));
}

#[test]
fn the_redirect_scope_parses_into_accounts() {
    let session = session();
    let scope = param(&authorize(&session, "s"), "scope");
    let accounts = session.call(|h, s| h.harvest_tools_oauth(s)?.call_parse_scope(s, &scope));
    let got: Vec<(String, Option<u64>, bool)> = accounts
        .into_iter()
        .map(|a| (a.product, a.id, a.all))
        .collect();
    assert_eq!(
        got,
        vec![
            ("harvest".into(), Some(fake::ACCOUNT_ID), false),
            ("forecast".into(), Some(fake::FORECAST_ACCOUNT_ID), false),
        ]
    );
}

#[test]
fn the_new_access_token_works_with_account_auto_selection() {
    let oauth = session();
    let tokens = connect(&oauth);
    let session = oauth.configured(&tokens.access_token, None);
    session.clear();
    let user = session
        .call(|h, s| h.call_get_current_user(s, None))
        .expect("the token's user");
    assert_eq!(user.email, "ada@acme.example");
    let requests = session.requests();
    let seen: Vec<(&str, Option<&str>, Option<&str>)> = requests
        .iter()
        .map(|r| {
            (
                r.path.as_str(),
                r.header("authorization"),
                r.header("harvest-account-id"),
            )
        })
        .collect();
    let bearer = format!("Bearer {}", tokens.access_token);
    assert_eq!(
        seen,
        vec![
            ("/api/v2/accounts", Some(bearer.as_str()), None),
            ("/v2/users/me", Some(bearer.as_str()), Some("1000001")),
        ]
    );
}

#[test]
fn an_expired_token_is_unauthorized_and_says_to_refresh_or_reconnect() {
    let oauth = session();
    let tokens = connect(&oauth);
    let session = oauth.configured(&tokens.access_token, Some(fake::ACCOUNT_ID));
    session.fake.expire_all_tokens();
    let text = unauthorized(
        session
            .call(|h, s| h.call_get_current_user(s, None))
            .expect_err("expired"),
    );
    assert!(
        text.contains("refresh") && text.contains("reconnect"),
        "{text}"
    );
    assert!(!text.contains(&tokens.access_token), "{text}");
}

#[test]
fn no_secret_appears_in_any_error_text_or_guest_output() {
    const ACCESS: &str = "DISTINCT-access-4d1e9a";
    const REFRESH: &str = "DISTINCT-refresh-9b2c77";
    const SECRET: &str = "DISTINCT-secret-7f3a05";
    const WRONG: &str = "DISTINCT-wrong-secret-c3";
    let mut oauth = session();
    {
        let mut state = oauth.fake.state();
        let identity_id = state.tokens[fake::ADMIN_TOKEN].identity_id;
        state.oauth_clients[0].client_secret = SECRET.into();
        state.refresh_tokens.insert(
            REFRESH.into(),
            RefreshGrant {
                client_id: fake::CLIENT_ID.into(),
                identity_id,
            },
        );
        state.tokens.insert(
            ACCESS.into(),
            TokenGrant {
                identity_id,
                expires_at: None,
                oauth_client_id: Some(fake::CLIENT_ID.into()),
            },
        );
    }
    oauth.env.retain(|(k, _)| k != "HARVEST_CLIENT_SECRET");
    oauth
        .env
        .push(("HARVEST_CLIENT_SECRET".into(), SECRET.into()));

    let mut texts: Vec<String> = Vec::new();
    let mut record = |result: Result<String, wit::Error>, stderr: String| {
        if let Err(error) = result {
            texts.push(format!("{error:?}"));
        }
        texts.push(stderr);
    };
    let (url, rec) = oauth.call_recorded(|h, s| {
        h.harvest_tools_oauth(s)?
            .call_authorization_url(s, "", None, None)
    });
    record(url, rec.stderr);

    let code = param(&authorize(&oauth, "s"), "code");
    let (first, stderr) = exchange(&oauth, &code, None);
    let first = first.expect("the exchange with the distinctive secret");
    record(Ok(String::new()), stderr);
    let (reused, stderr) = exchange(&oauth, &code, None);
    assert!(matches!(reused, Err(wit::Error::Unauthorized(_))));
    record(reused.map(|t| t.access_token), stderr);
    let code = param(&authorize(&oauth, "s"), "code");
    let wrong = ClientCredentials {
        client_id: fake::CLIENT_ID.into(),
        client_secret: WRONG.into(),
    };
    let (refused, stderr) = exchange(&oauth, &code, Some(&wrong));
    assert!(matches!(refused, Err(wit::Error::Unauthorized(_))));
    record(refused.map(|t| t.access_token), stderr);

    let (refreshed, stderr) = refresh(&oauth, REFRESH);
    refreshed.expect("the refresh with the distinctive token");
    record(Ok(String::new()), stderr);
    let (again, stderr) = refresh(&oauth, REFRESH);
    assert!(matches!(again, Err(wit::Error::Unauthorized(_))));
    record(again.map(|t| t.access_token), stderr);
    let (nothing, stderr) = refresh(&oauth, "");
    assert!(matches!(nothing, Err(wit::Error::InvalidInput(_))));
    record(nothing.map(|t| t.access_token), stderr);

    let session = oauth.configured(ACCESS, None);
    let (user, rec) = session.call_recorded(|h, s| h.call_get_current_user(s, None));
    user.expect("the distinctive access token works");
    record(Ok(String::new()), rec.stderr);
    session.fake.expire_all_tokens();
    for account in [None, Some(fake::ACCOUNT_ID)] {
        let (user, rec) = session.call_recorded(|h, s| h.call_get_current_user(s, account));
        assert!(matches!(user, Err(wit::Error::Unauthorized(_))));
        record(user.map(|u| u.email), rec.stderr);
    }
    let (list, rec) = session.call_recorded(|h, s| h.call_list_accounts(s));
    assert!(matches!(list, Err(wit::Error::Unauthorized(_))));
    record(list.map(|_| String::new()), rec.stderr);

    assert!(texts.len() >= 12, "every path was driven");
    for text in &texts {
        for secret in [ACCESS, REFRESH, SECRET, WRONG, first.refresh_token.as_str()] {
            assert!(!text.contains(secret), "{secret} leaked into {text}");
        }
    }
}

// ------------------------------------------------------------------ the reference host CLI

/// A `harvest-host` child process, killed if the test ends early.
struct Cli {
    child: Child,
    stderr: mpsc::Receiver<String>,
    stdout: mpsc::Receiver<String>,
}

impl Cli {
    fn start(session: &Session, args: &[&str], extra: &[(&str, &str)]) -> Cli {
        let component = Host::default_component_path();
        let mut command = Command::new(crate::support::harvest_host_bin());
        command
            .args(args)
            .arg("--component")
            .arg(component)
            .env_clear()
            .envs(session.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .envs(extra.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("harvest-host starts");
        let (err_tx, stderr) = mpsc::channel();
        let err = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = err_tx.send(line);
            }
        });
        let (out_tx, stdout) = mpsc::channel();
        let mut out = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = out.read_to_string(&mut text);
            let _ = out_tx.send(text);
        });
        Cli {
            child,
            stderr,
            stdout,
        }
    }

    /// The first stderr line that is a URL.
    fn url(&self) -> String {
        loop {
            let line = self
                .stderr
                .recv_timeout(WAIT)
                .expect("harvest-host prints the authorization URL");
            if line.starts_with("http") {
                return line;
            }
        }
    }

    /// Stdout once the process has exited successfully.
    fn finish(mut self) -> String {
        let stdout = self.stdout.recv_timeout(WAIT).expect("harvest-host ends");
        let status = self.child.wait().expect("exit status");
        let stderr: Vec<String> = self.stderr.try_iter().collect();
        assert!(status.success(), "{status}: {stderr:#?}");
        stdout
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn env_line(stdout: &str, key: &str) -> Option<String> {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .map(str::to_string)
}

#[test]
fn the_connect_command_runs_the_whole_flow_like_a_browser() {
    let session = session();
    let cli = Cli::start(&session, &["connect", "--port", "0"], &[]);
    let url = cli.url();
    assert!(
        url.starts_with(&format!("{}/oauth2/authorize?", session.fake.url())),
        "{url}"
    );
    let callback = follow(&url);
    assert!(callback.starts_with("http://127.0.0.1:"), "{callback}");
    let (status, _, page) = http_get(&callback);
    assert_eq!(status, 200);
    assert!(page.contains("Connected"), "{page}");

    let stdout = cli.finish();
    let access = env_line(&stdout, "HARVEST_ACCESS_TOKEN").expect("access token line");
    let refresh = env_line(&stdout, "HARVEST_REFRESH_TOKEN").expect("refresh token line");
    let state = session.fake.state();
    assert!(state.tokens.contains_key(&access), "{stdout}");
    assert!(state.refresh_tokens.contains_key(&refresh), "{stdout}");
    assert_eq!(
        env_line(&stdout, "HARVEST_ACCOUNT_ID"),
        Some(fake::ACCOUNT_ID.to_string())
    );
    let expires = env_line(&stdout, "HARVEST_TOKEN_EXPIRES_AT").expect("expiry line");
    assert!(
        chrono::DateTime::parse_from_rfc3339(&expires).is_ok(),
        "{expires}"
    );
}

#[test]
fn the_refresh_command_prints_new_tokens() {
    let session = session();
    let tokens = connect(&session);
    let cli = Cli::start(
        &session,
        &["refresh"],
        &[("HARVEST_REFRESH_TOKEN", &tokens.refresh_token)],
    );
    let stdout = cli.finish();
    let access = env_line(&stdout, "HARVEST_ACCESS_TOKEN").expect("access token line");
    let refresh = env_line(&stdout, "HARVEST_REFRESH_TOKEN").expect("refresh token line");
    assert_ne!(access, tokens.access_token);
    let state = session.fake.state();
    assert!(state.tokens.contains_key(&access));
    assert!(state.refresh_tokens.contains_key(&refresh));
    assert!(!state.refresh_tokens.contains_key(&tokens.refresh_token));
    assert!(env_line(&stdout, "HARVEST_TOKEN_EXPIRES_AT").is_some());
}
