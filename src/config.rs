//! Configuration, read from the component's environment on every call (hosts start a
//! fresh instance per call, so nothing is cached). Errors name a key but never echo its
//! value: a secret pasted into the wrong key must not reach the model.

use std::fmt;

use crate::bindings::wit::Error;

pub const ACCESS_TOKEN: &str = "HARVEST_ACCESS_TOKEN";
pub const ACCOUNT_ID: &str = "HARVEST_ACCOUNT_ID";
pub const USER_AGENT: &str = "HARVEST_USER_AGENT";
pub const API_URL: &str = "HARVEST_API_URL";
pub const ID_URL: &str = "HARVEST_ID_URL";
pub const RATE_LIMIT_WAIT: &str = "HARVEST_RATE_LIMIT_WAIT_SECONDS";
pub const CONNECT_TIMEOUT: &str = "HARVEST_CONNECT_TIMEOUT_MS";
pub const FIRST_BYTE_TIMEOUT: &str = "HARVEST_FIRST_BYTE_TIMEOUT_MS";
pub const BETWEEN_BYTES_TIMEOUT: &str = "HARVEST_BETWEEN_BYTES_TIMEOUT_MS";
pub const PAGE_CONCURRENCY: &str = "HARVEST_PAGE_CONCURRENCY";
pub const CALL_DEADLINE: &str = "HARVEST_CALL_DEADLINE_SECONDS";
pub const CLIENT_ID: &str = "HARVEST_CLIENT_ID";
pub const CLIENT_SECRET: &str = "HARVEST_CLIENT_SECRET";

const DEFAULT_API_URL: &str = "https://api.harvestapp.com";
const DEFAULT_ID_URL: &str = "https://id.getharvest.com";
/// Harvest wants the application's name and a way to reach its authors.
const DEFAULT_USER_AGENT: &str = concat!(
    "harvest-component/",
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("CARGO_PKG_REPOSITORY"),
    ")"
);

/// A credential. Its `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

/// Scheme and authority of a server, e.g. `https://api.harvestapp.com`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub scheme: Scheme,
    pub authority: String,
}

impl Origin {
    /// Parses `scheme://host[:port]` (a trailing `/` is allowed; any other path is not).
    pub fn parse(key: &str, value: &str) -> Result<Origin, Error> {
        let invalid = || {
            Error::Config(format!(
                "{key} must be an origin such as https://api.harvestapp.com \
                 (http or https, a host and an optional port, no path)"
            ))
        };
        let (scheme, rest) = if let Some(rest) = value.strip_prefix("https://") {
            (Scheme::Https, rest)
        } else if let Some(rest) = value.strip_prefix("http://") {
            (Scheme::Http, rest)
        } else {
            return Err(invalid());
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        let well_formed = !authority.is_empty()
            && authority
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        if !well_formed {
            return Err(invalid());
        }
        Ok(Origin {
            scheme,
            authority: authority.to_ascii_lowercase(),
        })
    }

    /// Returns the path and query of `url` when it is on this origin.
    pub fn relative<'u>(&self, url: &'u str) -> Option<&'u str> {
        let prefix = match self.scheme {
            Scheme::Http => "http://",
            Scheme::Https => "https://",
        };
        let rest = url.strip_prefix(prefix)?;
        let (authority, path) = rest.split_at(rest.find('/')?);
        authority
            .eq_ignore_ascii_case(&self.authority)
            .then_some(path)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        write!(f, "{scheme}://{}", self.authority)
    }
}

/// How long to wait for Harvest, and how long to wait out its rate limit within one call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Total seconds one call may spend waiting for `Retry-After` before it returns rate-limited.
    pub rate_limit_wait_secs: u64,
    pub connect_timeout_ms: u64,
    pub first_byte_timeout_ms: u64,
    pub between_bytes_timeout_ms: u64,
    /// Pages of a page-numbered list requested at once; 1 reads them one after another.
    pub page_concurrency: usize,
    /// The whole call's budget on the WASI monotonic clock: every request, retry, rate-limit
    /// wait and page (concurrent pages included) ends within it.
    pub call_deadline_secs: u64,
}

/// The most pages requested at once: well inside Harvest's 100 requests per 15 seconds.
pub const MAX_PAGE_CONCURRENCY: usize = 16;
/// The longest call deadline accepted: an hour, four Harvest report rate-limit windows.
pub const MAX_CALL_DEADLINE_SECS: u64 = 3600;

