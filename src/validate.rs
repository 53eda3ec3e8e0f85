//! Argument rules, checked before any request. Each failure names the field and the rule.

use chrono::{DateTime, NaiveDate};

use crate::bindings::wit::Error;
use crate::company::Clock;

/// Harvest's longest report range (docs/harvest-notes.md#reports).
pub const MAX_REPORT_DAYS: i64 = 365;

pub fn id(field: &str, value: u64) -> Result<u64, Error> {
    if value == 0 {
        return Err(Error::invalid(
            field,
            "must be a Harvest id, a whole number above 0",
        ));
    }
    Ok(value)
}

pub fn opt_id(field: &str, value: Option<u64>) -> Result<Option<u64>, Error> {
    value.map(|v| id(field, v)).transpose()
}

/// `YYYY-MM-DD` exactly, a day of the calendar. Read by hand: chrono's format strings would
/// bring their whole parser into the component for this one shape.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.get(4) == Some(&b'-')
        && bytes.get(7) == Some(&b'-')
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<u32>().ok();
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

pub fn date(field: &str, value: &str) -> Result<NaiveDate, Error> {
    let value = value.trim();
    parse_date(value).ok_or_else(|| {
        Error::invalid(
            field,
            format!("must be a calendar date as YYYY-MM-DD, e.g. 2026-03-31; got {value:?}"),
        )
    })
}

pub fn opt_date(field: &str, value: Option<&str>) -> Result<Option<NaiveDate>, Error> {
    value.map(|v| date(field, v)).transpose()
}

/// Checks `from <= to` when both are given.
pub fn date_range(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>), Error> {
    let from = opt_date("from", from)?;
    let to = opt_date("to", to)?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(Error::invalid(
            "to",
            format!("must not be before from ({f}); got {t}"),
        ));
    }
    Ok((from, to))
}

/// An ISO 8601 instant such as `2026-03-01T00:00:00Z`, passed on as given.
pub fn instant(field: &str, value: &str) -> Result<String, Error> {
    let value = value.trim();
    DateTime::parse_from_rfc3339(value)
        .map(|_| value.to_string())
        .map_err(|_| Error::invalid(field, format!("must be an ISO 8601 date and time with a zone, e.g. 2026-03-01T09:00:00Z; got {value:?}")))
}

pub fn opt_instant(field: &str, value: Option<&str>) -> Result<Option<String>, Error> {
    value.map(|v| instant(field, v)).transpose()
}

pub fn non_empty(field: &str, value: &str) -> Result<String, Error> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    Ok(trimmed.to_string())
}

pub fn percent(field: &str, value: Option<f64>) -> Result<Option<f64>, Error> {
    match value {
        Some(v) if !(0.0..=100.0).contains(&v) => Err(Error::invalid(
            field,
            format!("must be a percentage from 0 to 100; got {v}"),
        )),
        other => Ok(other),
    }
}

/// A finite number; `positive` also excludes zero and negatives.
pub fn amount(field: &str, value: f64, positive: bool) -> Result<f64, Error> {
    if !value.is_finite() || (positive && value <= 0.0) {
        let rule = if positive {
            "must be a number above 0"
        } else {
            "must be a finite number"
        };
        return Err(Error::invalid(field, format!("{rule}; got {value}")));
    }
    Ok(value)
}

/// Parses a duration the way people write it: `1.5`, `1:30`, `1h30m`, `1h`, `90m`, `1.5h`.
/// Returns hours, from 0 to 24.
pub fn duration(field: &str, value: &str) -> Result<f64, Error> {
    let invalid = || {
        Error::invalid(
            field,
            format!(
                "must be a duration from 0 to 24 hours such as 1.5, 1:30, 1h30m or 90m; got {value:?}"
            ),
        )
    };
    let text = compact(value);
    if text.is_empty() {
        return Err(invalid());
    }
    let hours = if let Some((h, m)) = text.split_once(':') {
        let h: u32 = digits(h).ok_or_else(invalid)?;
        let m: u32 = Some(m)
            .filter(|m| m.len() == 2)
            .and_then(digits)
            .filter(|m| *m < 60)
            .ok_or_else(invalid)?;
        f64::from(h) + f64::from(m) / 60.0
    } else if text.bytes().any(|b| b.is_ascii_alphabetic()) {
        units(&text).ok_or_else(invalid)?
    } else {
        decimal(&text).ok_or_else(invalid)?
    };
    if !(0.0..=24.0).contains(&hours) {
        return Err(Error::invalid(
            field,
            format!("must be between 0 and 24 hours; got {value:?}"),
        ));
    }
    Ok(hours)
}

