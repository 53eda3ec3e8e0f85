//! Filters several list tools share, in Harvest's query form.

use crate::bindings::wit::{ActivityFilter, Error};
use crate::http::Query;
use crate::validate;

/// Harvest's `is_active` filter for an activity choice.
pub fn is_active(activity: ActivityFilter) -> Option<bool> {
    match activity {
        ActivityFilter::Active => Some(true),
        ActivityFilter::Archived => Some(false),
        ActivityFilter::All => None,
    }
}

/// `filters` followed by `updated_since`, when the caller gave one (checked as an instant).
pub fn updated_since(filters: Query, updated_since: Option<&str>) -> Result<Query, Error> {
    let since = validate::opt_instant("updated-since", updated_since)?;
    Ok(filters.opt("updated_since", since))
}

/// The filters of lists narrowed by activity and by the time of the last change.
pub fn activity(activity: Option<ActivityFilter>, since: Option<&str>) -> Result<Query, Error> {
    let filters = Query::new().opt("is_active", activity.and_then(is_active));
    updated_since(filters, since)
}

/// Whose work, for which client and project: the first filters of time entries and expenses.
pub fn work(
    user_id: Option<u64>,
    client_id: Option<u64>,
    project_id: Option<u64>,
) -> Result<Query, Error> {
    Ok(Query::new()
        .opt("user_id", validate::opt_id("user-id", user_id)?)
        .opt("client_id", validate::opt_id("client-id", client_id)?)
        .opt("project_id", validate::opt_id("project-id", project_id)?))
}