/// Retries of a repeatable request after a timeout (connect, first byte, between bytes). Resets
/// and 502/503/504 come back at once and are retried twice; a timeout costs a whole timeout, so
/// it is retried once: a silent Harvest then holds a call for two first-byte timeouts and one
/// backoff, 15 + 0.5 + 15 s, about 30.5 s at most, inside the 35 s an agent's MCP client waits.
/// One retry on a fresh connection still rescues the usual cause of a lone timeout (a stuck
/// connection or a lost packet); a second one rarely does and would pass 35 s.
pub const TIMEOUT_RETRIES: u32 = 1;

impl Default for Policy {
    /// The defaults bound every call (README, "When Harvest or the network misbehaves"):
    ///
    /// - first byte 15 s: Harvest answers in well under a second, its slowest report queries in
    ///   a few; 15 s is many times that, and with [`TIMEOUT_RETRIES`] a silent Harvest ends in a
    ///   typed error in about 30.5 s (a single 30 s try with no retry would bound it as well,
    ///   but gives up on the lone stuck connection that a retry rescues);
    /// - between bytes 15 s: a body that stalls mid-way is bounded the same way as one that
    ///   never starts;
    /// - connect 10 s: a connection that cannot be opened in 10 s will not open in 60, and a
    ///   connect that never happened is safe to retry, so two tries cost 20 s;
    /// - call deadline 120 s: room for a large list of many pages, one 30 s rate-limit wait and
    ///   a retry, while still ending every call, whatever the upstream does, in two minutes.
    fn default() -> Policy {
        Policy {
            rate_limit_wait_secs: 30,
            connect_timeout_ms: 10_000,
            first_byte_timeout_ms: 15_000,
            between_bytes_timeout_ms: 15_000,
            page_concurrency: 4,
            call_deadline_secs: 120,
        }
    }
}

impl Policy {
    fn from_lookup(value: impl Fn(&str) -> Option<String>) -> Result<Policy, Error> {
        let bounded = |key: &str, default: u64, min: u64, max: u64| match value(key) {
            None => Ok(default),
            Some(raw) => raw
                .parse::<u64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    Error::Config(format!("{key} must be a whole number from {min} to {max}"))
                }),
        };
        let number = |key: &str, default: u64, max: u64| bounded(key, default, 0, max);
        let defaults = Policy::default();
        let page_concurrency = bounded(
            PAGE_CONCURRENCY,
            defaults.page_concurrency as u64,
            1,
            MAX_PAGE_CONCURRENCY as u64,
        )?;
        Ok(Policy {
            rate_limit_wait_secs: number(RATE_LIMIT_WAIT, defaults.rate_limit_wait_secs, 3600)?,
            connect_timeout_ms: number(CONNECT_TIMEOUT, defaults.connect_timeout_ms, 600_000)?,
            first_byte_timeout_ms: number(
                FIRST_BYTE_TIMEOUT,
                defaults.first_byte_timeout_ms,
                600_000,
            )?,
            between_bytes_timeout_ms: number(
                BETWEEN_BYTES_TIMEOUT,
                defaults.between_bytes_timeout_ms,
                600_000,
            )?,
            page_concurrency: usize::try_from(page_concurrency).unwrap_or(MAX_PAGE_CONCURRENCY),
            call_deadline_secs: bounded(
                CALL_DEADLINE,
                defaults.call_deadline_secs,
                1,
                MAX_CALL_DEADLINE_SECS,
            )?,
        })
    }
}

/// Everything a call needs to reach Harvest.
#[derive(Clone, Debug)]
pub struct Config {
    pub access_token: Secret,
    pub account_id: Option<u64>,
    pub user_agent: String,
    pub api: Origin,
    /// Harvest ID's origin (accounts, OAuth).
    pub identity: Origin,
    pub policy: Policy,
}

