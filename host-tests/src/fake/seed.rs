//! Deterministic demo data laid out around the anchor date: the same anchor always gives the same
//! data. This file holds the well-known ids and the Harvest ID side (identities, tokens, OAuth
//! client); `seed_catalogue.rs` seeds company, users, clients, tasks and projects, and
//! `seed_time.rs` time entries, approvals, invoices and payments.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::clock::Clock;
use super::model::{AccountData, FakeState, ForecastAccount, Identity, OAuthClient, TokenGrant};
use super::{
    ACCOUNT_ID, ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, FORECAST_ACCOUNT_ID, MEMBER_TOKEN,
    MULTI_TOKEN, REDIRECT_URL, TIMESTAMP_ACCOUNT_ID,
};

/// Ids of the main account's (`ACCOUNT_ID`) seeded records. The timestamp account
/// (`TIMESTAMP_ACCOUNT_ID`) has the same records with [`ids::TIMESTAMP_OFFSET`] added to every id
/// (time entries: [`ids::TIMESTAMP_ENTRY_OFFSET`]).
pub mod ids {
    pub const ADA: u64 = 4_100_001;
    pub const GRACE: u64 = 4_100_002;
    pub const ALAN: u64 = 4_100_003;
    pub const KATHERINE: u64 = 4_100_004;
    /// Active, but no time in the anchor's month.
    pub const EDSGER: u64 = 4_100_005;
    /// Archived.
    pub const CHARLES: u64 = 4_100_006;

    pub const GLOBEX: u64 = 5_200_001;
    /// Bills in EUR.
    pub const INITECH: u64 = 5_200_002;
    pub const ACME_INTERNAL: u64 = 5_200_003;
    /// Archived.
    pub const SOYLENT: u64 = 5_200_004;

    pub const DESIGN: u64 = 6_300_001;
    pub const DEVELOPMENT: u64 = 6_300_002;
    pub const PROJECT_MANAGEMENT: u64 = 6_300_003;
    /// Not billable by default.
    pub const MEETINGS: u64 = 6_300_004;
    pub const RESEARCH: u64 = 6_300_005;
    /// Archived.
    pub const QUALITY_ASSURANCE: u64 = 6_300_006;

    /// Globex, billed by task rates.
    pub const WEBSITE_REDESIGN: u64 = 7_400_001;
    /// Globex, billed by people's rates.
    pub const MOBILE_APP: u64 = 7_400_002;
    /// Initech (EUR), project rate.
    pub const ERP_INTEGRATION: u64 = 7_400_003;
    /// Globex, fixed fee.
    pub const ANNUAL_REPORT: u64 = 7_400_004;
    /// Acme internal, not billable.
    pub const INTERNAL_OPERATIONS: u64 = 7_400_005;
    /// Soylent, archived.
    pub const LEGACY_PORTAL: u64 = 7_400_006;

    pub const INVOICE_PAID: u64 = 2_700_001;
    /// Open, past its due date, partly paid.
    pub const INVOICE_OVERDUE: u64 = 2_700_002;
    pub const INVOICE_CLOSED: u64 = 2_700_003;
    /// Paid, free-form fixed-fee milestone.
    pub const INVOICE_FIXED_FEE_PAID: u64 = 2_700_004;
    /// Open, not yet due.
    pub const INVOICE_OPEN: u64 = 2_700_005;
    pub const INVOICE_DRAFT: u64 = 2_700_006;

    pub const PAYMENT_FULL: u64 = 2_900_001;
    pub const PAYMENT_PARTIAL: u64 = 2_900_002;
    pub const PAYMENT_FIXED_FEE: u64 = 2_900_003;

    /// The first seeded time entry id (above 2^31, §4).
    pub const FIRST_TIME_ENTRY: u64 = 3_000_000_001;
    pub const TIMESTAMP_OFFSET: u64 = 50_000;
    pub const TIMESTAMP_ENTRY_OFFSET: u64 = 100_000_000;
}

/// Harvest ID users behind the well-known tokens.
pub const ADA_IDENTITY: u64 = 90_001;
pub const GRACE_IDENTITY: u64 = 90_002;
pub const ALAN_IDENTITY: u64 = 90_003;

/// SplitMix64: the fake's only source of "randomness", so data depends on the anchor alone.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A 40-hex-digit key (client statement keys, invoice client keys).
pub fn opaque_key(seed: u64) -> String {
    (0..3u64)
        .map(|i| format!("{:016x}", mix(seed.wrapping_add(i))))
        .collect::<String>()[..40]
        .to_owned()
}

/// How one seeded account differs from the other.
pub struct AccountSpec {
    pub account_id: u64,
    pub name: &'static str,
    pub subdomain: &'static str,
    pub timestamp: bool,
    pub offset: u64,
    pub entry_offset: u64,
}

pub const MAIN: AccountSpec = AccountSpec {
    account_id: ACCOUNT_ID,
    name: "Acme Studio",
    subdomain: "acmestudio",
    timestamp: false,
    offset: 0,
    entry_offset: 0,
};

pub const LABS: AccountSpec = AccountSpec {
    account_id: TIMESTAMP_ACCOUNT_ID,
    name: "Acme Labs",
    subdomain: "acmelabs",
    timestamp: true,
    offset: ids::TIMESTAMP_OFFSET,
    entry_offset: ids::TIMESTAMP_ENTRY_OFFSET,
};

/// The whole seeded state: both Harvest accounts, the Forecast account, the Harvest ID users
/// behind the well-known tokens, and the registered OAuth client.
pub fn state(anchor: NaiveDate, access_token_lifetime_secs: u64) -> FakeState {
    let accounts: BTreeMap<u64, AccountData> = [MAIN, LABS]
        .iter()
        .map(|spec| (spec.account_id, super::seed_time::account(anchor, spec)))
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
        ],
        forecast_accounts: vec![ForecastAccount {
            id: FORECAST_ACCOUNT_ID,
            name: "Acme Studio".into(),
        }],
        tokens: [
            (ADMIN_TOKEN, ADA_IDENTITY),
            (MULTI_TOKEN, GRACE_IDENTITY),
            (MEMBER_TOKEN, ALAN_IDENTITY),
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
