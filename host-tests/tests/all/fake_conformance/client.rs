//! A minimal HTTP/1.1 client for the fake: one request per connection, raw bytes when a test
//! needs them (faults), and a `Caller` holding a token, an account header and a User-Agent.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use harvest_fake::{ACCOUNT_ID, ADMIN_TOKEN, FakeHarvest};
use serde_json::Value;

use super::USER_AGENT;

pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: String,
}

impl Reply {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends raw bytes and reads until the server closes (or breaks) the connection.
pub(super) fn raw_exchange(origin: &str, request: &str) -> (Vec<u8>, Option<ErrorKind>) {
    let mut stream = TcpStream::connect(origin.trim_start_matches("http://")).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(request.as_bytes()).expect("write");
    let (mut data, mut buf) = (Vec::new(), [0u8; 8192]);
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (data, None),
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(e) => return (data, Some(e.kind())),
        }
    }
}

pub(super) fn request_text(
    origin: &str,
    method: &str,
    target: &str,
    headers: &[(&str, String)],
    body: Option<&str>,
) -> String {
    let path = target.strip_prefix(origin).unwrap_or(target);
    assert!(
        path.starts_with('/'),
        "{target} is not on the fake's origin {origin}"
    );
    let host = origin.trim_start_matches("http://");
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(&format!(
        "Content-Length: {}\r\n\r\n{}",
        body.map_or(0, str::len),
        body.unwrap_or("")
    ));
    text
}

pub(super) fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

pub(super) fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 || data.len() < eol + 2 + size {
            break;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[(eol + 4 + size).min(data.len())..];
    }
    out
}

/// Requests as one caller: a token, an account header and a User-Agent, each optional.
pub(super) struct Caller {
    pub(super) origin: String,
    pub(super) token: Option<String>,
    pub(super) account: Option<u64>,
    pub(super) user_agent: bool,
}

impl Caller {
    pub(super) fn new(fake: &FakeHarvest, token: &str, account: u64) -> Caller {
        Caller {
            origin: fake.url(),
            token: Some(token.into()),
            account: Some(account),
            user_agent: true,
        }
    }

    pub(super) fn admin(fake: &FakeHarvest) -> Caller {
        Caller::new(fake, ADMIN_TOKEN, ACCOUNT_ID)
    }

    pub(super) fn send(&self, method: &str, target: &str, body: Option<&Value>) -> Reply {
        let mut headers: Vec<(&str, String)> = Vec::new();
        if self.user_agent {
            headers.push(("User-Agent", USER_AGENT.into()));
        }
        if let Some(token) = &self.token {
            headers.push(("Authorization", format!("Bearer {token}")));
        }
        if let Some(account) = self.account {
            headers.push(("Harvest-Account-Id", account.to_string()));
        }
        let body = body.map(Value::to_string);
        if body.is_some() {
            headers.push(("Content-Type", "application/json".into()));
        }
        let text = request_text(&self.origin, method, target, &headers, body.as_deref());
        let (raw, error) = raw_exchange(&self.origin, &text);
        assert_eq!(error, None, "{method} {target} broke the connection");
        parse_reply(&raw)
    }

    pub(super) fn get(&self, target: &str) -> Reply {
        self.send("GET", target, None)
    }

    /// GET that must answer 200, as JSON.
    pub(super) fn ok(&self, target: &str) -> Value {
        let reply = self.get(target);
        assert_eq!(reply.status, 200, "GET {target}: {}", reply.body);
        reply.json()
    }
}

/// Follows `links.next` from `first` to the end; returns every page.
pub(super) fn walk(caller: &Caller, first: &str) -> Vec<Value> {
    let mut pages = vec![caller.ok(first)];
    while let Some(next) = pages
        .last()
        .and_then(|p| p["links"]["next"].as_str())
        .map(str::to_owned)
    {
        assert!(
            next.starts_with(&caller.origin),
            "links are absolute on the fake's origin: {next}"
        );
        pages.push(caller.ok(&next));
        assert!(pages.len() < 1000, "pagination does not end");
    }
    pages
}

pub(super) fn ids_of(pages: &[Value], key: &str) -> Vec<u64> {
    pages
        .iter()
        .flat_map(|p| p[key].as_array().cloned().unwrap_or_default())
        .filter_map(|v| v["id"].as_u64())
        .collect()
}