/// `value` in lower case without any whitespace: how durations and times of day are read.
fn compact(value: &str) -> String {
    value
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn digits(text: &str) -> Option<u32> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

fn decimal(text: &str) -> Option<f64> {
    let ok = text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|b| *b == b'.').count() <= 1
        && text != ".";
    ok.then(|| text.parse::<f64>().ok()).flatten()
}

/// `1h30m`, `1.5h`, `90m`, `2hrs`, `45min`.
fn units(text: &str) -> Option<f64> {
    let (hours, rest) = match text.find('h') {
        Some(at) => {
            let hours = decimal(&text[..at])?;
            let rest = text[at..]
                .trim_start_matches("hours")
                .trim_start_matches("hour")
                .trim_start_matches("hrs")
                .trim_start_matches("hr")
                .trim_start_matches('h');
            (hours, rest)
        }
        None => (0.0, text),
    };
    let minutes = if rest.is_empty() {
        0.0
    } else {
        let number = rest
            .trim_end_matches("minutes")
            .trim_end_matches("minute")
            .trim_end_matches("mins")
            .trim_end_matches("min")
            .trim_end_matches('m');
        if number.len() == rest.len() {
            return None;
        }
        decimal(number)?
    };
    Some(hours + minutes / 60.0)
}

/// A time of day, as hours (0–23) and minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeOfDay {
    pub hour: u32,
    pub minute: u32,
}

impl TimeOfDay {
    /// Parses `8:00am`, `8am`, `8:00 PM`, `08:00` or `17:30`.
    pub fn parse(field: &str, value: &str) -> Result<TimeOfDay, Error> {
        let invalid = || {
            Error::invalid(
                field,
                format!("must be a time of day such as 8:00am, 5:30pm or 17:30; got {value:?}"),
            )
        };
        let text = compact(value);
        let (clock, meridiem) = if let Some(t) = text.strip_suffix("am") {
            (t, Some(false))
        } else if let Some(t) = text.strip_suffix("pm") {
            (t, Some(true))
        } else {
            (text.as_str(), None)
        };
        let (h, m) = match clock.split_once(':') {
            Some((h, m)) if m.len() == 2 => (
                digits(h).ok_or_else(invalid)?,
                digits(m).ok_or_else(invalid)?,
            ),
            None if meridiem.is_some() => (digits(clock).ok_or_else(invalid)?, 0),
            _ => return Err(invalid()),
        };
        let hour = match meridiem {
            Some(pm) if (1..=12).contains(&h) => h % 12 + if pm { 12 } else { 0 },
            None if h < 24 => h,
            _ => return Err(invalid()),
        };
        if m >= 60 {
            return Err(invalid());
        }
        Ok(TimeOfDay { hour, minute: m })
    }

    /// Formats the time as Harvest expects it for the account's clock.
    pub fn format(self, clock: Clock) -> String {
        match clock {
            Clock::TwentyFourHour => format!("{:02}:{:02}", self.hour, self.minute),
            Clock::TwelveHour => {
                let hour = match self.hour % 12 {
                    0 => 12,
                    h => h,
                };
                let suffix = if self.hour < 12 { "am" } else { "pm" };
                format!("{hour}:{:02}{suffix}", self.minute)
            }
        }
    }

    pub fn minutes(self) -> u32 {
        self.hour * 60 + self.minute
    }

