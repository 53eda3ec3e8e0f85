//! Roles beyond the administrator (docs/harvest-notes.md#permissions): who is whose teammate,
//! users in time zones far from UTC, and a Member who reaches both accounts with a token of
//! their own. Applied on top of the seeded state by [`apply`].

use super::ids::{self, ACCOUNT_ID, TIMESTAMP_ACCOUNT_ID, TIMESTAMP_OFFSET};
use super::model::{FakeState, Identity, TokenGrant};

/// Personal access token of Katherine Johnson, a Member of both accounts, in Tokyo.
pub const MEMBER_TOKEN_TWO_ACCOUNTS: &str = "fake-member-two-accounts-token";
pub const KATHERINE_IDENTITY: u64 = 90_005;

/// Seeded time zones (ActiveSupport names) that are not the seed's default, Eastern Time: a
/// zone behind UTC by ten hours and one ahead by nine, so the local date and UTC's differ for a
/// good part of each day.
pub const ZONES: [(u64, &str); 2] = [(ids::ALAN, "Hawaii"), (ids::KATHERINE, "Tokyo")];

/// Managers and their assigned teammates, by the main account's user ids (the timestamp
/// account's copies have [`TIMESTAMP_OFFSET`] added). Grace, who manages the Globex projects,
/// has Alan as her teammate.
pub const TEAMMATES: [(u64, u64); 1] = [(ids::GRACE, ids::ALAN)];

/// Whether `user_id` is an assigned teammate of the manager `manager_id`, in either account.
pub fn is_teammate(manager_id: u64, user_id: u64) -> bool {
    TEAMMATES.iter().any(|(manager, teammate)| {
        [0, TIMESTAMP_OFFSET]
            .iter()
            .any(|o| manager + o == manager_id && teammate + o == user_id)
    })
}

/// Whether the manager `manager_id` has any assigned teammate.
pub fn has_teammates(manager_id: u64) -> bool {
    TEAMMATES.iter().any(|(manager, _)| {
        [0, TIMESTAMP_OFFSET]
            .iter()
            .any(|o| manager + o == manager_id)
    })
}

pub fn apply(state: &mut FakeState) {
    for account in state.accounts.values_mut() {
        let offset = if account.account_id == TIMESTAMP_ACCOUNT_ID {
            TIMESTAMP_OFFSET
        } else {
            0
        };
        for user in &mut account.users {
            if let Some((_, zone)) = ZONES.iter().find(|(id, _)| id + offset == user.id) {
                user.timezone = (*zone).into();
            }
        }
    }
    state.identities.push(Identity {
        id: KATHERINE_IDENTITY,
        first_name: "Katherine".into(),
        last_name: "Johnson".into(),
        email: "katherine@acme.example".into(),
        harvest_users: vec![
            (ACCOUNT_ID, ids::KATHERINE),
            (TIMESTAMP_ACCOUNT_ID, ids::KATHERINE + TIMESTAMP_OFFSET),
        ],
        forecast_accounts: vec![],
    });
    state.tokens.insert(
        MEMBER_TOKEN_TWO_ACCOUNTS.into(),
        TokenGrant {
            identity_id: KATHERINE_IDENTITY,
            expires_at: None,
            oauth_client_id: None,
        },
    );
}
