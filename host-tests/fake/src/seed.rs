//! Deterministic demo data laid out around the anchor date: the same anchor always gives the same
//! data. This file holds the Harvest ID side (identities, tokens, OAuth
//! client); `seed_catalogue.rs` seeds company, users, clients, tasks and projects, and
//! `seed_time.rs` time entries, approvals, invoices and payments.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::clock::Clock;
use super::ids::{
    self, ACCOUNT_ID, ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, FORECAST_ACCOUNT_ID, GLOBAL,
    GLOBAL_ACCOUNT_ID, GLOBAL_TOKEN, LABS, MAIN, MEMBER_TOKEN, MULTI_TOKEN, REDIRECT_URL,
    TIMESTAMP_ACCOUNT_ID,
};
use super::model::{AccountData, FakeState, ForecastAccount, Identity, OAuthClient, TokenGrant};

/// Harvest ID users behind the well-known tokens.
pub const ADA_IDENTITY: u64 = 90_001;
pub const GRACE_IDENTITY: u64 = 90_002;
pub const ALAN_IDENTITY: u64 = 90_003;
/// The administrator of the global account (Ada's user there), behind `GLOBAL_TOKEN`.
pub const GLOBAL_IDENTITY: u64 = 90_004;

/// The whole seeded state: both Harvest accounts, the Forecast account, the Harvest ID users
/// behind the well-known tokens, and the registered OAuth client.
pub fn state(anchor: NaiveDate, access_token_lifetime_secs: u64) -> FakeState {
    let accounts: BTreeMap<u64, AccountData> = [MAIN, LABS, GLOBAL]
        .iter()
        .map(|spec| (spec.account_id, super::seed_expenses::account(anchor, spec)))
        .collect();
    let identity =
        |id, first: &str, last: &str, harvest: Vec<(u64, u64)>, forecast: Vec<u64>| Identity {
            id,
            first_name: first.into(),
            last_name: last.into(),
            email: format!("{}@acme.example", first.to_lowercase()),
            harvest_users: harvest,
            forecast_accounts: forecast,
        };
    let pat = |identity_id| TokenGrant {
        identity_id,
        expires_at: None,
        oauth_client_id: None,
    };
    FakeState {
        accounts,
        identities: vec![
            identity(
                ADA_IDENTITY,
                "Ada",
                "Lovelace",
                vec![(ACCOUNT_ID, ids::ADA)],
                vec![FORECAST_ACCOUNT_ID],
            ),
            identity(
                GRACE_IDENTITY,
                "Grace",
                "Hopper",
                vec![
                    (ACCOUNT_ID, ids::GRACE),
                    (TIMESTAMP_ACCOUNT_ID, ids::GRACE + ids::TIMESTAMP_OFFSET),
                ],
                vec![FORECAST_ACCOUNT_ID],
            ),
            identity(
                ALAN_IDENTITY,
                "Alan",
                "Turing",
                vec![(ACCOUNT_ID, ids::ALAN)],
                vec![],
            ),
            identity(
                GLOBAL_IDENTITY,
                "Ada",
                "Lovelace",
                vec![(GLOBAL_ACCOUNT_ID, ids::ADA + ids::GLOBAL_OFFSET)],
                vec![],
            ),
        ],
        forecast_accounts: vec![ForecastAccount {
            id: FORECAST_ACCOUNT_ID,
            name: "Acme Studio".into(),
        }],
        tokens: [
            (ADMIN_TOKEN, ADA_IDENTITY),
            (MULTI_TOKEN, GRACE_IDENTITY),
            (MEMBER_TOKEN, ALAN_IDENTITY),
            (GLOBAL_TOKEN, GLOBAL_IDENTITY),
        ]
        .into_iter()
        .map(|(token, identity)| (token.to_owned(), pat(identity)))
        .collect(),
        oauth_clients: vec![OAuthClient {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            redirect_url: REDIRECT_URL.into(),
        }],
        auth_codes: BTreeMap::new(),
        refresh_tokens: BTreeMap::new(),
        authorizing_token: ADMIN_TOKEN.into(),
        request_budget: None,
        api_requests: 0,
        retry_after_secs: 15,
        access_token_lifetime_secs,
        clock: Clock::new(anchor),
        issued: 0,
        entry_index: Default::default(),
    }
}
