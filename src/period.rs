//! Natural periods (`this-week`, `last-month`, ...): resolved in the token's user's time zone,
//! on the WASI wall clock, with the account's week start day (docs/harvest-notes.md#periods).

use chrono::{Datelike, Months, NaiveDate, TimeDelta, Weekday};

use crate::bindings::wit::{Error, Period, ResolvedPeriod};
use crate::company;
use crate::http::Client;
use crate::timezone::{self, CurrentUser};
use crate::validate;

/// What a tool was asked for: a period, or explicit dates. Checked without any request.
#[derive(Clone, Copy, Debug)]
pub enum Span {
    Period(Period),
    Dates {
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
}

/// The dates a tool works on, once its span is resolved.
#[derive(Clone, Debug, Default)]
pub struct Dates {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Set when a period was resolved: what the answer echoes.
    pub resolved: Option<ResolvedPeriod>,
}

impl Span {
    /// `period`, or `from`/`to` (either may be open); both at once is invalid.
    pub fn new(
        period: Option<Period>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Span, Error> {
        let (from, to) = validate::date_range(from, to)?;
        match (period, from, to) {
            (Some(period), None, None) => Ok(Span::Period(period)),
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(Error::invalid(
                "period",
                "give period or from/to, not both: period stands for both dates",
            )),
            (None, from, to) => Ok(Span::Dates { from, to }),
        }
    }

    /// As [`Span::new`], with both ends required: `period`, or `from` and `to`.
    pub fn required(
        period: Option<Period>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Span, Error> {
        match Span::new(period, from, to)? {
            Span::Dates { from: None, .. } => Err(Error::invalid(
                "from",
                "is required without period: give period (e.g. this-month) or from and to",
            )),
            Span::Dates { to: None, .. } => Err(Error::invalid(
                "to",
                "is required without period: give period (e.g. this-month) or from and to",
            )),
            span => Ok(span),
        }
    }

    /// The dates as given, when no period needs resolving.
    pub fn explicit(&self) -> Option<Dates> {
        match *self {
            Span::Dates { from, to } => Some(Dates {
                from,
                to,
                resolved: None,
            }),
            Span::Period(_) => None,
        }
    }

    /// The dates, reading the calendar (the account's week, the user's today) only when a
    /// period was given.
    pub fn resolve(&self, client: &Client) -> Result<Dates, Error> {
        match self.explicit() {
            Some(dates) => Ok(dates),
            None => Ok(self.resolve_in(&Calendar::read(client)?)),
        }
    }

    /// The dates, with a calendar already read.
    pub fn resolve_in(&self, calendar: &Calendar) -> Dates {
        match *self {
            Span::Period(period) => {
                let (from, to) = calendar.dates(period);
                Dates {
                    from: Some(from),
                    to: Some(to),
                    resolved: Some(ResolvedPeriod {
                        period,
                        from: from.to_string(),
                        to: to.to_string(),
                        time_zone: calendar.zone.clone(),
                    }),
                }
            }
            Span::Dates { from, to } => Dates {
                from,
                to,
                resolved: None,
            },
        }
    }
}

/// Today and the week as the token's user sees them.
#[derive(Clone, Debug, PartialEq)]
pub struct Calendar {
    pub today: NaiveDate,
    pub week_start: Weekday,
    /// The user's zone as Harvest names it (`Eastern Time (US & Canada)`).
    pub zone: String,
}

impl Calendar {
    /// Reads the account's week start (`GET /v2/company`), the user's zone (`GET /v2/users/me`)
    /// and the WASI wall clock.
    pub fn read(client: &Client) -> Result<Calendar, Error> {
        Calendar::of_user(client, &timezone::current_user(client)?)
    }

    /// As [`Calendar::read`], with the user's profile already read.
    pub fn of_user(client: &Client, user: &CurrentUser) -> Result<Calendar, Error> {
        let week_start = company::week_start(client)?;
        let local = user.local_now("period")?;
        Ok(Calendar {
            today: local.now.date(),
            week_start,
            zone: local.zone,
        })
    }

    /// The first day of the week that holds `day`.
    pub fn week_of(&self, day: NaiveDate) -> NaiveDate {
        week_of(day, self.week_start)
    }

    /// The first and last day of `period`, both inclusive. Today comes from the wall clock
    /// through the zone rules, within years -9999 to 9999: far inside chrono's range, so this
    /// arithmetic cannot overflow.
    pub fn dates(&self, period: Period) -> (NaiveDate, NaiveDate) {
        let today = self.today;
        let days = |n: i64| TimeDelta::days(n);
        let week = self.week_of(today);
        let month = first_of_month(today);
        let quarter = month - Months::new(month.month0() % 3);
        let year = month - Months::new(month.month0());
        match period {
            Period::Today => (today, today),
            Period::Yesterday => (today - days(1), today - days(1)),
            Period::ThisWeek => (week, week + days(6)),
            Period::LastWeek => (week - days(7), week - days(1)),
            Period::ThisMonth => (month, end_of(month, 1)),
            Period::LastMonth => (month - Months::new(1), month - days(1)),
            Period::ThisQuarter => (quarter, end_of(quarter, 3)),
            Period::LastQuarter => (quarter - Months::new(3), quarter - days(1)),
            Period::ThisYear => (year, end_of(year, 12)),
            Period::LastYear => (year - Months::new(12), year - days(1)),
            Period::Last7Days => (today - days(6), today),
            Period::Last30Days => (today - days(29), today),
        }
    }
}

/// The first day of the week that holds `day`, weeks starting on `week_start`.
pub fn week_of(day: NaiveDate, week_start: Weekday) -> NaiveDate {
    let back = (day.weekday().num_days_from_monday() + 7 - week_start.num_days_from_monday()) % 7;
    day - TimeDelta::days(i64::from(back))
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day - TimeDelta::days(i64::from(day.day0()))
}

/// The last day of the `months` months that start on `first` (a first of a month).
fn end_of(first: NaiveDate, months: u32) -> NaiveDate {
    first + Months::new(months) - TimeDelta::days(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    fn calendar(today: &str, week_start: Weekday) -> Calendar {
        Calendar {
            today: day(today),
            week_start,
            zone: "UTC".into(),
        }
    }

    fn resolved(calendar: &Calendar, period: Period) -> (String, String) {
        let (from, to) = calendar.dates(period);
        (from.to_string(), to.to_string())
    }

    #[test]
    fn every_period_on_a_wednesday_in_february_of_a_leap_year() {
        // 2028-02-23 is a Wednesday; 2028 is a leap year.
        let monday = calendar("2028-02-23", Weekday::Mon);
        let sunday = calendar("2028-02-23", Weekday::Sun);
        let cases = [
            (Period::Today, "2028-02-23", "2028-02-23"),
            (Period::Yesterday, "2028-02-22", "2028-02-22"),
            (Period::ThisWeek, "2028-02-21", "2028-02-27"),
            (Period::LastWeek, "2028-02-14", "2028-02-20"),
            (Period::ThisMonth, "2028-02-01", "2028-02-29"),
            (Period::LastMonth, "2028-01-01", "2028-01-31"),
            (Period::ThisQuarter, "2028-01-01", "2028-03-31"),
            (Period::LastQuarter, "2027-10-01", "2027-12-31"),
            (Period::ThisYear, "2028-01-01", "2028-12-31"),
            (Period::LastYear, "2027-01-01", "2027-12-31"),
            (Period::Last7Days, "2028-02-17", "2028-02-23"),
            (Period::Last30Days, "2028-01-25", "2028-02-23"),
        ];
        for (period, from, to) in cases {
            assert_eq!(
                resolved(&monday, period),
                (from.to_string(), to.to_string()),
                "{period:?}"
            );
        }
        assert_eq!(
            resolved(&sunday, Period::ThisWeek),
            ("2028-02-20".into(), "2028-02-26".into())
        );
        assert_eq!(
            resolved(&sunday, Period::LastWeek),
            ("2028-02-13".into(), "2028-02-19".into())
        );
    }

    #[test]
    fn weeks_start_on_the_accounts_day_even_on_that_day() {
        // 2026-12-06 is a Sunday.
        assert_eq!(
            calendar("2026-12-06", Weekday::Sun).week_of(day("2026-12-06")),
            day("2026-12-06")
        );
        assert_eq!(
            calendar("2026-12-06", Weekday::Mon).week_of(day("2026-12-06")),
            day("2026-11-30")
        );
        assert_eq!(
            calendar("2026-12-06", Weekday::Sat).week_of(day("2026-12-06")),
            day("2026-12-05")
        );
    }

    #[test]
    fn quarters_and_months_cross_years() {
        let january = calendar("2027-01-10", Weekday::Mon);
        assert_eq!(
            resolved(&january, Period::LastMonth),
            ("2026-12-01".into(), "2026-12-31".into())
        );
        assert_eq!(
            resolved(&january, Period::LastQuarter),
            ("2026-10-01".into(), "2026-12-31".into())
        );
        let november = calendar("2026-11-30", Weekday::Mon);
        assert_eq!(
            resolved(&november, Period::ThisQuarter),
            ("2026-10-01".into(), "2026-12-31".into())
        );
        // A week that starts in one year and ends in the next.
        let new_year = calendar("2027-01-01", Weekday::Mon);
        assert_eq!(
            resolved(&new_year, Period::ThisWeek),
            ("2026-12-28".into(), "2027-01-03".into())
        );
    }

    #[test]
    fn a_period_and_dates_together_are_refused_before_any_request() {
        let both = Span::new(Some(Period::ThisWeek), Some("2026-01-01"), None);
        assert!(matches!(both, Err(Error::InvalidInput(ref i)) if i.field == "period"));
        let only_to = Span::new(Some(Period::ThisWeek), None, Some("2026-01-01"));
        assert!(matches!(only_to, Err(Error::InvalidInput(ref i)) if i.field == "period"));
        assert!(matches!(
            Span::required(None, Some("2026-01-01"), None),
            Err(Error::InvalidInput(ref i)) if i.field == "to"
        ));
        assert!(matches!(
            Span::required(None, None, None),
            Err(Error::InvalidInput(ref i)) if i.field == "from"
        ));
        let open = Span::new(None, None, None).ok().and_then(|s| s.explicit());
        assert!(open.is_some_and(|d| d.from.is_none() && d.to.is_none() && d.resolved.is_none()));
    }

    #[test]
    fn a_resolved_period_echoes_its_dates_and_zone() {
        let calendar = Calendar {
            zone: "Tokyo".into(),
            ..calendar("2026-12-01", Weekday::Mon)
        };
        let dates = Span::Period(Period::Yesterday).resolve_in(&calendar);
        let Some(resolved) = dates.resolved else {
            panic!("a period must be echoed");
        };
        assert_eq!(resolved.period, Period::Yesterday);
        assert_eq!(
            (resolved.from.as_str(), resolved.to.as_str()),
            ("2026-11-30", "2026-11-30")
        );
        assert_eq!(resolved.time_zone, "Tokyo");
        assert_eq!(
            (dates.from, dates.to),
            (Some(day("2026-11-30")), Some(day("2026-11-30")))
        );
    }
}