impl Config {
    pub fn from_env() -> Result<Config, Error> {
        Config::from_lookup(|key| std::env::var(key).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, Error> {
        Config::read(lookup, true)
    }

    /// For Harvest ID's OAuth token endpoint, which issues tokens and so needs none: the
    /// access token is left empty, and requests made with this configuration carry no bearer.
    pub fn for_harvest_id() -> Result<Config, Error> {
        Config::for_harvest_id_from(|key| std::env::var(key).ok())
    }

    pub fn for_harvest_id_from(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, Error> {
        Config::read(lookup, false)
    }

    fn read(lookup: impl Fn(&str) -> Option<String>, needs_token: bool) -> Result<Config, Error> {
        let value = |key: &str| {
            lookup(key)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let access_token = if needs_token {
            value(ACCESS_TOKEN).map(Secret::new).ok_or_else(|| {
                Error::Config(format!(
                    "{ACCESS_TOKEN} is not set: the host must provide a Harvest personal access \
                     token (created at https://id.getharvest.com/developers) or an OAuth access token"
                ))
            })?
        } else {
            Secret::new(String::new())
        };
        let account_id =
            match value(ACCOUNT_ID) {
                None => None,
                Some(raw) => Some(raw.parse::<u64>().ok().filter(|id| *id > 0).ok_or_else(
                    || {
                        Error::Config(format!(
                            "{ACCOUNT_ID} must be a positive whole number (a Harvest account id)"
                        ))
                    },
                )?),
            };
        let user_agent = value(USER_AGENT).unwrap_or_else(|| DEFAULT_USER_AGENT.to_string());
        let api = Origin::parse(
            API_URL,
            &value(API_URL).unwrap_or_else(|| DEFAULT_API_URL.into()),
        )?;
        let identity = Origin::parse(
            ID_URL,
            &value(ID_URL).unwrap_or_else(|| DEFAULT_ID_URL.into()),
        )?;
        let policy = Policy::from_lookup(value)?;
        Ok(Config {
            access_token,
            account_id,
            user_agent,
            api,
            identity,
            policy,
        })
    }
}

/// An OAuth application's Client ID and Client Secret (docs/harvest-notes.md#oauth); the secret never prints.
#[derive(Clone, Debug)]
pub struct OAuthClient {
    pub id: String,
    pub secret: Secret,
}

impl OAuthClient {
    /// From `HARVEST_CLIENT_ID` and `HARVEST_CLIENT_SECRET`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<OAuthClient, Error> {
        Ok(OAuthClient {
            id: client_setting(&lookup, CLIENT_ID)?,
            secret: Secret::new(client_setting(&lookup, CLIENT_SECRET)?),
        })
    }
}

/// `HARVEST_CLIENT_ID` or `HARVEST_CLIENT_SECRET`, which must be set.
pub fn client_setting(lookup: impl Fn(&str) -> Option<String>, key: &str) -> Result<String, Error> {
    lookup(key)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Error::Config(format!(
                "{key} is not set: the host must provide its OAuth application's credentials \
                 (created at https://id.getharvest.com/developers), or pass them as arguments"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, Error> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    }

    #[test]
    fn missing_token_names_the_key() {
        let Err(Error::Config(message)) = config(&[]) else {
            panic!("expected a config error")
        };
        assert!(message.contains(ACCESS_TOKEN), "{message}");
    }

    #[test]
    fn harvest_id_config_needs_no_token() {
        let Ok(c) = Config::for_harvest_id_from(|_| None) else {
            panic!("a token-less config is valid for Harvest ID")
        };
        assert_eq!(c.access_token.expose(), "");
        assert_eq!(c.identity.to_string(), "https://id.getharvest.com");
    }

    #[test]
    fn missing_client_secret_names_the_key() {
        let lookup = |key: &str| (key == CLIENT_ID).then(|| "id".to_string());
        let Err(Error::Config(message)) = OAuthClient::from_lookup(lookup) else {
            panic!("expected a config error")
        };
        assert!(message.contains(CLIENT_SECRET), "{message}");
    }

    #[test]
    fn defaults_point_at_harvest() {
        let Ok(c) = config(&[(ACCESS_TOKEN, "t")]) else {
            panic!("valid config")
        };
        assert_eq!(c.api.to_string(), "https://api.harvestapp.com");
        assert_eq!(c.identity.to_string(), "https://id.getharvest.com");
        assert!(c.user_agent.starts_with("harvest-component/") && c.user_agent.contains("(http"));
        assert_eq!(c.account_id, None);
    }

    #[test]
    fn secrets_never_print() {
        let Ok(c) = config(&[(ACCESS_TOKEN, "tok-SECRET-123")]) else {
            panic!("valid config")
        };
        assert!(!format!("{c:?}").contains("SECRET"));
        assert_eq!(c.access_token.to_string(), "[redacted]");
    }

    #[test]
    fn bad_account_id_is_a_config_error() {
        let Err(Error::Config(message)) = config(&[(ACCESS_TOKEN, "t"), (ACCOUNT_ID, "abc")])
        else {
            panic!("expected a config error")
        };
        assert!(message.contains(ACCOUNT_ID), "{message}");
    }

    #[test]
    fn page_concurrency_defaults_to_four_and_is_bounded() {
        let concurrency = |value: &str| {
            config(&[(ACCESS_TOKEN, "t"), (PAGE_CONCURRENCY, value)])
                .map(|c| c.policy.page_concurrency)
        };
        let Ok(c) = config(&[(ACCESS_TOKEN, "t")]) else {
            panic!("valid config")
        };
        assert_eq!(c.policy.page_concurrency, 4);
        assert_eq!(concurrency("1").ok(), Some(1));
        assert_eq!(concurrency("16").ok(), Some(16));
        for bad in ["0", "17", "four"] {
            let Err(Error::Config(message)) = concurrency(bad) else {
                panic!("{bad} must be refused")
            };
            assert!(
                message.contains(PAGE_CONCURRENCY) && !message.contains(bad),
                "{message}"
            );
        }
    }

    #[test]
    fn defaults_bound_a_silent_upstream_well_inside_35_seconds() {
        let p = Policy::default();
        assert_eq!(
            (
                p.connect_timeout_ms,
                p.first_byte_timeout_ms,
                p.between_bytes_timeout_ms,
                p.call_deadline_secs
            ),
            (10_000, 15_000, 15_000, 120)
        );
        // Every try of a silent request, and the backoff (at most 0.5 s) before each retry.
        let tries = u64::from(1 + TIMEOUT_RETRIES);
        let worst_ms = tries * p.first_byte_timeout_ms.max(p.between_bytes_timeout_ms)
            + u64::from(TIMEOUT_RETRIES) * 500;
        assert!(worst_ms <= 31_000, "{worst_ms} ms");
        assert!(tries * p.connect_timeout_ms <= 31_000);
    }

    #[test]
    fn call_deadline_is_read_and_bounded() {
        let deadline = |value: &str| {
            config(&[(ACCESS_TOKEN, "t"), (CALL_DEADLINE, value)])
                .map(|c| c.policy.call_deadline_secs)
        };
        assert_eq!(deadline("2").ok(), Some(2));
        assert_eq!(deadline(" 3600 ").ok(), Some(3600));
        assert_eq!(deadline("").ok(), Some(120), "empty is unset");
        for bad in ["0", "3601", "-5", "1.5", "2 min", "99999999999999999999"] {
            let Err(Error::Config(message)) = deadline(bad) else {
                panic!("{bad} must be refused")
            };
            assert!(
                message.contains(CALL_DEADLINE) && message.contains("from 1 to 3600"),
                "{message}"
            );
            if bad.len() > 4 {
                assert!(!message.contains(bad), "the value is not echoed: {message}");
            }
        }
    }

    #[test]
    fn timeouts_are_read_from_their_keys() {
        let Ok(c) = config(&[
            (ACCESS_TOKEN, "t"),
            (FIRST_BYTE_TIMEOUT, "300"),
            (BETWEEN_BYTES_TIMEOUT, "400"),
            (CONNECT_TIMEOUT, "500"),
        ]) else {
            panic!("valid config")
        };
        let p = c.policy;
        assert_eq!(
            (
                p.first_byte_timeout_ms,
                p.between_bytes_timeout_ms,
                p.connect_timeout_ms
            ),
            (300, 400, 500)
        );
        let Err(Error::Config(message)) =
            config(&[(ACCESS_TOKEN, "t"), (FIRST_BYTE_TIMEOUT, "600001")])
        else {
            panic!("over the maximum")
        };
        assert!(message.contains(FIRST_BYTE_TIMEOUT), "{message}");
    }

    #[test]
    fn origins_reject_paths_and_other_schemes() {
        assert!(Origin::parse("K", "ftp://x").is_err());
        assert!(Origin::parse("K", "https://x/v2").is_err());
        assert!(Origin::parse("K", "http://127.0.0.1:8080/").is_ok());
    }

    #[test]
    fn relative_accepts_only_the_same_origin() {
        let Ok(o) = Origin::parse("K", "http://127.0.0.1:8080") else {
            panic!("origin")
        };
        assert_eq!(
            o.relative("http://127.0.0.1:8080/v2/x?page=2"),
            Some("/v2/x?page=2")
        );
        assert_eq!(o.relative("http://127.0.0.1:9999/v2/x"), None);
        assert_eq!(o.relative("http://evil.example/v2/x"), None);
        assert_eq!(o.relative("https://127.0.0.1:8080/v2/x"), None);
        assert_eq!(o.relative("http://127.0.0.1:8080@evil.example/v2"), None);
    }
}
