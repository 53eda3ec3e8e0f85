//! `harvest-host connect` and `harvest-host refresh`: Harvest ID's OAuth flow for a person with
//! their own OAuth application, run through the component's `oauth` interface.
//!
//! The environment lines go to stdout (so `eval "$(harvest-host connect)"` works); everything
//! meant for the person goes to stderr.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, anyhow, bail};
use harvest_host::host::{Host, config_from_process_env};
use harvest_host::wit;
use harvest_host::wit::{ScopedAccount, TokenSet};

const CALLBACK_PATH: &str = "/callback";
/// How long the browser may take to send its request once connected.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Prints the authorization URL, waits for Harvest ID's redirect to `127.0.0.1:port`, exchanges
/// the code and prints the environment lines.
pub fn connect(host: &Host, port: u16) -> Result<()> {
    let env = config_from_process_env();
    let listener = TcpListener::bind(("127.0.0.1", port))
        .with_context(|| format!("listening on 127.0.0.1:{port}"))?;
    let redirect = format!(
        "http://127.0.0.1:{}{CALLBACK_PATH}",
        listener.local_addr()?.port()
    );
    let state = random_state();
    let url = host
        .call(&env, |h, s| {
            h.harvest_tools_oauth(s)?
                .call_authorization_url(s, &state, Some(&redirect), None)
        })?
        .0
        .map_err(component_error)?;
    eprintln!("Open this URL in a browser and allow access (waiting on {redirect}):");
    eprintln!("{url}");

    let callback = accept_callback(&listener, &state)?;
    let code = callback
        .param("code")
        .ok_or_else(|| anyhow!("the redirect carries no code"))?;
    let tokens = host
        .call(&env, |h, s| {
            h.harvest_tools_oauth(s)?
                .call_exchange_code(s, code, Some(&redirect), None)
        })?
        .0
        .map_err(component_error)?;
    let accounts = match (tokens.scope.is_some(), callback.param("scope")) {
        (false, Some(scope)) => {
            host.call(&env, |h, s| {
                h.harvest_tools_oauth(s)?.call_parse_scope(s, scope)
            })?
            .0
        }
        _ => tokens.accounts.clone(),
    };
    print_env(&tokens, &accounts);
    eprintln!(
        "Connected. Refresh before {} with `harvest-host refresh`.",
        tokens.expires_at
    );
    Ok(())
}

/// Refreshes the tokens named by `HARVEST_REFRESH_TOKEN` and prints the new environment lines.
pub fn refresh(host: &Host) -> Result<()> {
    let env = config_from_process_env();
    let refresh_token = env
        .iter()
        .find(|(key, _)| key == "HARVEST_REFRESH_TOKEN")
        .map(|(_, value)| value.clone())
        .ok_or_else(|| anyhow!("HARVEST_REFRESH_TOKEN is not set"))?;
    let tokens = host
        .call(&env, |h, s| {
            h.harvest_tools_oauth(s)?
                .call_refresh(s, &refresh_token, None)
        })?
        .0
        .map_err(component_error)?;
    print_env(&tokens, &tokens.accounts);
    Ok(())
}

fn component_error(error: wit::Error) -> anyhow::Error {
    anyhow!("{error:?}")
}

fn print_env(tokens: &TokenSet, accounts: &[ScopedAccount]) {
    println!("HARVEST_ACCESS_TOKEN={}", tokens.access_token);
    println!("HARVEST_REFRESH_TOKEN={}", tokens.refresh_token);
    println!("HARVEST_TOKEN_EXPIRES_AT={}", tokens.expires_at);
    let harvest: Vec<&ScopedAccount> = accounts.iter().filter(|a| a.product == "harvest").collect();
    if let [ScopedAccount { id: Some(id), .. }] = harvest.as_slice() {
        println!("HARVEST_ACCOUNT_ID={id}");
    }
}

/// 128 unguessable bits: std's `RandomState` is seeded from the OS's randomness.
fn random_state() -> String {
    let part = |salt: u64| {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(salt);
        hasher.write_u32(std::process::id());
        if let Ok(since) = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
            hasher.write_u128(since.as_nanos());
        }
        hasher.finish()
    };
    format!("{:016x}{:016x}", part(1), part(2))
}

/// The query of the redirect to the callback path.
struct Callback(Vec<(String, String)>);

impl Callback {
    fn param(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Serves requests until one reaches the callback path (a browser may ask for other paths,
/// such as its icon, first); checks its `state` and answers with a page the person can close.
fn accept_callback(listener: &TcpListener, state: &str) -> Result<Callback> {
    loop {
        let (mut stream, _) = listener.accept().context("waiting for the redirect")?;
        stream.set_read_timeout(Some(REQUEST_TIMEOUT))?;
        let Some(target) = request_target(&stream) else {
            continue;
        };
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        if path != CALLBACK_PATH {
            respond(&mut stream, "404 Not Found", "Not found.");
            continue;
        }
        let callback = Callback(
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        );
        let refusal = if let Some(error) = callback.param("error") {
            Some(format!(
                "Harvest ID did not authorize the application: {error}"
            ))
        } else if callback.param("state") != Some(state) {
            Some("the redirect's state does not match the one sent: ignoring it".to_string())
        } else if callback.param("code").is_none() {
            Some("the redirect carries no code".to_string())
        } else {
            None
        };
        if let Some(refusal) = refusal {
            respond(
                &mut stream,
                "400 Bad Request",
                "Not connected. You can close this tab.",
            );
            bail!(refusal);
        }
        respond(
            &mut stream,
            "200 OK",
            "Connected to Harvest. You can close this tab and return to the terminal.",
        );
        return Ok(callback);
    }
}

/// The target of a `GET` request line; the headers are read and ignored.
fn request_target(stream: &TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let target = match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => target.to_string(),
        _ => return None,
    };
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 0) && header.trim() != "" {
        header.clear();
    }
    Some(target)
}

fn respond(stream: &mut TcpStream, status: &str, message: &str) {
    let body = format!(
        "<!DOCTYPE html>\n<html><head><title>Harvest</title></head>\
         <body><p>{message}</p></body></html>\n"
    );
    let answer = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    // The person's browser may already be gone; the flow continues either way.
    let _ = stream.write_all(answer.as_bytes());
}
