//! Users (§10.2, §10.3).

use crate::api::Api;
use crate::bindings::harvest::tools::types::{ActivityFilter, Error, User, UserPage, UserQuery};
use crate::paging::{self, Listing, page_record};
use crate::transport::{Query, Request};
use crate::validate;

page_record!(UserPage, User);

pub fn get_current_user(account_id: Option<u64>) -> Result<User, Error> {
    Api::connect(account_id)?.call(&Request::get("/v2/users/me"))
}

pub fn list_users(query: UserQuery) -> Result<UserPage, Error> {
    let filters = Query::new()
        .opt(
            "is_active",
            is_active(query.activity.unwrap_or(ActivityFilter::Active)),
        )
        .opt(
            "updated_since",
            validate::opt_instant("updated-since", query.updated_since.as_deref())?,
        );
    let listing = Listing::new(
        "/v2/users",
        filters,
        query.limit,
        query.continuation.as_deref(),
    )?;
    let api = Api::connect(query.account_id)?;
    paging::collect(&api, listing).map(UserPage::from)
}

/// Harvest's `is_active` filter for an activity choice.
pub fn is_active(activity: ActivityFilter) -> Option<bool> {
    match activity {
        ActivityFilter::Active => Some(true),
        ActivityFilter::Archived => Some(false),
        ActivityFilter::All => None,
    }
}
