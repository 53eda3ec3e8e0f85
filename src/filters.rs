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
