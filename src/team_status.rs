//! `team-time-status`: every active user's time in a period against their capacity, for
//! administrators and managers (docs/harvest-notes.md#summaries).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::bindings::wit::{Error, Period, PersonStatus, TeamStatusQuery, TeamTimeStatus};
use crate::http::{Client, Query};
use crate::json::json_record;
use crate::paging;
use crate::period::{Calendar, Span};
use crate::summaries::{self, Entry};
use crate::timezone;

/// The roles that may list users (docs/harvest-notes.md#permissions).
const LISTING_ROLES: [&str; 2] = ["administrator", "manager"];

json_record! {
    /// The fields of a user the status needs.
    struct Person {
        id: u64,
        first_name: Option<String>,
        last_name: Option<String>,
        /// Seconds per week.
        weekly_capacity: Option<u32>,
    }
}

/// What one person logged in the period.
#[derive(Default)]
struct Logged {
    tracked: f64,
    rounded: f64,
}

pub fn status(query: TeamStatusQuery) -> Result<TeamTimeStatus, Error> {
    let period = match (&query.from, &query.to) {
        (None, None) => Some(query.period.unwrap_or(Period::ThisWeek)),
        _ => query.period,
    };
    let span = Span::required(period, query.from.as_deref(), query.to.as_deref())?;
    let client = Client::for_account(query.account_id)?;
    let me = timezone::current_user(&client)?;
    if let Some(roles) = &me.access_roles
        && !roles
            .iter()
            .any(|role| LISTING_ROLES.contains(&role.as_str()))
    {
        return Err(Error::forbidden(
            "team-time-status needs an administrator or a manager: it lists the account's \
             users, which Harvest allows them only. A member sees their own time with \
             summarize-time (e.g. period this-week, group-by [date]).",
            Some("summarize-time"),
        ));
    }
    let calendar = Calendar::of_user(&client, &me)?;
    let dates = span.resolve_in(&calendar);
    let (Some(from), Some(to)) = (dates.from, dates.to) else {
        return Err(Error::internal("the period has no dates"));
    };

    let mut people = Vec::new();
    let active = Query::new().set("is_active", true);
    paging::for_each(&client, "/v2/users", active, |person: Person| {
        people.push(person)
    })?;
    let mut logged: HashMap<u64, Logged> = HashMap::new();
    let span_filters = Query::new()
        .set("from", from.to_string())
        .set("to", to.to_string());
    paging::for_each(&client, "/v2/time_entries", span_filters, |entry: Entry| {
        let sums = logged.entry(entry.user.id).or_default();
        sums.tracked += entry.hours;
        sums.rounded += entry.rounded();
    })?;

    let working_days = working_days(from, to.min(calendar.today));
    let mut people: Vec<PersonStatus> = people
        .into_iter()
        .map(|person| {
            let sums = logged.remove(&person.id).unwrap_or_default();
            let weekly = f64::from(person.weekly_capacity.unwrap_or(0)) / 3600.0;
            let capacity = weekly * f64::from(working_days) / 5.0;
            let hours = summaries::hours(sums.rounded);
            let name = [person.first_name, person.last_name]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            PersonStatus {
                user_id: person.id,
                name,
                weekly_capacity_hours: summaries::hours(weekly),
                hours,
                capacity_hours: summaries::hours(capacity),
                shortfall_hours: summaries::hours((capacity - hours).max(0.0)),
                logged_nothing: sums.tracked == 0.0 && sums.rounded == 0.0,
            }
        })
        .collect();
    people.sort_by(|a, b| {
        b.shortfall_hours
            .total_cmp(&a.shortfall_hours)
            .then_with(|| a.name.cmp(&b.name))
            .then(a.user_id.cmp(&b.user_id))
    });
    Ok(TeamTimeStatus {
        from: from.to_string(),
        to: to.to_string(),
        today: calendar.today.to_string(),
        period: dates.resolved,
        working_days,
        people,
    })
}

/// Monday-to-Friday days from `from` to `last`, both inclusive (0 when `last` is before `from`).
fn working_days(from: NaiveDate, last: NaiveDate) -> u32 {
    from.iter_days()
        .take_while(|day| *day <= last)
        .filter(|day| !matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
        .count()
        .try_into()
        .unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn working_days_count_weekdays_up_to_the_last_day() {
        // Sunday 15 March 2026 to Wednesday 18: Monday, Tuesday, Wednesday.
        assert_eq!(working_days(day("2026-03-15"), day("2026-03-18")), 3);
        assert_eq!(working_days(day("2026-03-16"), day("2026-03-22")), 5);
        assert_eq!(working_days(day("2026-03-19"), day("2026-03-18")), 0);
    }
}
