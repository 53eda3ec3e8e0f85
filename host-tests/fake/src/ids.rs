//! The fake's well-known names, for the seed, the handlers and the tests alike: the accounts, the
//! tokens and the OAuth client, the ids of the seeded records, how the two Harvest accounts
//! differ, and the opaque keys derived from ids. A leaf module: it depends only on `rounding`, itself
//! a leaf.
//!
//! Record ids are the main account's (`ACCOUNT_ID`). The timestamp account
//! (`TIMESTAMP_ACCOUNT_ID`) has the same records with [`TIMESTAMP_OFFSET`] added to every id
//! (time entries: [`TIMESTAMP_ENTRY_OFFSET`]); the global account likewise with [`GLOBAL_OFFSET`].

use super::rounding::TimeRounding;

/// Personal access token of Ada Lovelace, administrator of `ACCOUNT_ID` only.
pub const ADMIN_TOKEN: &str = "fake-admin-token";
/// Personal access token of Grace Hopper (manager), who has both Harvest accounts.
pub const MULTI_TOKEN: &str = "fake-multi-token";
/// Personal access token of Alan Turing, a Member of `ACCOUNT_ID`.
pub const MEMBER_TOKEN: &str = "fake-member-token";
/// "Acme Studio": duration tracking, 12-hour clock.
pub const ACCOUNT_ID: u64 = 1_000_001;
/// "Acme Labs": start/end-time tracking (`wants_timestamp_timers`), 24-hour clock.
pub const TIMESTAMP_ACCOUNT_ID: u64 = 1_000_002;
/// "Acme Global": duration tracking, weeks starting on Sunday, Time Rounding on (15 minutes,
/// up), clients billed in USD and EUR. Reached by [`GLOBAL_TOKEN`] only.
pub const GLOBAL_ACCOUNT_ID: u64 = 1_000_003;
/// Personal access token of the administrator of `GLOBAL_ACCOUNT_ID` (and of no other account).
pub const GLOBAL_TOKEN: &str = "fake-global-token";
/// A Forecast account, listed by Harvest ID but unusable on the Harvest API.
pub const FORECAST_ACCOUNT_ID: u64 = 2_000_001;
pub const CLIENT_ID: &str = "fake-oauth-client-id";
pub const CLIENT_SECRET: &str = "fake-oauth-client-secret";
/// The OAuth client's registered Redirect URL (any port is accepted).
pub const REDIRECT_URL: &str = "http://127.0.0.1/callback";

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

/// The first seeded time entry id (above 2^31, docs/harvest-notes.md#dates-and-times).
pub const FIRST_TIME_ENTRY: u64 = 3_000_000_001;
pub const TIMESTAMP_OFFSET: u64 = 50_000;
pub const TIMESTAMP_ENTRY_OFFSET: u64 = 100_000_000;
/// Added to every record id of `GLOBAL_ACCOUNT_ID` (time entries: [`GLOBAL_ENTRY_OFFSET`]).
pub const GLOBAL_OFFSET: u64 = 300_000;
pub const GLOBAL_ENTRY_OFFSET: u64 = 200_000_000;

/// The first seeded expense id; expenses of the other accounts add their offset.
pub const FIRST_EXPENSE: u64 = 1_500_001;

/// How one seeded account differs from the other.
pub(crate) struct AccountSpec {
    pub account_id: u64,
    pub name: &'static str,
    pub subdomain: &'static str,
    pub timestamp: bool,
    pub offset: u64,
    pub entry_offset: u64,
    /// The company's `week_start_day`.
    pub week_start_day: &'static str,
    pub time_rounding: Option<TimeRounding>,
}

pub(crate) const MAIN: AccountSpec = AccountSpec {
    account_id: ACCOUNT_ID,
    name: "Acme Studio",
    subdomain: "acmestudio",
    timestamp: false,
    offset: 0,
    entry_offset: 0,
    week_start_day: "Monday",
    time_rounding: None,
};

pub(crate) const LABS: AccountSpec = AccountSpec {
    account_id: TIMESTAMP_ACCOUNT_ID,
    name: "Acme Labs",
    subdomain: "acmelabs",
    timestamp: true,
    offset: TIMESTAMP_OFFSET,
    entry_offset: TIMESTAMP_ENTRY_OFFSET,
    week_start_day: "Monday",
    time_rounding: None,
};

pub(crate) const GLOBAL: AccountSpec = AccountSpec {
    account_id: GLOBAL_ACCOUNT_ID,
    name: "Acme Global",
    subdomain: "acmeglobal",
    timestamp: false,
    offset: GLOBAL_OFFSET,
    entry_offset: GLOBAL_ENTRY_OFFSET,
    week_start_day: "Sunday",
    time_rounding: Some(TimeRounding::UP_TO_QUARTER_HOUR),
};

/// SplitMix64: the fake's only source of "randomness", so data depends on the anchor alone.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A 40-hex-digit key (client statement keys, invoice client keys).
pub(crate) fn opaque_key(seed: u64) -> String {
    (0..3u64)
        .map(|i| format!("{:016x}", mix(seed.wrapping_add(i))))
        .collect::<String>()[..40]
        .to_owned()
}
