//! Users (docs/harvest-notes.md#projects-tasks-clients-users).

use crate::bindings::wit::{ActivityFilter, Error, User, UserPage, UserQuery};
use crate::filters;
use crate::http::{Client, Request};
use crate::paging;

pub fn get_current_user(account_id: Option<u64>) -> Result<User, Error> {
    Client::for_account(account_id)?.send(&current_user_request())
}

fn current_user_request() -> Request<User> {
    Request::get("/v2/users/me")
}

/// Active users unless the query says otherwise.
pub fn list_users(query: UserQuery) -> Result<UserPage, Error> {
    let activity = query.activity.unwrap_or(ActivityFilter::Active);
    let filters = filters::activity(Some(activity), query.updated_since.as_deref())?;
    paging::list("/v2/users", filters, &query)
}