    pub fn from_minutes(minutes: u32) -> Option<TimeOfDay> {
        (minutes < 24 * 60).then_some(TimeOfDay {
            hour: minutes / 60,
            minute: minutes % 60,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(text: &str) -> Option<f64> {
        duration("duration", text).ok()
    }

    #[test]
    fn durations_people_write() {
        assert_eq!(hours("1.5"), Some(1.5));
        assert_eq!(hours("1:30"), Some(1.5));
        assert_eq!(hours("1h30m"), Some(1.5));
        assert_eq!(hours("1h 30m"), Some(1.5));
        assert_eq!(hours("90m"), Some(1.5));
        assert_eq!(hours("2h"), Some(2.0));
        assert_eq!(hours("1.5h"), Some(1.5));
        assert_eq!(hours("45min"), Some(0.75));
        assert_eq!(hours("0:45"), Some(0.75));
        assert_eq!(hours(".5"), Some(0.5));
    }

    #[test]
    fn durations_out_of_range_or_malformed() {
        for bad in [
            "", "-1", "25", "24:01", "1:7", "1:60", "abc", "1h30", "h", "1..5", "nan", "inf", "1e3",
        ] {
            assert_eq!(hours(bad), None, "{bad:?} should be refused");
        }
        assert_eq!(hours("24"), Some(24.0));
    }

    #[test]
    fn times_in_both_clocks() {
        let t = |s| TimeOfDay::parse("t", s).ok();
        assert_eq!(t("8:00am"), Some(TimeOfDay { hour: 8, minute: 0 }));
        assert_eq!(t("8am"), Some(TimeOfDay { hour: 8, minute: 0 }));
        assert_eq!(
            t("12:15am"),
            Some(TimeOfDay {
                hour: 0,
                minute: 15
            })
        );
        assert_eq!(
            t("12pm"),
            Some(TimeOfDay {
                hour: 12,
                minute: 0
            })
        );
        assert_eq!(
            t("5:30 PM"),
            Some(TimeOfDay {
                hour: 17,
                minute: 30
            })
        );
        assert_eq!(
            t("17:30"),
            Some(TimeOfDay {
                hour: 17,
                minute: 30
            })
        );
        assert_eq!(t("08:05"), Some(TimeOfDay { hour: 8, minute: 5 }));
        for bad in ["13pm", "0am", "24:00", "8", "8:5", "8:60", "noon", ""] {
            assert_eq!(t(bad), None, "{bad:?} should be refused");
        }
    }

    #[test]
    fn times_format_for_the_account_clock() {
        let t = TimeOfDay {
            hour: 17,
            minute: 5,
        };
        assert_eq!(t.format(Clock::TwelveHour), "5:05pm");
        assert_eq!(t.format(Clock::TwentyFourHour), "17:05");
        assert_eq!(
            TimeOfDay { hour: 0, minute: 0 }.format(Clock::TwelveHour),
            "12:00am"
        );
    }

    #[test]
    fn dates_and_ranges() {
        assert!(date("d", "2026-02-28").is_ok());
        assert!(date("d", "2026-02-30").is_err());
        assert!(date("d", "2026-2-3").is_err());
        assert!(date("d", "2024-02-29").is_ok());
        for bad in [
            "2026-02-2x",
            "+026-02-03",
            "2026/02/03",
            "2026-13-01",
            "2026-00-10",
        ] {
            assert!(date("d", bad).is_err(), "{bad}");
        }
        assert!(date_range(Some("2026-03-02"), Some("2026-03-01")).is_err());
        assert!(date_range(Some("2026-03-01"), Some("2026-03-01")).is_ok());
    }

    #[test]
    fn instants_need_a_zone() {
        assert!(instant("u", "2026-03-01T09:00:00Z").is_ok());
        assert!(instant("u", "2026-03-01T09:00:00").is_err());
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::*;

        proptest! {
            #[test]
            fn dates_read_as_chrono_reads_them(y in 1000i32..9999, m in 0u32..14, d in 0u32..33) {
                let text = format!("{y:04}-{m:02}-{d:02}");
                prop_assert_eq!(
                    parse_date(&text),
                    NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()
                );
            }

            #[test]
            fn any_text_is_a_duration_within_a_day_or_an_error(text in "\\PC{0,24}") {
                if let Ok(hours) = duration("duration", &text) {
                    prop_assert!((0.0..=24.0).contains(&hours));
                }
            }

            #[test]
            fn hours_and_minutes_read_back_exactly(h in 0u32..24, m in 0u32..60) {
                let hours = duration("duration", &format!("{h}:{m:02}")).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                prop_assert!((hours - (f64::from(h) + f64::from(m) / 60.0)).abs() < 1e-9);
                let units = duration("duration", &format!("{h}h{m}m")).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                prop_assert!((units - hours).abs() < 1e-9);
            }

            #[test]
            fn times_round_trip_through_both_clocks(h in 0u32..24, m in 0u32..60) {
                let time = TimeOfDay { hour: h, minute: m };
                for clock in [Clock::TwelveHour, Clock::TwentyFourHour] {
                    prop_assert_eq!(TimeOfDay::parse("t", &time.format(clock)).ok(), Some(time));
                }
            }

            #[test]
            fn any_text_is_a_time_or_an_error(text in "\\PC{0,12}") {
                if let Ok(time) = TimeOfDay::parse("t", &text) {
                    prop_assert!(time.hour < 24 && time.minute < 60);
                }
            }

            #[test]
            fn dates_accept_exactly_the_calendar(y in 1900i32..2200, m in 1u32..13, d in 1u32..32) {
                let text = format!("{y:04}-{m:02}-{d:02}");
                prop_assert_eq!(date("d", &text).is_ok(), NaiveDate::from_ymd_opt(y, m, d).is_some());
            }

            #[test]
            fn any_text_is_a_date_or_an_error(text in "\\PC{0,16}") {
                let _ = date("d", &text);
                let _ = instant("u", &text);
            }
        }
    }
}
