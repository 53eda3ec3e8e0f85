//! Natural periods (`this-week`, `last-month`, ...) resolved to dates in the token's user's time
//! zone, with the account's week start (docs/harvest-notes.md#dates-and-times).

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::Deserialize;

use crate::bindings::wit::{Error, Period, ResolvedPeriod};
use crate::http::{Client, Request};
use crate::timezone;
use crate::validate;

/// What a tool was asked for: a period, or explicit dates. Checked without any request.
pub struct Span {
    period: Option<Period>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

/// The dates a span stands for.
pub struct Dates {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Set when a period was resolved: what to echo.
    pub resolved: Option<ResolvedPeriod>,
}

impl Span {
    /// `invalid-input` when `period` and `from`/`to` are both given, or a date is malformed,
    /// or `to` is before `from`.
    pub fn new(
        period: Option<Period>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Span, Error> {
        let (from, to) = validate::date_range(from, to)?;
        if period.is_some() && (from.is_some() || to.is_some()) {
            return Err(Error::invalid(
                "period",
                "give a period or from/to dates, not both",
            ));
        }
        Ok(Span { period, from, to })
    }

    /// As `new`, but one of period or from+to is required: invalid-input otherwise.
    pub fn required(
        period: Option<Period>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Span, Error> {
        let span = Span::new(period, from, to)?;
        match (span.period, span.from, span.to) {
            (Some(_), _, _) | (None, Some(_), Some(_)) => Ok(span),
            (None, None, _) => Err(Error::invalid(
                "from",
                "is required with to, unless a period (e.g. this-week) is given",
            )),
            (None, Some(_), None) => Err(Error::invalid(
                "to",
                "is required with from, unless a period (e.g. this-week) is given",
            )),
        }
    }

    /// Reads the calendar (company + current user) only when a period was given.
    pub fn resolve(&self, client: &Client) -> Result<Dates, Error> {
        match self.period {
            Some(_) => Ok(self.resolve_in(&Calendar::read(client)?)),
            None => Ok(Dates {
                from: self.from,
                to: self.to,
                resolved: None,
            }),
        }
    }

    /// With a calendar already read.
    pub fn resolve_in(&self, calendar: &Calendar) -> Dates {
        match self.period {
            Some(period) => {
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
            None => Dates {
                from: self.from,
                to: self.to,
                resolved: None,
            },
        }
    }
}

/// Today and the week as the token's user sees them.
pub struct Calendar {
    pub today: NaiveDate,
    pub week_start: Weekday,
    /// The user's zone as Harvest names it (e.g. "Eastern Time (US & Canada)").
    pub zone: String,
}

#[derive(Deserialize)]
struct WeekSettings {
    week_start_day: Option<String>,
}

#[derive(Deserialize)]
struct Zone {
    timezone: Option<String>,
}

impl Calendar {
    /// Reads `GET /v2/company` (week start) and `GET /v2/users/me` (time zone), and the WASI clock.
    pub fn read(client: &Client) -> Result<Calendar, Error> {
        let company: WeekSettings = client.send(&Request::get("/v2/company"))?;
        let user: Zone = client.send(&Request::get("/v2/users/me"))?;
        let zone = user.timezone.unwrap_or_default();
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .ok()
            .and_then(|since| i64::try_from(since.as_secs()).ok())
            .ok_or_else(|| Error::internal("the host's wall clock is out of range"))?;
        let today = timezone::local_at(&zone, seconds)
            .ok_or_else(|| {
                Error::invalid(
                    "period",
                    format!(
                        "cannot be resolved: the user's time zone {zone:?} is not one this \
                         component knows; give from and to instead"
                    ),
                )
            })?
            .date();
        let week_start = match company.week_start_day.as_deref() {
            Some("Sunday") => Weekday::Sun,
            Some("Saturday") => Weekday::Sat,
            _ => Weekday::Mon,
        };
        Ok(Calendar {
            today,
            week_start,
            zone,
        })
    }

    /// The first and last day of `period` (both inclusive).
    pub fn dates(&self, period: Period) -> (NaiveDate, NaiveDate) {
        let today = self.today;
        let back = |days: u64| today.checked_sub_days(Days::new(days)).unwrap_or(today);
        let week = self.week_of(today);
        let week_end = |first: NaiveDate| first.checked_add_days(Days::new(6)).unwrap_or(first);
        let month = first_of_month(today);
        let quarter = month
            .checked_sub_months(Months::new(today.month0() % 3))
            .unwrap_or(month);
        let year = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
        let before = |first: NaiveDate| first.pred_opt().unwrap_or(first);
        let months_after = |first: NaiveDate, n: u32| {
            first
                .checked_add_months(Months::new(n))
                .map_or(first, before)
        };
        match period {
            Period::Today => (today, today),
            Period::Yesterday => (back(1), back(1)),
            Period::ThisWeek => (week, week_end(week)),
            Period::LastWeek => {
                let last = week.checked_sub_days(Days::new(7)).unwrap_or(week);
                (last, week_end(last))
            }
            Period::ThisMonth => (month, months_after(month, 1)),
            Period::LastMonth => {
                let last = month.checked_sub_months(Months::new(1)).unwrap_or(month);
                (last, before(month))
            }
            Period::ThisQuarter => (quarter, months_after(quarter, 3)),
            Period::LastQuarter => {
                let last = quarter
                    .checked_sub_months(Months::new(3))
                    .unwrap_or(quarter);
                (last, before(quarter))
            }
            Period::ThisYear => (year, months_after(year, 12)),
            Period::LastYear => {
                let last = year.checked_sub_months(Months::new(12)).unwrap_or(year);
                (last, before(year))
            }
            Period::Last7Days => (back(6), today),
            Period::Last30Days => (back(29), today),
        }
    }

    /// The first day of the week containing `day`.
    pub fn week_of(&self, day: NaiveDate) -> NaiveDate {
        let offset =
            (7 + day.weekday().num_days_from_monday() - self.week_start.num_days_from_monday()) % 7;
        day.checked_sub_days(Days::new(u64::from(offset)))
            .unwrap_or(day)
    }
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
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

    #[test]
    fn periods_are_whole_calendar_spans_in_the_accounts_week() {
        let wednesday = calendar("2026-03-18", Weekday::Sun);
        assert_eq!(
            wednesday.dates(Period::ThisWeek),
            (day("2026-03-15"), day("2026-03-21"))
        );
        assert_eq!(
            wednesday.dates(Period::LastMonth),
            (day("2026-02-01"), day("2026-02-28"))
        );
        assert_eq!(
            wednesday.dates(Period::ThisQuarter),
            (day("2026-01-01"), day("2026-03-31"))
        );
        assert_eq!(
            calendar("2026-03-18", Weekday::Mon).week_of(day("2026-03-15")),
            day("2026-03-09")
        );
    }

    #[test]
    fn a_span_takes_a_period_or_dates_never_both() {
        assert!(Span::new(Some(Period::Today), Some("2026-03-01"), None).is_err());
        assert!(Span::required(None, Some("2026-03-01"), None).is_err());
        assert!(Span::required(None, None, None).is_err());
        assert!(Span::required(None, Some("2026-03-01"), Some("2026-03-02")).is_ok());
    }
}
